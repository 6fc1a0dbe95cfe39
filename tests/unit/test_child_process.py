"""Calls run in a child process: results, errors and the child's end."""

from __future__ import annotations

import asyncio
import math
import operator
import os

import pytest

from bot.child_process import ChildProcessFailed, ChildWorker, in_child


async def test_a_call_runs_in_another_process_and_returns_its_result() -> None:
    assert await in_child(math.factorial, 20) == 2432902008176640000
    assert await in_child(os.getpid) != os.getpid()


async def test_one_child_answers_concurrent_calls_in_order() -> None:
    async with ChildWorker() as worker:
        child = await worker.call(os.getpid)
        answers = await asyncio.gather(*(worker.call(operator.mul, n, 3) for n in range(20)))
        assert answers == [n * 3 for n in range(20)]
        assert await worker.call(os.getpid) == child == worker.pid


async def test_an_error_in_the_child_is_raised_with_its_traceback_and_the_child_goes_on() -> None:
    async with ChildWorker() as worker:
        with pytest.raises(ChildProcessFailed, match="ZeroDivisionError"):
            await worker.call(operator.truediv, 1, 0)
        assert await worker.call(operator.add, 2, 2) == 4


async def test_a_child_that_dies_is_an_error_not_a_hang() -> None:
    async with ChildWorker() as worker:
        with pytest.raises(ChildProcessFailed, match="ended without an answer"):
            await worker.call(os._exit, 3)


async def test_background_work_runs_at_a_lower_priority() -> None:
    async with ChildWorker(niceness=5) as worker:
        assert await worker.call(os.nice, 0) == min(os.nice(0) + 5, 19)
