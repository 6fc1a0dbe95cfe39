"""Acting on a planned ping exactly once: state change, history and messages together."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.clock import to_timestamp
from storage.database import Database
from storage.outbox import OutgoingMessage, enqueue


@dataclass(frozen=True)
class PingEffects:
    """What acting on one planned ping changes."""

    dedup_key: str
    request_id: int
    event_action: str
    event_note: str
    new_level: int | None = None  # an escalation step moves the request up the ladder
    escalated: bool = False


async def apply_ping(
    database: Database, effects: PingEffects, messages: list[OutgoingMessage], now: datetime
) -> bool:
    """Record the ping, its history line, the escalation and its messages in one transaction.

    Returns False (and changes nothing) when this ping was acted on before, e.g. when the
    planner runs again after a restart.
    """
    stamp = to_timestamp(now)
    async with database.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO sent_pings (dedup_key, request_id, at) VALUES (?, ?, ?) "
            "ON CONFLICT (dedup_key) DO NOTHING",
            (effects.dedup_key, effects.request_id, stamp),
        )
        if cursor.rowcount == 0:
            return False
        if effects.escalated:
            await conn.execute(
                "UPDATE requests SET level = coalesce(?, level), escalated_at = ? WHERE id = ?",
                (effects.new_level, stamp, effects.request_id),
            )
        await conn.execute(
            "INSERT INTO request_events (request_id, actor_id, action, note, at) "
            "VALUES (?, NULL, ?, ?, ?)",
            (effects.request_id, effects.event_action, effects.event_note, stamp),
        )
        for message in messages:
            await enqueue(conn, message, now)
        return True
