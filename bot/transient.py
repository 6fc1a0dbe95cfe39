"""Updates whose handling met a passing Telegram error, so the dispatcher handles them again.

Handlers keep their database effects idempotent (a replay after a crash must not create a
second record), which is what makes handling an update once more safe.
"""

from __future__ import annotations

from telegram.error import BadRequest, NetworkError, RetryAfter

from storage.trouble import storage_trouble

# Pauses before handling an update again after Telegram failed it (5xx, timeout).
RETRY_DELAYS: tuple[float, ...] = (2.0, 10.0)


def is_transient(error: BaseException | None) -> bool:
    """5xx, timeouts, lost connections and flood control outlasting the rate limiter's own
    retries: worth another try. A refusal (400, 403) is not."""
    if isinstance(error, BadRequest):
        return False
    if error is not None and storage_trouble(error) is not None:
        return True  # a locked database frees up; a full disk or read-only one gets fixed
    return isinstance(error, NetworkError | RetryAfter)


class TransientFailures:
    """Which updates failed for a passing reason, and how often."""

    def __init__(self) -> None:
        self.delays = RETRY_DELAYS
        self._failed_now: set[int] = set()
        self._failures: dict[int, int] = {}
        self._until_done: set[int] = set()

    def note(self, update_id: int, *, until_done: bool = False) -> bool:
        """Record a failure; True if the update will be handled again. `until_done`: the
        database could not be written; the update is tried until that is fixed (dropping
        it would lose it: it is confirmed to Telegram already)."""
        self._failed_now.add(update_id)
        self._failures[update_id] = self._failures.get(update_id, 0) + 1
        if until_done:
            self._until_done.add(update_id)
        return until_done or self._failures[update_id] <= len(self.delays)

    def delay(self, update_id: int, attempt: int) -> float | None:
        """The pause before try `attempt + 1`, or None: give up."""
        if attempt < len(self.delays):
            return self.delays[attempt]
        if update_id in self._until_done:
            return self.delays[-1]
        return None

    def take(self, update_id: int) -> bool:
        """Whether the last try of the update failed for a passing reason."""
        failed = update_id in self._failed_now
        self._failed_now.discard(update_id)
        return failed

    def forget(self, update_id: int) -> None:
        """The update is done with (handled, or given up on)."""
        self._failed_now.discard(update_id)
        self._failures.pop(update_id, None)
        self._until_done.discard(update_id)
