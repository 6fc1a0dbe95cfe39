"""The household roster: /join, approvals, /households, on-behalf registration, /leave."""

from __future__ import annotations

import contextlib
import logging
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import CourtyardContext, CourtyardHandler
from bot.domain.community import CommunityRole
from bot.domain.flats import parse_flat
from bot.i18n import Translator, translator
from handlers.common import (
    answer_quietly,
    building_of_chat,
    deep_link,
    delete_quietly,
    edit_quietly,
    escape,
    is_private,
    may_manage,
    not_linked,
    preferred_language,
    refusal,
    reply,
    reply_long,
    say,
    sender_id,
    translator_for,
)
from handlers.labels import category_names
from handlers.personal_data import forget_surveys_and_care
from storage.buildings import Building
from storage.households import Coverage, JoinOutcome, Membership

logger = logging.getLogger(__name__)

JOIN_PAYLOAD = re.compile(r"^join-(\d+)$")
HOUSEHOLDS_PAYLOAD = re.compile(r"^households-(\d+)$")
DECISION_CALLBACK = re.compile(r"^hh:(a|r):(\d+):(\d+)$")
CHOOSE_CALLBACK = re.compile(r"^join:(\d+):([0-9A-Z-]{1,12})$")
CONVERSATION_JOIN = "join"


def flat_usage(_: Translator) -> str:
    return _(
        "Please send your flat number as unit-room, for example /join 3-502 or /join 3单元502."
    )


async def join(update: Update, context: CourtyardContext) -> None:
    """Register the sender's flat; in a group, move the conversation to a private chat."""
    _ = await translator_for(update, context)
    services = context.services
    if not is_private(update):
        if context.args:
            # The flat number must not stay visible in the group.
            await delete_quietly(update)
        building = await building_of_chat(update, context)
        if building is None:
            await say(update, context, not_linked(_))
            return
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        _("Register privately"), url=deep_link(context, f"join-{building.id}")
                    )
                ]
            ]
        )
        await say(
            update,
            context,
            _(
                "{name}, to keep your flat number private, please continue in a private chat "
                "with me."
            ).format(
                name=escape(update.effective_user.first_name if update.effective_user else "")
            ),
            reply_markup=keyboard,
        )
        return
    if not context.args:
        buildings = await services.buildings.all()
        if len(buildings) == 1:
            await services.conversations.begin(
                sender_id(update), CONVERSATION_JOIN, {"building_id": buildings[0].id}
            )
        await reply(update, flat_usage(_))
        return
    await register_flat(update, context, " ".join(context.args), building_id=None)


async def start_join(update: Update, context: CourtyardContext, building_id: int) -> None:
    """`/start join-<building>` from the group's button: ask for the flat number."""
    _ = await translator_for(update, context)
    building = await context.services.buildings.get(building_id)
    if building is None:
        await reply(update, _("This link is out of date."))
        return
    await context.services.conversations.begin(
        sender_id(update), CONVERSATION_JOIN, {"building_id": building.id}
    )
    await reply(
        update,
        _(
            "Registering your household in {building}. Which flat do you live in? Send it as "
            "unit-room, for example 3-502."
        ).format(building=escape(building.name)),
    )


async def register_flat(
    update: Update, context: CourtyardContext, text: str, *, building_id: int | None
) -> None:
    """Parse a flat number and file the join request (private chat only)."""
    _ = await translator_for(update, context)
    services = context.services
    flat = parse_flat(text)
    if flat is None:
        await reply(update, flat_usage(_))
        return
    user_id = sender_id(update)
    if building_id is None:
        conversation = await services.conversations.current(user_id)
        if conversation is not None and conversation.kind == CONVERSATION_JOIN:
            building_id = int(conversation.payload["building_id"])
    if building_id is None:
        buildings = await services.buildings.all()
        if not buildings:
            await reply(update, _("No building has been set up yet."))
            return
        if len(buildings) > 1:
            keyboard = InlineKeyboardMarkup(
                [
                    [InlineKeyboardButton(b.name, callback_data=f"join:{b.id}:{flat.label}")]
                    for b in buildings[:30]
                ]
            )
            await reply(
                update,
                _("Which building is {flat} in?").format(flat=flat.label),
                reply_markup=keyboard,
            )
            return
        building_id = buildings[0].id
    building = await services.buildings.get(building_id)
    if building is None:
        await reply(update, _("This link is out of date."))
        return
    await services.conversations.end(user_id)
    await services.people.unforget(user_id)
    outcome, membership = await services.households.request_join(
        building.id, flat, user_id, auto_approve=building.auto_approve
    )
    messages = {
        JoinOutcome.APPROVED: _("✅ Welcome! You are registered in {flat}, {building}."),
        JoinOutcome.REQUESTED: _(
            "Thank you! Your registration for {flat}, {building} was sent to the building "
            "heads. I will tell you when it is approved."
        ),
        JoinOutcome.ALREADY_MEMBER: _("You are already registered in {flat}, {building}."),
        JoinOutcome.ALREADY_PENDING: _(
            "Your registration for {flat}, {building} is still waiting for approval."
        ),
        JoinOutcome.OTHER_FLAT: _(
            "You are already registered in {flat}, {building}. Send /leave first to move."
        ),
    }
    await reply(
        update,
        messages[outcome].format(flat=escape(membership.label), building=escape(building.name)),
    )
    if outcome is JoinOutcome.REQUESTED:
        await notify_heads(context, building, membership)


async def choose_building(update: Update, context: CourtyardContext) -> None:
    """A resident picked the building for their flat from the buttons."""
    query = update.callback_query
    assert query is not None
    match = CHOOSE_CALLBACK.match(query.data or "")
    if match is None or not is_private(update):
        await answer_quietly(query)
        return
    await answer_quietly(query)
    with contextlib.suppress(BadRequest):
        await query.edit_message_reply_markup(None)
    await register_flat(update, context, match.group(2), building_id=int(match.group(1)))


async def head_ids(context: CourtyardContext, building: Building) -> set[int]:
    """Explicit heads plus the group admins who count as heads."""
    services = context.services
    ids = {
        a.person_id
        for a in await services.roles.in_building(building.id)
        if a.role is CommunityRole.HEAD
    }
    for chat_id in await services.buildings.chats_of(building.id):
        for user_id in await services.access.chat_admin_ids(context.bot, chat_id):
            if CommunityRole.HEAD in await services.access.roles_in(
                context.bot, user_id, building
            ):
                ids.add(user_id)
    return ids


def decision_keyboard(_: Translator, membership: Membership) -> InlineKeyboardMarkup:
    key = f"{membership.household_id}:{membership.person_id}"
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(_("✅ Approve"), callback_data=f"hh:a:{key}"),
                InlineKeyboardButton(_("❌ Reject"), callback_data=f"hh:r:{key}"),
            ]
        ]
    )


async def notify_heads(
    context: CourtyardContext, building: Building, membership: Membership
) -> None:
    """Ask the heads privately; if none can be reached, say so in the group without details."""
    services = context.services
    delivered = False
    for head in sorted(await head_ids(context, building)):
        person = await services.people.get(head)
        if person is None or not person.started_bot or person.blocked_bot:
            continue
        _ = translator(preferred_language(person.language or person.language_code, context))
        try:
            await context.bot.send_message(
                head,
                _("🏠 Household registration in {building}: {person} asks to join {flat}.").format(
                    building=escape(building.name),
                    person=escape(membership.person_name),
                    flat=escape(membership.label),
                ),
                reply_markup=decision_keyboard(_, membership),
            )
            delivered = True
        except Forbidden:
            await services.people.mark_blocked(head)
    if delivered:
        return
    for chat_id in await services.buildings.chats_of(building.id):
        chat = await services.chats.get(chat_id)
        _ = translator(
            preferred_language((chat.language if chat else None) or building.language, context)
        )
        await context.bot.send_message(
            chat_id,
            _(
                "A household registration is waiting for approval. Building heads: please open "
                "a private chat with me and send /households."
            ),
            reply_markup=InlineKeyboardMarkup(
                [
                    [
                        InlineKeyboardButton(
                            _("Open private chat"),
                            url=deep_link(context, f"households-{building.id}"),
                        )
                    ]
                ]
            ),
        )


async def decide(update: Update, context: CourtyardContext) -> None:
    """Approve/Reject buttons: the presser must manage the household's building right now."""
    query = update.callback_query
    assert query is not None
    _ = await translator_for(update, context)
    match = DECISION_CALLBACK.match(query.data or "")
    services = context.services
    # Decisions show a name and a flat number: they are only ever made in private.
    if match is None or not is_private(update):
        await answer_quietly(query, _("This button is out of date."), show_alert=True)
        return
    approve, household_id, person_id = (
        match.group(1) == "a",
        int(match.group(2)),
        int(match.group(3)),
    )
    membership = next(
        (
            m
            for m in await services.households.memberships_of(person_id)
            if m.household_id == household_id
        ),
        None,
    )
    building = await services.buildings.get(membership.building_id) if membership else None
    if membership is None or building is None:
        await answer_quietly(query, _("This request no longer exists."), show_alert=True)
        return
    if not await services.access.may_manage(context.bot, sender_id(update), building):
        await answer_quietly(query, refusal(_), show_alert=True)
        return
    decided = await services.households.decide(
        household_id, person_id, approve=approve, actor_id=sender_id(update)
    )
    if decided is None:
        await answer_quietly(query, _("Somebody already decided this request."), show_alert=True)
        with contextlib.suppress(BadRequest):
            await query.edit_message_reply_markup(None)
        return
    await answer_quietly(query)
    verdict = _("approved") if approve else _("rejected")
    await edit_quietly(
        query,
        _("{person} → {flat}, {building}: {verdict}.").format(
            person=escape(decided.person_name),
            flat=escape(decided.label),
            building=escape(building.name),
            verdict=verdict,
        ),
    )
    resident = await services.people.get(person_id)
    if resident is None or not resident.started_bot:
        return
    text = decision_notice(
        translator(preferred_language(resident.language or resident.language_code, context)),
        approve=approve,
    )
    try:
        await context.bot.send_message(
            person_id, text.format(flat=escape(decided.label), building=escape(building.name))
        )
    except Forbidden:
        await services.people.mark_blocked(person_id)


def decision_notice(_: Translator, *, approve: bool) -> str:
    """What the resident is told about their registration (in their own language)."""
    if approve:
        return _("✅ Your registration for {flat}, {building} was approved. Welcome!")
    return _(
        "Your registration for {flat}, {building} was not approved. If this is a mistake, "
        "please talk to your building head."
    )


async def households(update: Update, context: CourtyardContext) -> None:
    """Coverage for heads; the flat list only in a private chat."""
    _ = await translator_for(update, context)
    services = context.services
    if not is_private(update):
        building = await building_of_chat(update, context)
        if building is None:
            await reply(update, not_linked(_))
            return
        if not await may_manage(update, context, building):
            await reply(update, refusal(_))
            return
        coverage = await services.households.coverage(building.id, building.total_households)
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        _("Full list (private)"),
                        url=deep_link(context, f"households-{building.id}"),
                    )
                ]
            ]
        )
        await reply(update, coverage_text(_, building, coverage), reply_markup=keyboard)
        return
    managed = await managed_buildings(update, context)
    if not managed:
        await reply(update, refusal(_))
        return
    wanted = " ".join(context.args or []).casefold()
    chosen = [b for b in managed if not wanted or b.name.casefold() == wanted] or managed
    for building in chosen[:5]:
        await send_household_list(update, context, building, _)


async def managed_buildings(update: Update, context: CourtyardContext) -> list[Building]:
    services = context.services
    return [
        b
        for b in await services.buildings.all()
        if await services.access.may_manage(context.bot, sender_id(update), b)
    ]


def coverage_text(_: Translator, building: Building, coverage: Coverage) -> str:
    if coverage.total:
        share = round(100 * coverage.registered / coverage.total)
        head = _("{name}: {registered} / {total} households registered ({share}%)").format(
            name=escape(building.name),
            registered=coverage.registered,
            total=coverage.total,
            share=share,
        )
    else:
        head = escape(
            _(
                "{name}: {registered} households registered (set the total with "
                "/setup households <number>)"
            ).format(name=building.name, registered=coverage.registered)
        )
    details = _(
        "{offline} registered on behalf of residents not on Telegram · "
        "{pending} waiting for approval"
    ).format(offline=coverage.offline, pending=coverage.pending_requests)
    return f"🏠 {head}\n{details}"


async def send_household_list(
    update: Update, context: CourtyardContext, building: Building, _: Translator
) -> None:
    services = context.services
    coverage = await services.households.coverage(building.id, building.total_households)
    lines = [coverage_text(_, building, coverage), ""]
    for summary in await services.households.summaries(building.id):
        note = []
        if summary.approved_members:
            note.append(_("{count} member(s)").format(count=summary.approved_members))
        if summary.offline_contact:
            note.append(
                _("not on Telegram: {contact}").format(contact=escape(summary.offline_contact))
            )
        if summary.pending_members:
            note.append(_("{count} waiting").format(count=summary.pending_members))
        lines.append(f"• {escape(summary.label)} — {'; '.join(note) or '–'}")
    await reply_long(update, lines)
    for membership in (await services.households.pending(building.id))[:20]:
        await reply(
            update,
            _("Waiting: {person} asks to join {flat}.").format(
                person=escape(membership.person_name), flat=escape(membership.label)
            ),
            reply_markup=decision_keyboard(_, membership),
        )


async def start_households(update: Update, context: CourtyardContext, building_id: int) -> None:
    _ = await translator_for(update, context)
    building = await context.services.buildings.get(building_id)
    if building is None or not await context.services.access.may_manage(
        context.bot, sender_id(update), building
    ):
        await reply(update, refusal(_))
        return
    await send_household_list(update, context, building, _)


async def household(update: Update, context: CourtyardContext) -> None:
    """`/household add <flat> [name]`: register a household not on Telegram (heads)."""
    _ = await translator_for(update, context)
    services = context.services
    args = context.args or []
    usage = escape(
        _("Usage: /household add <flat> [name of the resident], e.g. /household add 3-502 王奶奶")
    )
    if is_private(update):
        candidates = await managed_buildings(update, context)
    else:
        if args:
            # A flat number typed in the group must not stay there, whatever happens next.
            await delete_quietly(update)
        building = await building_of_chat(update, context)
        if building is None:
            await reply(update, not_linked(_))
            return
        candidates = [building] if await may_manage(update, context, building) else []
    if not candidates:
        await reply(update, refusal(_))
        return
    if len(args) < 2 or args[0].lower() != "add" or parse_flat(args[1]) is None:
        await reply(update, usage)
        return
    if len(candidates) > 1:
        await reply(
            update,
            _(
                "You manage several buildings; please use this command in the "
                "building's group chat."
            ),
        )
        return
    flat = parse_flat(args[1])
    assert flat is not None
    contact = " ".join(args[2:]).strip()[:100] or _("resident")
    building = candidates[0]
    _household_id, created = await services.households.register_on_behalf(
        building.id, flat, contact, actor_id=sender_id(update)
    )
    if is_private(update):
        text = _("✅ Registered {flat} in {building} on behalf of {contact}.").format(
            flat=escape(flat.label), building=escape(building.name), contact=escape(contact)
        )
    else:
        text = _("✅ Registered a household on behalf of a resident who is not on Telegram.")
    if not created:
        text += "\n" + _("(It was already registered; the record was updated.)")
    await say(update, context, text)


async def whoami(update: Update, context: CourtyardContext) -> None:
    """Your roles, and (privately) your household."""
    _ = await translator_for(update, context)
    services = context.services
    user_id = sender_id(update)
    lines: list[str] = []
    if services.access.is_admin(user_id):
        lines.append(_("You are a community admin."))
    buildings = {b.id: b for b in await services.buildings.all()}
    if not is_private(update):
        building = await building_of_chat(update, context)
        if building is not None:
            roles = await services.access.roles_in(context.bot, user_id, building)
            if CommunityRole.HEAD in roles:
                lines.append(
                    _("You are a building head of {building}.").format(
                        building=escape(building.name)
                    )
                )
            if CommunityRole.STAFF in roles:
                lines.append(
                    _("You are staff of {building}.").format(building=escape(building.name))
                )
        lines.append(_("Ask me in a private chat to see your household."))
        await reply(update, "\n".join(lines) or _("You are a resident."))
        return
    for assignment in await services.roles.of_person(user_id):
        name = (
            escape(buildings[assignment.building_id].name)
            if assignment.building_id in buildings
            else "?"
        )
        if assignment.role is CommunityRole.HEAD:
            lines.append(_("You are a building head of {building}.").format(building=name))
        else:
            lines.append(
                _("You are staff of {building} for {categories}.").format(
                    building=name, categories=category_names(_, assignment.categories)
                )
            )
    memberships = await services.households.memberships_of(user_id)
    for membership in memberships:
        name = (
            escape(buildings[membership.building_id].name)
            if membership.building_id in buildings
            else "?"
        )
        if membership.status == "approved":
            lines.append(
                _("Your household: {flat}, {building}.").format(
                    flat=escape(membership.label), building=name
                )
            )
        else:
            lines.append(
                _("Your registration for {flat}, {building} is waiting for approval.").format(
                    flat=escape(membership.label), building=name
                )
            )
    if not memberships:
        lines.append(_("You have not registered a household. Send /join with your flat number."))
    await reply(update, "\n".join(lines))


async def leave(update: Update, context: CourtyardContext) -> None:
    """Leave your household (in a group: that building's; privately: all)."""
    _ = await translator_for(update, context)
    services = context.services
    building = await building_of_chat(update, context)
    if not is_private(update) and building is None:
        await reply(update, not_linked(_))
        return
    count = await services.households.leave(sender_id(update), building.id if building else None)
    await reply(
        update,
        _("Done: you are no longer registered in a household.")
        if count
        else _("You are not registered in a household."),
    )


async def forgetme(update: Update, context: CourtyardContext) -> None:
    """Ask for confirmation before deleting the sender's personal data."""
    _ = await translator_for(update, context)
    if not is_private(update):
        await reply(update, _("Please send /forgetme in a private chat with me."))
        return
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("Yes, delete my data"), callback_data=f"forget:{sender_id(update)}"
                ),
            ]
        ]
    )
    await reply(
        update,
        _(
            "This deletes your household registration, your roles and your name from Courtyard. "
            "Requests you reported stay, without your name. Continue?"
        ),
        reply_markup=keyboard,
    )


FORGET_CALLBACK = re.compile(r"^forget:(\d+)$")


async def forget_confirmed(update: Update, context: CourtyardContext) -> None:
    query = update.callback_query
    assert query is not None
    _ = await translator_for(update, context)
    match = FORGET_CALLBACK.match(query.data or "")
    user_id = sender_id(update)
    if match is None or int(match.group(1)) != user_id:
        await answer_quietly(query, _("This button is not for you."), show_alert=True)
        return
    services = context.services
    await services.households.leave(user_id)
    await services.roles.revoke_all(user_id, actor_id=user_id)
    await services.conversations.end(user_id)
    await forget_surveys_and_care(services, user_id)  # issue 16
    await services.people.forget(user_id)
    await answer_quietly(query)
    await edit_quietly(query, _("Done. Your personal data has been deleted."))


def handlers() -> list[CourtyardHandler]:
    return [
        CommandHandler("join", join),
        CommandHandler("households", households),
        CommandHandler("household", household),
        CommandHandler("whoami", whoami),
        CommandHandler("leave", leave),
        CommandHandler("forgetme", forgetme),
        CallbackQueryHandler(decide, pattern=DECISION_CALLBACK),
        CallbackQueryHandler(choose_building, pattern=CHOOSE_CALLBACK),
        CallbackQueryHandler(forget_confirmed, pattern=FORGET_CALLBACK),
    ]
