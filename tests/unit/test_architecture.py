"""The domain is pure: no AWS, GraphQL, HTTP or Lambda libraries, and no outer layers of our own."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[2] / "domain"

FORBIDDEN = frozenset(
    {
        "boto3",
        "botocore",
        "pynamodb",
        "strawberry",
        "starlette",
        "mangum",
        "aws_lambda_powertools",
        "moto",
        "api",
        "schema",
        "infra",
        "functions",
    }
)


def _imported_modules(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) in {"import_module", "__import__"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))  # importlib.import_module("boto3")
    return found


DOMAIN_FILES = sorted(DOMAIN.rglob("*.py"))


def test_the_domain_package_is_found() -> None:
    assert len(DOMAIN_FILES) >= 10
    assert (DOMAIN / "services" / "payments.py") in DOMAIN_FILES


@pytest.mark.parametrize("path", DOMAIN_FILES, ids=lambda p: str(p.relative_to(DOMAIN.parent)))
def test_domain_module_imports_nothing_from_outer_layers(path: Path) -> None:
    offending = [
        f"{path.relative_to(DOMAIN.parent)}:{line} imports {module}"
        for line, module in _imported_modules(path)
        if module.split(".")[0] in FORBIDDEN
    ]
    assert offending == []


def test_the_checker_catches_forbidden_imports(tmp_path: Path) -> None:
    # GIVEN a module using every import form
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import boto3.session\nfrom infra.dynamodb import x\nimport importlib\n"
        "importlib.import_module('strawberry')\nfrom . import sibling\nimport decimal\n"
    )
    # THEN the absolute forbidden imports are reported and relative / stdlib ones are not
    modules = {m.split(".")[0] for _, m in _imported_modules(bad)} & FORBIDDEN
    assert modules == {"boto3", "infra", "strawberry"}
