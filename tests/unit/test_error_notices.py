"""Error notices to the admin chat: the first at once, repeats counted per hour."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.error_notices import (
    MAX_DISTINCT_PER_WINDOW,
    OVERFLOW_KEY,
    WINDOW,
    ErrorNotices,
    error_key,
)

NOW = datetime(2026, 11, 2, 9, tzinfo=UTC)


def test_numbers_do_not_make_errors_different() -> None:
    first = error_key("OverflowError", "id 12345 too large", "callback_query")
    second = error_key("OverflowError", "id 99999999999999 too large", "callback_query")
    assert first == second
    assert first != error_key("OverflowError", "id 1 too large", "message")
    assert first != error_key("ValueError", "id 1 too large", "callback_query")


def test_the_same_error_is_reported_once_then_counted() -> None:
    notices = ErrorNotices()
    first = notices.occurred("k", "boom", NOW)
    assert first.report_now
    assert first.opened == "k"
    for minute in range(1, 50):
        again = notices.occurred("k", "boom", NOW + timedelta(minutes=minute))
        assert not again.report_now
        assert again.opened is None
    window = notices.close_window("k")
    assert window is not None
    assert window.repeats == 49
    assert window.summary == "boom"
    # After the follow-up the next occurrence is news again.
    assert notices.occurred("k", "boom", NOW + WINDOW).report_now


def test_a_lone_error_has_no_follow_up() -> None:
    notices = ErrorNotices()
    notices.occurred("k", "boom", NOW)
    assert notices.close_window("k") is None


def test_many_distinct_errors_are_capped_and_counted_together() -> None:
    notices = ErrorNotices()
    reported = [notices.occurred(f"k{n}", "boom", NOW) for n in range(MAX_DISTINCT_PER_WINDOW)]
    assert all(d.report_now for d in reported)
    overflow = notices.occurred("another", "boom", NOW)
    assert not overflow.report_now
    assert overflow.opened == OVERFLOW_KEY
    assert not notices.occurred("yet another", "boom", NOW).opened
    window = notices.close_window(OVERFLOW_KEY)
    assert window is not None
    assert window.repeats == 2


def test_a_window_whose_follow_up_never_ran_does_not_silence_forever() -> None:
    notices = ErrorNotices()
    notices.occurred("k", "boom", NOW)
    assert notices.occurred("k", "boom", NOW + 2 * WINDOW).report_now


@given(st.lists(st.sampled_from(["a", "b", "c"]), max_size=200))
def test_at_most_one_immediate_notice_per_error_and_window(keys: list[str]) -> None:
    notices = ErrorNotices()
    immediate = [k for k in keys if notices.occurred(k, "", NOW).report_now]
    assert sorted(immediate) == sorted(set(keys))
    counted = sum(
        window.repeats for key in set(keys) if (window := notices.close_window(key)) is not None
    )
    assert counted == len(keys) - len(set(keys))
