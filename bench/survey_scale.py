"""A 706-household survey: how long coverage, a checklist page and the grouped results take.

Builds a database like the 706-household survey of the news reports (573 answered, 640
visited, 41 nobody home, 216 free-text suggestions), then times what a volunteer's tap on the
checklist and a head's results view cost.

    python bench/survey_scale.py
"""

from __future__ import annotations

import asyncio
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.clock import FakeClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.domain.classifier import classify  # noqa: E402
from bot.domain.coverage import VisitOutcome, checklist, coverage  # noqa: E402
from bot.domain.flats import Flat  # noqa: E402
from bot.domain.suggestion_groups import Suggestion, group_suggestions  # noqa: E402
from bot.domain.survey import Answer, Question, QuestionKind, tally  # noqa: E402
from storage.buildings import BuildingRepository  # noqa: E402
from storage.database import Database  # noqa: E402
from storage.survey_visits import SurveyVisitRepository  # noqa: E402
from storage.surveys import Respondent, SurveyRepository  # noqa: E402

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
TOPICS = [
    "垃圾房太臭了", "希望增加停车位", "电梯经常坏", "楼道灯不亮", "希望多种点树", "小区太吵了",
    "More parking please", "The lift is often broken", "Fix the corridor lights",
    "增加健身器材", "门禁坏了好几天", "下水道经常堵",
]  # fmt: skip


async def build(path: Path) -> tuple[Database, SurveyRepository, SurveyVisitRepository, int]:
    db = Database(path)
    await db.open()
    clock = FakeClock(NOW)
    building, _created = await BuildingRepository(db, clock).ensure("Building 5")
    surveys, visits = SurveyRepository(db, clock), SurveyVisitRepository(db, clock)
    survey = await surveys.create(
        building.id,
        1,
        "Living here",
        [
            Question(QuestionKind.SINGLE, "Lift?", ("Good", "Bad")),
            Question(QuestionKind.TEXT, "Ideas?"),
        ],
        per_household=True,
        closes_at=NOW + timedelta(days=15),
        announce_at=NOW,
    )
    rng = random.Random(16)
    flats = [
        Flat(str(unit), f"{floor}{flat:02d}")
        for unit in range(1, 7)
        for floor in range(1, 19)
        for flat in range(1, 8)
    ][:706]
    ids = [await visits.ensure_household(building.id, flat, 1) for flat in flats]
    for index, household in enumerate(ids):
        if index < 640:
            outcome = VisitOutcome.NOBODY_HOME if index >= 599 else VisitOutcome.ANSWERED
            await visits.record(
                survey.id, household, outcome, visitor_id=9, visited_on=date(2026, 11, 23)
            )
        if index < 573:
            respondent = Respondent.household(household, None)
            await surveys.save_answer(
                survey.id, respondent, 0, Answer(choices=(index % 2,)), recorded_by=9
            )
            if index < 216:
                text = f"{rng.choice(TOPICS)}{'，' + rng.choice(TOPICS) if index % 5 == 0 else ''}"
                await surveys.save_answer(
                    survey.id, respondent, 1, Answer(text=text), recorded_by=9
                )
            await surveys.complete(survey.id, respondent, recorded_by=9, visited_on=None)
    return db, surveys, visits, survey.id


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db, surveys, visits, survey_id = await build(Path(tmp) / "c.db")
        survey = await surveys.get(survey_id)
        assert survey is not None
        started = time.perf_counter()
        rows = await visits.reach(survey)
        report = coverage(rows, 706)
        page = checklist(rows)[:12]
        tap = time.perf_counter() - started
        b = report.building
        print(f"coverage: answered {b.answered} of {b.total}, visited {b.visited}, ", end="")
        print(f"nobody home {b.nobody_home}")
        print(f"checklist first page: {[h.label for h in page[:4]]} …")
        print(f"reach + coverage + checklist page: {tap * 1000:.0f} ms")
        started = time.perf_counter()
        result = tally(survey.questions[1], await surveys.answers_to(survey_id, 1))
        rules = Settings().classifier
        grouped = group_suggestions(
            [Suggestion(i, t) for i, t in result.texts], lambda t: classify(t, rules).category
        )
        took = time.perf_counter() - started
        print(f"{result.answers} suggestions → {len(grouped.groups)} groups; top 3:")
        for group in grouped.groups[:3]:
            print(f"  ×{group.size} [{group.category}] {group.representative.text}")
        print(f"tally + classify + group: {took * 1000:.0f} ms")
        await db.close()


if __name__ == "__main__":
    asyncio.run(main())
