"""Classifier rules: categories and marker lists, validated from a TOML table.

Rules live in config so a building's admin can add the words their residents use. Every
keyword is folded like message text (traditional → simplified, full-width → half-width,
lower case), so rules may be written in either script. Patterns are regular expressions
matched against that folded text, so they should be written in simplified, lower case.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from functools import cache, cached_property, lru_cache
from importlib import resources
from typing import Final

from bot.domain.hanzi import normalize

DEFAULT_RULES_RESOURCE: Final = "default_rules.toml"
_CATEGORY_KEY: Final = re.compile(r"[a-z][a-z0-9_]*")
_MARKER_GROUPS: Final = (
    "urgent", "problem", "chit_chat", "announcement", "resolved", "hearsay", "suggestion",
    "personal", "harmless",
)  # fmt: skip
_LIST_KEYS: Final = ("keywords_zh", "keywords_en", "patterns")
_CJK: Final = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff]")
_LATIN: Final = re.compile(r"[a-z0-9]")
_CONTROL_CHARACTER: Final = re.compile(r"[\x00-\x1f\x7f]")
# A pattern's letters outside escapes such as \b, \w or \d: what text it can need.
_ESCAPE: Final = re.compile(r"\\.")


class RulesError(ValueError):
    """A problem in the classifier rules, reported as one line naming the dotted key."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key
        self.problem = problem


@dataclass(frozen=True)
class Cue:
    """Keywords and patterns that together signal one thing (a topic, a hazard, thanks)."""

    keywords_zh: tuple[str, ...] = ()
    keywords_en: tuple[str, ...] = ()
    # Regular expressions, checked when the rules are read (`_Table.patterns`) and compiled
    # the first time they are needed (`patterns`).
    pattern_sources: tuple[str, ...] = ()
    _cjk_keywords: tuple[str, ...] = field(init=False, repr=False, compare=False)
    _words: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Which list a keyword sits in does not matter; its script decides how it matches.
        keywords = tuple(dict.fromkeys(self.keywords_zh + self.keywords_en))
        cjk = tuple(keyword for keyword in keywords if _CJK.search(keyword))
        object.__setattr__(self, "_cjk_keywords", cjk)
        object.__setattr__(self, "_words", tuple(k for k in keywords if k not in cjk))

    @cached_property
    def patterns(self) -> tuple[re.Pattern[str], ...]:
        """The patterns, compiled at first use: the packaged rules hold hundreds, and
        compiling them all took a tenth of the bot's start-up (`compile` does it ahead)."""
        return tuple(re.compile(source) for source in self.pattern_sources)

    @cached_property
    def _word_pattern(self) -> re.Pattern[str] | None:
        return _word_matcher(list(self._words))

    @cached_property
    def _by_script(self) -> dict[tuple[bool, bool], tuple[re.Pattern[str], ...]]:
        """The patterns that can match text with (Latin, Chinese) in it, in pattern order:
        each pattern is kept out of the texts lacking the script it cannot match without
        (`_needs`)."""
        gated = tuple((pattern, _needs(pattern.pattern)) for pattern in self.patterns)
        return {
            (latin, cjk): tuple(
                pattern
                for pattern, needs in gated
                if needs is None or (latin if needs is _LATIN else cjk)
            )
            for latin in (False, True)
            for cjk in (False, True)
        }

    def compile(self) -> None:
        """Compile now what the first message would otherwise compile."""
        self._by_script  # noqa: B018 (a cached property: reading it compiles)
        self._word_pattern  # noqa: B018

    def keyword_hits(self, folded_text: str) -> tuple[str, ...]:
        """Keywords found in already-normalized text, in order of appearance.

        A keyword inside a longer keyword that also matched ("灯" in "楼道灯") is dropped.
        """
        found = [keyword for keyword in self._cjk_keywords if keyword in folded_text]
        matcher = self._word_pattern
        if matcher is not None and _LATIN.search(folded_text):
            found.extend(match.group() for match in matcher.finditer(folded_text))
        distinct = list(dict.fromkeys(found))
        kept = [
            hit for hit in distinct if not any(hit != other and hit in other for other in distinct)
        ]
        return tuple(sorted(kept, key=folded_text.find))

    def pattern_hits(self, folded_text: str) -> tuple[str, ...]:
        """The text each matching pattern found, in pattern order."""
        found = [
            hit.group()
            for hit in [
                pattern.search(folded_text) for pattern in self._by_script[scripts(folded_text)]
            ]
            if hit is not None
        ]
        return tuple(dict.fromkeys(found)) if found else ()

    def hits(self, folded_text: str) -> tuple[str, ...]:
        """Keyword and pattern hits together."""
        return tuple(
            dict.fromkeys(self.keyword_hits(folded_text) + self.pattern_hits(folded_text))
        )


@dataclass(frozen=True, kw_only=True)
class CategoryRule(Cue):
    """A request category: keywords name the topic, patterns describe a problem with it."""

    key: str
    icon: str


@dataclass(frozen=True)
class ClassifierRules:
    """Everything `classify` needs; build with `rules_from_mapping` or `default_rules`."""

    categories: tuple[CategoryRule, ...]
    fallback_category: str
    urgent: Cue
    problem: Cue
    chit_chat: Cue
    announcement: Cue
    resolved: Cue
    confident: float
    borderline: float
    # News, what-ifs and harmless causes ("听说对面小区着火了", "要是停电了…", cooking fumes):
    # optional in a config, so rules written before it existed still load.
    hearsay: Cue = field(default_factory=Cue)
    # Wishes for something new ("建议装个…", "could we get…"): not a problem report.
    suggestion: Cue = field(default_factory=Cue)
    # A resident's own affairs (apologising for their own noise, lost and found, selling):
    # optional too.
    personal: Cue = field(default_factory=Cue)
    # A harmless source of hazard words ("烟头", a smoke alarm's low battery, a restaurant's
    # kitchen vent): the complaint stands but pages nobody. Optional too.
    harmless: Cue = field(default_factory=Cue)

    def cues(self) -> tuple[Cue, ...]:
        """Every category and marker group."""
        markers = (getattr(self, item.name) for item in fields(self))
        return (*self.categories, *(cue for cue in markers if isinstance(cue, Cue)))

    def category(self, key: str) -> CategoryRule:
        """The category with this key (raises KeyError for an unknown key)."""
        for rule in self.categories:
            if rule.key == key:
                return rule
        raise KeyError(key)


@lru_cache(maxsize=256)
def scripts(folded_text: str) -> tuple[bool, bool]:
    """Whether the text has Latin letters or digits, and whether it has Chinese (every cue
    asks about the same message, so it is worked out once)."""
    return _LATIN.search(folded_text) is not None, _CJK.search(folded_text) is not None


def _needs(source: str) -> re.Pattern[str] | None:
    """The script a pattern cannot match without, so text lacking it can skip the pattern.

    Rules hold well over a hundred patterns, most written for one script ("电梯.{0,8}卡",
    "\\b(lift|elevator)…"); running only those a message's script can match keeps
    classification fast. A pattern with Chinese and no Latin letters (outside escapes) needs
    Chinese text; one with Latin letters and no Chinese needs Latin text; others always run.
    """
    letters = _ESCAPE.sub("", source)
    has_cjk = _CJK.search(letters) is not None
    has_latin = re.search(r"[a-z]", letters) is not None
    if has_cjk and not has_latin:
        return _CJK
    if has_latin and not has_cjk:
        return _LATIN
    return None


def _word_matcher(words: list[str]) -> re.Pattern[str] | None:
    """One regex for all non-CJK keywords: whole words, optionally inflected.

    "ice" must not match inside "notice", but "leak" should find "leaking".
    """
    if not words:
        return None
    alternatives = sorted(
        (r"\s+".join(re.escape(part) for part in word.split()) for word in words),
        key=len,
        reverse=True,
    )
    return re.compile(rf"(?<![a-z0-9])(?:{'|'.join(alternatives)})(?:s|es|ed|ing)?(?![a-z0-9])")


def rules_from_mapping(
    data: Mapping[str, object], *, prefix: str = "classifier", check_patterns: bool = True
) -> ClassifierRules:
    """Validate the contents of a `[classifier]` TOML table into `ClassifierRules`.

    Raises `RulesError` naming the dotted key (under `prefix`) of the first problem. Checking
    a pattern compiles it; `check_patterns=False` leaves that to its first use (the packaged
    rules, which the tests compile whole).
    """
    table = _Table(data, prefix, check_patterns)
    table.reject_unknown(("categories", "fallback_category", "confident", "borderline",
                          *_MARKER_GROUPS))  # fmt: skip
    categories = _categories(table.table("categories"))
    fallback = table.string("fallback_category")
    if fallback not in {rule.key for rule in categories}:
        raise RulesError(table.key("fallback_category"), f"no category named {fallback!r}")
    confident = table.fraction("confident")
    borderline = table.fraction("borderline")
    if borderline > confident:
        raise RulesError(table.key("borderline"), "must not be above 'confident'")
    markers = {
        name: _cue(table.table(name)) if name in table.data else Cue() for name in _MARKER_GROUPS
    }
    return ClassifierRules(
        categories=categories,
        fallback_category=fallback,
        confident=confident,
        borderline=borderline,
        **markers,
    )


@cache
def default_rules() -> ClassifierRules:
    """The packaged rules (`bot/domain/default_rules.toml`), parsed once."""
    text = resources.files("bot.domain").joinpath(DEFAULT_RULES_RESOURCE).read_text("utf-8")
    document = tomllib.loads(text)
    return rules_from_mapping(_Table(document, "").table("classifier").data, check_patterns=False)


def _categories(table: _Table) -> tuple[CategoryRule, ...]:
    if not table.data:
        raise RulesError(table.prefix, "must define at least one category")
    rules = []
    for key in table.data:
        if not _CATEGORY_KEY.fullmatch(key):
            raise RulesError(table.key(key), "category keys must be lower-case ASCII words")
        category = table.table(key)
        cue = _cue(category, allow_extra=("icon",))
        rules.append(
            CategoryRule(
                keywords_zh=cue.keywords_zh,
                keywords_en=cue.keywords_en,
                pattern_sources=cue.pattern_sources,
                key=key,
                icon=category.string("icon"),
            )
        )
    return tuple(rules)


def _cue(table: _Table, allow_extra: tuple[str, ...] = ()) -> Cue:
    table.reject_unknown((*_LIST_KEYS, *allow_extra))
    return Cue(
        keywords_zh=table.keywords("keywords_zh"),
        keywords_en=table.keywords("keywords_en"),
        pattern_sources=table.patterns("patterns"),
    )


class _Table:
    """A TOML table plus its dotted position, for error messages."""

    def __init__(
        self, data: Mapping[str, object], prefix: str, check_patterns: bool = True
    ) -> None:
        self.data = data
        self.prefix = prefix
        self.check_patterns = check_patterns

    def key(self, name: str) -> str:
        return f"{self.prefix}.{name}" if self.prefix else name

    def reject_unknown(self, known: tuple[str, ...]) -> None:
        for name in self.data:
            if name not in known:
                raise RulesError(
                    self.key(name), f"unknown key (expected one of {', '.join(known)})"
                )

    def table(self, name: str) -> _Table:
        value = self.data.get(name)
        if value is None:
            raise RulesError(self.key(name), "is required")
        if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
            raise RulesError(self.key(name), "must be a table")
        return _Table(value, self.key(name), self.check_patterns)

    def string(self, name: str) -> str:
        value = self.data.get(name)
        if value is None:
            raise RulesError(self.key(name), "is required")
        if not isinstance(value, str) or not value.strip():
            raise RulesError(self.key(name), "must be a non-empty string")
        return value.strip()

    def fraction(self, name: str) -> float:
        value = self.data.get(name)
        if value is None:
            raise RulesError(self.key(name), "is required")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise RulesError(self.key(name), f"must be a number between 0 and 1, got {value!r}")
        if not 0 < value <= 1:
            raise RulesError(self.key(name), f"must be above 0 and at most 1, got {value}")
        return float(value)

    def strings(self, name: str) -> tuple[str, ...]:
        value = self.data.get(name, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise RulesError(self.key(name), "must be a list of strings")
        for index, item in enumerate(value):
            if not item.strip():
                raise RulesError(f"{self.key(name)}[{index}]", "must not be empty")
            if _CONTROL_CHARACTER.search(item):
                # TOML turns "\b" in double quotes into a backspace, a silent non-match.
                raise RulesError(
                    f"{self.key(name)}[{index}]",
                    "contains a control character; write regular expressions in single "
                    "quotes ('\\bfire\\b'), where backslashes stay backslashes",
                )
        return tuple(value)

    def keywords(self, name: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(normalize(item) for item in self.strings(name)))

    def patterns(self, name: str) -> tuple[str, ...]:
        sources = self.strings(name)
        for index, source in enumerate(sources if self.check_patterns else ()):
            try:
                re.compile(source)
            except re.error as exc:
                raise RulesError(
                    f"{self.key(name)}[{index}]", f"invalid regular expression {source!r}: {exc}"
                ) from None
        return sources
