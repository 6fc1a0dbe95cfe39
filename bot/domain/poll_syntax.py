"""Parsing `/poll Question? | option A | option B [flags]` into a `PollSpec`.

Flags (English, Chinese alias in brackets; `--`, `—`, `–` and `——` prefixes all work, values
follow a space or `=`):

    --hours N [--小时]      close N hours from now (decimals allowed; default 24)
    --days N [--天]         close N days from now
    --until WHEN [--截止]   close at `YYYY-MM-DD HH:MM`, `YYYY-MM-DD`, `MM-DD HH:MM`,
                            `MM/DD HH:MM` or `HH:MM`, in the community's time zone
    --secret [--匿名]       ballots are not shown by name (does not change the tally)
    --household [--按户]    one vote per household
    --multi [--多选]        voters may pick several options (custom options only)
    --quorum Q [--法定]     `50%` or `1/2` of the eligible, or a count such as `30`
    --pass T [--通过]       For share needed: `majority` (> 50%), or `60%`, `2/3`, `0.6` (>=),
                            or `>60%` (strictly more)

Without options the poll is a For / Against / Abstain decision that passes when For reaches
the pass threshold of For + Against (abstentions count only towards turnout and quorum).
With custom options the most-voted option wins, so `--pass` is rejected as meaningless there.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from fractions import Fraction

from bot.domain.poll_deadline import parse_deadline
from bot.domain.poll_errors import PollSyntaxError, PollSyntaxErrorCode
from bot.domain.poll_flags import FlagUse, PollFlag, lex_poll_command
from bot.domain.poll_rules import (
    DEFAULT_OPTIONS,
    SIMPLE_MAJORITY,
    PassThreshold,
    PollOption,
    Quorum,
    decision_indexes,
)
from bot.domain.poll_values import parse_pass_threshold, parse_positive_amount, parse_quorum

__all__ = [
    "MAX_OPTION_LENGTH",
    "MAX_POLL_DAYS",
    "MAX_QUESTION_LENGTH",
    "MIN_OPTIONS",
    "MIN_POLL_MINUTES",
    "PollSpec",
    "PollSyntaxError",
    "PollSyntaxErrorCode",
    "option_identity",
    "parse_poll_command",
    "telegram_length",
]

# Telegram's own polls allow 300 characters; 255 leaves room for our "(closes …)" decorations.
MAX_QUESTION_LENGTH = 255
# Telegram's PollLimit.MAX_OPTION_LENGTH, so an option also fits a native Telegram poll.
MAX_OPTION_LENGTH = 100
MIN_OPTIONS = 2
MAX_POLL_DAYS = 90
# A poll that closes before anyone could read it decides nothing.
MIN_POLL_MINUTES = 5
_MAX_POLL_HOURS = MAX_POLL_DAYS * 24
_DEADLINE_FLAGS = frozenset({PollFlag.HOURS, PollFlag.DAYS, PollFlag.UNTIL})
_LOCAL_TIME_FORMAT = "%Y-%m-%d %H:%M"


@dataclass(frozen=True)
class PollSpec:
    """A poll as its author asked for it; satisfies `TallyRules`.

    `options` holds the `DefaultOption` members for a For / Against / Abstain decision,
    otherwise the custom labels as typed. `closes_at` is aware and in UTC.
    """

    question: str
    options: tuple[PollOption, ...]
    closes_at: datetime
    secret: bool = False
    per_household: bool = False
    multi: bool = False
    quorum: Quorum = None
    pass_threshold: PassThreshold = SIMPLE_MAJORITY

    @property
    def uses_default_options(self) -> bool:
        """Whether this is a For / Against / Abstain decision rather than a custom poll."""
        return decision_indexes(self.options) is not None


@dataclass
class _FlagSettings:
    hours: Fraction | None = None
    until: datetime | None = None
    secret: bool = False
    per_household: bool = False
    multi: bool = False
    quorum: Quorum = None
    pass_threshold: PassThreshold | None = None
    seen: dict[PollFlag, None] = field(default_factory=dict)


def parse_poll_command(
    args_text: str,
    *,
    now: datetime,
    tz: tzinfo,
    default_hours: int = 24,
    max_options: int = 10,
) -> PollSpec:
    """Parse the text after `/poll`; raises `PollSyntaxError` describing the first problem."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    lexed = lex_poll_command(args_text)
    settings = _apply_flags(lexed.flags, now=now, tz=tz)
    question = lexed.segments[0]
    _check_question(question)
    options = _custom_options(lexed.segments[1:], max_options) or DEFAULT_OPTIONS
    is_decision = decision_indexes(options) is not None
    if settings.multi and is_decision:
        raise PollSyntaxError(PollSyntaxErrorCode.MULTI_WITH_DEFAULT_OPTIONS)
    if settings.pass_threshold is not None and not is_decision:
        raise PollSyntaxError(PollSyntaxErrorCode.PASS_WITHOUT_DECISION)
    return PollSpec(
        question=question,
        options=options,
        closes_at=_closes_at(settings, now=now, tz=tz, default_hours=default_hours),
        secret=settings.secret,
        per_household=settings.per_household,
        multi=settings.multi,
        quorum=settings.quorum,
        pass_threshold=settings.pass_threshold or SIMPLE_MAJORITY,
    )


def _apply_flags(uses: tuple[FlagUse, ...], *, now: datetime, tz: tzinfo) -> _FlagSettings:
    settings = _FlagSettings()
    for use in uses:
        _check_not_repeated(use.flag, settings.seen)
        settings.seen[use.flag] = None
        value = use.value or ""
        match use.flag:
            case PollFlag.HOURS:
                settings.hours = parse_positive_amount(value, flag=use.flag.value)
            case PollFlag.DAYS:
                settings.hours = parse_positive_amount(value, flag=use.flag.value) * 24
            case PollFlag.UNTIL:
                settings.until = parse_deadline(value, now=now, tz=tz)
            case PollFlag.SECRET:
                settings.secret = True
            case PollFlag.HOUSEHOLD:
                settings.per_household = True
            case PollFlag.MULTI:
                settings.multi = True
            case PollFlag.QUORUM:
                settings.quorum = parse_quorum(value)
            case PollFlag.PASS:
                settings.pass_threshold = parse_pass_threshold(value)
    return settings


def _check_not_repeated(flag: PollFlag, seen: dict[PollFlag, None]) -> None:
    """Repeating a switch is harmless; two values for one setting are ambiguous."""
    if flag in seen and flag.takes_value:
        raise PollSyntaxError(PollSyntaxErrorCode.DUPLICATE_FLAG, {"flag": flag.value})
    if flag in _DEADLINE_FLAGS:
        for earlier in seen:
            if earlier in _DEADLINE_FLAGS and earlier is not flag:
                raise PollSyntaxError(
                    PollSyntaxErrorCode.CONFLICTING_FLAGS,
                    {"flag": flag.value, "other": earlier.value},
                )


def _check_question(question: str) -> None:
    if not question:
        raise PollSyntaxError(PollSyntaxErrorCode.EMPTY_QUESTION)
    length = telegram_length(question)
    if length > MAX_QUESTION_LENGTH:
        raise PollSyntaxError(
            PollSyntaxErrorCode.QUESTION_TOO_LONG, {"length": length, "max": MAX_QUESTION_LENGTH}
        )


def _custom_options(segments: tuple[str, ...], max_options: int) -> tuple[str, ...]:
    """The custom options, or () when none were given; empty segments are ignored."""
    options = tuple(segment for segment in segments if segment)
    if len(options) > max_options:
        raise PollSyntaxError(
            PollSyntaxErrorCode.TOO_MANY_OPTIONS, {"count": len(options), "max": max_options}
        )
    if len(options) == 1:
        raise PollSyntaxError(
            PollSyntaxErrorCode.TOO_FEW_OPTIONS, {"count": 1, "min": MIN_OPTIONS}
        )
    first_positions: dict[str, int] = {}
    for position, option in enumerate(options, start=1):
        length = telegram_length(option)
        if length > MAX_OPTION_LENGTH:
            raise PollSyntaxError(
                PollSyntaxErrorCode.OPTION_TOO_LONG,
                {"position": position, "length": length, "max": MAX_OPTION_LENGTH},
            )
        key = option_identity(option)
        if key in first_positions:
            raise PollSyntaxError(
                PollSyntaxErrorCode.DUPLICATE_OPTION,
                {"option": option, "position": position, "first_position": first_positions[key]},
            )
        first_positions[key] = position
    return options


def _closes_at(
    settings: _FlagSettings, *, now: datetime, tz: tzinfo, default_hours: int
) -> datetime:
    closes_at = _requested_close(settings, now=now, tz=tz, default_hours=default_hours)
    if closes_at - now < timedelta(minutes=MIN_POLL_MINUTES):
        raise PollSyntaxError(
            PollSyntaxErrorCode.DEADLINE_TOO_SOON, {"min_minutes": MIN_POLL_MINUTES}
        )
    return closes_at


def _requested_close(
    settings: _FlagSettings, *, now: datetime, tz: tzinfo, default_hours: int
) -> datetime:
    if settings.until is not None:
        closes_at = settings.until
        if closes_at <= now:
            local = closes_at.astimezone(tz).strftime(_LOCAL_TIME_FORMAT)
            raise PollSyntaxError(PollSyntaxErrorCode.DEADLINE_IN_PAST, {"closes_at": local})
        if closes_at - now > timedelta(days=MAX_POLL_DAYS):
            raise _too_far()
        return closes_at
    hours = settings.hours if settings.hours is not None else Fraction(default_hours)
    # Checked before building a timedelta, which would overflow on absurd values.
    if hours > _MAX_POLL_HOURS:
        raise _too_far()
    # Added in UTC: wall-clock arithmetic in a DST zone would make "24 hours" last 23 or 25.
    return now.astimezone(UTC) + timedelta(microseconds=round(hours * 3_600_000_000))


def _too_far() -> PollSyntaxError:
    return PollSyntaxError(PollSyntaxErrorCode.DEADLINE_TOO_FAR, {"max_days": MAX_POLL_DAYS})


def telegram_length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units), so an emoji may count as two."""
    return len(text.encode("utf-16-le")) // 2


def option_identity(option: str) -> str:
    """What makes two options the same: case, width and spacing do not matter."""
    return "".join(unicodedata.normalize("NFKC", option).casefold().split())
