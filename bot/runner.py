"""Run the bot: durable update intake (polling or webhook) feeding the Application.

python-telegram-bot's own Updater confirms a whole batch of updates to Telegram before
handling it, so a crash loses them. Here every update is written to the inbox first;
Telegram only learns we have it from the next `getUpdates` offset (or the webhook's 200),
and an update is marked handled only after its handlers finished.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hmac
import json
import logging
import sqlite3
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from telegram import Bot, Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError

from bot.context import CourtyardApplication
from bot.dispatcher import ALLOWED_UPDATES, Backoff, UpdateDispatcher
from bot.event_loop import loop_name
from bot.health import add_health_routes, metrics_server, metrics_share_webhook_server
from bot.limited_bot import LimitedBot
from bot.services import Services
from storage.inbox import StoredUpdate
from storage.trouble import storage_trouble

if TYPE_CHECKING:
    from aiohttp import web  # imported when a webhook is served: ~0.15 s

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
GET_UPDATES_LIMIT = 100  # Telegram's default (and maximum) batch
# A getUpdates answered faster than this found updates waiting rather than waited for them.
PROMPT_ANSWER = timedelta(seconds=1)


class CourtyardRunner:
    """Start the application, feed it updates until `stop` is set, then shut down cleanly."""

    def __init__(
        self,
        application: CourtyardApplication,
        services: Services,
        *,
        freeze_startup_objects: bool = False,
    ) -> None:
        self.application = application
        self.services = services
        # In the bot's own process only: what start-up built (settings, catalogs, the
        # classifier's model, handlers) lives as long as the process, and a full collection
        # that walks it stalls every chat for ~50 ms. Tests run many bots in one process, and
        # frozen objects are never freed, so they leave it off.
        self._freeze_startup_objects = freeze_startup_objects
        self.dispatcher = UpdateDispatcher(
            application.process_update,
            services.inbox,
            journal=services.journal,
            transient=services.transient,
            tails=services.intake_tails,
        )
        self.ready = asyncio.Event()
        self._requests_at_start = 0  # the newest request number when this process started

    async def run(self, stop: asyncio.Event) -> None:
        application = self.application
        await self._initialize(stop)
        if stop.is_set():
            await application.shutdown()
            return
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        if self._freeze_startup_objects:
            gc.collect()
            gc.freeze()
        try:
            async with metrics_server(self.services):
                self._requests_at_start = await self.services.requests.newest_id()
                await self._replay_unhandled()
                if self.services.settings.telegram.mode == "webhook":
                    await self._serve_webhook(stop)
                else:
                    await self._poll(stop)
                # Finish what we hold before stopping; whatever is cut short stays in the inbox.
                await self.dispatcher.drain()
        finally:
            await application.stop()
            await application.shutdown()
            if application.post_shutdown is not None:
                await application.post_shutdown(application)
        logger.info("Courtyard stopped cleanly")

    async def _initialize(self, stop: asyncio.Event) -> None:
        """getMe with retries: the network may not be up yet when a service starts."""
        backoff = Backoff()
        while True:
            try:
                await self.application.initialize()
                return
            except InvalidToken:
                raise
            except TelegramError as exc:
                delay = backoff.next_delay()
                if isinstance(exc, RetryAfter):
                    delay = _seconds(exc.retry_after)  # Telegram said how long
                logger.warning("Cannot reach Telegram (%s); retrying in %.0f s", exc, delay)
                if await _wait(stop, delay):
                    return

    async def _replay_unhandled(self) -> None:
        stored = await self.services.inbox.unhandled()
        if stored:
            logger.info("Handling %d updates left over from the last run", len(stored))
        for item in stored:
            update = Update.de_json(json.loads(item.payload), self.application.bot)
            self.dispatcher.submit(update)

    async def _poll(self, stop: asyncio.Event) -> None:
        bot = self.application.bot
        inbox = self.services.inbox
        timeout = self.services.settings.telegram.poll_timeout
        await bot.delete_webhook(drop_pending_updates=False)
        offset = await inbox.next_offset()
        clock = self.services.clock
        # Button presses carry no date: what dates them is when getUpdates brought them.
        previous_return = await inbox.last_polled()
        backoff = Backoff()
        self.ready.set()
        logger.info("Polling for updates (%s event loop)", loop_name())
        while not stop.is_set():
            asked_at = clock.now()
            fetch = asyncio.ensure_future(fetch_updates(bot, offset=offset, wait_seconds=timeout))
            if not await _first_of(fetch, stop):
                break
            returned_at = clock.now()
            try:
                received = fetch.result()
            except RetryAfter as exc:
                await _wait(stop, _seconds(exc.retry_after))
                continue
            except InvalidToken:
                raise
            except Conflict as exc:
                logger.error("Telegram refused polling (%s); is another instance running?", exc)
                await _wait(stop, backoff.next_delay())
                continue
            except NetworkError as exc:
                delay = backoff.next_delay()
                logger.warning("getUpdates failed (%s); retrying in %.0f s", exc, delay)
                await _wait(stop, delay)
                continue
            except TelegramError as exc:
                logger.error("getUpdates failed: %s", exc)
                await _wait(stop, backoff.next_delay())
                continue
            backoff.reset()
            arrived_after = arrival_bound(asked_at, returned_at, previous_return)
            previous_return = returned_at
            if not received:
                await inbox.note_polled(returned_at)
                await self._catch_up(batch=0)
                continue
            updates = [update for update, _ in received]
            try:
                fresh = await inbox.store(
                    [
                        StoredUpdate(update.update_id, json.dumps(data, ensure_ascii=False))
                        for update, data in received
                    ],
                    arrived_after=arrived_after,
                    polled_at=returned_at,
                )
            except sqlite3.Error as exc:
                # Not stored, so not confirmed: the same offset asks Telegram for them again.
                delay = backoff.next_delay()
                logger.error(
                    "Cannot store %d update(s): %s (%s); they stay unacknowledged at "
                    "Telegram, trying again in %.0f s",
                    len(updates),
                    storage_trouble(exc),
                    exc,
                    delay,
                )
                await _wait(stop, delay)
                continue
            fresh_ids = {item.update_id for item in fresh}
            for update in updates:
                if update.update_id in fresh_ids:
                    self.dispatcher.submit(update, first_seen=True)
            offset = max(update.update_id for update in updates) + 1
            await self._catch_up(batch=len(updates))

    async def _catch_up(self, *, batch: int) -> None:
        """After a start, once a getUpdates answer is not a full batch, everything that waited
        at Telegram (and in the inbox) while the bot was down has arrived: when it has been
        handled, overdue work may go ahead (e.g. close a poll after counting late votes)."""
        if self.services.caught_up.is_set() or batch >= GET_UPDATES_LIMIT:
            return
        await self.dispatcher.drain()
        logger.info("Caught up with the updates that waited while the bot was down")
        self.services.caught_up.set()
        self._finish_left_over_intakes()

    def _finish_left_over_intakes(self) -> None:
        """Requests the last process left unrouted (it routes after the update: a crash
        can cut that short) are finished now, by a job of their own."""
        from handlers.request_jobs import finish_left_over_intakes

        job_queue = self.application.job_queue
        if job_queue is not None:
            job_queue.run_once(
                finish_left_over_intakes,
                when=0,
                data=self._requests_at_start,
                name="finish_left_over_intakes",
            )

    async def _serve_webhook(self, stop: asyncio.Event) -> None:
        from aiohttp import web

        settings = self.services.settings.telegram.webhook
        app = web.Application()
        app.router.add_post(settings.path, self._on_webhook)
        add_health_routes(
            app, self.services, metrics=metrics_share_webhook_server(self.services.settings)
        )
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, settings.listen, settings.port)
        await site.start()
        try:
            await self.application.bot.set_webhook(
                url=settings.url,
                secret_token=settings.secret_token,
                allowed_updates=ALLOWED_UPDATES,
            )
            self.ready.set()
            # Telegram pushes what waited at its own pace; the bot cannot tell when that ends,
            # so only the updates left over in the inbox are waited for.
            await self._catch_up(batch=0)
            logger.info("Listening for webhook updates on %s:%d", settings.listen, settings.port)
            await stop.wait()
        finally:
            await runner.cleanup()

    async def _on_webhook(self, request: web.Request) -> web.Response:
        from aiohttp import web

        secret = self.services.settings.telegram.webhook.secret_token
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            return web.Response(status=403)
        try:
            data = await request.json()
            update = Update.de_json(data, self.application.bot)
        except (ValueError, TypeError, KeyError):
            return web.Response(status=400)
        # Stored before the 200: Telegram re-sends anything we did not acknowledge.
        try:
            fresh = await self.services.inbox.store(
                [StoredUpdate(update.update_id, json.dumps(data, ensure_ascii=False))]
            )
        except sqlite3.Error as exc:
            logger.error(
                "Cannot store update %s: %s (%s); answering 503 so Telegram sends it again",
                update.update_id,
                storage_trouble(exc),
                exc,
            )
            return web.Response(status=503)
        if fresh:
            self.dispatcher.submit(update, first_seen=True)
        return web.Response(status=200)


async def fetch_updates(
    bot: Bot, *, offset: int | None, wait_seconds: int
) -> list[tuple[Update, dict[str, Any]]]:
    """The next getUpdates batch, each Update with its JSON as Telegram sent it."""
    if isinstance(bot, LimitedBot):
        return await bot.fetch_updates(
            offset=offset, wait_seconds=wait_seconds, allowed_updates=ALLOWED_UPDATES
        )
    updates = await bot.get_updates(
        offset=offset, timeout=wait_seconds, allowed_updates=ALLOWED_UPDATES
    )
    return [(update, update.to_dict()) for update in updates]


def arrival_bound(
    asked_at: datetime, returned_at: datetime, previous: datetime | None
) -> datetime:
    """The earliest moment the updates of one getUpdates answer can have been created.

    A long poll that waited was answered when the first update came, so they are as recent
    as the answer. An answer that came at once held updates that were already waiting: they
    came after the previous answer (while the bot was running, moments before; after a
    restart, possibly while it was down).
    """
    if returned_at - asked_at > PROMPT_ANSWER or previous is None:
        return returned_at
    return min(previous, returned_at)


def _seconds(value: object) -> float:
    total_seconds = getattr(value, "total_seconds", None)
    if callable(total_seconds):
        return float(total_seconds())
    return float(value)  # type: ignore[arg-type]


async def _first_of(fetch: asyncio.Future[Any], stop: asyncio.Event) -> bool:
    """Wait for a fetch or a stop; returns False (and cancels the fetch) on stop."""
    stopper = asyncio.ensure_future(stop.wait())
    waiters: set[asyncio.Future[Any]] = {fetch, stopper}
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
    if fetch.done():
        return True
    fetch.cancel()
    with contextlib.suppress(asyncio.CancelledError, TelegramError):
        await fetch
    return False


async def _wait(stop: asyncio.Event, seconds: float) -> bool:
    """Sleep, waking early on stop; returns True when stopping."""
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        return False
    return True
