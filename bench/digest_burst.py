"""A Monday-morning digest to hundreds of staff stays within Telegram's send limits.

Runs the real bot against the local emulator with N staff members who each have an open
request, fires the daily digest, and reports how long the burst took and the peak number of
messages in any one-second window (Telegram allows about 30 per second overall).

    python bench/digest_burst.py [N]
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.clock import FakeClock  # noqa: E402
from bot.domain.community import CommunityRole  # noqa: E402
from bot.domain.escalation import StaffLevel  # noqa: E402
from bot.sandbox import BotApiEmulator  # noqa: E402
from storage.requests import NewRequest  # noqa: E402
from tests.e2e.harness import running_bot, settings_for  # noqa: E402

# Set up just before 09:00 in Shanghai, so the every-minute digest job cannot start early.
BEFORE_NINE = datetime(2026, 11, 23, 0, 58, tzinfo=UTC)
NINE_IN_SHANGHAI = datetime(2026, 11, 23, 1, 0, 30, tzinfo=UTC)


async def main(count: int) -> None:
    async with BotApiEmulator() as emulator:
        head = emulator.create_user("Head")
        group = emulator.create_group("B", creator=head)
        staff = [emulator.create_user(f"Staff {n}") for n in range(count)]
        for member in staff:
            emulator.user_starts_bot(member)
        with tempfile.TemporaryDirectory() as folder:
            settings = settings_for(
                emulator,
                Path(folder) / "c.db",
                community={"quiet_hours": "off"},
                # Production limits, not the generous ones the tests use.
                telegram={"rate_limit": {"overall_per_second": 30, "group_per_minute": 20}},
                buildings=[{"name": "B", "chats": [group.id]}],
            )
            clock = FakeClock(BEFORE_NINE)
            async with running_bot(emulator, settings, clock) as bot:
                services = bot.services
                building = await services.buildings.find("B")
                assert building is not None
                for member in staff:
                    await services.roles.assign(
                        building.id,
                        member.id,
                        CommunityRole.STAFF,
                        actor_id=None,
                        categories={"*"},
                        level=StaffLevel.VOLUNTEER,
                    )
                    request, _ = await services.requests.create(
                        NewRequest(
                            building.id,
                            None,
                            None,
                            head.id,
                            "water",
                            False,
                            None,
                            "leak",
                        )
                    )
                    await services.requests.update(request.id, assignee_id=member.id)
                await bot.settle(timeout=120)  # the staff's /start replies are out of the way
                before = len(emulator.calls("sendMessage"))
                clock.set(NINE_IN_SHANGHAI)
                job = next(j for j in bot.application.job_queue.jobs() if j.name == "send_digests")
                started = time.perf_counter()
                await job.run(bot.application)
                await emulator.wait_for(
                    lambda: len(emulator.calls("sendMessage")) - before >= count,
                    600,
                    "every digest",
                )
                elapsed = time.perf_counter() - started
                sends = sorted(c.time for c in emulator.calls("sendMessage")[before:])
    peak = max(sum(1 for t in sends if start <= t < start + 1.0) for start in sends)
    print(f"staff members:       {count}")
    print(f"digests sent:        {len(sends)}")
    print(f"burst took:          {elapsed:.1f} s")
    print(f"peak per second:     {peak} (Telegram allows ~30)")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 300))
