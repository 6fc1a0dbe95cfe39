"""/forgetme: remove a person from every table, keeping what the community needs unlinked.

Deleted: their profile (name, username, language, phone), private chat, household
memberships, roles, conversations, staff cards and settings, pending questions about their
messages, messages queued for them or naming them, invitations for them, and every raw
update that mentions them (their own messages, and others' that quote them).

Kept without their id: requests they reported (the text and photos as they wrote them),
history lines they wrote (shown as "someone"), their "me too" (it still counts as affected),
and their votes (still counted; no longer linked to them). Where a column must name somebody
it names `FORGOTTEN`, which no Telegram user is.

SQLite keeps deleted bytes in free pages and in the write-ahead log: the connection runs with
`secure_delete` (freed space is overwritten with zeros), and `Database.checkpoint` afterwards
copies the log into the database and truncates it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import aiosqlite

from bot.clock import Clock, to_timestamp
from storage.database import Database

FORGOTTEN = 0  # stands for a person who asked to be forgotten (no Telegram user has id 0)
# A forgotten person's vote keeps counting under its own anonymous voter id, below every
# proxy ballot's id (minus a household id) so the two never meet.
FORGOTTEN_VOTER_BASE = -(1 << 40)


def is_forgotten_voter(voter_id: int) -> bool:
    return voter_id <= FORGOTTEN_VOTER_BASE


@dataclass(frozen=True)
class Forgotten:
    """How much was removed or unlinked (for the log; no personal data)."""

    updates: int
    requests: int
    votes: int


def _mentions(text: str, person_id: int) -> bool:
    """The id as a whole number in a text (a dedup key, a JSON update), not part of another."""
    return re.search(rf"(?<!\d){person_id}(?!\d)", text) is not None


class ForgetRepository:
    """Forgets one person everywhere, in one transaction."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def forget(self, person_id: int) -> Forgotten:
        now = to_timestamp(self._clock.now())
        async with self._db.transaction() as conn:
            async with conn.execute(
                "SELECT first_name, last_name, username FROM people WHERE id = ?", (person_id,)
            ) as cursor:
                row = await cursor.fetchone()
            names = [str(value) for value in row if value] if row is not None else []
            username = str(row[2]) if row is not None and row[2] else None
            updates = await _forget_updates(conn, person_id, username, names)
            await _forget_roles(conn, person_id, username, now)
            requests = await _unlink_requests(conn, person_id, now)
            votes = await _unlink_votes(conn, person_id)
            await _unlink_lists(conn, person_id)
            await _forget_surveys_and_care(conn, person_id)
            await _forget_messages(conn, person_id)
            for statement in _DELETIONS:
                await conn.execute(statement, (person_id,))
        return Forgotten(updates, requests, votes)


async def _ids_mentioning(
    conn: aiosqlite.Connection, sql: str, needle: str, person_id: int
) -> list[int]:
    async with conn.execute(sql, (needle,)) as cursor:
        rows = await cursor.fetchall()
    return [int(row[0]) for row in rows if _mentions(str(row[1]), person_id)]


async def _forget_updates(
    conn: aiosqlite.Connection, person_id: int, username: str | None, names: list[str]
) -> int:
    """Raw updates that mention them: their own, replies quoting them, @mentions, and (once
    handled) any that name them, such as a button press on a card that shows their name."""
    ids = await _ids_mentioning(
        conn,
        "SELECT update_id, payload FROM inbox WHERE instr(payload, ?) > 0",
        str(person_id),
        person_id,
    )
    if username:
        async with conn.execute(
            "SELECT update_id FROM inbox WHERE instr(lower(payload), lower(?)) > 0", (username,)
        ) as cursor:
            ids += [int(row[0]) for row in await cursor.fetchall()]
    # Updates are stored as JSON, with or without non-ASCII letters escaped.
    for form in {form for name in names for form in (name, json.dumps(name)[1:-1])}:
        async with conn.execute(
            "SELECT update_id FROM inbox WHERE handled_at IS NOT NULL "
            "AND instr(lower(payload), lower(?)) > 0",
            (form,),
        ) as cursor:
            ids += [int(row[0]) for row in await cursor.fetchall()]
    await conn.executemany("DELETE FROM inbox WHERE update_id = ?", [(i,) for i in set(ids)])
    # What handling those updates recorded, and any step named after them.
    await conn.executemany(
        "DELETE FROM journal WHERE scope = ?", [(f"u{update_id}",) for update_id in set(ids)]
    )
    async with conn.execute(
        "SELECT rowid, scope || ' ' || step FROM journal WHERE chat_id = ? "
        "OR instr(scope || ' ' || step, ?) > 0",
        (person_id, str(person_id)),
    ) as cursor:
        rows = await cursor.fetchall()
    await conn.executemany(
        "DELETE FROM journal WHERE rowid = ?",
        [(row[0],) for row in rows if _mentions(str(row[1]), person_id)],
    )
    return len(set(ids))


async def _forget_roles(
    conn: aiosqlite.Connection, person_id: int, username: str | None, now: int
) -> None:
    """Their roles go (with a line saying so, naming nobody); their role history is unlinked."""
    await conn.execute(
        "INSERT INTO role_events (building_id, role, action, at) "
        "SELECT building_id, role, 'forgotten', ? FROM roles WHERE person_id = ?",
        (now, person_id),
    )
    await conn.execute("DELETE FROM roles WHERE person_id = ?", (person_id,))
    await conn.execute("UPDATE roles SET created_by = NULL WHERE created_by = ?", (person_id,))
    await conn.execute(
        "UPDATE role_events SET person_id = NULL, username = NULL WHERE person_id = ? "
        "OR (? IS NOT NULL AND lower(username) = lower(?))",
        (person_id, username, username),
    )
    await conn.execute("UPDATE role_events SET actor_id = NULL WHERE actor_id = ?", (person_id,))
    await conn.execute(
        "DELETE FROM invites WHERE target_person_id = ? "
        "OR (? IS NOT NULL AND lower(target_username) = lower(?))",
        (person_id, username, username),
    )
    await conn.execute("UPDATE invites SET created_by = NULL WHERE created_by = ?", (person_id,))
    await conn.execute("UPDATE invites SET used_by = NULL WHERE used_by = ?", (person_id,))


async def _unlink_requests(conn: aiosqlite.Connection, person_id: int, now: int) -> int:
    """Requests stay; who reported them, worked on them or said "me too" is no longer there."""
    cursor = await conn.execute(
        "UPDATE requests SET reporter_id = NULL WHERE reporter_id = ?", (person_id,)
    )
    reported = cursor.rowcount
    # Work they had taken goes back to the staff it was routed to.
    await conn.execute(
        "INSERT INTO request_events (request_id, action, from_status, to_status, note, at) "
        "SELECT id, 'unassign', status, 'new', 'the assignee asked to be forgotten', ? "
        "FROM requests WHERE assignee_id = ? AND status IN ('assigned', 'in_progress')",
        (now, person_id),
    )
    await conn.execute(
        "UPDATE requests SET assignee_id = NULL, status = CASE WHEN status IN "
        "('assigned', 'in_progress') THEN 'new' ELSE status END, updated_at = ?, "
        # Nobody owns it now: the next reminder tick re-plans it and stores its moment.
        "next_due_at = CASE WHEN next_due_at IS NULL THEN NULL ELSE min(next_due_at, ?) END "
        "WHERE assignee_id = ?",
        (now, now, person_id),
    )
    await conn.execute(
        "UPDATE request_events SET actor_id = ? WHERE actor_id = ?", (FORGOTTEN, person_id)
    )
    # "Me too" still counts as affected, under an id that is nobody's (minus its row id).
    await conn.execute(
        "UPDATE request_supporters SET person_id = -rowid WHERE person_id = ?", (person_id,)
    )
    await conn.execute("DELETE FROM request_deliveries WHERE person_id = ?", (person_id,))
    return reported


async def _unlink_votes(conn: aiosqlite.Connection, person_id: int) -> int:
    cursor = await conn.execute(
        "UPDATE poll_votes SET voter_id = ? - rowid WHERE voter_id = ?",
        (FORGOTTEN_VOTER_BASE, person_id),
    )
    await conn.execute(
        "UPDATE poll_votes SET proxy_by = ? WHERE proxy_by = ?", (FORGOTTEN, person_id)
    )
    await conn.execute(
        "UPDATE polls SET creator_id = ? WHERE creator_id = ?", (FORGOTTEN, person_id)
    )
    return cursor.rowcount


async def _unlink_lists(conn: aiosqlite.Connection, person_id: int) -> None:
    """Needs, projects, meetings and decisions stay; support, ratings and answers keep
    counting under keys that are nobody's, and their names go from every list."""
    key = f"p{person_id}"
    await conn.execute(
        "UPDATE need_supporters SET supporter_key = 'f' || rowid WHERE supporter_key = ?", (key,)
    )
    await conn.execute(
        "UPDATE need_supporters SET person_id = ? - rowid WHERE person_id = ?",
        (FORGOTTEN_VOTER_BASE, person_id),
    )
    await conn.execute(
        "UPDATE project_ratings SET voter_key = 'f' || rowid WHERE voter_key = ?", (key,)
    )
    # A head-marked household has person_id = -household; forgotten people go far below.
    await conn.execute(
        "UPDATE meeting_rsvps SET person_id = ? - rowid WHERE person_id = ?",
        (FORGOTTEN_VOTER_BASE, person_id),
    )
    for table, column in _LIST_PEOPLE:
        await conn.execute(
            f"UPDATE {table} SET {column} = ? WHERE {column} = ?",  # our own names
            (None if (table, column) not in _LIST_REQUIRED else FORGOTTEN, person_id),
        )


async def _forget_surveys_and_care(conn: aiosqlite.Connection, person_id: int) -> None:
    """Their own survey answers and care enrolments go, and they stop being anyone's carer;
    household answers and visits stay (they count the household), no longer naming them."""
    await conn.execute("DELETE FROM survey_responses WHERE respondent = ?", (f"p{person_id}",))
    await conn.execute(
        "UPDATE survey_responses SET person_id = NULL WHERE person_id = ?", (person_id,)
    )
    # A visit recorded by someone no longer known: -1 keeps "recorded at the door".
    await conn.execute(
        "UPDATE survey_responses SET recorded_by = -1 WHERE recorded_by = ?", (person_id,)
    )
    await conn.execute(
        "UPDATE survey_visits SET visitor_id = NULL WHERE visitor_id = ?", (person_id,)
    )
    await conn.execute("UPDATE surveys SET creator_id = NULL WHERE creator_id = ?", (person_id,))
    await conn.execute(
        "UPDATE survey_followups SET created_by = ? WHERE created_by = ?", (FORGOTTEN, person_id)
    )
    await conn.execute("DELETE FROM care_enrolments WHERE person_id = ?", (person_id,))
    await conn.execute("DELETE FROM care_carers WHERE person_id = ?", (person_id,))
    await conn.execute(
        "UPDATE care_enrolments SET consent_by = ? WHERE consent_by = ?", (FORGOTTEN, person_id)
    )
    for column in ("acknowledged_by", "handled_by"):
        await conn.execute(
            f"UPDATE care_alerts SET {column} = NULL WHERE {column} = ?",  # our own names
            (person_id,),
        )
    async with conn.execute(
        "SELECT id, alerted FROM care_alerts WHERE instr(alerted, ?) > 0", (str(person_id),)
    ) as cursor:
        rows = await cursor.fetchall()
    for alert_id, alerted in rows:
        told = [FORGOTTEN if who == person_id else who for who in json.loads(alerted)]
        await conn.execute(
            "UPDATE care_alerts SET alerted = ? WHERE id = ?", (json.dumps(told), alert_id)
        )


# Columns of the lists that name a person; the required ones get FORGOTTEN, others NULL.
_LIST_PEOPLE = (
    ("needs", "author_id"),
    ("projects", "owner_id"),
    ("projects", "created_by"),
    ("list_events", "actor_id"),
    ("meetings", "creator_id"),
    ("meeting_rsvps", "marked_by"),
    ("decisions", "owner_id"),
    ("decisions", "created_by"),
)
_LIST_REQUIRED = {("meetings", "creator_id"), ("decisions", "owner_id")}


async def _forget_messages(conn: aiosqlite.Connection, person_id: int) -> None:
    """Messages queued for them or naming them (a mention in a group when they blocked the
    bot, keys like `digest:<id>:<day>`)."""
    mention = f'tg://user?id={person_id}"'
    ids = await _ids_mentioning(
        conn,
        "SELECT id, dedup_key FROM outbox WHERE instr(dedup_key, ?) > 0",
        str(person_id),
        person_id,
    )
    async with conn.execute(
        "SELECT id FROM outbox WHERE chat_id = ? OR instr(text, ?) > 0",
        (person_id, mention),
    ) as cursor:
        ids += [int(row[0]) for row in await cursor.fetchall()]
    await conn.executemany("DELETE FROM outbox WHERE id = ?", [(i,) for i in set(ids)])
    await conn.execute(
        "UPDATE outbox SET fallback_text = NULL WHERE instr(fallback_text, ?) > 0", (mention,)
    )


# Rows that are only about them. `people` last: its foreign keys clear what is left.
_DELETIONS = (
    "DELETE FROM suggestions WHERE author_id = ?",
    "DELETE FROM staff_settings WHERE person_id = ?",
    "DELETE FROM conversations WHERE person_id = ?",
    "DELETE FROM household_members WHERE person_id = ?",
    "UPDATE household_members SET decided_by = NULL WHERE decided_by = ?",
    "UPDATE households SET registered_by = NULL WHERE registered_by = ?",
    # Who asked for a building and which admin decided: the request stays, unnamed.
    "UPDATE building_requests SET requested_by = 0 WHERE requested_by = ?",
    "UPDATE building_requests SET decided_by = NULL WHERE decided_by = ?",
    # Their texts stop being examples for the classifier; corrections they made stay, unnamed.
    "DELETE FROM classifier_corrections WHERE author_id = ?",
    "UPDATE classifier_corrections SET actor_id = NULL WHERE actor_id = ?",
    "DELETE FROM chats WHERE id = ?",
    "DELETE FROM people WHERE id = ?",
)
