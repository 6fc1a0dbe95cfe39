"""The error answers the emulator gives, shaped like the Bot API's."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A failed Bot API call: HTTP status, description and optional ``parameters``."""

    def __init__(
        self, error_code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(f"{error_code} {description}")
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def to_json(self) -> dict[str, Any]:
        """The response body Telegram sends for this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(reason: str, parameters: dict[str, Any] | None = None) -> ApiError:
    """A 400 answer; ``reason`` is the part after "Bad Request: "."""
    return ApiError(400, f"Bad Request: {reason}", parameters)


def forbidden(reason: str) -> ApiError:
    """A 403 answer; ``reason`` is the part after "Forbidden: "."""
    return ApiError(403, f"Forbidden: {reason}")


def unauthorized() -> ApiError:
    """The answer to a request with a wrong bot token."""
    return ApiError(401, "Unauthorized")


def not_found() -> ApiError:
    """The answer to an unknown method."""
    return ApiError(404, "Not Found")


QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
