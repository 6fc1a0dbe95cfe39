"""Messages as the page shows them: bubbles with replies, photos, files, buttons, edits."""

from __future__ import annotations

from datetime import datetime
from html import escape

from bot.i18n import N_
from bot.sandbox.models import Json, SentMessage
from bot.sandbox.views import file_url
from bot.sandbox.web.entities import render_text
from bot.sandbox.web.view import View

WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)
MONTHS = (
    N_("January"),
    N_("February"),
    N_("March"),
    N_("April"),
    N_("May"),
    N_("June"),
    N_("July"),
    N_("August"),
    N_("September"),
    N_("October"),
    N_("November"),
    N_("December"),
)
_SNIPPET = 80


def day_label(view: View, moment: datetime) -> str:
    """ "Monday, 30 November" (or 11月30日 星期一)."""
    _ = view._
    return _("{weekday}, {day} {month_name}").format(
        weekday=_(WEEKDAYS[moment.weekday()]),
        day=moment.day,
        month_name=_(MONTHS[moment.month - 1]),
    )


def day_key(view: View, message: SentMessage) -> str:
    """The community-time date of a message, as an element id."""
    return view.local_time(message.date).strftime("day-%Y%m%d")


def render_day(view: View, message: SentMessage) -> str:
    """The date chip shown before the first message of a day."""
    label = escape(day_label(view, view.local_time(message.date)))
    return f'<li class="day" id="{day_key(view, message)}"><span>{label}</span></li>'


def sender_name(view: View, message: SentMessage) -> str:
    """How a sender is named on the page."""
    return message.sender.full_name


def render_message(view: View, message: SentMessage) -> str:
    """One message as an ``<li>`` (an empty hidden one once deleted)."""
    if message.deleted:
        return f'<li id="m-{message.message_id}" hidden></li>'
    if message.service:
        return _render_service(view, message)
    _ = view._
    mine = message.sender is view.viewer
    side = "from-me" if mine else ("from-bot" if message.from_bot else "from-other")
    parts = ['<div class="bubble">']
    if not mine and (view.chat.is_group or not message.from_bot):
        parts.append(f'<p class="sender">{escape(sender_name(view, message))}</p>')
    parts.append(_reply_quote(view, message))
    parts.append(_media(view, message))
    body = _body(view, message)
    if body:
        parts.append(f'<div class="text">{body}</div>')
    parts.append(_meta(view, message))
    parts.append("</div>")
    parts.append(_keyboard(view, message))
    reply_label = _("Reply")
    snippet = escape(_snippet(message.content), quote=True)
    reply = (
        f'<a class="reply-link" href="{escape(view.url(reply=str(message.message_id)))}"'
        f' data-reply="{message.message_id}" data-snippet="{snippet}"'
        f' aria-label="{escape(reply_label)}: {snippet}">↩ {escape(reply_label)}</a>'
    )
    parts.append(f'<div class="actions">{reply}{_pin(view, message)}</div>')
    return (
        f'<li class="msg {side}" id="m-{message.message_id}" '
        f'data-day="{day_key(view, message)}">{"".join(parts)}</li>'
    )


def _body(view: View, message: SentMessage) -> str:
    if message.text is not None:
        return render_text(message.text, message.entities, view.link)
    if message.caption:
        return render_text(message.caption, message.caption_entities, view.link)
    if message.poll is not None:
        return escape(message.poll.question)
    return ""


def _snippet(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= _SNIPPET else line[: _SNIPPET - 1] + "…"


def _reply_quote(view: View, message: SentMessage) -> str:
    if message.reply_to is None:
        return ""
    replied = view.chat.history.get(message.reply_to)
    if replied is None or replied.deleted:
        return ""
    _ = view._
    what = _snippet(replied.content) or (_("Photo") if replied.photo else "…")
    return (
        f'<a class="quote" href="#m-{replied.message_id}">'
        f"<strong>{escape(sender_name(view, replied))}</strong> {escape(what)}</a>"
    )


def _media(view: View, message: SentMessage) -> str:
    _ = view._
    if message.photo:
        url = file_url(message.photo[-1]["file_id"])
        alt = _snippet(message.caption or "") or _("Photo")
        return (
            f'<a class="photo" href="{escape(url)}" target="_blank">'
            f'<img src="{escape(url)}" alt="{escape(alt)}" loading="lazy"></a>'
        )
    if message.document is not None:
        stored = message.document
        name = stored.filename or _("file")
        size = max(1, round(len(stored.content) / 1024))
        label = _("Download {name} ({size} KB)").format(name=name, size=size)
        return (
            f'<a class="document" href="{escape(file_url(stored.file_id))}" '
            f'download="{escape(name)}"><span aria-hidden="true">📄</span> {escape(label)}</a>'
        )
    return ""


def _meta(view: View, message: SentMessage) -> str:
    _ = view._
    moment = view.local_time(message.date)
    edited_label, pinned_label = escape(_("edited")), escape(_("pinned"))
    edited = f" · {edited_label}" if message.edit_date is not None else ""
    pinned = f' · <span aria-label="{pinned_label}">📌</span>' if message.pinned else ""
    return (
        f'<p class="meta"><time datetime="{moment.isoformat()}" '
        f'title="{escape(day_label(view, moment))}">{moment:%H:%M}</time>{edited}{pinned}</p>'
    )


def _keyboard(view: View, message: SentMessage) -> str:
    rows = (message.reply_markup or {}).get("inline_keyboard") or []
    if not rows or not message.from_bot:
        return ""
    _ = view._
    out = [
        '<form class="keyboard" method="post" action="/sandbox/do/press" data-enhance>',
        view.hidden_fields(),
        f'<input type="hidden" name="message_id" value="{message.message_id}">',
    ]
    for row in rows:
        out.append('<div class="row">')
        out.extend(_button(view, button) for button in row)
        out.append("</div>")
    out.append("</form>")
    label = escape(_("Buttons"))
    return f'<div class="buttons" role="group" aria-label="{label}">{"".join(out)}</div>'


def _pin(view: View, message: SentMessage) -> str:
    """Group administrators may pin a message, as in Telegram."""
    chat = view.chat
    if message.pinned or not chat.is_group:
        return ""
    if chat.status_of(view.viewer.id) not in ("administrator", "creator"):
        return ""
    label = escape(view._("Pin"))
    return (
        '<form class="pin" method="post" action="/sandbox/do/pin" data-enhance>'
        f'{view.hidden_fields()}<input type="hidden" name="message_id" '
        f'value="{message.message_id}"><button type="submit">📌 {label}</button></form>'
    )


def _button(view: View, button: Json) -> str:
    text = escape(str(button.get("text", "")))
    if "callback_data" in button:
        data = escape(str(button["callback_data"]), quote=True)
        return f'<button type="submit" name="data" value="{data}">{text}</button>'
    href = view.link(str(button.get("url", ""))) if "url" in button else None
    if href is not None:
        return f'<a class="button" href="{escape(href)}">{text} ↗</a>'
    return f'<button type="button" disabled>{text}</button>'


def _render_service(view: View, message: SentMessage) -> str:
    _ = view._
    service = message.service
    actor = sender_name(view, message)
    if "new_chat_members" in service:
        names = ", ".join(str(m.get("first_name", "")) for m in service["new_chat_members"])
        text = _("{actor} added {names}").format(actor=actor, names=names)
    elif "left_chat_member" in service:
        name = str(service["left_chat_member"].get("first_name", ""))
        text = _("{name} left the group").format(name=name)
    elif "pinned_message" in service:
        text = _("{actor} pinned a message").format(actor=actor)
    else:
        text = _("{actor} changed the group").format(actor=actor)
    return (
        f'<li class="service" id="m-{message.message_id}" data-day="{day_key(view, message)}">'
        f"<span>{escape(text)}</span></li>"
    )


def render_history(view: View, messages: list[SentMessage]) -> str:
    """A chat's messages with a date chip before each new day."""
    out: list[str] = []
    last_day = ""
    for message in messages:
        if message.deleted:
            continue
        key = day_key(view, message)
        if key != last_day:
            out.append(render_day(view, message))
            last_day = key
        out.append(render_message(view, message))
    return "".join(out)
