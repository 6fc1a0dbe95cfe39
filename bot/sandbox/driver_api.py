"""The driver API: JSON over HTTP to act as Telegram's users and steer the sandbox.

Served beside the Bot API by the same aiohttp app; the sandbox page, scripts and tests use
it. Every route is listed by ``GET /sandbox/api`` and documented in the README. Users and
chats are named by their numeric ids; a user's private chat with the bot has the user's id.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from aiohttp import web

from bot.sandbox import actions
from bot.sandbox.faults import FaultKind
from bot.sandbox.models import Json, SentMessage, SimChat, SimUser
from bot.sandbox.samples import sample_photo
from bot.sandbox.session import SandboxSession
from bot.sandbox.views import FILES_PATH, chat_view, command_menu, message_view, user_view

API = "/sandbox/api"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
ENDPOINTS = (
    "GET  /sandbox/api/users",
    "POST /sandbox/api/users {first_name, username?, last_name?, language_code?}",
    "POST /sandbox/api/users/{user_id}/start {payload?}",
    "GET  /sandbox/api/chats",
    "POST /sandbox/api/chats {title, creator, members?, admins?, bot_is_admin?}",
    "GET  /sandbox/api/chats/{chat_id}/messages?after=ID",
    "POST /sandbox/api/chats/{chat_id}/messages {user_id, text? | photo?, caption?, reply_to?}",
    "POST /sandbox/api/chats/{chat_id}/messages/{message_id}/press"
    " {user_id, callback_data? | button?, wait?}",
    "POST /sandbox/api/chats/{chat_id}/messages/{message_id}/pin {user_id}",
    "GET  /sandbox/api/chats/{chat_id}/commands?user_id=ID",
    "GET  /sandbox/api/clock",
    "POST /sandbox/api/clock {advance_seconds? | to?}",
    "GET  /sandbox/api/faults",
    "POST /sandbox/api/faults {kind, seconds? | times?, method?, retry_after?}",
    "DELETE /sandbox/api/faults",
    "GET  /sandbox/api/bot",
    "POST /sandbox/api/bot {action: start | stop | kill | restart}",
    "GET  /sandbox/files/{file_id}",
)


class BadInput(ValueError):
    """The request names something unknown or lacks a field; answered with 400."""


def _guarded(handler: Handler) -> Handler:
    async def guarded(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except (BadInput, ValueError, KeyError, TypeError) as error:
            message = error.args[0] if error.args else type(error).__name__
            return web.json_response({"error": str(message)}, status=400)

    return guarded


async def _body(request: web.Request) -> Json:
    if not request.can_read_body:
        return {}
    try:
        data = await request.json()
    except ValueError:
        raise BadInput("the body must be a JSON object") from None
    if not isinstance(data, dict):
        raise BadInput("the body must be a JSON object")
    return data


class DriverApi:
    """Route handlers over a :class:`SandboxSession`."""

    def __init__(self, session: SandboxSession) -> None:
        self.session = session
        self.emulator = session.emulator
        self.state = session.emulator.state

    def setup(self, app: web.Application) -> None:
        """Add the routes to the emulator's aiohttp app."""
        routes: list[tuple[str, str, Handler]] = [
            ("GET", "", self.index),
            ("GET", "/users", self.list_users),
            ("POST", "/users", self.create_user),
            ("POST", "/users/{user_id}/start", self.start_bot),
            ("GET", "/chats", self.list_chats),
            ("POST", "/chats", self.create_chat),
            ("GET", "/chats/{chat_id}/messages", self.read_chat),
            ("POST", "/chats/{chat_id}/messages", self.send),
            ("POST", "/chats/{chat_id}/messages/{message_id}/press", self.press),
            ("POST", "/chats/{chat_id}/messages/{message_id}/pin", self.pin),
            ("GET", "/chats/{chat_id}/commands", self.commands),
            ("GET", "/clock", self.get_clock),
            ("POST", "/clock", self.move_clock),
            ("GET", "/clock/watch", self.watch_clock),
            ("POST", "/clock/ack", self.ack_clock),
            ("GET", "/faults", self.get_faults),
            ("POST", "/faults", self.add_fault),
            ("DELETE", "/faults", self.clear_faults),
            ("GET", "/bot", self.bot_status),
            ("POST", "/bot", self.control_bot),
            ("POST", "/bot/ready", self.bot_ready),
        ]
        for method, path, handler in routes:
            app.router.add_route(method, API + path, _guarded(handler))
        app.router.add_get(FILES_PATH + "/{file_id}", _guarded(self.download))

    # -- lookups -----------------------------------------------------------------------------

    def user(self, value: Any) -> SimUser:
        """A simulated user by id (not the bot)."""
        try:
            user = self.state.users.get(int(value))
        except (TypeError, ValueError):
            user = None
        if user is None or user.is_bot:
            raise BadInput(f"no user {value!r}")
        return user

    def chat(self, value: Any) -> SimChat:
        """A chat by id (a user's id means their private chat with the bot)."""
        try:
            chat = self.state.find_chat(int(value))
        except (TypeError, ValueError):
            chat = None
        if chat is None:
            raise BadInput(f"no chat {value!r}")
        return chat

    def message(self, chat: SimChat, value: Any) -> SentMessage:
        """A message of ``chat`` by id."""
        try:
            message = chat.history.get(int(value))
        except (TypeError, ValueError):
            message = None
        if message is None:
            raise BadInput(f"no message {value!r} in chat {chat.id}")
        return message

    # -- people and chats --------------------------------------------------------------------

    async def index(self, request: web.Request) -> web.Response:
        return web.json_response({"endpoints": list(ENDPOINTS)})

    async def list_users(self, request: web.Request) -> web.Response:
        users = [user_view(u) for u in self.state.users.values() if not u.is_bot]
        return web.json_response(users)

    async def create_user(self, request: web.Request) -> web.Response:
        body = await _body(request)
        first_name = str(body.get("first_name") or "").strip()
        if not first_name:
            raise BadInput("first_name is required")
        user = self.emulator.create_user(
            first_name,
            username=body.get("username"),
            last_name=body.get("last_name"),
            language_code=body.get("language_code", "zh"),
        )
        return web.json_response(user_view(user), status=201)

    async def start_bot(self, request: web.Request) -> web.Response:
        user = self.user(request.match_info["user_id"])
        payload = (await _body(request)).get("payload")
        message = self.emulator.user_starts_bot(user, None if payload is None else str(payload))
        return web.json_response(message, status=201)

    async def list_chats(self, request: web.Request) -> web.Response:
        return web.json_response([chat_view(c) for c in self.state.chats.values()])

    async def create_chat(self, request: web.Request) -> web.Response:
        body = await _body(request)
        title = str(body.get("title") or "").strip()
        if not title:
            raise BadInput("title is required")
        chat = self.emulator.create_group(
            title,
            creator=self.user(body.get("creator")),
            members=[self.user(u) for u in body.get("members", [])],
            admins=[self.user(u) for u in body.get("admins", [])],
            bot_is_admin=bool(body.get("bot_is_admin", True)),
        )
        return web.json_response(chat_view(chat), status=201)

    # -- messages ----------------------------------------------------------------------------

    async def read_chat(self, request: web.Request) -> web.Response:
        chat = self.chat(request.match_info["chat_id"])
        after = int(request.query.get("after", "0"))
        messages = [message_view(m) for m in chat.history.values() if m.message_id > after]
        return web.json_response(messages)

    async def send(self, request: web.Request) -> web.Response:
        chat = self.chat(request.match_info["chat_id"])
        body = await _body(request)
        user = self.user(body.get("user_id"))
        reply_to = body.get("reply_to")
        reply = None if reply_to in (None, "") else self.message(chat, reply_to).message_id
        photo = body.get("photo")
        if photo:
            sent = self.emulator.send_message(
                user,
                chat,
                photo=sample_photo(str(photo)),
                caption=body.get("caption") or body.get("text") or None,
                reply_to=reply,
            )
        else:
            text = str(body.get("text") or "").strip()
            if not text:
                raise BadInput("text (or photo) is required")
            sent = self.emulator.send_message(user, chat, text, reply_to=reply)
        return web.json_response(sent, status=201)

    async def press(self, request: web.Request) -> web.Response:
        chat = self.chat(request.match_info["chat_id"])
        message = self.message(chat, request.match_info["message_id"])
        body = await _body(request)
        user = self.user(body.get("user_id"))
        label = body.get("button")
        query_id = self.emulator.press_button(
            user,
            message,
            body.get("callback_data"),
            button_text=None if label is None else str(label),
        )
        result: Json = {"query_id": query_id, "answer": None}
        wait = float(body.get("wait", 0))
        if wait > 0:
            try:
                answer = await self.emulator.wait_callback_answer(query_id, timeout=wait)
            except AssertionError:
                answer = None
            if answer is not None:
                result["answer"] = {"text": answer.text, "show_alert": answer.show_alert}
        return web.json_response(result)

    async def pin(self, request: web.Request) -> web.Response:
        chat = self.chat(request.match_info["chat_id"])
        message = self.message(chat, request.match_info["message_id"])
        user = self.user((await _body(request)).get("user_id"))
        service = actions.pin_message(self.state, user, message)
        return web.json_response(message_view(service), status=201)

    async def commands(self, request: web.Request) -> web.Response:
        chat = self.chat(request.match_info["chat_id"])
        user = self.user(request.query.get("user_id", chat.id))
        return web.json_response(command_menu(self.state, chat, user))

    async def download(self, request: web.Request) -> web.Response:
        stored = self.state.files.get(request.match_info["file_id"])
        if stored is None:
            raise web.HTTPNotFound()
        headers = {}
        if stored.filename:
            name = quote(stored.filename)
            headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
        return web.Response(
            body=stored.content,
            content_type=stored.mime_type or "application/octet-stream",
            headers=headers,
        )

    # -- clock, faults, the bot ----------------------------------------------------------------

    def _clock_json(self) -> Json:
        clock = self.session.clock
        return {
            "now": clock.now().isoformat(),
            "offset_seconds": clock.offset.total_seconds(),
            "version": self.session.time.version,
        }

    async def get_clock(self, request: web.Request) -> web.Response:
        return web.json_response(self._clock_json())

    async def move_clock(self, request: web.Request) -> web.Response:
        body = await _body(request)
        if "to" in body:
            moment = datetime.fromisoformat(str(body["to"]))
            if moment.tzinfo is None:
                raise BadInput("'to' needs a UTC offset, e.g. 2026-11-30T09:00:00+08:00")
            applied = await self.session.time.move_to(moment)
        else:
            seconds = float(body.get("advance_seconds", 0))
            if seconds <= 0:
                raise BadInput("advance_seconds must be positive (the clock only moves forward)")
            applied = await self.session.time.advance(timedelta(seconds=seconds))
        return web.json_response({**self._clock_json(), "applied_by_bot": applied})

    async def watch_clock(self, request: web.Request) -> web.Response:
        known = int(request.query.get("version", "-1"))
        timeout = min(float(request.query.get("timeout", "20")), 60.0)
        await self.session.time.watch(known, timeout)
        return web.json_response(self._clock_json())

    async def ack_clock(self, request: web.Request) -> web.Response:
        await self.session.time.acknowledge(int((await _body(request))["version"]))
        return web.json_response({"ok": True})

    def _faults_json(self) -> Json:
        faults = self.emulator.faults
        left = faults.outage_seconds_left()
        return {
            "outage": None
            if faults.outage is None
            else {"kind": faults.outage.kind, "seconds_left": round(left, 1)},
            "rules": [
                {"method": r.method, "kind": r.kind, "remaining": r.remaining}
                for r in faults.rules
                if r.remaining > 0
            ],
        }

    async def get_faults(self, request: web.Request) -> web.Response:
        return web.json_response(self._faults_json())

    async def add_fault(self, request: web.Request) -> web.Response:
        body = await _body(request)
        kind: FaultKind = body.get("kind", "server_error")
        retry_after = int(body.get("retry_after", 5))
        if "times" in body:
            self.emulator.inject_fault(
                str(body.get("method", "*")),
                kind=kind,
                times=int(body["times"]),
                retry_after=retry_after,
            )
        else:
            seconds = float(body.get("seconds", 60))
            self.emulator.faults.start_outage(kind, seconds, retry_after=retry_after)
        self.session.changed()
        return web.json_response(self._faults_json(), status=201)

    async def clear_faults(self, request: web.Request) -> web.Response:
        self.emulator.clear_faults()
        self.session.changed()
        return web.json_response(self._faults_json())

    def _bot_json(self) -> Json:
        supervisor = self.session.supervisor
        if supervisor is None:
            return {"status": "external", "pid": None, "preparing": ""}
        return {
            "status": supervisor.status,
            "pid": supervisor.pid,
            "starts": supervisor.starts,
            "preparing": self.session.preparing,
        }

    async def bot_status(self, request: web.Request) -> web.Response:
        return web.json_response(self._bot_json())

    async def control_bot(self, request: web.Request) -> web.Response:
        supervisor = self.session.supervisor
        if supervisor is None:
            raise BadInput("this emulator does not run the bot (use `courtyard sandbox`)")
        action = (await _body(request)).get("action")
        controls = {
            "start": supervisor.start,
            "stop": supervisor.stop,
            "kill": supervisor.kill,
            "restart": supervisor.restart,
        }
        if action not in controls:
            raise BadInput("action must be start, stop, kill or restart")
        await controls[action]()
        if action in ("start", "restart") and bool((await _body(request)).get("wait", True)):
            await supervisor.wait_ready()
        return web.json_response(self._bot_json())

    async def bot_ready(self, request: web.Request) -> web.Response:
        if self.session.supervisor is not None:
            self.session.supervisor.mark_ready(int((await _body(request))["pid"]))
        return web.json_response({"ok": True})
