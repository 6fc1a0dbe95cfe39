"""HTTP endpoints for operators: `/metrics` (Prometheus) and `/healthz`.

`/healthz` is on the webhook server in webhook mode (so the reverse proxy in front of it can
check the bot), and on the metrics server when `[metrics]` is enabled. When `[metrics]` listens
on the webhook's own address and port, the webhook server serves `/metrics` too.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.config import Settings
from bot.metrics import REGISTRY, refresh_gauges
from bot.services import Services

if TYPE_CHECKING:
    # aiohttp takes ~0.15 s to import: only a bot that serves /metrics or a webhook pays it.
    from aiohttp import web

logger = logging.getLogger(__name__)


def metrics_share_webhook_server(settings: Settings) -> bool:
    metrics, webhook = settings.metrics, settings.telegram.webhook
    return (
        metrics.enabled
        and settings.telegram.mode == "webhook"
        and (metrics.listen, metrics.port) == (webhook.listen, webhook.port)
    )


def add_health_routes(app: web.Application, services: Services, *, metrics: bool) -> None:
    from aiohttp import web

    """Add `/healthz` (and `/metrics` if asked) to an aiohttp application."""

    async def healthz(_request: web.Request) -> web.Response:
        try:
            await services.database.fetch_value("SELECT 1")
        except (sqlite3.Error, RuntimeError, ValueError) as exc:
            logger.warning("Health check failed: %s", exc)
            return web.json_response({"status": "unavailable"}, status=503)
        return web.json_response({"status": "ok"})

    async def metrics_page(_request: web.Request) -> web.Response:
        if services.database.is_open:
            await refresh_gauges(services.database, services.clock.now().timestamp())
        body = generate_latest(REGISTRY)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    app.router.add_get("/healthz", healthz)
    if metrics:
        app.router.add_get("/metrics", metrics_page)


@contextlib.asynccontextmanager
async def metrics_server(services: Services) -> AsyncIterator[None]:
    """Serve `/metrics` and `/healthz` on `[metrics]` listen:port while the bot runs."""
    settings = services.settings
    if not settings.metrics.enabled or metrics_share_webhook_server(settings):
        yield
        return
    from aiohttp import web

    app = web.Application()
    add_health_routes(app, services, metrics=True)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    where = f"{settings.metrics.listen}:{settings.metrics.port}"
    try:
        site = web.TCPSite(runner, settings.metrics.listen, settings.metrics.port)
        try:
            await site.start()
        except OSError as exc:
            # Monitoring must not take the bot down with it.
            logger.error("Cannot serve metrics on %s (%s); running without them", where, exc)
        else:
            logger.info("Serving metrics on http://%s/metrics", where)
        yield
    finally:
        await runner.cleanup()
