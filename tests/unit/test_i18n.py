"""Catalogs: every message id translated in both languages, compiled files up to date."""

from __future__ import annotations

import gettext
import re

import pytest
from babel.messages.pofile import read_po

from bot.i18n import DOMAIN, GETTEXT_LOCALES, LOCALE_DIR, normalize_language, translator
from bot.i18n_catalogs import extract, po_path

PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def _catalog(locale: str):  # type: ignore[no-untyped-def]
    with po_path(locale).open("rb") as handle:
        return read_po(handle, locale=locale, domain=DOMAIN)


def _ids(message_id: object) -> list[str]:
    return list(message_id) if isinstance(message_id, tuple) else [str(message_id)]


@pytest.mark.parametrize("locale", sorted(GETTEXT_LOCALES.values()))
def test_every_source_message_is_translated(locale: str) -> None:
    catalog = _catalog(locale)
    missing = []
    for message in extract():
        if not message.id:
            continue
        entry = catalog.get(message.id)
        strings = entry.string if entry is not None else None
        values = list(strings) if isinstance(strings, tuple) else [strings]
        if entry is None or not all(values):
            missing.append(_ids(message.id)[0])
    assert missing == [], f"untranslated in {locale} (run python -m bot.i18n_catalogs update)"


@pytest.mark.parametrize("locale", sorted(GETTEXT_LOCALES.values()))
def test_translations_keep_placeholders(locale: str) -> None:
    for message in _catalog(locale):
        if not message.id:
            continue
        expected = set(PLACEHOLDER.findall(_ids(message.id)[0]))
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) == expected, message.id


@pytest.mark.parametrize("locale", sorted(GETTEXT_LOCALES.values()))
def test_compiled_catalog_matches_po(locale: str) -> None:
    mo_path = LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"
    with mo_path.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for message in _catalog(locale):
        if message.id and isinstance(message.id, str):
            assert compiled.gettext(message.id) == message.string, (
                f"{mo_path} is stale: run python -m bot.i18n_catalogs compile"
            )


def test_languages_really_differ() -> None:
    english = translator("en")("Done: I will speak English here.")
    chinese = translator("zh")("Done: I will speak English here.")
    assert english == "Done: I will speak English here."
    assert chinese != english
    assert re.search(r"[\u4e00-\u9fff]", chinese)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("zh-hans", "zh"),
        ("zh_TW", "zh"),
        ("EN", "en"),
        ("en-GB", "en"),
        ("中文", "zh"),
        ("fr", None),
        (None, None),
        ("", None),
    ],
)
def test_normalize_language(raw: str | None, expected: str | None) -> None:
    assert normalize_language(raw) == expected


def test_translations_are_only_looked_up_through_extractable_names() -> None:
    """A translator bound to another name (`_r("…")`) hides its strings from extraction."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = []
    for package in ("bot", "handlers", "storage"):
        for path in (root / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id not in ("_", "N_")
                    and re.fullmatch(r"_\w{1,2}|[a-z]\w*_", node.func.id)
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                ):
                    offenders.append(f"{path.relative_to(root)}:{node.lineno} {node.func.id}")
    assert offenders == []
