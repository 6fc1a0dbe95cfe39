"""What heads type: `/project …`, `/meeting …` and the decisions in `/minutes …`.

Everything is one message, with `|` between the parts (like `/poll`), in English or Chinese.
Errors are `ListSyntaxError`s carrying a problem code; the handler words them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum

from bot.domain.community import Target, parse_target
from bot.domain.item_refs import ItemKind, ItemRef, parse_item_ref
from bot.domain.lists import parse_money
from bot.domain.poll_deadline import looks_like_date, looks_like_time, parse_deadline
from bot.domain.poll_errors import PollSyntaxError
from bot.domain.wall_clock import require_aware


class Problem(StrEnum):
    EMPTY = "empty"
    PARTS = "parts"  # wrong number of `|` parts
    TIME = "time"  # unreadable date/time
    NO_TIME_OF_DAY = "no_time_of_day"
    PAST = "past"
    TOO_FAR = "too_far"
    TOO_LONG = "too_long"
    TOO_MANY_ITEMS = "too_many_items"
    MONEY = "money"
    OWNER = "owner"
    UNKNOWN_PART = "unknown_part"
    MISSING_REQUEST = "missing_request"
    MISSING_TARGET = "missing_target"
    MISSING_REASON = "missing_reason"


class ListSyntaxError(ValueError):
    def __init__(self, problem: Problem, value: str = "") -> None:
        super().__init__(f"{problem}: {value}")
        self.problem = problem
        self.value = value


_PARTS = re.compile(r"\s*[|｜]\s*")
_AGENDA_SEPARATORS = re.compile(r"\s*[;；\n]\s*")
MAX_TITLE = 120
MAX_PLACE = 200
MAX_AGENDA_ITEMS = 12
MAX_AHEAD = timedelta(days=366)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def _checked_length(text: str, limit: int) -> str:
    if len(text) > limit:
        raise ListSyntaxError(Problem.TOO_LONG, text[:40])
    return text


# -- meetings ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgendaEntry:
    title: str
    ref: ItemRef | None = None


@dataclass(frozen=True)
class MeetingSpec:
    starts_at: datetime
    place: str
    agenda: tuple[AgendaEntry, ...]


def parse_moment(text: str, *, now: datetime, tz: tzinfo) -> datetime:
    """A date and time of day in the future (within a year), as aware UTC."""
    require_aware(now, "now")
    folded = _fold(text).replace("：", ":")
    tokens = folded.split()
    if not tokens:
        raise ListSyntaxError(Problem.TIME, text)
    if not looks_like_time(tokens[-1]):
        raise ListSyntaxError(Problem.NO_TIME_OF_DAY, text)
    if len(tokens) == 2 and not looks_like_date(tokens[0]):
        raise ListSyntaxError(Problem.TIME, text)
    try:
        moment = parse_deadline(folded, now=now, tz=tz)
    except PollSyntaxError as error:
        raise ListSyntaxError(Problem.TIME, text) from error
    if moment <= now:
        raise ListSyntaxError(Problem.PAST, text)
    if moment - now > MAX_AHEAD:
        raise ListSyntaxError(Problem.TOO_FAR, text)
    return moment


def parse_agenda(text: str) -> tuple[AgendaEntry, ...]:
    """Items separated by `;`, `；` or new lines; `need 12` / `#34` refer to list items."""
    entries = []
    for piece in _AGENDA_SEPARATORS.split(_fold(text)):
        if not piece:
            continue
        entries.append(AgendaEntry(_checked_length(piece, MAX_TITLE), parse_item_ref(piece)))
    if not entries:
        raise ListSyntaxError(Problem.EMPTY, text)
    if len(entries) > MAX_AGENDA_ITEMS:
        raise ListSyntaxError(Problem.TOO_MANY_ITEMS, str(len(entries)))
    return tuple(entries)


def parse_place(text: str) -> str:
    place = _fold(text)
    if not place:
        raise ListSyntaxError(Problem.EMPTY, text)
    return _checked_length(place, MAX_PLACE)


def parse_meeting(text: str, *, now: datetime, tz: tzinfo) -> MeetingSpec:
    """`2030-05-20 19:00 | 一楼活动室 | 楼道扶手; need 12; #34`."""
    parts = _PARTS.split(_fold(text))
    if len(parts) != 3:
        raise ListSyntaxError(Problem.PARTS, str(len(parts)))
    return MeetingSpec(
        parse_moment(parts[0], now=now, tz=tz), parse_place(parts[1]), parse_agenda(parts[2])
    )


# -- projects ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectSpec:
    title: str | None
    source: ItemRef | None  # the need (or recurring problem) it comes from
    owner: Target | None
    budget_cents: int | None
    funding: str | None
    target_date: date | None


_OWNER_WORDS = ("owner", "负责人", "负责", "owner:")
_BUDGET_WORDS = ("budget", "预算", "费用", "经费预算")
_FUNDING_WORDS = ("funding", "funded by", "资金来源", "资金", "经费")
_DATE_WORDS = ("due", "target", "by", "截止", "完成", "目标", "期限")


def _strip_word(text: str, words: tuple[str, ...]) -> str | None:
    lowered = text.casefold()
    for word in sorted(words, key=len, reverse=True):
        if lowered.startswith(word):
            return text[len(word) :].lstrip(" :：")
    return None


def _local_date(text: str, *, now: datetime, tz: tzinfo) -> date | None:
    if not looks_like_date(text.split()[0] if text.split() else ""):
        return None
    try:
        return parse_deadline(text.split()[0], now=now, tz=tz).astimezone(tz).date()
    except PollSyntaxError:
        return None


def _budget(text: str) -> tuple[int, str | None]:
    """`5000 维修基金` → (500000 cents, "维修基金")."""
    amount, _space, rest = text.partition(" ")
    cents = parse_money(amount)
    if cents is None:
        raise ListSyntaxError(Problem.MONEY, text)
    return cents, rest.strip() or None


def _source_and_title(first: str) -> tuple[ItemRef | None, str | None]:
    """`need 12` → (need 12, None); `N12 扶手` → (need 12, "扶手"); `扶手` → (None, "扶手")."""
    words = first.split()
    for count in (1, 2):
        ref = parse_item_ref(" ".join(words[:count]))
        if ref is not None and ref.kind in (ItemKind.NEED, ItemKind.REQUEST):
            return ref, " ".join(words[count:]) or None
    return None, first


def parse_project(text: str, *, now: datetime, tz: tzinfo) -> ProjectSpec:
    """`楼道扶手 | @wang | budget 5000 维修基金 | 2030-08-01`; the first part may be `need 12`
    (or `need 12 楼道扶手` to retitle it); parts after it in any order."""
    parts = [p for p in _PARTS.split(_fold(text)) if p]
    if not parts:
        raise ListSyntaxError(Problem.EMPTY, text)
    source, title = _source_and_title(parts[0])
    owner: Target | None = None
    budget: int | None = None
    funding: str | None = None
    target: date | None = None
    for part in parts[1:]:
        if (rest := _strip_word(part, _OWNER_WORDS)) is not None or part.startswith("@"):
            owner = parse_target((rest if rest is not None else part).split()[0] if part else "")
            if owner is None:
                raise ListSyntaxError(Problem.OWNER, part)
        elif (rest := _strip_word(part, _BUDGET_WORDS)) is not None:
            budget, funding_here = _budget(rest)
            funding = funding_here or funding
        elif (rest := _strip_word(part, _FUNDING_WORDS)) is not None:
            funding = _checked_length(rest, MAX_TITLE) or None
        elif (rest := _strip_word(part, _DATE_WORDS)) is not None or looks_like_date(
            part.split()[0]
        ):
            found = _local_date(rest if rest is not None else part, now=now, tz=tz)
            if found is None:
                raise ListSyntaxError(Problem.TIME, part)
            target = found
        elif parse_money(part.split()[0]) is not None:
            budget, funding_here = _budget(part)
            funding = funding_here or funding
        else:
            raise ListSyntaxError(Problem.UNKNOWN_PART, part)
    if title is not None:
        _checked_length(title, MAX_TITLE)
    if title is None and source is None:
        raise ListSyntaxError(Problem.EMPTY, text)
    return ProjectSpec(title, source, owner, budget, funding, target)


# -- decisions in the minutes -----------------------------------------------------------------


class DecisionKind(StrEnum):
    PROJECT = "project"  # make a project (of the item's need)
    POLL = "poll"  # put it to a poll in the group
    ASSIGN = "assign"  # assign a request
    CLOSE = "close"  # close a request with the reason
    DECLINE = "decline"  # decline the item's need with the reason
    OTHER = "other"  # anything else the owner has to do


_VERBS: dict[str, DecisionKind] = {
    "project": DecisionKind.PROJECT,
    "项目": DecisionKind.PROJECT,
    "立项": DecisionKind.PROJECT,
    "poll": DecisionKind.POLL,
    "vote": DecisionKind.POLL,
    "投票": DecisionKind.POLL,
    "表决": DecisionKind.POLL,
    "assign": DecisionKind.ASSIGN,
    "指派": DecisionKind.ASSIGN,
    "交给": DecisionKind.ASSIGN,
    "close": DecisionKind.CLOSE,
    "关闭": DecisionKind.CLOSE,
    "decline": DecisionKind.DECLINE,
    "不采纳": DecisionKind.DECLINE,
    "驳回": DecisionKind.DECLINE,
}


@dataclass(frozen=True)
class DecisionSpec:
    kind: DecisionKind
    text: str  # the decision as written, without owner/due/votes
    argument: str  # what follows the verb
    request: int | None = None
    assignee: Target | None = None
    owner: Target | None = None
    due: datetime | None = None
    votes: tuple[int, int] | None = None


@dataclass(frozen=True)
class MinutesEntry:
    summary: str
    decision: DecisionSpec | None = field(default=None)


_DECISION_MARK = re.compile(r"\s*(?:=>|→|->|决定[:：]|decision:)\s*", re.IGNORECASE)
_OWNER_TOKEN = re.compile(r"(?:^|\s)(?:owner|负责人|负责)[:：]?\s*(@\w{3,32}|\d{3,15})", re.I)
_DUE_TOKEN = re.compile(r"(?:^|\s)(?:due|截止|期限)[:：]?\s*(\S+)", re.IGNORECASE)
_VOTES_TOKEN = re.compile(
    r"(?:^|\s)(?:votes|表决|票数)[:：]?\s*(\d{1,5})\s*[:：/-]\s*(\d{1,5})", re.IGNORECASE
)
_REQUEST_TOKEN = re.compile(r"#(\d{1,9})")
MAX_SUMMARY = 500


def parse_minutes_entry(text: str, *, now: datetime, tz: tzinfo) -> MinutesEntry:
    """`what was said => decision …`; either part may be missing, not both."""
    folded = _fold(text)
    parts = _DECISION_MARK.split(folded, maxsplit=1)
    summary = parts[0].strip()
    decision_text = parts[1].strip() if len(parts) > 1 else ""
    if not summary and not decision_text:
        raise ListSyntaxError(Problem.EMPTY, text)
    _checked_length(summary, MAX_SUMMARY)
    decision = parse_decision(decision_text, now=now, tz=tz) if decision_text else None
    return MinutesEntry(summary, decision)


def parse_decision(text: str, *, now: datetime, tz: tzinfo) -> DecisionSpec:
    """`poll 装扶手？ owner @wang due 2030-06-01 votes 20:5` and the like."""
    rest = _fold(text)
    owner = None
    if match := _OWNER_TOKEN.search(rest):
        owner = parse_target(match.group(1))
        rest = (rest[: match.start()] + rest[match.end() :]).strip()
    due = None
    if match := _DUE_TOKEN.search(rest):
        if not looks_like_date(match.group(1)):
            raise ListSyntaxError(Problem.TIME, match.group(1))
        try:
            due = parse_deadline(match.group(1), now=now, tz=tz)
        except PollSyntaxError as error:
            raise ListSyntaxError(Problem.TIME, match.group(1)) from error
        if due <= now:
            raise ListSyntaxError(Problem.PAST, match.group(1))
        rest = (rest[: match.start()] + rest[match.end() :]).strip()
    votes = None
    if match := _VOTES_TOKEN.search(rest):
        votes = (int(match.group(1)), int(match.group(2)))
        rest = (rest[: match.start()] + rest[match.end() :]).strip()
    if not rest:
        raise ListSyntaxError(Problem.EMPTY, text)
    _checked_length(rest, MAX_SUMMARY)
    verb, _space, argument = rest.partition(" ")
    kind = _VERBS.get(verb.casefold(), DecisionKind.OTHER)
    argument = argument.strip() if kind is not DecisionKind.OTHER else rest
    request = None
    assignee = None
    if kind in (DecisionKind.ASSIGN, DecisionKind.CLOSE) and (
        match := _REQUEST_TOKEN.search(argument)
    ):
        request = int(match.group(1))
        argument = (argument[: match.start()] + argument[match.end() :]).strip()
    if kind is DecisionKind.ASSIGN:
        assignee = next((t for t in map(parse_target, argument.split()) if t), None)
        if assignee is None:
            raise ListSyntaxError(Problem.MISSING_TARGET, text)
    if kind in (DecisionKind.CLOSE, DecisionKind.DECLINE) and not argument:
        raise ListSyntaxError(Problem.MISSING_REASON, text)
    return DecisionSpec(kind, rest, argument, request, assignee, owner, due, votes)
