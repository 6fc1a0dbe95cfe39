"""The page around the chat: people, chats, the clock, Telegram and the bot, the menu."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape

from bot.i18n import N_
from bot.sandbox.models import SimChat
from bot.sandbox.session import SandboxSession
from bot.sandbox.views import command_menu
from bot.sandbox.web.render import WEEKDAYS, day_label
from bot.sandbox.web.view import PRIVATE, View
from storage.polls import Poll

ROLE_LABELS = {"head": N_("building head"), "resident": N_("resident"), "staff": N_("staff")}
BOT_STATUS = {
    "starting": N_("starting…"),
    "running": N_("running"),
    "stopped": N_("stopped"),
    "killed": N_("killed — not running"),
    "exited": N_("exited — not running"),
}


@dataclass
class Backlog:
    """What waits for delivery: the bot's outbox, and updates the bot has not fetched."""

    outbox: int
    updates: int


def unread(session: SandboxSession, chat: SimChat) -> int:
    """The bot's messages in ``chat`` the page has not shown yet."""
    seen = session.seen.get(chat.id, 0)
    return sum(
        1
        for m in chat.history.values()
        if m.message_id > seen and m.from_bot and not m.deleted and not m.service
    )


def _badge(view: View, count: int) -> str:
    if not count:
        return ""
    label = escape(view._("New messages: {count}").format(count=count))
    return f' <span class="badge" aria-label="{label}">{count}</span>'


def render_personas(session: SandboxSession, view: View) -> str:
    """Who the page can act as; the current one is marked."""
    community = session.community
    if community is None:
        return ""
    _ = view._
    items = []
    for persona in community.personas:
        user = persona.user
        current = ' aria-current="true"' if user is view.viewer else ""
        count = unread(session, session.emulator.state.private_chat(user))
        role = " · ".join(
            filter(None, (_(ROLE_LABELS.get(persona.role, persona.role)), persona.about))
        )
        items.append(
            f'<li><a id="persona-{user.id}" href="{escape(view.url(viewer=user))}"{current}>'
            f'<span class="avatar" aria-hidden="true">{escape(user.first_name[:1])}</span>'
            f'<span class="who"><span class="name">{escape(user.full_name)}</span>'
            f'<span class="role">{escape(role)}</span></span>'
            f"{_badge(view, count)}</a></li>"
        )
    return f'<ul class="personas">{"".join(items)}</ul>'


def render_tabs(session: SandboxSession, view: View) -> str:
    """The chats of the current person: their groups and their private chat with the bot."""
    _ = view._
    state = session.emulator.state
    tabs: list[tuple[str, str, SimChat]] = [
        (str(chat.id), chat.title or "", chat)
        for chat in state.chats.values()
        if chat.is_group and chat.migrated_to is None and chat.is_present(view.viewer.id)
    ]
    bot_name = state.bot_user.first_name
    private = state.private_chat(view.viewer)
    tabs.append((PRIVATE, _("Private chat with {bot}").format(bot=bot_name), private))
    links = []
    for key, title, chat in tabs:
        current = ' aria-current="page"' if chat is view.chat else ""
        count = 0 if chat is view.chat else unread(session, chat)
        links.append(
            f'<a id="tab-{escape(key)}" href="{escape(view.url(chat=key))}"{current}>'
            f"{escape(title)}{_badge(view, count)}</a>"
        )
    return "".join(links)


def render_pinned(view: View) -> str:
    """The chat's latest pinned message, as Telegram shows it above the chat."""
    pinned = [m for m in view.chat.history.values() if m.pinned and not m.deleted]
    if not pinned:
        return ""
    message = pinned[-1]
    text = " ".join(message.content.split())[:120]
    label = escape(view._("Pinned message"))
    return (
        f'<a class="pinned" href="#m-{message.message_id}"><strong>📌 {label}</strong> '
        f"{escape(text)}</a>"
    )


def render_clock(session: SandboxSession, view: View, polls: list[Poll]) -> str:
    """The sandbox time and the buttons that move it."""
    _ = view._
    now = session.clock.now().astimezone(view.tz)
    community = session.community
    staff = community.settings.staff if community else None
    report_day = _(WEEKDAYS[staff.report_weekday if staff else 0])
    report_time = f"{staff.report_time:%H:%M}" if staff else "09:00"
    digest_time = f"{staff.digest_time:%H:%M}" if staff else "09:00"
    presets = [
        ("hour", _("+1 hour")),
        ("day", _("+1 day")),
        ("digest", _("Next {time} (daily digests)").format(time=digest_time)),
        (
            "report",
            _("Next {day} {time} (weekly report)").format(day=report_day, time=report_time),
        ),
    ]
    for poll in polls:
        closes = poll.closes_at.astimezone(view.tz)
        presets.append(
            (
                f"poll:{poll.id}",
                _("Deadline of poll #P{number} ({time})").format(
                    number=poll.id, time=f"{closes:%m-%d %H:%M}"
                ),
            )
        )
    buttons = "".join(
        f'<button type="submit" id="clock-{escape(key.replace(":", "-"))}" name="preset" '
        f'value="{escape(key)}">{escape(label)}</button>'
        for key, label in presets
    )
    return (
        f'<p class="now"><time datetime="{now.isoformat()}">'
        f"{escape(day_label(view, now))} <strong>{now:%H:%M}</strong></time> "
        f'<span class="zone">{escape(str(view.tz))}</span></p>'
        f'<form method="post" action="/sandbox/do/clock" class="stack" data-enhance>'
        f"{view.hidden_fields()}{buttons}</form>"
    )


def render_health(session: SandboxSession, view: View, backlog: Backlog) -> str:
    """Is Telegram answering, is the bot running, and what waits for delivery."""
    _ = view._
    supervisor = session.supervisor
    faults = session.emulator.faults
    left = faults.outage_seconds_left()
    status = _(BOT_STATUS.get(supervisor.status, supervisor.status)) if supervisor else "—"
    if left and faults.outage is not None:
        kind = "429" if faults.outage.kind == "flood" else "5xx"
        telegram = _("failing with {kind}, {seconds} s left").format(kind=kind, seconds=int(left))
    else:
        telegram = _("answering normally")
    lines = [
        (_("Bot"), status),
        (_("Telegram"), telegram),
        (_("Messages the bot still has to send (outbox)"), str(backlog.outbox)),
        (_("Updates the bot has not fetched yet"), str(backlog.updates)),
    ]
    facts = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in lines)
    alive = supervisor is not None and supervisor.status in ("starting", "running")
    actions = [
        ("server_error", _("Telegram fails (5xx) for a minute"), True),
        ("flood", _("Telegram says “too many requests” (429) for a minute"), True),
        ("clear", _("Telegram is back"), bool(left)),
    ]
    fault_buttons = "".join(
        f'<button type="submit" id="fault-{key}" name="kind" value="{key}"'
        f"{'' if enabled else ' disabled'}>{escape(label)}</button>"
        for key, label, enabled in actions
    )
    kill_label, start_label = escape(_("Kill the bot (kill -9)")), escape(_("Start the bot"))
    bot_buttons = (
        f'<button type="submit" id="bot-kill" name="action" value="kill"'
        f"{'' if alive else ' disabled'}>{kill_label}</button>"
        f'<button type="submit" id="bot-start" name="action" value="start"'
        f"{' disabled' if alive else ''}>{start_label}</button>"
    )
    return (
        f'<dl class="facts">{facts}</dl>'
        f'<form method="post" action="/sandbox/do/fault" class="stack" data-enhance>'
        f"{view.hidden_fields()}{fault_buttons}</form>"
        f'<form method="post" action="/sandbox/do/bot" class="stack" data-enhance>'
        f"{view.hidden_fields()}{bot_buttons}</form>"
    )


def render_log(session: SandboxSession) -> str:
    """The bot process's last log lines."""
    lines = session.supervisor.log_tail(30) if session.supervisor else []
    return escape("\n".join(lines))


def render_menu(session: SandboxSession, view: View) -> str:
    """The bot's command menu for this person in this chat (what setMyCommands set)."""
    commands = command_menu(session.emulator.state, view.chat, view.viewer)
    if not commands:
        return f'<p class="empty">{escape(view._("The bot has not set a menu yet."))}</p>'
    items = "".join(
        f'<li><button type="submit" name="command" value="/{escape(str(c["command"]))}">'
        f'<span class="cmd">/{escape(str(c["command"]))}</span> '
        f'<span class="desc">{escape(str(c["description"]))}</span></button></li>'
        for c in commands
    )
    return f'<ul class="menu-list">{items}</ul>'


def render_banner(session: SandboxSession, view: View) -> str:
    """Shown while the demo community is being prepared."""
    if not session.preparing:
        return ""
    text = view._(
        "Preparing the demo community ({progress})… a few days of history are being "
        "played through the bot."
    ).format(progress=session.preparing)
    return f'<p class="banner" role="status">{escape(text)}</p>'


def format_moment(view: View, moment: datetime) -> str:
    """A date and time in the community's zone, for notices."""
    local = moment.astimezone(view.tz)
    return f"{day_label(view, local)} {local:%H:%M}"
