"""Layers only look down (docs/architecture.md): read from the import graph of src/reelay."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "src" / "reelay"

# What each layer must never import.
FORBIDDEN = {
    "store": {"callbacks", "dialects", "service", "worker", "engines", "wiring", "app"},
    "callbacks": {"dialects", "service", "worker", "engines", "wiring", "app"},
    "engines": {"worker", "dialects", "service", "callbacks", "wiring", "app"},
    "worker": {"dialects", "service", "callbacks", "wiring", "app"},
    "storage": {"store", "dialects", "service", "worker", "engines", "callbacks", "wiring", "app"},
    "service": {"dialects", "worker", "callbacks", "wiring", "app"},
    "dialects": {"worker", "callbacks", "wiring", "app"},
    "console": {"worker", "callbacks", "wiring", "app"},  # pages over the services, as a dialect is
}


def imports_of(path: Path) -> set[str]:
    """The reelay modules a file imports, as dotted names below `reelay`."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.ImportFrom) and node.level:
            package = path.relative_to(PACKAGE).parent.parts[
                : len(path.relative_to(PACKAGE).parent.parts) - node.level + 1
            ]
            names = [".".join(("reelay", *package, *([node.module] if node.module else [])))]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found |= {name.removeprefix("reelay.") for name in names if name.startswith("reelay.")}
    return found


def files_of(layer: str) -> list[Path]:
    return sorted((PACKAGE / layer).rglob("*.py"))


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_imports_nothing_above_it(layer):
    wrong = {
        str(path.relative_to(PACKAGE)): sorted(
            name for name in imports_of(path) if name.split(".")[0] in FORBIDDEN[layer]
        )
        for path in files_of(layer)
    }
    assert not {path: names for path, names in wrong.items() if names}


def test_the_domain_needs_only_the_standard_library_and_pydantic():
    allowed_third_party = {"pydantic"}
    for path in files_of("domain"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                roots = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                roots = {node.module.split(".")[0]}
            else:
                continue
            third_party = {root for root in roots if root not in _stdlib() and root != "reelay"}
            assert third_party <= allowed_third_party, (path.name, third_party)
            assert not {name for name in imports_of(path) if not name.startswith("domain")}, path.name


def test_the_worker_knows_no_upstream_engine():
    for path in files_of("worker"):
        assert not {
            name
            for name in imports_of(path)
            # engines.steps: the log an engine's exchanges go to, which the worker opens per step
            if name.startswith("engines.") and name not in ("engines.base", "engines.placement", "engines.steps")
        }


def test_migrations_import_no_live_code():
    for path in sorted((PACKAGE / "store" / "migrations" / "versions").glob("*.py")):
        assert not imports_of(path), path.name


def _stdlib() -> frozenset[str]:
    import sys

    return frozenset(sys.stdlib_module_names) | {"__future__"}


def test_no_sql_outside_the_store():
    """Every statement lives in store/: nothing else imports SQLAlchemy's query builders or runs SQL."""
    for path in sorted(PACKAGE.rglob("*.py")):
        layer = path.relative_to(PACKAGE).parts[0]
        if layer in ("store", "emulator"):  # the emulator is a separate program that stands in for an upstream
            continue
        text = path.read_text()
        assert "conn.execute(" not in text and "from sqlalchemy import" not in text, path.relative_to(PACKAGE)
