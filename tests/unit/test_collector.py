"""Bulk jobs collect cycles less often, and the thresholds come back when the last one ends."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from bot.collector import BULK_YOUNG_THRESHOLD, fewer_collections


@pytest.fixture(autouse=True)
def thresholds() -> Iterator[tuple[int, int, int]]:
    saved = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield gc.get_threshold()
    gc.set_threshold(*saved)


def test_a_bulk_block_raises_the_young_threshold_and_restores_it(
    thresholds: tuple[int, int, int],
) -> None:
    with fewer_collections():
        assert gc.get_threshold() == (BULK_YOUNG_THRESHOLD, 10, 10)
    assert gc.get_threshold() == thresholds


def test_overlapping_blocks_restore_when_the_last_one_ends(
    thresholds: tuple[int, int, int],
) -> None:
    first, second = fewer_collections(), fewer_collections()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)  # jobs end in any order
    assert gc.get_threshold() == (BULK_YOUNG_THRESHOLD, 10, 10)
    second.__exit__(None, None, None)
    assert gc.get_threshold() == thresholds


def test_a_failing_block_restores_too(thresholds: tuple[int, int, int]) -> None:
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("the job failed")
    assert gc.get_threshold() == thresholds


def test_a_higher_threshold_set_by_the_process_is_kept() -> None:
    gc.set_threshold(BULK_YOUNG_THRESHOLD * 2, 10, 10)
    with fewer_collections():
        assert gc.get_threshold()[0] == BULK_YOUNG_THRESHOLD * 2


def test_start_up_pauses_the_automatic_collector_once_and_resumes_it() -> None:
    from bot.collector import pause_for_start_up, resume_after_start_up

    assert gc.isenabled()
    try:
        pause_for_start_up()
        assert not gc.isenabled()
        resume_after_start_up()
        assert gc.isenabled()
        gc.disable()  # turned off by someone else: resuming start-up leaves it off
        resume_after_start_up()
        assert not gc.isenabled()
    finally:
        gc.enable()
