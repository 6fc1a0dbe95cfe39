"""gettext catalogs (zh_CN, en) and the per-chat language choice."""

from __future__ import annotations

import functools
import gettext
from pathlib import Path
from typing import Final

from bot.config import LANGUAGES, Language

LOCALE_DIR: Final = Path(__file__).parent / "locales"
DOMAIN: Final = "courtyard"
GETTEXT_LOCALES: Final[dict[str, str]] = {"zh": "zh_CN", "en": "en"}


class Translator:
    """Translates message ids into one language."""

    def __init__(self, language: Language, catalog: gettext.NullTranslations) -> None:
        self.language: Language = language
        self._catalog = catalog

    def gettext(self, message: str) -> str:
        return self._catalog.gettext(message)

    __call__ = gettext

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self._catalog.ngettext(singular, plural, count)


@functools.cache
def translator(language: Language) -> Translator:
    """The translator for a supported language (catalogs must exist: fail loudly if not)."""
    catalog = gettext.translation(DOMAIN, LOCALE_DIR, languages=[GETTEXT_LOCALES[language]])
    return Translator(language, catalog)


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated later, where the language is known."""
    return message


def normalize_language(value: str | None) -> Language | None:
    """Map a Telegram `language_code` or user input (zh-hans, EN, 中文) to a supported language."""
    if not value:
        return None
    code = value.strip().lower().replace("_", "-")
    if code.startswith("zh") or code in ("中文", "汉语", "漢語", "cn"):
        return "zh"
    if code.startswith("en") or code in ("english", "英文", "英语"):
        return "en"
    return None


def is_supported(language: str) -> bool:
    return language in LANGUAGES
