"""One-time deep-link invites that give a role when the invited person starts the bot."""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta

from bot.clock import Clock, to_timestamp
from bot.domain.community import CommunityRole
from bot.domain.escalation import StaffLevel
from storage.database import Database

INVITE_LIFETIME = timedelta(days=14)
# An @username can change hands; an invitation naming only one does not wait long.
USERNAME_INVITE_LIFETIME = timedelta(days=2)


@dataclass(frozen=True)
class Invite:
    """A pending role offer, redeemable once by its target."""

    token: str
    role: CommunityRole
    building_id: int
    target_person_id: int | None
    target_username: str | None
    categories: frozenset[str]
    level: StaffLevel | None
    created_by: int | None
    expired: bool
    used: bool

    def is_for(self, person_id: int, username: str | None) -> bool:
        """Only the invited person may redeem it (by id, or by @username if id unknown)."""
        if self.target_person_id is not None:
            return self.target_person_id == person_id
        return bool(
            username
            and self.target_username
            and username.casefold() == self.target_username.casefold()
        )


class InviteRepository:
    """Reads and writes `invites`."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock
        # Lower-cased @usernames that open invitations may wait for (a superset: every
        # invitation is created here). Loaded once; most senders are not in it, and binding
        # their username then costs no query.
        self._awaited_usernames: set[str] | None = None

    async def _awaited(self) -> set[str]:
        if self._awaited_usernames is None:
            rows = await self._db.fetch_all(
                "SELECT DISTINCT lower(target_username) FROM invites "
                "WHERE target_username IS NOT NULL AND target_person_id IS NULL "
                "AND used_at IS NULL"
            )
            self._awaited_usernames = {str(row[0]) for row in rows}
        return self._awaited_usernames

    async def create(
        self,
        role: CommunityRole,
        building_id: int,
        *,
        target_person_id: int | None,
        target_username: str | None,
        categories: Collection[str] = (),
        level: StaffLevel | None = None,
        created_by: int | None,
    ) -> str:
        """A token (URL-safe, fits Telegram's 64-character start parameter).

        An identical invitation that is still open is reused, so repeating the command (or
        replaying it after a crash) does not hand out a second valid link.
        """
        now = self._clock.now()
        existing = await self._db.fetch_value(
            "SELECT token FROM invites WHERE kind = ? AND building_id = ? "
            "AND target_person_id IS ? AND target_username IS ? AND categories = ? "
            "AND level IS ? AND used_at IS NULL AND expires_at > ?",
            (
                role.value,
                building_id,
                target_person_id,
                target_username,
                ",".join(sorted(categories)),
                None if level is None else int(level),
                to_timestamp(now),
            ),
        )
        if existing is not None:
            return str(existing)
        if target_person_id is None and target_username is not None:
            (await self._awaited()).add(target_username.lower())
        token = secrets.token_urlsafe(18)
        await self._db.execute(
            "INSERT INTO invites (token, kind, building_id, target_person_id, target_username, "
            "categories, level, created_by, created_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                token,
                role.value,
                building_id,
                target_person_id,
                target_username,
                ",".join(sorted(categories)),
                None if level is None else int(level),
                created_by,
                to_timestamp(now),
                to_timestamp(
                    now
                    + (
                        INVITE_LIFETIME
                        if target_person_id is not None
                        else USERNAME_INVITE_LIFETIME
                    )
                ),
            ),
        )
        return token

    async def bind_username(self, username: str, person_id: int) -> int:
        """Tie open invitations for @username to the person who has that name now (the first
        one the bot sees), so whoever takes the name later cannot redeem them."""
        if username.lower() not in await self._awaited():
            return 0
        now = to_timestamp(self._clock.now())
        waiting = await self._db.fetch_value(
            "SELECT 1 FROM invites WHERE lower(target_username) = lower(?) "
            "AND target_person_id IS NULL AND used_at IS NULL LIMIT 1",
            (username,),
        )
        if waiting is None:
            return 0
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE invites SET target_person_id = ? WHERE lower(target_username) = lower(?) "
                "AND target_person_id IS NULL AND used_at IS NULL AND expires_at > ?",
                (person_id, username, now),
            )
            return cursor.rowcount

    async def get(self, token: str) -> Invite | None:
        row = await self._db.fetch_one("SELECT * FROM invites WHERE token = ?", (token,))
        return None if row is None else self._invite(row)

    async def redeem(self, token: str, person_id: int) -> bool:
        """Mark used; False if it was already used or has expired (no double redemption)."""
        now = to_timestamp(self._clock.now())
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE invites SET used_at = ?, used_by = ? "
                "WHERE token = ? AND used_at IS NULL AND expires_at > ?",
                (now, person_id, token, now),
            )
            return cursor.rowcount == 1

    async def pending_for_building(self, building_id: int) -> list[Invite]:
        rows = await self._db.fetch_all(
            "SELECT * FROM invites WHERE building_id = ? AND used_at IS NULL AND expires_at > ? "
            "ORDER BY created_at",
            (building_id, to_timestamp(self._clock.now())),
        )
        return [self._invite(row) for row in rows]

    def _invite(self, row: sqlite3.Row) -> Invite:
        now = to_timestamp(self._clock.now())
        return Invite(
            token=str(row["token"]),
            role=CommunityRole(row["kind"]),
            building_id=int(row["building_id"]),
            target_person_id=row["target_person_id"],
            target_username=row["target_username"],
            categories=frozenset(c for c in str(row["categories"]).split(",") if c),
            level=None if row["level"] is None else StaffLevel(row["level"]),
            created_by=row["created_by"],
            expired=int(row["expires_at"]) <= now,
            used=row["used_at"] is not None,
        )
