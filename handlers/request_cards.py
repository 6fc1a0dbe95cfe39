"""Request cards: the group card and the staff's private card, edited in place."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.context import CourtyardContext
from bot.domain.community import CommunityRole
from bot.domain.escalation import StaffLevel, StaffMember, routing_targets
from bot.domain.lifecycle import RequestStatus
from bot.handling import current_update_id
from bot.i18n import N_, Translator, translator
from bot.transient import is_transient
from handlers import board
from handlers.common import escape, preferred_language
from handlers.labels import category_name
from storage.buildings import Building
from storage.people import Person
from storage.requests import Request

logger = logging.getLogger(__name__)

CARD_CALLBACK = re.compile(r"^rq:(metoo|take|start|resolve|fixed|notfixed|rate)(?::(\d))?:(\d+)$")
DESCRIPTION_LIMIT = 700  # keeps a card well inside Telegram's 4096
# Photo captions allow 1024; escaping can triple a character ("<" → "&lt;" counts once, but
# the rest of the card needs room too).
CAPTION_DESCRIPTION = 300

STATUS_NAMES: dict[RequestStatus, str] = {
    RequestStatus.NEW: N_("new"),
    RequestStatus.ASSIGNED: N_("assigned"),
    RequestStatus.IN_PROGRESS: N_("in progress"),
    RequestStatus.RESOLVED: N_("resolved — waiting for the resident"),
    RequestStatus.CLOSED: N_("closed"),
    RequestStatus.REOPENED: N_("reopened"),
    RequestStatus.REJECTED: N_("rejected"),
}


def status_name(_: Translator, status: RequestStatus) -> str:
    return _(STATUS_NAMES[status])


def shorten(text: str, limit: int = DESCRIPTION_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class CardPeople:
    """Names shown on a card (looked up once per render)."""

    reporter: str | None
    assignee: str | None


async def card_people(context: CourtyardContext, request: Request) -> CardPeople:
    people = context.services.people
    reporter = await people.get(request.reporter_id) if request.reporter_id else None
    assignee = await people.get(request.assignee_id) if request.assignee_id else None
    return _card_people(reporter, assignee)


def _people_on_card(request: Request, known: dict[int, Person]) -> CardPeople:
    """`card_people` from people read already."""
    reporter = known.get(request.reporter_id) if request.reporter_id else None
    assignee = known.get(request.assignee_id) if request.assignee_id else None
    return _card_people(reporter, assignee)


def _card_people(reporter: Person | None, assignee: Person | None) -> CardPeople:
    return CardPeople(
        reporter=reporter.display_name if reporter and reporter.first_name else None,
        assignee=assignee.display_name if assignee else None,
    )


def icon_of(context: CourtyardContext, category: str) -> str:
    rules = context.services.settings.classifier
    return next((c.icon for c in rules.categories if c.key == category), "📌")


def render_card(
    _: Translator,
    context: CourtyardContext,
    request: Request,
    people: CardPeople,
    *,
    for_staff: bool = False,
    description_limit: int = DESCRIPTION_LIMIT,
    no_staff: bool = False,
) -> str:
    """The card text (HTML); every piece of user text is escaped. `no_staff`: say that
    nobody serves this kind of request in the building (see `staff_missing`)."""
    head = f"<b>#{request.id}</b> {icon_of(context, request.category)} " + escape(
        category_name(_, request.category)
    )
    if request.urgent:
        head += " · 🚨 " + _("urgent")
    lines = [head]
    if request.category_alternative and request.is_open:
        lines.append(uncertain_category_line(_, context, request))
    if request.location:
        lines.append(f"📍 {escape(request.location)}")
    lines.append(escape(shorten(request.description, description_limit)))
    if request.photos and not for_staff:
        lines.append(f"📷 {len(request.photos)}")
    assignee = escape(people.assignee) if people.assignee else "—"
    lines.append(
        _("Status: {status} · Assignee: {assignee} · 👥 {affected}").format(
            status=status_name(_, request.status), assignee=assignee, affected=request.affected
        )
    )
    if for_staff and people.reporter:
        lines.append(_("Reported by {name}").format(name=escape(people.reporter)))
    if request.resolution_note and request.status in (
        RequestStatus.RESOLVED,
        RequestStatus.CLOSED,
    ):
        lines.append(_("Note: {note}").format(note=escape(shorten(request.resolution_note, 300))))
    if request.status is RequestStatus.REJECTED and request.reject_reason:
        lines.append(_("Reason: {reason}").format(reason=escape(request.reject_reason)))
    if no_staff:
        lines.append(
            _(
                "No staff is registered for this kind of request yet. Building heads: add "
                "someone with /staff add."
            )
        )
    return "\n".join(lines)


async def roster(context: CourtyardContext, building_id: int) -> list[StaffMember]:
    """The building's staff as the escalation ladder sees them."""
    return [
        StaffMember(a.person_id, a.building_id, a.categories, a.level or StaffLevel.VOLUNTEER)
        for a in await context.services.roles.in_building(building_id)
        if a.role is CommunityRole.STAFF
    ]


async def staff_missing(
    context: CourtyardContext, request: Request, staff: list[StaffMember] | None = None
) -> bool:
    """Nobody holds this open request and no staff of its building serves its category.
    `staff`: the building's roster, when the caller read it already."""
    if not request.is_open or request.assignee_id is not None or request.building_id is None:
        return False
    if staff is None:
        staff = await roster(context, request.building_id)
    return not routing_targets(request.category, request.building_id, staff)


def uncertain_category_line(_: Translator, context: CourtyardContext, request: Request) -> str:
    """The classifier could not decide between two categories: say so and ask."""
    assert request.category_alternative is not None
    return _("❓ {first} or {second}? The reporter or staff: please choose below.").format(
        first=escape(category_name(_, request.category)),
        second=escape(category_name(_, request.category_alternative)),
    )


def category_choice_row(_: Translator, request: Request) -> list[InlineKeyboardButton]:
    """The two candidate categories as buttons (handled in handlers.request_category)."""
    keys = [request.category, request.category_alternative or request.category]
    return [
        InlineKeyboardButton(f"☑️ {category_name(_, key)}", callback_data=f"rc:{request.id}:{key}")
        for key in keys
    ]


def card_keyboard(
    _: Translator, request: Request, *, for_staff: bool = False
) -> InlineKeyboardMarkup | None:
    """Buttons for the request's status; who may press them is checked on every press."""
    rid = request.id
    if request.is_open:
        row = (
            []
            if for_staff
            else [InlineKeyboardButton(_("🙋 Me too"), callback_data=f"rq:metoo:{rid}")]
        )
        if request.status in (RequestStatus.NEW, RequestStatus.REOPENED):
            row.append(InlineKeyboardButton(_("🛠 Take it"), callback_data=f"rq:take:{rid}"))
        second = []
        if request.status is not RequestStatus.IN_PROGRESS:
            second.append(
                InlineKeyboardButton(_("▶️ In progress"), callback_data=f"rq:start:{rid}")
            )
        second.append(InlineKeyboardButton(_("✅ Resolved"), callback_data=f"rq:resolve:{rid}"))
        rows = [row, second] if row else [second]
        if request.category_alternative:
            rows.insert(0, category_choice_row(_, request))
        return InlineKeyboardMarkup(rows)
    if request.status is RequestStatus.RESOLVED and not for_staff:
        return fixed_keyboard(_, rid)
    return None


def fixed_keyboard(_: Translator, request_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(_("👍 Fixed"), callback_data=f"rq:fixed:{request_id}"),
                InlineKeyboardButton(_("👎 Not fixed"), callback_data=f"rq:notfixed:{request_id}"),
            ]
        ]
    )


def rating_keyboard(request_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("⭐" * stars, callback_data=f"rq:rate:{stars}:{request_id}")
                for stars in range(1, 6)
            ]
        ]
    )


async def group_translator(
    context: CourtyardContext, request: Request, building: Building | None = None
) -> Translator:
    """The language of the request's group. `building`: the request's, when the caller has it
    (saves reading it again)."""
    services = context.services
    chat = await services.chats.get(request.card_chat_id) if request.card_chat_id else None
    if building is None or building.id != request.building_id:
        building = (
            await services.buildings.get(request.building_id) if request.building_id else None
        )
    code = (chat.language if chat else None) or (building.language if building else None)
    return translator(preferred_language(code, context))


async def person_translator(context: CourtyardContext, person_id: int) -> Translator:
    return _translator_of(context, await context.services.people.get(person_id))


def _translator_of(context: CourtyardContext, person: Person | None) -> Translator:
    code = (person.language or person.language_code) if person else None
    return translator(preferred_language(code, context))


async def send_staff_card(
    context: CourtyardContext,
    request: Request,
    staff_id: int,
    *,
    intro: str,
    translator: Translator | None = None,
    people: CardPeople | None = None,
) -> Message:
    """Send the private card (with the first photo) to a staff member. `translator` (the
    staff member's) and `people` save reading them again when the caller has them."""
    _ = translator or await person_translator(context, staff_id)
    if people is None:
        people = await card_people(context, request)
    keyboard = card_keyboard(_, request, for_staff=True)
    if request.photos:
        caption = (
            intro
            + "\n\n"
            + render_card(
                _, context, request, people, for_staff=True, description_limit=CAPTION_DESCRIPTION
            )
        )
        return await context.bot.send_photo(
            staff_id, request.photos[0], caption=caption, reply_markup=keyboard
        )
    text = intro + "\n\n" + render_card(_, context, request, people, for_staff=True)
    return await context.bot.send_message(staff_id, text, reply_markup=keyboard)


async def refresh_cards(context: CourtyardContext, request_id: int) -> None:
    """Edit the group card and every staff card to the request's current state. The request,
    its staff cards, and the names and languages they show are one read. Waits for the
    request's routing when it is still going on (`bot.intake_tails`): a staff card sent
    meanwhile would miss this edit."""
    await context.services.intake_tails.settle_request(request_id)
    view = await context.services.requests.card_view(request_id)
    if view is None:
        return
    request = view.request
    await board.touch(context, request.building_id)  # the pinned board counts problems too
    people = _people_on_card(request, view.people)
    if request.card_chat_id and request.card_message_id:
        _ = translator(preferred_language(view.chat_language or view.building_language, context))
        await _edit(
            context,
            request.card_chat_id,
            request.card_message_id,
            render_card(
                _, context, request, people, no_staff=await staff_missing(context, request)
            ),
            card_keyboard(_, request),
            caption=False,
        )
    for staff_id, message_id in view.deliveries:
        _ = _translator_of(context, view.people.get(staff_id))
        text = render_card(
            _,
            context,
            request,
            people,
            for_staff=True,
            description_limit=CAPTION_DESCRIPTION if request.photos else DESCRIPTION_LIMIT,
        )
        await _edit(
            context,
            staff_id,
            message_id,
            text,
            card_keyboard(_, request, for_staff=True),
            caption=bool(request.photos),
        )


async def _edit(
    context: CourtyardContext,
    chat_id: int,
    message_id: int,
    text: str,
    keyboard: InlineKeyboardMarkup | None,
    *,
    caption: bool,
) -> None:
    try:
        if caption:
            await context.bot.edit_message_caption(
                chat_id, message_id, caption=text, reply_markup=keyboard
            )
        else:
            await context.bot.edit_message_text(text, chat_id, message_id, reply_markup=keyboard)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            logger.warning("Could not update card %s/%s: %s", chat_id, message_id, exc)
    except Forbidden as exc:
        logger.info("Card %s/%s is no longer reachable: %s", chat_id, message_id, exc)
    except TelegramError as exc:
        if is_transient(exc) and current_update_id() is not None:
            # A state change must reach its card: the update is handled again, and that
            # edits the cards again (see `perform`).
            raise
        logger.warning("Could not update card %s/%s: %s", chat_id, message_id, exc)
