"""The one-message survey: `/survey Title | Q1? A / B / C | Q2? text --person --days 10`.

A question is its text up to the first `?` (or `:`), then what kind it is: options split by
`/` (single choice; `multi:` or `多选:` first for multiple choice), `rating` / `评分` for 1–5
stars, or `text` / `文字` (or nothing) for a free-text answer.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum

from bot.domain.poll_deadline import looks_like_date, looks_like_time, parse_deadline
from bot.domain.poll_errors import PollSyntaxError
from bot.domain.survey import (
    MAX_OPTION_TEXT,
    MAX_OPTIONS,
    MAX_QUESTION_TEXT,
    MAX_QUESTIONS,
    MAX_TITLE,
    Question,
    QuestionKind,
)

DEFAULT_DAYS = 7
MAX_DAYS = 60

_SEGMENT_SPLIT = re.compile(r"[|｜]")
_OPTION_SPLIT = re.compile(r"[/／]")
_FLAGS_START = re.compile(r"(?:^|\s)(?:--|—|－－)(?=\S)")
_MULTI_MARK = re.compile(
    r"^[(（\[【]?\s*(?:multi(?:ple)?|多选|可多选)\s*[)）\]】]?\s*[:：]?\s*", re.IGNORECASE
)
_TEXT_WORDS = frozenset({"text", "free text", "文字", "文本", "填空", "意见", "建议", "写"})
_RATING_WORDS = frozenset({"rating", "rate", "stars", "1-5", "1–5", "评分", "打分", "星级"})
_HOUSEHOLD_FLAGS = frozenset({"household", "households", "按户", "每户"})
_PERSON_FLAGS = frozenset({"person", "people", "按人", "每人"})
_DAYS_FLAGS = frozenset({"days", "天", "天数"})
_UNTIL_FLAGS = frozenset({"until", "截止"})
_DAYS_VALUE = re.compile(r"^(\d{1,3})\s*(?:d|days?|天)?$", re.IGNORECASE)


class SurveySyntaxErrorCode(StrEnum):
    """Why a survey could not be read; the comment lists each code's detail keys."""

    NO_TITLE = "no_title"  # -
    TITLE_TOO_LONG = "title_too_long"  # max
    NO_QUESTIONS = "no_questions"  # -
    TOO_MANY_QUESTIONS = "too_many_questions"  # max
    EMPTY_QUESTION = "empty_question"  # position
    QUESTION_TOO_LONG = "question_too_long"  # position, max
    TOO_FEW_OPTIONS = "too_few_options"  # position
    TOO_MANY_OPTIONS = "too_many_options"  # position, max
    OPTION_TOO_LONG = "option_too_long"  # position, max
    DUPLICATE_OPTION = "duplicate_option"  # position, option
    UNKNOWN_FLAG = "unknown_flag"  # flag
    MISSING_FLAG_VALUE = "missing_flag_value"  # flag
    CONFLICTING_FLAGS = "conflicting_flags"  # -
    BAD_DEADLINE = "bad_deadline"  # value
    DEADLINE_IN_PAST = "deadline_in_past"  # -
    DEADLINE_TOO_FAR = "deadline_too_far"  # max


class SurveySyntaxError(ValueError):
    """A survey the bot cannot accept; `detail` fills the translated message."""

    def __init__(
        self, code: SurveySyntaxErrorCode, detail: dict[str, str | int] | None = None
    ) -> None:
        super().__init__(code.value, detail or {})
        self.code = code
        self.detail: dict[str, str | int] = detail or {}


@dataclass(frozen=True)
class SurveyDraft:
    """A survey as its author wrote it; `closes_at` is aware."""

    title: str
    questions: tuple[Question, ...]
    per_household: bool
    closes_at: datetime


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def check_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise SurveySyntaxError(SurveySyntaxErrorCode.NO_TITLE)
    if len(title) > MAX_TITLE:
        raise SurveySyntaxError(SurveySyntaxErrorCode.TITLE_TOO_LONG, {"max": MAX_TITLE})
    return title


def parse_question(segment: str, position: int = 1) -> Question:
    """One question: `Text? A / B`, `Text? multi: A / B`, `Text? rating`, `Text? text`."""
    segment = " ".join(segment.split())
    cut = next((i for i, ch in enumerate(segment) if ch in "?？"), None)
    keep_mark = cut is not None
    if cut is None:
        cut = next((i for i, ch in enumerate(segment) if ch in ":："), None)
    if cut is None:
        text, spec = segment, ""
    else:
        text = segment[: cut + 1] if keep_mark else segment[:cut]
        spec = segment[cut + 1 :].strip()
    text = text.strip()
    if not text or text in "?？":
        raise SurveySyntaxError(SurveySyntaxErrorCode.EMPTY_QUESTION, {"position": position})
    if len(text) > MAX_QUESTION_TEXT:
        raise SurveySyntaxError(
            SurveySyntaxErrorCode.QUESTION_TOO_LONG,
            {"position": position, "max": MAX_QUESTION_TEXT},
        )
    multi = _MULTI_MARK.match(spec)
    if multi is not None:
        return Question(QuestionKind.MULTI, text, _options(spec[multi.end() :], position))
    folded = _fold(spec)
    if not folded or folded in _TEXT_WORDS:
        return Question(QuestionKind.TEXT, text)
    if folded in _RATING_WORDS:
        return Question(QuestionKind.RATING, text)
    return Question(QuestionKind.SINGLE, text, _options(spec, position))


def _options(spec: str, position: int) -> tuple[str, ...]:
    options = [" ".join(part.split()) for part in _OPTION_SPLIT.split(spec)]
    options = [option for option in options if option]
    if len(options) < 2:
        raise SurveySyntaxError(SurveySyntaxErrorCode.TOO_FEW_OPTIONS, {"position": position})
    if len(options) > MAX_OPTIONS:
        raise SurveySyntaxError(
            SurveySyntaxErrorCode.TOO_MANY_OPTIONS, {"position": position, "max": MAX_OPTIONS}
        )
    seen: set[str] = set()
    for option in options:
        if len(option) > MAX_OPTION_TEXT:
            raise SurveySyntaxError(
                SurveySyntaxErrorCode.OPTION_TOO_LONG,
                {"position": position, "max": MAX_OPTION_TEXT},
            )
        if _fold(option) in seen:
            raise SurveySyntaxError(
                SurveySyntaxErrorCode.DUPLICATE_OPTION, {"position": position, "option": option}
            )
        seen.add(_fold(option))
    return tuple(options)


def parse_closing(value: str, *, now: datetime, tz: tzinfo) -> datetime:
    """A deadline typed by a head: `7` / `7d` / `7天` (days from now) or a date and time."""
    value = unicodedata.normalize("NFKC", value).strip()
    days = _DAYS_VALUE.match(value)
    if days is not None:
        closes_at = now + timedelta(days=int(days.group(1)))
    else:
        try:
            closes_at = parse_deadline(value, now=now, tz=tz)
        except PollSyntaxError:
            raise SurveySyntaxError(SurveySyntaxErrorCode.BAD_DEADLINE, {"value": value}) from None
    if closes_at <= now:
        raise SurveySyntaxError(SurveySyntaxErrorCode.DEADLINE_IN_PAST)
    if closes_at > now + timedelta(days=MAX_DAYS):
        raise SurveySyntaxError(SurveySyntaxErrorCode.DEADLINE_TOO_FAR, {"max": MAX_DAYS})
    return closes_at


def parse_survey_command(text: str, *, now: datetime, tz: tzinfo) -> SurveyDraft:
    """Parse everything after `/survey`; raises `SurveySyntaxError` for the first problem."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    flags_at = _FLAGS_START.search(text)
    body, flags = (text[: flags_at.start()], text[flags_at.start() :]) if flags_at else (text, "")
    segments = [segment.strip() for segment in _SEGMENT_SPLIT.split(body)]
    title = check_title(segments[0])
    raw_questions = [segment for segment in segments[1:] if segment]
    if not raw_questions:
        raise SurveySyntaxError(SurveySyntaxErrorCode.NO_QUESTIONS)
    if len(raw_questions) > MAX_QUESTIONS:
        raise SurveySyntaxError(SurveySyntaxErrorCode.TOO_MANY_QUESTIONS, {"max": MAX_QUESTIONS})
    questions = tuple(
        parse_question(segment, position) for position, segment in enumerate(raw_questions, 1)
    )
    per_household, closes_at = _apply_flags(flags.split(), now=now, tz=tz)
    return SurveyDraft(title, questions, per_household, closes_at)


def _apply_flags(tokens: list[str], *, now: datetime, tz: tzinfo) -> tuple[bool, datetime]:
    audience: bool | None = None
    closes_at: datetime | None = None
    index = 0
    while index < len(tokens):
        token = tokens[index]
        name = _fold(token.lstrip("-—－"))
        index += 1
        if name in _HOUSEHOLD_FLAGS or name in _PERSON_FLAGS:
            chosen = name in _HOUSEHOLD_FLAGS
            if audience is not None and audience != chosen:
                raise SurveySyntaxError(SurveySyntaxErrorCode.CONFLICTING_FLAGS)
            audience = chosen
        elif name in _DAYS_FLAGS or name in _UNTIL_FLAGS:
            values: list[str] = []
            while index < len(tokens) and len(values) < 2 and not tokens[index].startswith("-"):
                if name in _UNTIL_FLAGS and not (
                    looks_like_date(tokens[index]) or looks_like_time(tokens[index])
                ):
                    break
                values.append(tokens[index])
                index += 1
                if name in _DAYS_FLAGS:
                    break
            if not values:
                raise SurveySyntaxError(SurveySyntaxErrorCode.MISSING_FLAG_VALUE, {"flag": token})
            if closes_at is not None:
                raise SurveySyntaxError(SurveySyntaxErrorCode.CONFLICTING_FLAGS)
            closes_at = parse_closing(" ".join(values), now=now, tz=tz)
        else:
            raise SurveySyntaxError(SurveySyntaxErrorCode.UNKNOWN_FLAG, {"flag": token})
    return (
        True if audience is None else audience,
        closes_at or now + timedelta(days=DEFAULT_DAYS),
    )
