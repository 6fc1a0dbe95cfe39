"""Developer tool: extract message ids into the .po catalogs and compile them to .mo.

    python -m bot.i18n_catalogs update    # extract + merge, then compile
    python -m bot.i18n_catalogs compile   # .po -> .mo only
    python -m bot.i18n_catalogs missing   # untranslated zh_CN message ids, as JSON
    python -m bot.i18n_catalogs apply F   # fill zh_CN translations from a JSON object file

The compiled .mo files are committed so that a plain `pip install` has them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from bot.i18n import DOMAIN, GETTEXT_LOCALES, LOCALE_DIR

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIRS = ("bot", "handlers", "storage")
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}


def po_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def extract() -> Catalog:
    """Every translatable string in the source tree."""
    template = Catalog(project="courtyard", fuzzy=False)
    for directory in SOURCE_DIRS:
        for filename, lineno, message, comments, context in extract_from_dir(
            PROJECT_ROOT / directory,
            method_map=[("**.py", "python")],
            keywords=KEYWORDS,
            comment_tags=("TRANSLATORS:",),
        ):
            template.add(
                message,
                locations=[(f"{directory}/{filename}", lineno)],
                auto_comments=comments,
                context=context,
            )
    return template


def load(locale: str) -> Catalog:
    path = po_path(locale)
    if not path.exists():
        return Catalog(locale=locale, domain=DOMAIN, fuzzy=False)
    with path.open("rb") as handle:
        return read_po(handle, locale=locale, domain=DOMAIN)


def update() -> None:
    template = extract()
    for locale in GETTEXT_LOCALES.values():
        catalog = load(locale)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        if locale == "en":
            # English message ids are the English text.
            for message in catalog:
                if message.id and not message.string:
                    message.string = message.id
        po_path(locale).parent.mkdir(parents=True, exist_ok=True)
        save(catalog, locale)
    compile_all()


def compile_all() -> None:
    for locale in GETTEXT_LOCALES.values():
        catalog = load(locale)
        with po_path(locale).with_suffix(".mo").open("wb") as handle:
            write_mo(handle, catalog)


def save(catalog: Catalog, locale: str) -> None:
    with po_path(locale).open("wb") as handle:
        write_po(handle, catalog, width=99, omit_header=False, sort_output=False)


def missing(locale: str = "zh_CN") -> dict[str, str]:
    return {m.id: "" for m in load(locale) if m.id and not m.string and isinstance(m.id, str)}


def apply(path: Path, locale: str = "zh_CN") -> None:
    translations: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    catalog = load(locale)
    for message in catalog:
        if isinstance(message.id, str) and translations.get(message.id):
            message.string = translations[message.id]
    save(catalog, locale)
    compile_all()


def main(argv: list[str]) -> int:
    if argv == ["update"]:
        update()
    elif argv == ["compile"]:
        compile_all()
    elif argv == ["missing"]:
        print(json.dumps(missing(), ensure_ascii=False, indent=1))
    elif len(argv) == 2 and argv[0] == "apply":
        apply(Path(argv[1]))
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
