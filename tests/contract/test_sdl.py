"""The checked-in SDL is the schema the server runs."""

from __future__ import annotations

from pathlib import Path

from schema.root import schema

SDL = Path(__file__).resolve().parents[2] / "schema" / "schema.graphql"


def test_checked_in_sdl_matches_the_running_schema() -> None:
    assert SDL.read_text() == schema.as_str() + "\n", "run `recaudo export-schema` and commit the result"
