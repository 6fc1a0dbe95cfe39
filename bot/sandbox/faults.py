"""Scripted failures and slowness for chosen Bot API methods."""

from __future__ import annotations

import asyncio
import contextlib
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


class FaultPlan:
    """Pending fault rules and per-method latencies."""

    def __init__(self) -> None:
        self.rules: list[FaultRule] = []
        self.latencies: dict[str, float] = {}

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

    def take(self, method: str, params: dict[str, Any]) -> FaultRule | None:
        """The rule that applies to this call, consuming one of its uses."""
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
        """Remove all faults and latencies."""
        self.rules.clear()
        self.latencies.clear()


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
