"""Receiving updates: getUpdates long polling and webhooks."""

from __future__ import annotations

from bot.sandbox.errors import ApiError, bad_request
from bot.sandbox.methods.registry import api_method
from bot.sandbox.models import Json
from bot.sandbox.params import Params
from bot.sandbox.state import EmulatorState

WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)


def _apply_allowed_updates(state: EmulatorState, params: Params) -> None:
    allowed = params.json_value("allowed_updates")
    if allowed is None:
        return
    if not isinstance(allowed, list) or not all(isinstance(kind, str) for kind in allowed):
        raise bad_request("can't parse allowed_updates JSON array")
    state.updates.allowed_updates = list(allowed)


@api_method("getUpdates")
async def get_updates(state: EmulatorState, params: Params) -> list[Json]:
    """Confirm updates below ``offset``, then return pending ones, long-polling if needed."""
    if state.webhook.active:
        raise ApiError(409, WEBHOOK_CONFLICT)
    limit = params.optional_integer("limit") or 100
    _apply_allowed_updates(state, params)
    return await state.updates.poll(
        offset=params.optional_integer("offset"),
        limit=min(max(limit, 1), 100),
        wait_seconds=max(params.number("timeout", 0.0), 0.0),
        stopping=state.stopping,
        client_connected=params.client_connected,
    )


@api_method("setWebhook")
async def set_webhook(state: EmulatorState, params: Params) -> bool:
    """Start pushing updates to ``url`` (http is allowed here, unlike on Telegram)."""
    url = params.optional_text("url") or ""
    if params.flag("drop_pending_updates"):
        state.updates.drop_pending()
    _apply_allowed_updates(state, params)
    if not url:
        await state.webhook.stop()
        return True
    if not url.startswith(("http://", "https://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = params.optional_text("secret_token")
    if secret is not None and not secret.replace("_", "").replace("-", "").isalnum():
        raise bad_request("secret token contains unallowed characters")
    max_connections = params.optional_integer("max_connections") or 40
    await state.webhook.start(url, secret, max_connections)
    state.changed()
    return True


@api_method("deleteWebhook")
async def delete_webhook(state: EmulatorState, params: Params) -> bool:
    """Stop webhook delivery; pending updates stay unless drop_pending_updates is set."""
    await state.webhook.stop()
    if params.flag("drop_pending_updates"):
        state.updates.drop_pending()
    state.changed()
    return True


@api_method("getWebhookInfo")
async def get_webhook_info(state: EmulatorState, params: Params) -> Json:
    """The webhook status, including the last delivery error."""
    webhook = state.webhook
    info: Json = {
        "url": webhook.url,
        "has_custom_certificate": False,
        "pending_update_count": state.updates.pending_count,
    }
    if webhook.active:
        info["max_connections"] = webhook.max_connections
        info["ip_address"] = "127.0.0.1"
        if state.updates.allowed_updates is not None:
            info["allowed_updates"] = list(state.updates.allowed_updates)
        if webhook.last_error_date is not None:
            info["last_error_date"] = webhook.last_error_date
            info["last_error_message"] = webhook.last_error_message
    return info
