"""Putting someone on the care list, step by step in a private chat, only with consent:
the resident themselves, a family member, or a head recording the resident's spoken consent."""

from __future__ import annotations

import re
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler

from bot.context import CourtyardContext, CourtyardHandler
from bot.domain.care import Cadence, CarerRelation, Consent
from bot.domain.community import CommunityRole
from bot.domain.escalation import StaffLevel
from bot.domain.flats import parse_flat
from bot.i18n import Translator
from handlers.building_heads import managed_buildings
from handlers.care_common import CHECK_TIMES, cadence_name, relation_name
from handlers.care_enrol_save import save_enrolment
from handlers.common import (
    answer_quietly,
    edit_quietly,
    escape,
    refusal,
    reply,
    sender_id,
    translator_for,
)
from storage.conversations import Conversation
from storage.households import MembershipStatus

CONVERSATION_CARE_ENROL = "care_enrol"
ENROL_CALLBACK = re.compile(r"^cw:(k|b|tg|c|t|add|done|save|x):([\w-]*)(?::(\w+))?$")
MAX_NAME = 40
MAX_NOTE = 300
MAX_CARERS = 5
_TIME = re.compile(r"^([01]?\d|2[0-3])[:：]([0-5]\d)$")


async def _send(
    update: Update,
    context: CourtyardContext,
    text: str,
    rows: list[list[InlineKeyboardButton]] | None = None,
) -> None:
    markup = InlineKeyboardMarkup(rows) if rows else None
    await context.bot.send_message(sender_id(update), text, reply_markup=markup)


async def start(update: Update, context: CourtyardContext, mode: str) -> None:
    """`mode` is "self" (enrol me) or "other" (a family member, or a head with spoken consent)."""
    _ = await translator_for(update, context)
    services = context.services
    user_id = sender_id(update)
    if mode == "self":
        memberships = [
            m
            for m in await services.households.memberships_of(user_id)
            if m.status == MembershipStatus.APPROVED
        ]
        if not memberships:
            await _send(update, context, _("Please register your flat with /join first."))
            return
        if any(
            e
            for e in await services.care.of_person(user_id)
            if e.building_id == memberships[0].building_id
        ):
            await _send(update, context, _("You are already on the care list: see /care."))
            return
        person = await services.people.get(user_id)
        payload: dict[str, Any] = {
            "consent": Consent.SELF.value,
            "building_id": memberships[0].building_id,
            "person_id": user_id,
            "name": (person.display_name if person else "")[:MAX_NAME],
            "flat": memberships[0].label,
            "carers": [],
            "step": "cadence",
        }
        await _save_and_prompt(update, context, _, payload)
        return
    rows = [[InlineKeyboardButton(_("👪 I am family"), callback_data="cw:k:family")]]
    if await managed_buildings(update, context):
        rows.append(
            [
                InlineKeyboardButton(
                    _("🗣 They told me (building head)"), callback_data="cw:k:spoken"
                )
            ]
        )
    await services.conversations.begin(
        user_id, CONVERSATION_CARE_ENROL, {"step": "kind", "carers": []}
    )
    await _send(
        update,
        context,
        _(
            "The care list only works with the person's consent. Who agreed?\n"
            "• a family member enrols them, or\n"
            "• a building head records that they agreed when asked in person."
        ),
        rows,
    )


async def _save_and_prompt(
    update: Update, context: CourtyardContext, _: Translator, payload: dict[str, Any]
) -> None:
    await context.services.conversations.begin(sender_id(update), CONVERSATION_CARE_ENROL, payload)
    await _prompt(update, context, _, payload)


async def _carer_candidates(
    context: CourtyardContext, building_id: int
) -> list[tuple[int, str, CarerRelation]]:
    """The building's heads and volunteers who can be written to."""
    found = []
    for a in await context.services.roles.in_building(building_id):
        if not a.started_bot:
            continue
        if a.role is CommunityRole.HEAD:
            found.append((a.person_id, a.person_name, CarerRelation.HEAD))
        elif a.level is StaffLevel.VOLUNTEER:
            found.append((a.person_id, a.person_name, CarerRelation.VOLUNTEER))
    return found


async def _prompt(
    update: Update, context: CourtyardContext, _: Translator, payload: dict[str, Any]
) -> None:
    step = payload["step"]
    services = context.services
    if step == "building":
        buildings = await services.buildings.all()
        rows = [
            [InlineKeyboardButton(b.name, callback_data=f"cw:b:{b.id}")] for b in buildings[:20]
        ]
        await _send(update, context, _("Which building do they live in?"), rows)
    elif step == "name":
        await _send(update, context, _("What do neighbours call them? (for example 王奶奶)"))
    elif step == "flat":
        await _send(
            update,
            context,
            _("Which flat? Send it as unit-room, e.g. 3-502, or - if you prefer not to say."),
        )
    elif step == "telegram":
        await _send(
            update,
            context,
            _(
                "Are they on Telegram? Send their @username (they must have started me), or press "
                "the button."
            ),
            [[InlineKeyboardButton(_("Not on Telegram"), callback_data="cw:tg:no")]],
        )
    elif step == "note":
        await _send(
            update,
            context,
            _(
                "Please write down how and when they agreed (e.g. “agreed at her door on 11-20, "
                "daughter present”)."
            ),
        )
    elif step == "cadence":
        rows = [
            [InlineKeyboardButton(cadence_name(_, c), callback_data=f"cw:c:{int(c)}")]
            for c in Cadence
        ]
        await _send(
            update,
            context,
            _("How often should I ask {name} whether all is well?").format(
                name=escape(payload["name"])
            ),
            rows,
        )
    elif step == "time":
        rows = [
            [
                InlineKeyboardButton(
                    t.strftime("%H:%M"), callback_data=f"cw:t:{t.strftime('%H%M')}"
                )
                for t in CHECK_TIMES
            ]
        ]
        await _send(
            update, context, _("At what time? Choose, or send a time such as 08:30."), rows
        )
    elif step == "carers":
        await _prompt_carers(update, context, _, payload)
    else:
        await _confirm(update, context, _, payload)


async def _prompt_carers(
    update: Update, context: CourtyardContext, _: Translator, payload: dict[str, Any]
) -> None:
    chosen = {int(pid) for pid, _relation in payload["carers"]}
    names = []
    for number, (pid, relation) in enumerate(payload["carers"], start=1):
        person = await context.services.people.get(int(pid))
        name = person.display_name if person else str(pid)
        names.append(f"{number}. {escape(name)} ({relation_name(_, CarerRelation(relation))})")
    rows = [
        [
            InlineKeyboardButton(
                f"➕ {name} ({relation_name(_, relation)})",
                callback_data=f"cw:add:{pid}:{relation.value}",
            )
        ]
        for pid, name, relation in await _carer_candidates(context, int(payload["building_id"]))
        if pid not in chosen and pid != payload.get("person_id")
    ][:8]
    if payload["carers"]:
        rows.append([InlineKeyboardButton(_("✅ Done"), callback_data="cw:done:0")])
    lines = [
        _(
            "Who looks after {name}? Tap to add carers in order (the first is alerted first); for "
            "a relative, send their @username."
        ).format(name=escape(payload["name"])),
        *names,
    ]
    await _send(update, context, "\n".join(lines), rows)


async def _confirm(
    update: Update, context: CourtyardContext, _: Translator, payload: dict[str, Any]
) -> None:
    lines = [
        _("🤝 <b>{name}</b> {flat}").format(
            name=escape(payload["name"]), flat=escape(payload.get("flat") or "")
        ),
        _("Check-in {cadence} at {time}").format(
            cadence=cadence_name(_, Cadence(payload["cadence"])), time=payload["time"]
        ),
        _("Not on Telegram: their carers confirm “seen today”.")
        if payload.get("person_id") is None
        else "",
    ]
    rows = [
        [
            InlineKeyboardButton(_("✅ Save"), callback_data="cw:save:0"),
            InlineKeyboardButton(_("❌ Cancel"), callback_data="cw:x:0"),
        ]
    ]
    await _send(update, context, "\n".join(line for line in lines if line), rows)


async def continue_text(
    update: Update, context: CourtyardContext, conversation: Conversation
) -> None:
    _ = await translator_for(update, context)
    message = update.effective_message
    if message is None or not message.text:
        return
    text = " ".join(message.text.split())
    payload = dict(conversation.payload)
    step = payload.get("step")
    services = context.services
    if step == "name" and 0 < len(text) <= MAX_NAME:
        payload["name"], payload["step"] = text, "flat"
    elif step == "flat":
        flat = None if text in ("-", "—") else parse_flat(text)
        if flat is None and text not in ("-", "—"):
            await reply(update, _("Send the flat as unit-room, e.g. 3-502, or -."))
            return
        payload["flat"], payload["step"] = (flat.label if flat else None), "telegram"
    elif step in ("telegram", "carers") and text.startswith("@"):
        person = await services.people.find_by_username(text[1:])
        if person is None or not person.started_bot:
            await reply(
                update,
                _(
                    "I do not know {username} yet: they need to start me first (send me /start)."
                ).format(username=escape(text)),
            )
            return
        if step == "telegram":
            payload["person_id"] = person.id
            payload["step"] = "note" if payload["consent"] == Consent.SPOKEN.value else "cadence"
        elif len(payload["carers"]) < MAX_CARERS and person.id not in {
            int(p) for p, _r in payload["carers"]
        }:
            payload["carers"].append([person.id, CarerRelation.RELATIVE.value])
    elif step == "note" and 0 < len(text) <= MAX_NOTE:
        payload["note"], payload["step"] = text, "cadence"
    elif step == "time" and (match := _TIME.match(text)):
        payload["time"], payload["step"] = f"{int(match.group(1)):02d}:{match.group(2)}", "carers"
    else:
        await reply(update, _("Please answer the question above (or use its buttons)."))
        return
    await _save_and_prompt(update, context, _, payload)


async def on_button(update: Update, context: CourtyardContext) -> None:
    query = update.callback_query
    assert query is not None
    _ = await translator_for(update, context)
    services = context.services
    user_id = sender_id(update)
    conversation = await services.conversations.current(user_id)
    match = ENROL_CALLBACK.match(query.data or "")
    if match is None or conversation is None or conversation.kind != CONVERSATION_CARE_ENROL:
        await answer_quietly(query, _("This button is out of date."), show_alert=True)
        return
    await answer_quietly(query)
    action, value, extra = match.groups()
    payload = dict(conversation.payload)
    if action == "x":
        await services.conversations.end(user_id)
        await edit_quietly(query, _("Nobody was added to the care list."))
        return
    if action == "k" and payload.get("step") == "kind":
        if value == "spoken" and not await managed_buildings(update, context):
            await edit_quietly(query, refusal(_))
            return
        payload["consent"] = Consent.SPOKEN.value if value == "spoken" else Consent.FAMILY.value
        if value == "family":
            payload["carers"] = [[user_id, CarerRelation.RELATIVE.value]]
        payload["step"] = "building"
    elif action == "b" and payload.get("step") == "building" and value.isdigit():
        building = await services.buildings.get(int(value))
        if building is None:
            return
        if payload["consent"] == Consent.SPOKEN.value and not await services.access.may_manage(
            context.bot, user_id, building
        ):
            await edit_quietly(query, refusal(_))
            return
        payload["building_id"], payload["step"] = building.id, "name"
    elif action == "tg" and payload.get("step") == "telegram":
        payload["person_id"] = None
        payload["step"] = "note" if payload["consent"] == Consent.SPOKEN.value else "cadence"
    elif (
        action == "c"
        and payload.get("step") == "cadence"
        and value.isdigit()
        and int(value) in {int(c) for c in Cadence}
    ):
        payload["cadence"], payload["step"] = int(value), "time"
    elif action == "t" and payload.get("step") == "time" and len(value) == 4 and value.isdigit():
        payload["time"], payload["step"] = f"{value[:2]}:{value[2:]}", "carers"
    elif action == "add" and payload.get("step") == "carers" and value.isdigit() and extra:
        candidates = {
            pid: relation
            for pid, _name, relation in await _carer_candidates(
                context, int(payload["building_id"])
            )
        }
        pid = int(value)
        if (
            pid in candidates
            and len(payload["carers"]) < MAX_CARERS
            and pid not in {int(p) for p, _r in payload["carers"]}
        ):
            payload["carers"].append([pid, candidates[pid].value])
    elif action == "done" and payload.get("step") == "carers" and payload["carers"]:
        payload["step"] = "confirm"
    elif action == "save" and payload.get("step") == "confirm":
        await save_enrolment(update, context, _, payload)
        return
    else:
        await answer_quietly(query, _("This button is out of date."), show_alert=True)
        return
    await _save_and_prompt(update, context, _, payload)


def handlers() -> list[CourtyardHandler]:
    return [CallbackQueryHandler(on_button, pattern=ENROL_CALLBACK)]
