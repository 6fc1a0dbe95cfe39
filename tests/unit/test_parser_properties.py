"""Every parser of outside input, fed any Unicode of any length and any number: it answers
(a value, None, or its own documented error) and never raises anything else."""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from hypothesis import example, given, settings
from hypothesis import strategies as st
from telegram.ext import CallbackQueryHandler

from bot.clock import to_timestamp
from bot.config import parse_quiet_hours
from bot.domain.community import (
    CATEGORY_KEYS,
    ArgumentError,
    parse_staff_arguments,
    parse_target,
)
from bot.domain.flats import parse_flat
from bot.domain.numbers import SQLITE_MAX_INTEGER, fits_sqlite, parse_id, parse_whole
from bot.domain.poll_deadline import parse_deadline
from bot.domain.poll_errors import PollSyntaxError
from bot.domain.poll_values import parse_pass_threshold, parse_positive_amount, parse_quorum
from bot.domain.report import local_day_bounds, parse_export_range, parse_period
from handlers.common import whole_number
from handlers.poll_votes import poll_number
from handlers.registry import register_handlers
from handlers.stale_buttons import well_formed

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 2, 9, tzinfo=UTC)

# Any text, and text that looks like what people type: digits of any size, signs, separators.
NUMBERS = st.integers(min_value=-(10**40), max_value=10**40).map(str)
TOKENS = st.one_of(
    st.text(max_size=60),
    NUMBERS,
    st.from_regex(
        r"[#@P+-]?[0-9٠-٩０-９²]{0,45}([-:/.,年月日号室单元%][0-9]{0,20}){0,3}", fullmatch=True
    ),
)


@given(TOKENS)
def test_numbers_parse_only_within_sqlite(text: str) -> None:
    for value in (parse_whole(text), parse_id(text), whole_number(text), poll_number(text)):
        assert value is None or (0 <= value <= SQLITE_MAX_INTEGER and fits_sqlite(value))
    if (number := parse_id(text)) is not None:
        assert number >= 1
        assert str(number) == text.lstrip("0")


@given(TOKENS)
def test_targets_and_flats(token: str) -> None:
    target = parse_target(token)
    if target is not None and target.user_id is not None:
        assert fits_sqlite(target.user_id)
    parse_flat(token)


@given(st.lists(TOKENS, max_size=8))
def test_staff_arguments(tokens: list[str]) -> None:
    try:
        parsed = parse_staff_arguments(tokens, CATEGORY_KEYS)
    except ArgumentError:
        return
    if parsed.target is not None and parsed.target.user_id is not None:
        assert fits_sqlite(parsed.target.user_id)


@given(TOKENS)
def test_poll_values_and_deadlines(value: str) -> None:
    for parse in (
        parse_quorum,
        parse_pass_threshold,
        lambda v: parse_positive_amount(v, flag="--hours"),
        lambda v: parse_deadline(v, now=NOW, tz=SHANGHAI),
        lambda v: parse_deadline(v, now=NOW, tz=ZoneInfo("America/New_York")),
    ):
        with contextlib.suppress(PollSyntaxError):
            parse(value)


ISO_DATES = st.dates().map(date.isoformat)


@given(st.lists(st.one_of(TOKENS, ISO_DATES), max_size=3))
@example(["9999-12-30", "9999-12-31"])
@example(["0001-01-01", "0001-01-02"])
def test_report_periods_and_export_ranges_can_be_queried(args: list[str]) -> None:
    parse_period(args)
    days = parse_export_range(args, date(2026, 11, 2))
    if days is not None:
        start, end = local_day_bounds(*days, SHANGHAI)
        assert fits_sqlite(to_timestamp(start))
        assert fits_sqlite(to_timestamp(end))


@given(st.text(max_size=40))
def test_quiet_hours(text: str) -> None:
    parse_quiet_hours(text)


def _callback_patterns() -> list[re.Pattern[str]]:
    class Collector:
        def __init__(self) -> None:
            self.handlers: list[object] = []

        def add_handler(self, handler: object, group: int = 0) -> None:
            self.handlers.append(handler)

    collector = Collector()
    register_handlers(collector)  # type: ignore[arg-type]
    return [
        h.pattern
        for h in collector.handlers
        if isinstance(h, CallbackQueryHandler) and isinstance(h.pattern, re.Pattern)
    ]


PATTERNS = _callback_patterns()
DATA = st.one_of(
    st.text(max_size=100),
    st.builds(
        lambda prefix, numbers: prefix + ":".join(numbers),
        st.sampled_from(
            [
                "rq:take:",
                "rq:rate:5:",
                "pv:",
                "rl:",
                "pl:",
                "hh:a:",
                "sg:same:",
                "join:",
                "pr:b:",
                "bq:approve:",
                "setup:unlink:",
                "forget:",
            ]
        ),
        st.lists(NUMBERS, min_size=1, max_size=3),
    ),
)


@settings(max_examples=300)
@given(DATA)
def test_button_data_reaching_a_feature_holds_only_storable_numbers(data: str) -> None:
    assert PATTERNS, "no button patterns found"
    if not well_formed(data):
        return
    assert len(data.encode()) <= 64
    for pattern in PATTERNS:
        match = pattern.match(data)
        if match is None:
            continue
        for group in match.groups():
            if group is not None and group.isdigit():
                assert int(group) <= SQLITE_MAX_INTEGER
