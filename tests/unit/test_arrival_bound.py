"""Dating updates that carry no date (button presses) by when getUpdates brought them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.runner import arrival_bound

T = datetime(2026, 11, 2, 9, tzinfo=UTC)


def test_a_long_poll_that_waited_dates_its_updates_by_its_answer() -> None:
    asked, answered = T, T + timedelta(seconds=12)
    assert arrival_bound(asked, answered, T - timedelta(hours=5)) == answered


def test_updates_waiting_when_asked_may_be_as_old_as_the_previous_answer() -> None:
    # Steady running: the previous answer was a moment ago.
    assert arrival_bound(T, T + timedelta(milliseconds=30), T - timedelta(milliseconds=5)) == (
        T - timedelta(milliseconds=5)
    )
    # After a restart: the previous answer came before the bot went down.
    down_since = T - timedelta(minutes=40)
    assert arrival_bound(T, T + timedelta(milliseconds=30), down_since) == down_since


def test_without_any_earlier_answer_the_arrival_is_the_bound() -> None:
    assert arrival_bound(T, T, None) == T
