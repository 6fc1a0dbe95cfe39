"""The HTTP side of the emulator: routing, token checks, fault injection, call logging."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from aiohttp import web

from bot.sandbox.errors import ApiError, not_found, unauthorized
from bot.sandbox.faults import FaultPlan, fault_error, sleep_unless_stopping
from bot.sandbox.limits import StrictLimits
from bot.sandbox.methods import find_method
from bot.sandbox.models import ApiCall
from bot.sandbox.params import Params, read_params
from bot.sandbox.state import EmulatorState

_API_PATH = re.compile(r"/bot(?P<token>[^/]+)/(?P<method>[A-Za-z0-9_]+)/?")
_FILE_PATH = re.compile(r"/file/bot(?P<token>[^/]+)/(?P<path>.+)")
MAX_REQUEST_BYTES = 64 * 1024 * 1024
_LOGGER = logging.getLogger(__name__)


class ApiServer:
    """An aiohttp server answering Bot API requests from the emulator's state."""

    def __init__(self, state: EmulatorState, faults: FaultPlan, host: str, port: int) -> None:
        self._state = state
        self._faults = faults
        self._host = host
        self._requested_port = port
        self._runner: web.AppRunner | None = None
        self.port: int | None = None
        # Telegram's message limits, enforced when set (strict mode).
        self.limits: StrictLimits | None = None
        # Routes served next to the Bot API (the driver API, the sandbox page); added at start.
        self.route_setups: list[Callable[[web.Application], None]] = []

    @property
    def root_url(self) -> str:
        """``http://host:port`` of the running server."""
        if self.port is None:
            raise RuntimeError("the emulator is not running; call start() first")
        return f"http://{self._host}:{self.port}"

    async def start(self) -> None:
        """Bind the listening socket (an ephemeral port when port is 0)."""
        app = web.Application(client_max_size=MAX_REQUEST_BYTES)
        for setup in self.route_setups:
            setup(app)
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._requested_port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        """Close the server; requests still stalling are released first."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        api = _API_PATH.fullmatch(request.path)
        if api is not None:
            return await self._api_call(request, api["token"], api["method"])
        download = _FILE_PATH.fullmatch(request.path)
        if download is not None and request.method in ("GET", "HEAD"):
            return self._download(download["token"], download["path"])
        return _error_response(not_found())

    def _download(self, token: str, path: str) -> web.StreamResponse:
        if token != self._state.token:
            return _error_response(unauthorized())
        stored = self._state.files.by_path(path)
        if stored is None:
            return _error_response(not_found())
        return web.Response(
            body=stored.content, content_type=stored.mime_type or "application/octet-stream"
        )

    async def _api_call(self, request: web.Request, token: str, method: str) -> web.Response:
        if token != self._state.token:
            return _error_response(unauthorized())
        found = find_method(method)
        if found is None:
            return _error_response(not_found())
        name, handler = found
        try:
            values = await read_params(request)
        except ApiError as error:
            return _error_response(error)
        call = ApiCall(name, values, self._state.clock())
        self._state.calls.append(call)
        refusal = None if self.limits is None else self.limits.check(name, values)
        fault = None if refusal is not None else self._faults.take(name, values)
        try:
            if refusal is not None:
                raise refusal
            latency = self._faults.latency(name)
            if latency:
                await sleep_unless_stopping(latency, self._state.stopping)
            if fault is not None:
                call.fault = fault.kind
                raise await fault_error(fault, self._state.stopping)
            call.result = await handler(self._state, Params(values, _connection_probe(request)))
        except ApiError as error:
            call.error = error
            return _error_response(error)
        except Exception as exc:
            # An emulator bug must not look like a network failure: answer JSON and log it.
            _LOGGER.exception("sandbox failed while handling %s", name)
            call.error = ApiError(500, f"Internal Server Error: sandbox bug: {exc!r}")
            return _error_response(call.error)
        finally:
            self._state.changed()
        return web.json_response({"ok": True, "result": call.result})


def _connection_probe(request: web.Request) -> Callable[[], bool]:
    def client_connected() -> bool:
        transport = request.transport
        return transport is not None and not transport.is_closing()

    return client_connected


def _error_response(error: ApiError) -> web.Response:
    return web.json_response(error.to_json(), status=error.error_code)
