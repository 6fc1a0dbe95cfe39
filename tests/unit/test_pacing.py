"""The paced send path, in virtual time: Telegram's three limits and `retry_after` hold by
the moments messages leave, and replies to updates go before the outbox's backlog."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.handling import handling_update
from bot.pacing import PacedRateLimiter, SendLimits, SendPacer, is_message
from bot.sandbox.limits import StrictLimits

LIMITS = SendLimits(overall_per_second=30, group_per_minute=20, private_per_second=1)


class VirtualTime:
    """A clock that moves only when every task waits on it: sleeps end in time order."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + seconds, next(self._order), waiter))
        await waiter

    async def run(self, *coroutines: Coroutine[Any, Any, Any]) -> list[Any]:
        tasks = [asyncio.ensure_future(c) for c in coroutines]
        while not all(t.done() for t in tasks):
            for _ in range(30):  # let every runnable task reach its next wait
                await asyncio.sleep(0)
            if self._sleepers and not all(t.done() for t in tasks):
                wake, _order, waiter = heapq.heappop(self._sleepers)
                self.now = max(self.now, wake)
                waiter.set_result(None)
        return [t.result() for t in tasks]


def _pacer(time: VirtualTime, limits: SendLimits = LIMITS) -> SendPacer:
    return SendPacer(limits, clock=time.clock, sleep=time.sleep)


def _most_in_window(moments: list[float], window: float) -> int:
    moments = sorted(moments)
    most, start = 0, 0
    for end, moment in enumerate(moments):
        while moment - moments[start] >= window:
            start += 1
        most = max(most, end - start + 1)
    return most


async def _send_all(
    time: VirtualTime, pacer: SendPacer, chats: list[int], *, urgent: bool = False
) -> list[tuple[float, int]]:
    left: list[tuple[float, int]] = []

    async def one(chat: int) -> None:
        await pacer.turn(chat, urgent=urgent)
        left.append((time.now, chat))

    await time.run(*(one(chat) for chat in chats))
    return left


async def test_a_burst_to_many_people_keeps_under_thirty_a_second_and_near_it() -> None:
    time = VirtualTime()
    left = await _send_all(time, _pacer(time), list(range(1, 301)))
    moments = [at for at, _chat in left]
    assert _most_in_window(moments, 1.0) <= 30
    # Never more than the safety margin slower than the limit allows.
    assert max(moments) <= 299 / 30 * (1 + LIMITS.safety) + 1e-9


async def test_one_person_gets_a_message_a_second_in_the_order_asked() -> None:
    time = VirtualTime()
    pacer = _pacer(time)
    order: list[int] = []

    async def one(n: int) -> float:
        await pacer.turn(7)
        order.append(n)
        return time.now

    moments = await time.run(*(one(n) for n in range(5)))
    assert order == list(range(5))
    assert all(b - a >= 1.0 for a, b in itertools.pairwise(sorted(moments)))


async def test_a_group_gets_twenty_a_minute_and_others_are_not_held_up() -> None:
    time = VirtualTime()
    left = await _send_all(time, _pacer(time), [-100] * 45 + list(range(1, 11)))
    group = [at for at, chat in left if chat == -100]
    assert _most_in_window(group, 60.0) <= 20
    private = [at for at, chat in left if chat > 0]
    assert max(private) < 2.0  # people's messages did not wait for the group's window


async def test_a_flood_wait_holds_every_message() -> None:
    time = VirtualTime()
    pacer = _pacer(time)
    pacer.hold(5.0)
    left = await _send_all(time, pacer, [1, 2, -3])
    assert min(at for at, _chat in left) >= 5.0


async def test_a_reply_to_an_update_goes_before_the_backlog() -> None:
    time = VirtualTime()
    pacer = _pacer(time)
    left: list[str] = []

    async def background(chat: int) -> None:
        await pacer.turn(chat)
        left.append("outbox")

    async def reply() -> None:
        await time.sleep(0.1)  # asked for after the backlog was queued
        await pacer.turn(999, urgent=True)
        left.append("reply")

    await time.run(*(background(chat) for chat in range(1, 61)), reply())
    assert left.index("reply") <= 5


class FakeApi:
    """Answers like Telegram, refusing the first `floods` calls with 429."""

    def __init__(self, floods: int = 0, retry_after: int = 3) -> None:
        self.floods = floods
        self.retry_after = retry_after
        self.calls = 0

    async def call(self, *_args: Any) -> dict[str, Any]:
        self.calls += 1
        if self.floods:
            self.floods -= 1
            raise RetryAfter(self.retry_after)
        return {"message_id": self.calls}


def _limiter(time: VirtualTime, max_retries: int = 3) -> PacedRateLimiter:
    limiter = PacedRateLimiter(LIMITS, max_retries=max_retries)
    limiter.pacer = _pacer(time)
    return limiter


def _request(
    limiter: PacedRateLimiter, api: FakeApi, endpoint: str = "sendMessage", chat: int = 5
) -> Awaitable[Any]:
    data = {"chat_id": chat, "text": "hi"}
    return limiter.process_request(api.call, (endpoint, data), {}, endpoint, data, None)


async def test_the_limiter_waits_out_retry_after_and_tries_again() -> None:
    time = VirtualTime()
    api = FakeApi(floods=2, retry_after=3)
    [result] = await time.run(_request(_limiter(time), api))
    assert result == {"message_id": 3}
    assert time.now >= 6.0


async def test_the_limiter_gives_up_after_its_retries() -> None:
    time = VirtualTime()
    api = FakeApi(floods=5)
    with pytest.raises(RetryAfter):
        await time.run(_request(_limiter(time, max_retries=1), api))
    assert api.calls == 2


async def test_only_messages_are_paced() -> None:
    assert is_message("sendMessage")
    assert is_message("editMessageText")
    assert is_message("copyMessage")
    assert is_message("sendPhoto")
    assert not is_message("sendChatAction")
    assert not is_message("answerCallbackQuery")
    assert not is_message("getUpdates")
    time = VirtualTime()
    limiter = _limiter(time)
    limiter.pacer.hold(60.0)
    api = FakeApi()
    await time.run(_request(limiter, api, "answerCallbackQuery"))
    assert time.now == 0.0


async def test_replies_inside_an_update_are_urgent() -> None:
    time = VirtualTime()
    limiter = _limiter(time)
    api = FakeApi()
    order: list[str] = []

    async def tagged(tag: str, chat: int, make: Callable[[], Awaitable[Any]]) -> None:
        await make()
        order.append(tag)

    async def in_update() -> None:
        await time.sleep(0.05)
        with handling_update(1):
            await tagged("reply", 999, lambda: _request(limiter, api, chat=999))

    await time.run(
        *(tagged("job", c, lambda c=c: _request(limiter, api, chat=c)) for c in range(1, 40)),
        in_update(),
    )
    assert order.index("reply") <= 5


def test_strict_emulator_refuses_what_goes_over_each_limit() -> None:
    now = [0.0]
    limits = StrictLimits(clock=lambda: now[0])
    assert limits.check("sendMessage", {"chat_id": "5"}) is None
    refused = limits.check("sendMessage", {"chat_id": "5"})  # same person within a second
    assert refused is not None
    assert refused.error_code == 429
    assert refused.parameters == {"retry_after": 1}
    assert limits.check("answerCallbackQuery", {"callback_query_id": "1"}) is None
    now[0] = 1.0
    for n in range(20):
        assert limits.check("editMessageText", {"chat_id": -7, "message_id": n}) is None
        now[0] += 0.1
    over = limits.check("sendMessage", {"chat_id": -7})
    assert over is not None
    assert over.parameters == {"retry_after": 58}
    now[0] = 100.0
    for n in range(30):
        assert limits.check("sendMessage", {"chat_id": 1000 + n}) is None
    assert limits.check("sendMessage", {"chat_id": 5000}) is not None
    now[0] = 101.0
    assert limits.check("sendMessage", {"chat_id": 5000}) is None
    assert limits.refused == 3
