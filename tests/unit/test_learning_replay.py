"""Learning from corrections, replayed: corrections on the first part of a stream of one
building's messages improve the classifier on the rest of the stream.

`tests/data/replay/stream.tsv` is one building whose residents use their own words ("the hoist",
"the undercroft", "the breezeway", 二供, 弱电井, 风雨廊, 架空层) that the shipped corpus barely
knows. People correct the bot the way the bot lets them: /track on a missed request, "No, thanks"
on a wrong button, a category button, /notrequest. The corrections go through the database and the
same adaptation (with its hold-out check) the bot runs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.config import Settings
from bot.domain.classifier import Verdict
from bot.domain.classifier_evaluation import (
    LabelledMessage,
    QualityReport,
    evaluate_with,
    parse_corpus,
)
from bot.learning import adapt_from_corrections, base_understanding, with_adaptation
from storage.adaptations import AdaptationRepository
from storage.corrections import CorrectionKind, CorrectionRepository, message_subject
from storage.database import Database

STREAM = Path(__file__).resolve().parents[1] / "data" / "replay" / "stream.tsv"
HISTORY_SHARE = 0.6


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    db = Database(tmp_path / "c.db")
    await db.open()
    yield db
    await db.close()


def stream() -> tuple[list[LabelledMessage], list[LabelledMessage]]:
    messages = parse_corpus(STREAM.read_text("utf-8").splitlines())
    cut = int(len(messages) * HISTORY_SHARE)
    return messages[:cut], messages[cut:]


async def correct_like_people_do(
    history: list[LabelledMessage], settings: Settings, corrections: CorrectionRepository
) -> int:
    """Record the corrections people would make while the base classifier handles `history`."""
    understanding = base_understanding(settings)
    made = 0
    for number, message in enumerate(history):
        result = understanding.classify(message.text)
        flagged = result.verdict is not Verdict.IGNORE
        kind: CorrectionKind | None = None
        if message.is_request and not flagged:
            kind = CorrectionKind.TRACKED
        elif message.is_request and result.verdict is Verdict.BORDERLINE:
            kind = CorrectionKind.CONFIRMED
        elif message.is_request and result.category != message.category:
            kind = CorrectionKind.CATEGORY
        elif not message.is_request and result.verdict is Verdict.BORDERLINE:
            kind = CorrectionKind.DISMISSED
        elif not message.is_request and result.is_request:
            kind = CorrectionKind.NOT_A_REQUEST
        if kind is None:
            continue
        await corrections.record(
            kind,
            subject=message_subject(-100, number),
            text=message.text,
            is_request=message.is_request,
            category=message.category or None,
            urgent=message.urgent,
        )
        made += 1
    return made


async def test_corrections_on_the_first_part_improve_the_rest(database: Database) -> None:
    settings = Settings()
    clock = FakeClock(datetime(2026, 12, 1, tzinfo=UTC))
    corrections = CorrectionRepository(database, clock)
    adaptations = AdaptationRepository(database, clock)
    history, future = stream()

    before: QualityReport = evaluate_with(future, base_understanding(settings).classify)
    made = await correct_like_people_do(history, settings, corrections)
    assert made >= settings.learning.min_corrections
    run = await adapt_from_corrections(settings, corrections, adaptations)
    assert run.stored is not None, run.outcome.reason
    adapted = with_adaptation(settings, await adaptations.active())
    after = evaluate_with(future, adapted.classify)

    assert before.recall is not None
    assert after.recall is not None
    assert before.strict_recall is not None
    assert after.strict_recall is not None
    assert before.category_accuracy is not None
    assert after.category_accuracy is not None
    assert before.precision is not None
    assert after.precision is not None
    assert after.recall > before.recall
    assert after.strict_recall > before.strict_recall
    assert after.category_accuracy > before.category_accuracy
    assert after.precision >= before.precision
    assert (after.false_borderline_rate or 0.0) <= (before.false_borderline_rate or 0.0)


async def test_a_bad_adaptation_can_be_rolled_back(database: Database) -> None:
    settings = Settings()
    clock = FakeClock(datetime(2026, 12, 1, tzinfo=UTC))
    corrections = CorrectionRepository(database, clock)
    adaptations = AdaptationRepository(database, clock)
    history, _future = stream()
    await correct_like_people_do(history, settings, corrections)
    first = await adapt_from_corrections(settings, corrections, adaptations)
    assert first.stored is not None
    await corrections.record(
        CorrectionKind.TRACKED,
        subject="m:-100:9999",
        text="The hoist smells of hot oil",
        is_request=True,
        category="elevator",
        urgent=False,
    )
    second = await adapt_from_corrections(settings, corrections, adaptations)
    assert second.stored is not None
    assert (await adaptations.active()) == second.stored

    now_active = await adaptations.roll_back()
    assert now_active is not None
    assert now_active.id == first.stored.id
    assert with_adaptation(settings, now_active).model is not None
    assert await adaptations.roll_back() is None  # back to the packaged model alone
    understanding = with_adaptation(settings, await adaptations.active())
    assert understanding.model is not None
    assert "adaptation" not in understanding.model.metadata


async def test_forgetme_removes_the_authors_examples(database: Database) -> None:
    clock = FakeClock(datetime(2026, 12, 1, tzinfo=UTC))
    corrections = CorrectionRepository(database, clock)
    for author in (1, 2, 1):
        await corrections.record(
            CorrectionKind.DISMISSED,
            subject=f"m:1:{author}",
            text=f"text by {author}",
            is_request=False,
            category=None,
            urgent=False,
            author_id=author,
        )
    await corrections.forget_author(1)
    assert [c.text for c in await corrections.all()] == ["text by 2"]
