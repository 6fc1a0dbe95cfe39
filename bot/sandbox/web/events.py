"""Live updates for the page (server-sent events): new and edited messages, panels.

Each connection remembers what it last sent; after every change in the emulator (and once
a second, for the clock) it sends only what differs: ``message`` events carry one message's
HTML (an empty hidden item once deleted), ``panel`` events a side panel's HTML.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3

from aiohttp import web

from bot.sandbox.models import SentMessage
from bot.sandbox.session import SandboxSession
from bot.sandbox.web.panels import (
    Backlog,
    render_banner,
    render_clock,
    render_health,
    render_log,
    render_menu,
    render_personas,
    render_pinned,
    render_tabs,
)
from bot.sandbox.web.render import render_day, render_message
from bot.sandbox.web.view import View, resolve_view
from storage.outbox import OutboxRepository
from storage.polls import Poll, PollRepository

# Changes often come in bursts (a card, its edit, a private copy): send them together.
COALESCE_SECONDS = 0.1
TICK_SECONDS = 1.0
KEEPALIVE_TICKS = 15


async def page_data(session: SandboxSession) -> tuple[list[Poll], Backlog]:
    """Open polls and the delivery backlog, read from the bot's database."""
    updates = session.emulator.pending_update_count
    database = session.bot_database
    if database is None:
        return [], Backlog(0, updates)
    try:
        polls = await PollRepository(database, session.clock).open_polls()
        outbox = await OutboxRepository(database, session.clock).pending_count()
    except sqlite3.Error:
        return [], Backlog(0, updates)
    return polls, Backlog(outbox, updates)


def _fingerprint(message: SentMessage) -> tuple[object, ...]:
    markup = json.dumps(message.reply_markup, sort_keys=True) if message.reply_markup else ""
    return (message.text, message.caption, markup, message.deleted, message.pinned)


class EventStream:
    """``GET /sandbox/events?<the page's query>``."""

    def __init__(self, session: SandboxSession) -> None:
        self.session = session

    async def handle(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await response.prepare(request)
        query = dict(request.query)
        state = self.session.emulator.state
        sent_messages: dict[int, tuple[object, ...]] = {}
        sent_panels: dict[str, str] = {}
        had_view = resolve_view(self.session, query) is not None
        quiet_ticks = 0
        try:
            while not state.stopping.is_set() and _connected(request):
                view = resolve_view(self.session, query)
                if view is None or not had_view:
                    if view is not None:
                        await _send(response, "reload", {})
                        break
                else:
                    sent = await self._messages(response, view, sent_messages)
                    sent += await self._panels(response, view, sent_panels)
                    quiet_ticks = 0 if sent else quiet_ticks + 1
                    if quiet_ticks >= KEEPALIVE_TICKS:
                        await response.write(b": keepalive\n\n")
                        quiet_ticks = 0
                await state.notifier.wait(TICK_SECONDS)
                await asyncio.sleep(COALESCE_SECONDS)
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        return response

    async def _messages(
        self, response: web.StreamResponse, view: View, sent: dict[int, tuple[object, ...]]
    ) -> int:
        count = 0
        previous: SentMessage | None = None
        for message in list(view.chat.history.values()):
            fingerprint = _fingerprint(message)
            if sent.get(message.message_id) != fingerprint:
                new = message.message_id not in sent
                sent[message.message_id] = fingerprint
                day = ""
                if new and not message.deleted:
                    day = render_day(view, message)
                await _send(
                    response,
                    "message",
                    {"id": message.message_id, "html": render_message(view, message), "day": day},
                )
                count += 1
            if not message.deleted:
                previous = message
        if previous is not None:
            self.session.seen[view.chat.id] = view.chat.last_message_id
        return count

    async def _panels(self, response: web.StreamResponse, view: View, sent: dict[str, str]) -> int:
        session = self.session
        polls, backlog = await page_data(session)
        panels = {
            "panel-banner": render_banner(session, view),
            "panel-tabs": render_tabs(session, view),
            "panel-pinned": render_pinned(view),
            "panel-personas": render_personas(session, view),
            "panel-clock": render_clock(session, view, polls),
            "panel-health": render_health(session, view, backlog),
            "panel-log": render_log(session),
            "panel-menu": render_menu(session, view),
        }
        count = 0
        for panel, html in panels.items():
            if sent.get(panel) != html:
                sent[panel] = html
                await _send(response, "panel", {"id": panel, "html": html})
                count += 1
        return count


def _connected(request: web.Request) -> bool:
    transport = request.transport
    return transport is not None and not transport.is_closing()


async def _send(response: web.StreamResponse, event: str, data: object) -> None:
    payload = json.dumps(data, ensure_ascii=False)
    await response.write(f"event: {event}\ndata: {payload}\n\n".encode())
