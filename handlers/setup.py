"""/setup: link a group to a building and change the building's settings."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.config import parse_quiet_hours
from bot.context import CourtyardContext, CourtyardHandler
from bot.domain.building_names import clean_name
from bot.i18n import Translator, normalize_language
from handlers.building_approval import ask_admins, may_create_directly
from handlers.common import (
    answer_quietly,
    building_of_chat,
    edit_quietly,
    escape,
    is_private,
    may_manage,
    refusal,
    reply,
    sender_id,
    translator_for,
    whole_number,
)
from storage.buildings import Building

MAX_BUILDING_NAME = 60
UNLINK_CALLBACK = re.compile(r"^setup:unlink:(\d+)$")


def usage(_: Translator) -> str:
    return escape(
        _(
            "Usage:\n"
            "/setup <building name> — link this group to a building\n"
            "/setup households <number> — how many households the building has\n"
            "/setup language zh|en — the building's language\n"
            "/setup timezone <Area/City> — e.g. Asia/Shanghai\n"
            "/setup quiet 22:00-07:00 — quiet hours (or off)\n"
            "/setup approve auto|manual — approve household registrations automatically?\n"
            "/setup polls heads|everyone — who may start polls\n"
            "/setup public on|off — offer the building in everyone's private lists (admins)\n"
            "/setup unlink — unlink this group"
        )
    )


def describe(_: Translator, building: Building, default_tz: str, chats: int) -> str:
    quiet = (
        f"{building.quiet_start:%H:%M}–{building.quiet_end:%H:%M}"
        if building.quiet_start is not None and building.quiet_end is not None
        else _("default")
    )
    if building.quiet_start is not None and building.quiet_start == building.quiet_end:
        quiet = _("off")
    return _(
        "🏠 This group is linked to <b>{name}</b> ({chats} linked chat(s)).\n"
        "Households: {households}\n"
        "Language: {language} · Time zone: {timezone} · Quiet hours: {quiet}\n"
        "Household registrations: {approve} · Polls: {polls}"
    ).format(
        name=escape(building.name),
        chats=chats,
        households=building.total_households or _("not set"),
        language=building.language or _("default"),
        timezone=building.timezone or default_tz,
        quiet=quiet,
        approve=_("approved automatically") if building.auto_approve else _("approved by heads"),
        polls=_("anyone may start") if building.residents_may_poll else _("heads only"),
    )


async def setup(update: Update, context: CourtyardContext) -> None:
    """Link the group to a building, show the link, or change a building setting."""
    _ = await translator_for(update, context)
    chat = update.effective_chat
    if chat is None:
        return
    if is_private(update):
        await reply(update, _("Please use /setup in your building's group chat."))
        return
    building = await building_of_chat(update, context)
    if not await may_manage(update, context, building):
        await reply(update, refusal(_))
        return
    args = context.args or []
    services = context.services
    if not args:
        if building is None:
            await reply(update, usage(_))
            return
        await _show(update, context, building, _)
        return
    keyword = args[0].lower()
    if keyword in SETTINGS and building is not None:
        await SETTINGS[keyword](update, context, building, args[1:], _)
        return
    if keyword in SETTINGS or keyword == "unlink":
        if building is None:
            await reply(
                update, escape(_("Link this group to a building first: /setup <building name>"))
            )
            return
        await services.buildings.link_chat(chat.id, None)
        await reply(
            update, _("Unlinked this group from {name}.").format(name=escape(building.name))
        )
        return
    # What residents will see: nothing invisible, no width or direction tricks.
    name = clean_name(" ".join(args))
    if not name:
        await reply(update, usage(_))
        return
    if len(name) > MAX_BUILDING_NAME:
        await reply(
            update,
            _("That name is too long (at most {limit} characters).").format(
                limit=MAX_BUILDING_NAME
            ),
        )
        return
    await _link(update, context, building, name, _)


async def _link(
    update: Update,
    context: CourtyardContext,
    current: Building | None,
    name: str,
    _: Translator,
) -> None:
    services = context.services
    chat = update.effective_chat
    assert chat is not None
    if current is not None and current.name.casefold() == name.casefold():
        await reply(
            update, _("This group is already linked to {name}.").format(name=escape(current.name))
        )
        return
    existing = await services.buildings.find(name)
    if existing is not None and not await services.access.may_manage(
        context.bot, sender_id(update), existing
    ):
        # Otherwise any group's admins could make themselves heads of someone else's building.
        await reply(
            update,
            _(
                "{name} already exists. Only its building heads or a community admin can link "
                "another group to it."
            ).format(name=escape(existing.name)),
        )
        return
    if existing is None:
        look_alike = await services.buildings.look_alike(name)
        if look_alike is not None:
            await reply(
                update,
                _(
                    "“{name}” looks too much like the existing building “{existing}”. Use "
                    "exactly that name to link this group to it, or choose a clearly "
                    "different name."
                ).format(name=escape(name), existing=escape(look_alike.name)),
            )
            return
        if not may_create_directly(context, sender_id(update)):
            await ask_admins(update, context, name, _)
            return
    building, created = await services.buildings.ensure(name)
    await services.buildings.link_chat(chat.id, building.id)
    if current is not None:
        text = _("Moved this group from {old} to {new}.").format(
            old=escape(current.name), new=escape(building.name)
        )
    elif created:
        text = _("✅ Created building <b>{name}</b> and linked this group to it.").format(
            name=escape(building.name)
        )
    else:
        text = _("✅ Linked this group to <b>{name}</b>.").format(name=escape(building.name))
    text += "\n\n" + escape(
        _(
            "Next steps:\n"
            "• /setup households <number> — so registration coverage can be shown\n"
            "• /staff add <categories> [level] — reply to a staff member's message\n"
            "• residents register their flat privately with /join"
        )
    )
    await reply(update, text)


async def _show(
    update: Update, context: CourtyardContext, building: Building, _: Translator
) -> None:
    services = context.services
    chats = len(await services.buildings.chats_of(building.id))
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("Unlink this group"), callback_data=f"setup:unlink:{building.id}"
                )
            ]
        ]
    )
    text = describe(_, building, services.settings.community.timezone.key, chats)
    await reply(update, text + "\n\n" + usage(_), reply_markup=keyboard)


async def _set_households(
    update: Update,
    context: CourtyardContext,
    building: Building,
    args: list[str],
    _: Translator,
) -> None:
    total = whole_number(args[0]) if len(args) == 1 else None
    if total is None or not 0 < total <= 100_000:
        await reply(
            update, escape(_("Usage: /setup households <number>, e.g. /setup households 706"))
        )
        return
    await context.services.buildings.update(building.id, total_households=total)
    await reply(
        update,
        _("Saved: {name} has {count} households.").format(name=escape(building.name), count=total),
    )


async def _set_language(
    update: Update,
    context: CourtyardContext,
    building: Building,
    args: list[str],
    _: Translator,
) -> None:
    language = normalize_language(args[0]) if len(args) == 1 else None
    if language is None:
        await reply(update, _("Usage: /setup language zh|en"))
        return
    await context.services.buildings.update(building.id, language=language)
    await reply(
        update, _("Saved: the building's language is {language}.").format(language=language)
    )


async def _set_timezone(
    update: Update,
    context: CourtyardContext,
    building: Building,
    args: list[str],
    _: Translator,
) -> None:
    try:
        zone = ZoneInfo(args[0]) if len(args) == 1 else None
    except (ZoneInfoNotFoundError, ValueError):
        zone = None
    if zone is None:
        await reply(update, escape(_("Usage: /setup timezone <Area/City>, e.g. Asia/Shanghai")))
        return
    await context.services.buildings.update(building.id, timezone=zone.key)
    await reply(update, _("Saved: the building's time zone is {zone}.").format(zone=zone.key))


async def _set_quiet(
    update: Update,
    context: CourtyardContext,
    building: Building,
    args: list[str],
    _: Translator,
) -> None:
    hours = parse_quiet_hours("".join(args)) if args else None
    if hours is None:
        await reply(update, _("Usage: /setup quiet 22:00-07:00 (or /setup quiet off)"))
        return
    start, end = hours
    await context.services.buildings.update(building.id, quiet_start=start, quiet_end=end)
    if start == end:
        await reply(update, _("Saved: no quiet hours; reminders may arrive at any time."))
    else:
        await reply(
            update,
            _("Saved: quiet hours {start}–{end}.").format(
                start=f"{start:%H:%M}", end=f"{end:%H:%M}"
            ),
        )


async def _set_approve(
    update: Update,
    context: CourtyardContext,
    building: Building,
    args: list[str],
    _: Translator,
) -> None:
    choice = args[0].lower() if len(args) == 1 else ""
    if choice not in ("auto", "manual", "自动", "人工"):
        await reply(update, _("Usage: /setup approve auto|manual"))
        return
    automatic = choice in ("auto", "自动")
    await context.services.buildings.update(building.id, auto_approve=int(automatic))
    await reply(
        update,
        _("Saved: household registrations are approved automatically.")
        if automatic
        else _("Saved: building heads approve household registrations."),
    )


async def _set_polls(
    update: Update,
    context: CourtyardContext,
    building: Building,
    args: list[str],
    _: Translator,
) -> None:
    choice = args[0].lower() if len(args) == 1 else ""
    if choice not in ("heads", "everyone", "楼栋长", "所有人"):
        await reply(update, _("Usage: /setup polls heads|everyone"))
        return
    everyone = choice in ("everyone", "所有人")
    await context.services.buildings.update(building.id, residents_may_poll=int(everyone))
    await reply(
        update,
        _("Saved: any resident may start a poll.")
        if everyone
        else _("Saved: only building heads may start polls."),
    )


async def _set_public(
    update: Update,
    context: CourtyardContext,
    building: Building,
    args: list[str],
    _: Translator,
) -> None:
    """Offer the building in everyone's private /join and /report (community admins)."""
    if not context.services.access.is_admin(sender_id(update)):
        await reply(update, _("Sorry, only community admins can do that."))
        return
    choice = args[0].lower() if len(args) == 1 else ""
    if choice not in ("on", "off", "开", "关"):
        await reply(update, _("Usage: /setup public on|off"))
        return
    public = choice in ("on", "开")
    await context.services.buildings.update(building.id, public=int(public))
    text = (
        _("Saved: everyone can pick {name} when registering or reporting privately.")
        if public
        else _("Saved: only its residents, heads and staff see {name} in private lists.")
    )
    await reply(update, text.format(name=escape(building.name)))


SETTINGS = {
    "households": _set_households,
    "language": _set_language,
    "timezone": _set_timezone,
    "quiet": _set_quiet,
    "approve": _set_approve,
    "polls": _set_polls,
    "public": _set_public,
}


async def unlink_button(update: Update, context: CourtyardContext) -> None:
    """The "Unlink this group" button; checks the presser's role again on the server."""
    query = update.callback_query
    chat = update.effective_chat
    if query is None or chat is None:
        return
    _ = await translator_for(update, context)
    match = UNLINK_CALLBACK.match(query.data or "")
    building = await building_of_chat(update, context)
    if match is None or building is None or building.id != int(match.group(1)):
        await answer_quietly(query, _("This button is out of date."), show_alert=True)
        return
    if not await may_manage(update, context, building):
        await answer_quietly(query, refusal(_), show_alert=True)
        return
    await context.services.buildings.link_chat(chat.id, None)
    await answer_quietly(query)
    await edit_quietly(
        query, _("Unlinked this group from {name}.").format(name=escape(building.name))
    )


def handlers() -> list[CourtyardHandler]:
    return [
        CommandHandler("setup", setup),
        CallbackQueryHandler(unlink_button, pattern=UNLINK_CALLBACK),
    ]
