"""Scripted failures and slowness for chosen Bot API methods."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from bot.sandbox.errors import ApiError

FaultKind = Literal["flood", "server_error", "timeout", "bad_gateway"]
ANY_METHOD = "*"


@dataclass
class FaultRule:
    """The next ``remaining`` calls of ``method`` (optionally to ``chat_id``) fail as ``kind``."""

    method: str
    kind: FaultKind
    remaining: int
    retry_after: int
    chat_id: str | None
    delay: float | None

    def matches(self, method: str, params: dict[str, Any]) -> bool:
        """Whether a call is subject to this rule."""
        if self.method not in (ANY_METHOD, method.lower()):
            return False
        return self.chat_id is None or str(params.get("chat_id")) == self.chat_id


@dataclass
class Outage:
    """Every call fails as ``kind`` until the monotonic time ``until`` (a Telegram outage)."""

    kind: FaultKind
    until: float
    retry_after: int

    def seconds_left(self, now: float) -> float:
        """How long the outage still lasts (0 once over)."""
        return max(self.until - now, 0.0)


class FaultPlan:
    """Pending fault rules, a timed outage and per-method latencies."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.rules: list[FaultRule] = []
        self.latencies: dict[str, float] = {}
        self.outage: Outage | None = None
        self._monotonic = monotonic

    def add(
        self,
        method: str,
        kind: FaultKind,
        *,
        times: int,
        retry_after: int,
        chat_id: int | str | None,
        delay: float | None,
    ) -> FaultRule:
        """Schedule a fault; rules are consumed in the order they were added."""
        if kind not in ("flood", "server_error", "timeout", "bad_gateway"):
            raise ValueError(f"unknown fault kind {kind!r}")
        rule = FaultRule(
            method.lower(),
            kind,
            times,
            retry_after,
            None if chat_id is None else str(chat_id),
            delay,
        )
        self.rules.append(rule)
        return rule

    def start_outage(self, kind: FaultKind, seconds: float, *, retry_after: int = 5) -> Outage:
        """Fail every call as ``kind`` for the next ``seconds`` (real time, not the sandbox's
        clock), ``flood`` answers carrying ``retry_after``; replaces a running outage."""
        if kind not in ("flood", "server_error", "bad_gateway"):
            raise ValueError(f"an outage answers flood, server_error or bad_gateway, not {kind!r}")
        if seconds <= 0:
            raise ValueError("an outage lasts a positive number of seconds")
        self.outage = Outage(kind, self._monotonic() + seconds, retry_after)
        return self.outage

    def outage_seconds_left(self) -> float:
        """Seconds until the running outage ends (0 when there is none)."""
        if self.outage is None:
            return 0.0
        left = self.outage.seconds_left(self._monotonic())
        if not left:
            self.outage = None
        return left

    def take(self, method: str, params: dict[str, Any]) -> FaultRule | None:
        """The rule that applies to this call, consuming one of its uses."""
        if self.outage_seconds_left() and self.outage is not None:
            outage = self.outage
            return FaultRule(ANY_METHOD, outage.kind, 1, outage.retry_after, None, None)
        for rule in self.rules:
            if rule.remaining > 0 and rule.matches(method, params):
                rule.remaining -= 1
                return rule
        return None

    def set_latency(self, method: str, seconds: float) -> None:
        """Delay every call of ``method`` ("*" for all) by ``seconds``; 0 removes it."""
        if seconds > 0:
            self.latencies[method.lower()] = seconds
        else:
            self.latencies.pop(method.lower(), None)

    def latency(self, method: str) -> float:
        """The delay configured for a method (its own, else the "*" one)."""
        return self.latencies.get(method.lower(), self.latencies.get(ANY_METHOD, 0.0))

    def clear(self) -> None:
        """Remove all faults, the outage and latencies."""
        self.rules.clear()
        self.latencies.clear()
        self.outage = None


async def sleep_unless_stopping(seconds: float | None, stopping: asyncio.Event) -> None:
    """Sleep ``seconds`` (forever when None) but return as soon as the emulator stops."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stopping.wait(), seconds)


async def fault_error(rule: FaultRule, stopping: asyncio.Event) -> ApiError:
    """The error a faulted call answers with, after stalling for "timeout" faults."""
    if rule.kind == "flood":
        return ApiError(
            429,
            f"Too Many Requests: retry after {rule.retry_after}",
            {"retry_after": rule.retry_after},
        )
    if rule.kind == "server_error":
        return ApiError(500, "Internal Server Error")
    if rule.kind == "bad_gateway":
        return ApiError(502, "Bad Gateway")
    await sleep_unless_stopping(rule.delay, stopping)
    return ApiError(504, "Gateway Timeout")
