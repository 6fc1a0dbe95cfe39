"""Neighbours who said "me too": asked whether it is fixed, and they may rate it; nothing more.

Only the reporter's answer closes or reopens a request. A supporter's answer is recorded in
the history (once per resolution), and a "not fixed" is passed on to the assignee so they can
look again.
"""

from __future__ import annotations

from telegram import Update

from bot.context import CourtyardContext
from bot.domain.lifecycle import RequestStatus, Role
from handlers.common import answer_quietly, edit_quietly, is_private, translator_for
from handlers.replay import settle
from handlers.request_cards import person_translator, rating_keyboard, status_name
from handlers.request_flow import send_private
from storage.requests import Request

SUPPORTER_ANSWERS = frozenset({"fixed", "notfixed", "rate"})
# Who works on a request (they see its notes and who reported it).
WORKER_ROLES = frozenset({Role.STAFF, Role.STAFF_ASSIGNEE, Role.HEAD, Role.ADMIN})
ANSWER_FIXED = "supporter_fixed"
ANSWER_NOT_FIXED = "supporter_not_fixed"
ANSWER_RATING = "supporter_rate"


async def answer_as_supporter(
    update: Update, context: CourtyardContext, request: Request, verb: str, stars: int
) -> None:
    """👍 / 👎 / ⭐ pressed by someone who said "me too" (not the reporter)."""
    query = update.callback_query
    assert query is not None
    user = update.effective_user
    assert user is not None
    _ = await translator_for(update, context)
    services = context.services
    if verb == "rate":
        if not 1 <= stars <= 5 or request.status not in (
            RequestStatus.RESOLVED,
            RequestStatus.CLOSED,
        ):
            await answer_quietly(
                query,
                _("Sorry, you are not allowed to do that with this request."),
                show_alert=True,
            )
            return
        _stars, fresh = await settle(context, f"request:{request.id}:answer", verb)
        recorded = await services.requests.answer_once(
            request.id, user.id, ANSWER_RATING, str(stars)
        )
        if not recorded and fresh:
            await answer_quietly(query, _("This request has already been rated. Thank you!"))
            return
        await answer_quietly(query)
        await edit_quietly(
            query,
            _("Thank you! You rated #{number} {stars}.").format(
                number=request.id, stars="⭐" * stars
            ),
        )
        return
    if request.status is not RequestStatus.RESOLVED:
        await answer_quietly(
            query,
            _("That is not possible while the request is {status}.").format(
                status=status_name(_, request.status)
            ),
            show_alert=True,
        )
        return
    fixed = verb == "fixed"
    _verb, fresh = await settle(context, f"request:{request.id}:answer", verb)
    recorded = await services.requests.answer_once(
        request.id, user.id, ANSWER_FIXED if fixed else ANSWER_NOT_FIXED
    )
    if not recorded and fresh:
        await answer_quietly(
            query, _("You already answered for #{number}. Thank you!").format(number=request.id)
        )
        return
    if fixed:
        thanks = _("Thank you! How satisfied are you with how #{number} was handled?").format(
            number=request.id
        )
        if is_private(update):
            await answer_quietly(query)
            await edit_quietly(query, thanks, rating_keyboard(request.id))
        else:
            await answer_quietly(query, _("Thank you!"))
        return
    if request.assignee_id is not None:
        await _tell_assignee(context, request, request.assignee_id)
    told = _(
        "Thank you for telling us; the staff member was told. #{number} is reopened if the "
        "person who reported it says it is not fixed, or a building head reopens it."
    ).format(number=request.id)
    if is_private(update):
        await answer_quietly(query)
        await edit_quietly(query, told)
    else:
        await answer_quietly(query, told, show_alert=True)


async def _tell_assignee(context: CourtyardContext, request: Request, assignee_id: int) -> None:
    _ = await person_translator(context, assignee_id)
    await send_private(
        context,
        assignee_id,
        _(
            "👎 A neighbour affected by request #{number} says it is not fixed. Only the "
            "reporter's answer reopens it; please have a look."
        ).format(number=request.id),
    )
