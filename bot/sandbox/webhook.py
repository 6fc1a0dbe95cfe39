"""Pushing queued updates to a webhook URL, in order, retrying until accepted."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

import aiohttp

from bot.sandbox.notifier import ChangeNotifier
from bot.sandbox.updates import UpdateQueue

FIRST_RETRY_DELAY = 0.05
LONGEST_RETRY_DELAY = 1.0
POST_TIMEOUT = aiohttp.ClientTimeout(total=30)


class WebhookPusher:
    """POSTs each pending update to the webhook until it answers 200, one at a time.

    Telegram retries failed deliveries with growing delays; the emulator does the same on a
    much shorter scale so tests stay fast.
    """

    def __init__(
        self, queue: UpdateQueue, notifier: ChangeNotifier, clock: Callable[[], float]
    ) -> None:
        self._queue = queue
        self._notifier = notifier
        self._clock = clock
        self._task: asyncio.Task[None] | None = None
        self.url = ""
        self.secret_token: str | None = None
        self.max_connections = 40
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        self.attempts = 0

    @property
    def active(self) -> bool:
        """True while a webhook URL is set."""
        return bool(self.url)

    async def start(self, url: str, secret_token: str | None, max_connections: int) -> None:
        """Begin delivering to ``url`` (replacing any previous webhook)."""
        await self.stop()
        self.url = url
        self.secret_token = secret_token
        self.max_connections = max_connections
        self.last_error_date = None
        self.last_error_message = None
        self._task = asyncio.create_task(self._deliver_forever(), name="sandbox-webhook")

    async def stop(self) -> None:
        """Stop delivering and forget the URL; undelivered updates stay queued."""
        self.url = ""
        self.secret_token = None
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _deliver_forever(self) -> None:
        delay = FIRST_RETRY_DELAY
        async with aiohttp.ClientSession(timeout=POST_TIMEOUT) as session:
            while True:
                update = self._queue.first()
                if update is None:
                    await self._notifier.wait(None)
                    continue
                error = await self._post(session, update)
                if error is None:
                    self._queue.acknowledge(update["update_id"])
                    delay = FIRST_RETRY_DELAY
                    continue
                self.last_error_date = int(self._clock())
                self.last_error_message = error
                self._notifier.notify()
                await asyncio.sleep(delay)
                delay = min(delay * 2, LONGEST_RETRY_DELAY)

    async def _post(self, session: aiohttp.ClientSession, update: dict[str, object]) -> str | None:
        headers = {}
        if self.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.secret_token
        self.attempts += 1
        try:
            async with session.post(self.url, json=update, headers=headers) as response:
                await response.read()
                if response.status == 200:
                    return None
                return f"Wrong response from the webhook: {response.status} {response.reason}"
        except (aiohttp.ClientError, TimeoutError) as exc:
            return f"Connection failed: {exc!r}"
