"""Prometheus metrics. Counting is always on (it costs next to nothing); serving them is
optional (`[metrics]`, see `bot.health`).

One registry of our own rather than prometheus-client's global one, so that nothing else in the
process (or a test) adds series to what we publish.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from bot.backup import LAST_GOOD_BACKUP, decode_last_backup
from storage import ops_queries
from storage.database import Database

REGISTRY = CollectorRegistry()

UPDATES_HANDLED = Counter(
    "courtyard_updates_handled",
    "Updates whose handlers finished, by kind of update",
    ["kind"],
    registry=REGISTRY,
)
HANDLER_ERRORS = Counter(
    "courtyard_handler_errors",
    "Errors raised while handling updates (transient: a Telegram hiccup, handled again)",
    ["transient"],
    registry=REGISTRY,
)
REQUESTS_CREATED = Counter(
    "courtyard_requests_created",
    "Tracked requests created, by category and urgency",
    ["category", "urgent"],
    registry=REGISTRY,
)
OUTBOX_SENDS = Counter(
    "courtyard_outbox_sends",
    "Outbox send attempts by result (sent, retry_after = 429 after the rate limiter's own "
    "retries, network, forbidden, refused, migrated)",
    ["result"],
    registry=REGISTRY,
)
BOT_API_CALLS = Counter(
    "courtyard_bot_api_calls",
    "Bot API calls (sends and all others) by method and result: ok, retry_after (429), "
    "forbidden, bad_request, timeout, network, error",
    ["method", "result"],
    registry=REGISTRY,
)
OUTBOX_PENDING = Gauge(
    "courtyard_outbox_pending", "Messages waiting in the outbox", registry=REGISTRY
)
OUTBOX_OLDEST_AGE = Gauge(
    "courtyard_outbox_oldest_age_seconds",
    "Age of the oldest message waiting in the outbox (0 when none)",
    registry=REGISTRY,
)
INBOX_PENDING = Gauge(
    "courtyard_inbox_pending", "Updates stored but not yet handled", registry=REGISTRY
)
INBOX_OLDEST_AGE = Gauge(
    "courtyard_inbox_oldest_age_seconds",
    "Age of the oldest update not yet handled (0 when none)",
    registry=REGISTRY,
)
JOB_DURATION = Histogram(
    "courtyard_job_duration_seconds",
    "How long scheduled jobs took, by job",
    ["job"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
    registry=REGISTRY,
)
BACKUPS = Counter(
    "courtyard_backups", "Scheduled backups by result", ["result"], registry=REGISTRY
)
LAST_GOOD_BACKUP_TIME = Gauge(
    "courtyard_last_good_backup_timestamp_seconds",
    "When the newest good backup was taken (Unix time; 0 when none)",
    registry=REGISTRY,
)


async def refresh_gauges(database: Database, now: float) -> None:
    """Read the queue depths from the database just before a scrape."""
    for query, pending, oldest_age in (
        (ops_queries.OUTBOX_WAITING, OUTBOX_PENDING, OUTBOX_OLDEST_AGE),
        (ops_queries.INBOX_WAITING, INBOX_PENDING, INBOX_OLDEST_AGE),
    ):
        row = await database.fetch_one(query)
        count, oldest = (0, None) if row is None else (int(row[0]), row[1])
        pending.set(count)
        oldest_age.set(0 if oldest is None else max(0.0, now - int(oldest)))
    value = await database.fetch_value(ops_queries.STATE_VALUE, (LAST_GOOD_BACKUP,))
    last = decode_last_backup(None if value is None else str(value))
    LAST_GOOD_BACKUP_TIME.set(0 if last is None else last.at.timestamp())
