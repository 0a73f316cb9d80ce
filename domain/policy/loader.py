"""Loads the policy data shipped in `domain/policy/jurisdictions/` once per process.

Every `*.yaml` there is parsed and validated (`parse.parse_file`); a malformed file raises
`PolicyFileError` naming the file and the field, at the first load rather than mid-evaluation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable

from domain.policy.overlays import PolicyOverlay
from domain.policy.parse import PolicyFile, parse_file
from domain.policy.reader import PolicyFileError
from domain.policy.rules import Policy

DEFAULT_JURISDICTION = "DEFAULT"
"""The file holding the conservative policy used for jurisdictions without their own file."""


@dataclass(frozen=True)
class Catalog:
    """Every policy version and statutory overlay, by jurisdiction."""

    versions: Mapping[str, tuple[Policy, ...]]
    overlays: Mapping[str, tuple[PolicyOverlay, ...]]

    @property
    def default(self) -> tuple[Policy, ...]:
        return self.versions[DEFAULT_JURISDICTION]

    def jurisdictions(self) -> list[str]:
        """The jurisdictions with their own policy (DEFAULT excluded)."""
        return sorted(j for j in self.versions if j != DEFAULT_JURISDICTION)

    def overlay_ids(self) -> set[str]:
        return {overlay.id for overlays in self.overlays.values() for overlay in overlays}


def build_catalog(files: list[PolicyFile]) -> Catalog:
    """Assemble parsed files, checking the cross-file rules (one file per jurisdiction, unique ids)."""
    versions: dict[str, tuple[Policy, ...]] = {}
    for file in sorted(files, key=lambda f: f.name):
        if file.overlay is not None:
            continue
        if file.jurisdiction in versions:
            raise PolicyFileError(file.name, "jurisdiction", f"{file.jurisdiction} is defined by two files")
        versions[file.jurisdiction] = file.versions
    if DEFAULT_JURISDICTION not in versions:
        raise PolicyFileError(f"{DEFAULT_JURISDICTION}.yaml", "<file>", "the default policy is missing")
    overlays: dict[str, list[PolicyOverlay]] = {}
    for file in sorted(files, key=lambda f: f.name):
        overlay = file.overlay
        if overlay is None:
            continue
        if file.jurisdiction not in versions:
            raise PolicyFileError(file.name, "jurisdiction", f"no policy file for {file.jurisdiction}")
        if any(o.id == overlay.id for items in overlays.values() for o in items):
            raise PolicyFileError(file.name, "overlay.id", f"{overlay.id} is defined twice")
        overlays.setdefault(file.jurisdiction, []).append(overlay)
    return Catalog(versions, {j: tuple(items) for j, items in overlays.items()})


def load_directory(directory: Traversable) -> Catalog:
    """Parse every `*.yaml` file in `directory` (not cached: for tests and tools)."""
    files = [
        parse_file(entry.name, entry.read_text(encoding="utf-8"))
        for entry in directory.iterdir()
        if entry.name.endswith(".yaml")
    ]
    return build_catalog(files)


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    """The shipped policy data, parsed once per process."""
    return load_directory(resources.files("domain.policy").joinpath("jurisdictions"))
