"""Layering: domain code stays pure, no state in string-keyed bot_data, no pickles."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN_IN_DOMAIN = ("telegram", "aiosqlite", "sqlite3", "storage", "handlers", "aiohttp")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_domain_imports_no_telegram_or_database_code() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imports(path) & set(FORBIDDEN_IN_DOMAIN))
        for path in (ROOT / "bot" / "domain").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_no_string_keys_in_bot_data_and_no_pickle_persistence() -> None:
    for package in ("bot", "handlers", "storage"):
        for path in (ROOT / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            assert "bot_data[" not in text, path
            assert "PicklePersistence" not in text, path
