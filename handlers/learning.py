"""Corrections become examples, and the classifier adapts to them now and then.

Every way people correct the bot is recorded here with the message text and its label after the
correction; `adapt_periodically` learns from them (see `bot.learning` for the safeguards).
"""

from __future__ import annotations

import logging

from bot.context import CourtyardContext
from bot.domain.classifier import Classification
from bot.learning import adapt_from_corrections, adaptation_due, with_adaptation
from bot.services import Services
from storage.corrections import CorrectionKind, message_subject, request_subject
from storage.requests import Request
from storage.suggestions import Suggestion

logger = logging.getLogger(__name__)


def subject_of(request: Request) -> str:
    """A request is the same subject as the group message it came from."""
    if request.chat_id is not None and request.source_message_id is not None:
        return message_subject(request.chat_id, request.source_message_id)
    return request_subject(request.id)


async def remember_answer(
    context: CourtyardContext, suggestion: Suggestion, *, tracked: bool, actor_id: int
) -> None:
    """ "Track it" or "No, thanks" on a "Track this?" button."""
    services = context.services
    request = await services.requests.find_by_source(suggestion.chat_id, suggestion.message_id)
    await services.corrections.record(
        CorrectionKind.CONFIRMED if tracked else CorrectionKind.DISMISSED,
        subject=message_subject(suggestion.chat_id, suggestion.message_id),
        text=suggestion.text,
        is_request=tracked,
        category=request.category if request else None,
        urgent=bool(request and request.urgent),
        building_id=suggestion.building_id,
        request_id=request.id if request else None,
        author_id=suggestion.author_id,
        actor_id=actor_id,
        predicted="borderline",
    )


async def remember_tracked(
    context: CourtyardContext, request: Request, result: Classification, *, actor_id: int
) -> None:
    """/track on a message: a request, whatever the classifier said."""
    await remember_request(
        context,
        request,
        CorrectionKind.TRACKED,
        actor_id=actor_id,
        predicted=f"{result.verdict.value}/{result.category}",
    )


async def remember_request(
    context: CourtyardContext,
    request: Request,
    kind: CorrectionKind,
    *,
    actor_id: int,
    predicted: str = "",
) -> None:
    """A request's label as it stands now (after a category, urgency or closing correction)."""
    await context.services.corrections.record(
        kind,
        subject=subject_of(request),
        text=request.description,
        is_request=kind is not CorrectionKind.NOT_A_REQUEST,
        category=request.category,
        urgent=request.urgent,
        building_id=request.building_id,
        request_id=request.id,
        author_id=request.reporter_id,
        actor_id=actor_id,
        predicted=predicted,
    )


async def load_adaptation(services: Services) -> None:
    """At start: use this deployment's active adaptation, if any."""
    services.understanding = with_adaptation(
        services.settings, await services.adaptations.active()
    )


async def adapt_periodically(context: CourtyardContext) -> None:
    """A job: adapt when enough new corrections have come in and the last adaptation is old."""
    services = context.services
    settings = services.settings
    if not settings.learning.adapt or not settings.learning.model:
        return
    now = services.clock.now().timestamp()
    if not await adaptation_due(settings, services.corrections, services.adaptations, now):
        return
    run = await adapt_from_corrections(settings, services.corrections, services.adaptations)
    if run.stored is not None:
        services.understanding = with_adaptation(settings, run.stored)
