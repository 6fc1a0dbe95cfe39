"""The health queries behind `courtyard status` and the metrics endpoint.

Each runs on a schedule or on every scrape, against databases with a million requests, so each
must be answered from an index (tests/unit/test_status.py checks EXPLAIN QUERY PLAN).
"""

from __future__ import annotations

from bot.domain.lifecycle import OPEN_STATUSES

_OPEN = ", ".join(f"'{status.value}'" for status in sorted(OPEN_STATUSES))

INBOX_WAITING = "SELECT count(*), min(received_at) FROM inbox WHERE handled_at IS NULL"
LAST_UPDATE = "SELECT received_at FROM inbox WHERE update_id = (SELECT max(update_id) FROM inbox)"
OUTBOX_WAITING = (
    "SELECT count(*), min(created_at) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL"
)
FAILED_SENDS_SINCE = "SELECT count(*) FROM outbox WHERE failed_at >= ?"
OPEN_REQUESTS = (
    "SELECT building_id, category, urgent, created_at, responded_at, reopened_at "
    f"FROM requests WHERE status IN ({_OPEN})"
)
BUILDING_KEYS = "SELECT id, name_key FROM buildings"
STATE_VALUE = "SELECT value FROM bot_state WHERE key = ?"

# name -> (sql, example parameters), for the query-plan test.
ALL: dict[str, tuple[str, tuple[object, ...]]] = {
    "inbox_waiting": (INBOX_WAITING, ()),
    "last_update": (LAST_UPDATE, ()),
    "outbox_waiting": (OUTBOX_WAITING, ()),
    "failed_sends_since": (FAILED_SENDS_SINCE, (0,)),
    "open_requests": (OPEN_REQUESTS, ()),
    "state_value": (STATE_VALUE, ("x",)),
}
