"""Decoding Bot API requests into typed parameters.

python-telegram-bot posts form-urlencoded bodies in which every non-string value is JSON
encoded, or multipart bodies when it uploads files; other clients send JSON bodies or query
strings. :class:`Params` hides those differences from the method implementations.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.sandbox.errors import bad_request


@dataclass
class UploadedFile:
    """A file part of a multipart request."""

    filename: str | None
    content: bytes
    mime_type: str | None

    def __repr__(self) -> str:
        return f"UploadedFile({self.filename!r}, {len(self.content)} bytes)"


async def read_params(request: web.Request) -> dict[str, Any]:
    """All parameters of a request: query string, then the form, multipart or JSON body."""
    values: dict[str, Any] = dict(request.query)
    if request.method != "POST" or not request.body_exists:
        return values
    if request.content_type == "application/json":
        body = await request.json()
        if not isinstance(body, dict):
            raise bad_request("request body must be a JSON object")
        values.update(body)
        return values
    form = await request.post()
    uploads: dict[str, UploadedFile] = {}
    for name, value in form.items():
        if isinstance(value, web.FileField):
            uploads[name] = UploadedFile(value.filename, value.file.read(), value.content_type)
        elif isinstance(value, bytes):
            values[name] = value.decode("utf-8")
        else:
            values[name] = value
    for name, value in list(values.items()):
        if isinstance(value, str) and value.startswith("attach://"):
            values[name] = uploads.pop(value.removeprefix("attach://"), value)
    values.update(uploads)
    return values


class Params:
    """Typed access to a call's parameters with Telegram-like errors for bad values."""

    def __init__(
        self, values: dict[str, Any], client_connected: Callable[[], bool] = lambda: True
    ) -> None:
        self.values = values
        # Long polls use this to avoid handing updates to a client that already hung up.
        self.client_connected = client_connected

    def __contains__(self, name: str) -> bool:
        return self.values.get(name) not in (None, "")

    def optional_text(self, name: str) -> str | None:
        """A string parameter, or None when absent."""
        value = self.values.get(name)
        if value is None:
            return None
        if isinstance(value, UploadedFile):
            raise bad_request(f"{name} must be a string")
        return value if isinstance(value, str) else json.dumps(value)

    def text(self, name: str, *, missing: str | None = None) -> str:
        """A required, non-empty string parameter."""
        value = self.optional_text(name)
        if not value:
            raise bad_request(missing or f"{name} is empty")
        return value

    def optional_integer(self, name: str) -> int | None:
        """An integer parameter (sent as a number or a numeric string), or None."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise bad_request(f"invalid {name} specified")
        if isinstance(value, int):
            return value
        try:
            return int(str(value))
        except ValueError:
            raise bad_request(f"invalid {name} specified") from None

    def integer(self, name: str, *, missing: str | None = None) -> int:
        """A required integer parameter."""
        value = self.optional_integer(name)
        if value is None:
            raise bad_request(missing or f"{name} is empty")
        return value

    def number(self, name: str, default: float) -> float:
        """A numeric parameter with a default."""
        value = self.values.get(name)
        if value is None or value == "":
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def flag(self, name: str, default: bool = False) -> bool:
        """A boolean parameter: true/false, 1/0 or a JSON boolean."""
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        text = str(value).lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise bad_request(f"invalid {name} specified")

    def json_value(self, name: str) -> Any:
        """A JSON-serialised parameter (already decoded when the body was JSON), or None."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {name} JSON object") from None

    def file(self, name: str) -> UploadedFile | str:
        """A file parameter: an uploaded part, or a file_id / URL string."""
        value = self.values.get(name)
        if isinstance(value, UploadedFile):
            return value
        if not value:
            raise bad_request(f"there is no {name} in the request")
        return str(value)
