"""Learning from corrections at run time: load the active adaptation, adapt, roll back.

The domain decides (`bot.domain.adaptation`); this module reads corrections from the database,
runs the fitting off the event loop and swaps the classifier the handlers use.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from datetime import timedelta

from bot.config import Settings
from bot.domain.adaptation import AdaptationOutcome, plan_adaptation
from bot.domain.learned_model import LinearModel, ModelDelta, ModelError, packaged_model
from bot.domain.understanding import Understanding
from storage.adaptations import Adaptation, AdaptationRepository
from storage.corrections import CorrectionRepository

logger = logging.getLogger(__name__)


def base_understanding(settings: Settings) -> Understanding:
    """The rules plus the packaged model (or the rules alone when `[learning] model = false`)."""
    model = packaged_model() if settings.learning.model else None
    return Understanding(settings.classifier, model)


def with_adaptation(settings: Settings, adaptation: Adaptation | None) -> Understanding:
    """The classifier with a stored adaptation applied (a broken one is logged and skipped)."""
    understanding = base_understanding(settings)
    if adaptation is None or understanding.model is None:
        return understanding
    try:
        delta = ModelDelta.from_bytes(adaptation.delta)
    except ModelError as exc:
        logger.error("Adaptation %d cannot be used: %s", adaptation.id, exc)
        return understanding
    if delta.base_version != understanding.model.version:
        logger.warning(
            "Adaptation %d was learned for model %s, this is %s: not applied; run "
            "`courtyard train` to adapt the new model",
            adaptation.id,
            delta.base_version,
            understanding.model.version,
        )
        return understanding
    return Understanding(settings.classifier, understanding.model.with_delta(delta))


@dataclass(frozen=True)
class AdaptationRun:
    """What one attempt to adapt did."""

    outcome: AdaptationOutcome
    stored: Adaptation | None


async def adapt_from_corrections(
    settings: Settings,
    corrections: CorrectionRepository,
    adaptations: AdaptationRepository,
    *,
    min_examples: int | None = None,
) -> AdaptationRun:
    """Fit a new adaptation from every correction so far; store it only if it holds up."""
    model: LinearModel = packaged_model()
    found = await corrections.all()
    newest = found[-1].id if found else 0
    latest = await adaptations.latest()
    version = f"a{(latest.id + 1) if latest else 1}-c{newest}"
    outcome = await asyncio.to_thread(
        plan_adaptation,
        model,
        [correction.label() for correction in found],
        fallback_category=settings.classifier.fallback_category,
        min_examples=min_examples or settings.learning.min_corrections,
        version=version,
    )
    if outcome.delta is None:
        logger.info("No adaptation: %s", outcome.reason)
        return AdaptationRun(outcome, None)
    report = {
        "held_out_before": outcome.before.as_dict() if outcome.before else None,
        "held_out_after": outcome.after.as_dict() if outcome.after else None,
        "version": outcome.delta.version,
    }
    stored = await adaptations.add(
        base_version=model.version,
        examples=len({c.subject for c in found}),
        last_correction_id=newest,
        delta=outcome.delta.to_bytes(),
        report=json.dumps(report, sort_keys=True),
    )
    logger.info("Adapted the classifier from %d corrections (%s)", len(found), version)
    return AdaptationRun(outcome, stored)


async def adaptation_due(
    settings: Settings, corrections: CorrectionRepository, adaptations: AdaptationRepository,
    now_seconds: float,
) -> bool:  # fmt: skip
    """Enough new corrections since the last adaptation, and it is old enough."""
    latest = await adaptations.latest()
    newest = await corrections.newest_id()
    if latest is None:
        return newest > 0
    if newest <= latest.last_correction_id:
        return False
    age = now_seconds - latest.created_at.timestamp()
    return age >= timedelta(hours=settings.learning.adapt_every_hours).total_seconds()
