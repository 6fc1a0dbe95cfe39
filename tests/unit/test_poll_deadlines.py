"""Poll deadlines at the edges: too soon, dates Python cannot represent, any input."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.poll_syntax import (
    MIN_POLL_MINUTES,
    PollSyntaxError,
    PollSyntaxErrorCode,
    parse_poll_command,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2025, 11, 23, 10, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    "text",
    ["Q? --hours 0.0000001", "Q? --hours 0.08", "Q? --days 0.003", "Q? --until 10:04"],
)
def test_a_poll_lasts_at_least_five_minutes(text: str) -> None:
    with pytest.raises(PollSyntaxError) as raised:
        parse_poll_command(text, now=NOW, tz=SHANGHAI)
    assert raised.value.code is PollSyntaxErrorCode.DEADLINE_TOO_SOON
    assert raised.value.detail == {"min_minutes": MIN_POLL_MINUTES}


def test_exactly_five_minutes_is_enough() -> None:
    spec = parse_poll_command("Q? --until 10:05", now=NOW, tz=SHANGHAI)
    assert spec.closes_at - NOW == timedelta(minutes=5)


@pytest.mark.parametrize(
    ("text", "tz"),
    [
        ("Q? --until 0001-01-01 00:00", SHANGHAI),
        ("Q? --until 0001-01-01", SHANGHAI),
        ("Q? --until 9999-12-31 23:59", NEW_YORK),
        ("Q? --until 9999-12-31", NEW_YORK),
        ("Q? --until 0000-01-01 00:00", SHANGHAI),
    ],
)
def test_dates_python_cannot_represent_are_a_syntax_error(text: str, tz: ZoneInfo) -> None:
    with pytest.raises(PollSyntaxError) as raised:
        parse_poll_command(text, now=NOW, tz=tz)
    assert raised.value.code in (
        PollSyntaxErrorCode.INVALID_DEADLINE,
        PollSyntaxErrorCode.DEADLINE_IN_PAST,
        PollSyntaxErrorCode.DEADLINE_TOO_FAR,
    )


def test_huge_durations_are_too_far() -> None:
    for text in ("Q? --hours " + "9" * 400, "Q? --days 99999999999999999999.5"):
        with pytest.raises(PollSyntaxError) as raised:
            parse_poll_command(text, now=NOW, tz=SHANGHAI)
        assert raised.value.code is PollSyntaxErrorCode.DEADLINE_TOO_FAR


FLAG_WORDS = st.sampled_from(
    ["--hours", "--days", "--until", "--quorum", "--pass", "--secret", "--household", "--multi"]
)
NUMBERISH = st.from_regex(r"[0-9]{0,30}([.,:/\-年月日%][0-9]{0,30}){0,3}", fullmatch=True)


@settings(max_examples=400)
@given(
    st.lists(
        st.one_of(st.text(max_size=40), FLAG_WORDS, NUMBERISH, st.sampled_from(["|", "｜"])),
        max_size=12,
    ),
    st.sampled_from([SHANGHAI, NEW_YORK, ZoneInfo("Pacific/Kiritimati")]),
)
def test_any_poll_command_is_a_poll_or_a_syntax_error(words: list[str], tz: ZoneInfo) -> None:
    try:
        spec = parse_poll_command(" ".join(words), now=NOW, tz=tz)
    except PollSyntaxError:
        return
    assert spec.closes_at - NOW >= timedelta(minutes=MIN_POLL_MINUTES)
    assert spec.closes_at.tzinfo is not None
