"""The sandbox page and the actions its forms post (they work without JavaScript too)."""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from html import escape
from importlib import resources
from pathlib import Path
from string import Template

from aiohttp import web

from bot.sandbox.actions import pin_message
from bot.sandbox.faults import FaultKind
from bot.sandbox.samples import SAMPLE_PHOTOS, sample_photo
from bot.sandbox.session import SandboxSession
from bot.sandbox.timeshift import next_local
from bot.sandbox.web.events import EventStream, page_data
from bot.sandbox.web.panels import (
    format_moment,
    render_banner,
    render_clock,
    render_health,
    render_log,
    render_menu,
    render_personas,
    render_pinned,
    render_tabs,
)
from bot.sandbox.web.render import render_history
from bot.sandbox.web.strings import GUIDE, PHOTO_LABELS, page_strings
from bot.sandbox.web.view import PRIVATE, View, resolve_view
from storage.polls import PollRepository

STATIC = Path(str(resources.files("bot.sandbox.web") / "static"))
TEMPLATE = Template(
    (resources.files("bot.sandbox.web") / "templates" / "page.html").read_text("utf-8")
)
OUTAGE_SECONDS = 60
OUTAGE_KINDS: dict[str, FaultKind] = {"server_error": "server_error", "flood": "flood"}
Action = Callable[[View, dict[str, str]], Awaitable[tuple[str | None, str | None]]]


class Page:
    """Routes of the page; actions answer JSON to the page's script, a redirect otherwise."""

    def __init__(self, session: SandboxSession) -> None:
        self.session = session
        self.emulator = session.emulator

    def setup(self, app: web.Application) -> None:
        """Add the page's routes to the emulator's app."""
        app.router.add_get("/", self.index)
        app.router.add_get("/sandbox/events", EventStream(self.session).handle)
        app.router.add_get("/sandbox/do/start", self.deep_link)
        for name, action in (
            ("send", self.send),
            ("press", self.press),
            ("pin", self.pin),
            ("clock", self.move_clock),
            ("fault", self.fault),
            ("bot", self.control_bot),
        ):
            app.router.add_post(f"/sandbox/do/{name}", self._action(action))
        app.router.add_static("/sandbox/static", STATIC)

    # -- the page ------------------------------------------------------------------------------

    async def index(self, request: web.Request) -> web.Response:
        view = resolve_view(self.session, dict(request.query))
        if view is None:
            return web.Response(
                text='<!doctype html><meta http-equiv="refresh" content="1">'
                "<title>Courtyard sandbox</title><p>Starting…</p>",
                content_type="text/html",
            )
        _ = view._
        polls, backlog = await page_data(self.session)
        history = list(view.chat.history.values())
        self.session.seen[view.chat.id] = view.chat.last_message_id
        reply = request.query.get("reply", "")
        replied = view.chat.history.get(int(reply)) if reply.isdigit() else None
        strings = page_strings(view, self.session)
        values = {
            **strings,
            "events_url": escape("/sandbox/events?" + request.query_string),
            "language_links": _language_links(view),
            "banner": render_banner(self.session, view),
            "tabs": render_tabs(self.session, view),
            "pinned": render_pinned(view),
            "messages": render_history(view, history),
            "notice": escape(request.query.get("notice", "")),
            "hidden_fields": view.hidden_fields(),
            "replying_hidden": "" if replied else " hidden",
            "replying_text": escape(replied.content[:80]) if replied else "",
            "reply_to": str(replied.message_id) if replied else "",
            "cancel_reply_url": escape(view.url()),
            "menu": render_menu(self.session, view),
            "photo_options": _photo_options(view),
            "personas": render_personas(self.session, view),
            "clock": render_clock(self.session, view, polls),
            "health": render_health(self.session, view, backlog),
            "log": render_log(self.session),
            "guide": "".join(f"<li>{escape(_(step))}</li>" for step in GUIDE),
        }
        return web.Response(text=TEMPLATE.substitute(values), content_type="text/html")

    # -- actions -------------------------------------------------------------------------------

    def _action(self, action: Action) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def handle(request: web.Request) -> web.Response:
            form = {k: str(v) for k, v in (await request.post()).items()}
            view = resolve_view(self.session, form)
            if view is None:
                raise web.HTTPServiceUnavailable(text="the sandbox is starting")
            try:
                notice, location = await action(view, form)
            except ValueError as error:
                notice, location = str(error), None
            if request.headers.get("Accept", "").startswith("application/json"):
                return web.json_response({"notice": notice or "", "location": location})
            raise web.HTTPSeeOther(location or (view.url(notice=notice) if notice else view.url()))

        return handle

    async def send(self, view: View, form: dict[str, str]) -> tuple[str | None, str | None]:
        text = (form.get("command") or form.get("text") or "").strip()
        reply = form.get("reply_to", "")
        reply_to = int(reply) if reply.isdigit() and int(reply) in view.chat.history else None
        photo = form.get("photo", "")
        if photo and not form.get("command"):
            self.emulator.send_message(
                view.viewer,
                view.chat,
                photo=sample_photo(photo),
                caption=text or None,
                reply_to=reply_to,
            )
        elif text:
            self.emulator.send_message(view.viewer, view.chat, text, reply_to=reply_to)
        else:
            return view._("Type a message first."), None
        return None, None

    async def press(self, view: View, form: dict[str, str]) -> tuple[str | None, str | None]:
        message = view.chat.history.get(int(form.get("message_id", "0") or 0))
        if message is None:
            return view._("That message is gone."), None
        query = self.emulator.press_button(view.viewer, message, form.get("data", ""))
        try:
            answer = await self.emulator.wait_callback_answer(query, timeout=5)
        except AssertionError:
            return None, None
        return answer.text, None

    async def pin(self, view: View, form: dict[str, str]) -> tuple[str | None, str | None]:
        message = view.chat.history.get(int(form.get("message_id", "0") or 0))
        if message is None:
            return view._("That message is gone."), None
        pin_message(self.emulator.state, view.viewer, message)
        return None, None

    async def deep_link(self, request: web.Request) -> web.Response:
        view = resolve_view(self.session, {**request.query, "chat": PRIVATE})
        if view is None:
            raise web.HTTPServiceUnavailable(text="the sandbox is starting")
        self.emulator.user_starts_bot(view.viewer, request.query.get("payload") or None)
        raise web.HTTPSeeOther(view.url())

    async def move_clock(self, view: View, form: dict[str, str]) -> tuple[str | None, str | None]:
        target = await self._clock_target(view, form.get("preset", ""))
        if target is None:
            return view._("Unknown clock preset."), None
        applied = await self.session.time.move_to(target)
        notice = view._("The clock now reads {moment}.").format(
            moment=format_moment(view, self.session.clock.now())
        )
        if not applied:
            notice += " " + view._("The bot is not running: it catches up when it starts.")
        return notice, None

    async def _clock_target(self, view: View, preset: str) -> datetime | None:
        now = self.session.clock.now()
        community = self.session.community
        assert community is not None
        staff = community.settings.staff
        if preset == "hour":
            return now + timedelta(hours=1)
        if preset == "day":
            return now + timedelta(days=1)
        if preset == "digest":
            return next_local(now, view.tz, staff.digest_time)
        if preset == "report":
            return next_local(now, view.tz, staff.report_time, staff.report_weekday)
        if preset.startswith("poll:") and self.session.bot_database is not None:
            try:
                poll_id = int(preset.removeprefix("poll:"))
                repository = PollRepository(self.session.bot_database, self.session.clock)
                poll = await repository.get(poll_id)
            except (ValueError, sqlite3.Error):
                return None
            # A moment past the deadline: the poll closes when its deadline has passed.
            return None if poll is None else poll.closes_at + timedelta(seconds=1)
        return None

    async def fault(self, view: View, form: dict[str, str]) -> tuple[str | None, str | None]:
        kind = form.get("kind", "")
        faults = self.emulator.faults
        if kind == "clear":
            faults.clear()
            notice = view._("Telegram answers normally again.")
        elif kind in OUTAGE_KINDS:
            faults.start_outage(OUTAGE_KINDS[kind], OUTAGE_SECONDS, retry_after=5)
            notice = view._("Telegram fails every request for a minute. Keep using the chat.")
        else:
            return view._("Unknown fault."), None
        self.session.changed()
        return notice, None

    async def control_bot(self, view: View, form: dict[str, str]) -> tuple[str | None, str | None]:
        supervisor = self.session.supervisor
        if supervisor is None:
            return view._("This sandbox does not run the bot."), None
        if form.get("action") == "kill":
            await supervisor.kill()
            return view._("The bot was killed. Messages you send now wait for it."), None
        await supervisor.start()
        return view._("The bot is starting; it picks up where it stopped."), None


def _language_links(view: View) -> str:
    links = []
    for code, name in (("zh", "中文"), ("en", "English")):
        current = ' aria-current="true"' if code == view.language else ""
        url = "/?" + f"as={view.viewer.id}&chat={view.chat_key}&lang={code}"
        links.append(f'<a href="{escape(url)}" lang="{code}"{current}>{name}</a>')
    return "".join(links)


def _photo_options(view: View) -> str:
    _ = view._
    no_photo = escape(_("No photo"))
    options = [f'<option value="">{no_photo}</option>']
    for name in SAMPLE_PHOTOS:
        options.append(f'<option value="{name}">{escape(_(PHOTO_LABELS[name]))}</option>')
    return "".join(options)
