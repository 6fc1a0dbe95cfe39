"""Splitting `/poll` arguments into text segments and `--flag value` uses.

Flags may appear in any `|`-separated segment. Phones autocorrect `--` into an em dash and
Chinese keyboards type `——`, so those prefixes are accepted too; but since dashes are also
ordinary punctuation, a dash-prefixed word that is not a known flag stays text, and only an
unknown `--word` is reported as a mistake.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass

from bot.domain.poll_deadline import looks_like_date, looks_like_time
from bot.domain.poll_errors import PollSyntaxError, PollSyntaxErrorCode

SEGMENT_SEPARATOR_RE = re.compile(r"[|｜]")
# NFKC has already turned full-width hyphens into "-"; em and en dashes have no such mapping.
_FLAG_RE = re.compile(r"(--|——|—|–)([^\W\d_][\w-]*)(?:=(.*))?")
_STRICT_PREFIX = "--"


class PollFlag(enum.Enum):
    """The flags `/poll` understands; the value is the canonical spelling."""

    HOURS = "--hours"
    DAYS = "--days"
    UNTIL = "--until"
    SECRET = "--secret"
    HOUSEHOLD = "--household"
    QUORUM = "--quorum"
    PASS = "--pass"
    MULTI = "--multi"

    @property
    def takes_value(self) -> bool:
        """Whether the flag is followed by a value, as opposed to being a plain switch."""
        return self not in _SWITCHES


_SWITCHES = frozenset({PollFlag.SECRET, PollFlag.HOUSEHOLD, PollFlag.MULTI})

FLAG_ALIASES: dict[str, PollFlag] = {
    "hours": PollFlag.HOURS,
    "hour": PollFlag.HOURS,
    "小时": PollFlag.HOURS,
    "days": PollFlag.DAYS,
    "day": PollFlag.DAYS,
    "天": PollFlag.DAYS,
    "天数": PollFlag.DAYS,
    "until": PollFlag.UNTIL,
    "deadline": PollFlag.UNTIL,
    "截止": PollFlag.UNTIL,
    "截至": PollFlag.UNTIL,
    "secret": PollFlag.SECRET,
    "anonymous": PollFlag.SECRET,
    "anon": PollFlag.SECRET,
    "匿名": PollFlag.SECRET,
    "household": PollFlag.HOUSEHOLD,
    "households": PollFlag.HOUSEHOLD,
    "per-household": PollFlag.HOUSEHOLD,
    "按户": PollFlag.HOUSEHOLD,
    "每户": PollFlag.HOUSEHOLD,
    "quorum": PollFlag.QUORUM,
    "法定": PollFlag.QUORUM,
    "法定人数": PollFlag.QUORUM,
    "pass": PollFlag.PASS,
    "threshold": PollFlag.PASS,
    "通过": PollFlag.PASS,
    "multi": PollFlag.MULTI,
    "multiple": PollFlag.MULTI,
    "多选": PollFlag.MULTI,
}


@dataclass(frozen=True)
class FlagUse:
    """One flag as it appeared in the command, with its NFKC-normalised value."""

    flag: PollFlag
    value: str | None


@dataclass(frozen=True)
class LexedCommand:
    """The command's `|`-separated segments with the flags taken out, and the flags."""

    segments: tuple[str, ...]
    flags: tuple[FlagUse, ...]


@dataclass(frozen=True)
class _FlagToken:
    flag: PollFlag | None
    inline_value: str | None


def lex_poll_command(args_text: str) -> LexedCommand:
    """Separate text from flags; raises on unknown flags and flags missing their value."""
    segments: list[str] = []
    flags: list[FlagUse] = []
    for segment in SEGMENT_SEPARATOR_RE.split(args_text):
        words, segment_flags = _lex_segment(segment.split())
        segments.append(" ".join(words))
        flags.extend(segment_flags)
    return LexedCommand(tuple(segments), tuple(flags))


def _lex_segment(tokens: list[str]) -> tuple[list[str], list[FlagUse]]:
    words: list[str] = []
    flags: list[FlagUse] = []
    position = 0
    while position < len(tokens):
        token = tokens[position]
        position += 1
        flag_token = _flag_token(token)
        if flag_token is None:
            words.append(token)
            continue
        flag = flag_token.flag
        if flag is None:
            raise PollSyntaxError(PollSyntaxErrorCode.UNKNOWN_FLAG, {"flag": token})
        if not flag.takes_value:
            if flag_token.inline_value is not None:
                raise PollSyntaxError(
                    PollSyntaxErrorCode.UNEXPECTED_FLAG_VALUE,
                    {"flag": flag.value, "value": flag_token.inline_value},
                )
            flags.append(FlagUse(flag, None))
            continue
        value = flag_token.inline_value
        if value is None and position < len(tokens) and _flag_token(tokens[position]) is None:
            value = _normalise(tokens[position])
            position += 1
        if not value:
            raise PollSyntaxError(PollSyntaxErrorCode.MISSING_FLAG_VALUE, {"flag": flag.value})
        if (
            flag is PollFlag.UNTIL
            and looks_like_date(value)
            and position < len(tokens)
            and looks_like_time(_normalise(tokens[position]))
        ):
            value = f"{value} {_normalise(tokens[position])}"
            position += 1
        flags.append(FlagUse(flag, value))
    return words, flags


def _flag_token(token: str) -> _FlagToken | None:
    """The flag a token spells, `flag=None` for an unknown `--word`, None for plain text."""
    match = _FLAG_RE.fullmatch(_normalise(token))
    if match is None:
        return None
    prefix, name, inline_value = match.groups()
    flag = FLAG_ALIASES.get(name.casefold())
    if flag is None and prefix != _STRICT_PREFIX:
        return None
    return _FlagToken(flag, inline_value)


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text)
