"""The staff digest's content (one member's open requests), and /digest to set its time."""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from telegram import Update

from bot.context import CourtyardContext
from bot.domain.digest import (
    DIGEST_SHOWN,
    most_pressing,
    order_for_digest,
    target_seconds,
    watched_deadline,
)
from bot.domain.lifecycle import RequestStatus
from bot.domain.sla import Urgency
from bot.i18n import Translator
from handlers.common import chunk_lines, escape, reply, sender_id, translator_for
from handlers.labels import category_name
from handlers.reminder_common import hours_text
from handlers.request_cards import shorten
from storage.digest_reads import DigestCard
from storage.outbox import OutgoingMessage

DIGEST_BUTTONS = 8  # under the last message: the first requests' next step, two a row
# A request whose building was deleted keeps the community's targets (no building has id 0).
_NO_BUILDING = 0


@dataclass(slots=True)
class DigestEntry:
    """A card with what `most_pressing` sorts by (Unix seconds)."""

    request_id: int
    created_at: int
    deadline: int
    card: DigestCard


class _Remembering(Translator):
    """A translator that looks each message up once: a district's digests ask for the same
    dozen strings hundreds of thousands of times."""

    def __init__(self, inner: Translator) -> None:
        super().__init__(inner.language, gettext.NullTranslations())
        self._inner = inner
        self._known: dict[str, str] = {}

    def gettext(self, message: str) -> str:
        known = self._known.get(message)
        if known is None:
            known = self._known[message] = self._inner.gettext(message)
        return known

    __call__ = gettext

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self._inner.ngettext(singular, plural, count)


class DigestWriter:
    """Writes one job run's digests (SLA targets are looked up once per kind of request, and
    the words for an age once per language and hour)."""

    def __init__(self, context: CourtyardContext, now: datetime) -> None:
        services = context.services
        self._sla = services.sla
        self._now = int(now.timestamp())
        self._day = now.astimezone(services.settings.community.timezone).date().isoformat()
        # By (category, urgent), or (category, urgent, building) for a building with targets
        # of its own: a district has 20,000 kinds of request by building, and few overrides.
        self._targets: dict[tuple[str, bool] | tuple[str, bool, int | None], tuple[int, int]] = {}
        self._own_targets = services.sla.building_overrides.keys()
        self._translators: dict[str, Translator] = {}
        # Words by (language, kind) and minutes: a district's digests show 60,000 lines a run,
        # with a few hundred different ages, and the same dozen categories.
        self._words: dict[tuple[str, str], dict[int, str]] = {}
        self._categories: dict[tuple[str, str], str] = {}

    def messages(
        self, person_id: int, cards: list[DigestCard], _: Translator
    ) -> list[OutgoingMessage]:
        """The digest of `cards` (the person's open requests): the most pressing
        `DIGEST_SHOWN`, the others counted, in as many messages as it needs (buttons under the
        last one). No cards, no message."""
        if not cards:
            return []
        _ = self._translators.get(_.language) or self._translators.setdefault(
            _.language, _Remembering(_)
        )
        shown = most_pressing(self._entries(cards), self._now, DIGEST_SHOWN)
        lines = [_("☀️ <b>Your open requests</b> ({count})").format(count=len(cards))]
        lines += [self.line(entry, _) for entry in shown]
        if len(cards) > len(shown):
            lines.append(_("…and {count} more: /mine").format(count=len(cards) - len(shown)))
        keyboard = _keyboard([entry.card for entry in shown[:DIGEST_BUTTONS]], _)
        key = f"digest:{person_id}:{self._day}"
        chunks = chunk_lines(lines)
        return [
            OutgoingMessage(
                dedup_key=key if index == 0 else f"{key}:{index}",
                chat_id=person_id,
                text=chunk,
                reply_markup=keyboard if index == len(chunks) - 1 else None,
            )
            for index, chunk in enumerate(chunks)
        ]

    def ordered(self, cards: list[DigestCard]) -> list[DigestEntry]:
        """Every card, most pressing first (what `/mine` pages through)."""
        return order_for_digest(self._entries(cards), self._now)

    def _entries(self, cards: list[DigestCard]) -> list[DigestEntry]:
        return [
            DigestEntry(card.request_id, card.created_at, self._deadline(card), card)
            for card in cards
        ]

    def _deadline(self, card: DigestCard) -> int:
        building = card.building_id
        kind: tuple[str, bool] | tuple[str, bool, int | None] = (
            (card.category, card.urgent, building)
            if building in self._own_targets
            else (card.category, card.urgent)
        )
        targets = self._targets.get(kind)
        if targets is None:
            urgency = Urgency.URGENT if card.urgent else Urgency.NORMAL
            building = _NO_BUILDING if building is None else building
            targets = target_seconds(self._sla.targets_for(card.category, urgency, building))
            self._targets[kind] = targets
        return watched_deadline(targets, card.created_at, card.responded_at, card.reopened_at)

    def line(self, entry: DigestEntry, _: Translator) -> str:
        """One request: number, category, age, what is due and when, its first words."""
        card, now = entry.card, self._now
        late = now - entry.deadline
        flag = self._words_for(_, "overdue" if late >= 0 else "due in", abs(late))
        age = self._words_for(_, "open for", now - card.created_at)
        category = self._categories.get((_.language, card.category))
        if category is None:
            category = escape(category_name(_, card.category))
            self._categories[(_.language, card.category)] = category
        return (
            f"{'🚨 ' if card.urgent else ''}<b>#{card.request_id}</b> {category} · {age} · "
            f"{flag}\n   {escape(shorten(card.description, 80))}"
        )

    def _words_for(self, _: Translator, kind: str, seconds: int) -> str:
        """The words for `seconds` as `kind` says: open for 3 h, ⚠️ 2 d 1 h overdue, due in
        20 min. Remembered (past an hour they change only by the hour)."""
        known = self._words.get((_.language, kind))
        if known is None:
            known = self._words[(_.language, kind)] = {}
        minutes = seconds // 60 if seconds > 0 else 0
        if minutes >= 60:
            minutes -= minutes % 60
        words = known.get(minutes)
        if words is None:
            span = hours_text(_, timedelta(minutes=minutes))
            if kind == "overdue":
                words = _("⚠️ {overdue} overdue").format(overdue=span)
            elif kind == "due in":
                words = _("due in {left}").format(left=span)
            else:
                words = _("open for {age}").format(age=span)
            known[minutes] = words
        return words


def action_rows(cards: list[DigestCard], _: Translator) -> list[list[dict[str, str]]]:
    """Each card's next step, two buttons a row."""
    buttons = [_button(card, _) for card in cards]
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


def _keyboard(cards: list[DigestCard], _: Translator) -> dict[str, Any]:
    """A button per card, two a row: the Bot API's `InlineKeyboardMarkup` as a dict
    (building PTB's objects and `to_dict` cost 0.2 ms a digest)."""
    return {"inline_keyboard": action_rows(cards, _)}


def _button(card: DigestCard, _: Translator) -> dict[str, str]:
    """Take a request nobody has in hand; resolve one in hand."""
    if card.status in (RequestStatus.NEW, RequestStatus.REOPENED):
        text, action = _("🛠 Take #{number}"), "take"
    else:
        text, action = _("✅ Resolved #{number}"), "resolve"
    return {
        "text": text.format(number=card.request_id),
        "callback_data": f"rq:{action}:{card.request_id}",
    }


async def digest(update: Update, context: CourtyardContext) -> None:
    """`/digest HH:MM` sets your daily digest time; `/digest off` pauses it, `/digest on`."""
    _ = await translator_for(update, context)
    services = context.services
    user_id = sender_id(update)
    if user_id not in await services.roles.staff_people():
        await reply(update, _("The daily digest is for staff members."))
        return
    args = context.args or []
    current = await services.staff_settings.get(user_id)
    default = services.settings.staff.digest_time
    usage = _("Usage: /digest HH:MM (e.g. /digest 08:30), /digest off or /digest on")
    if len(args) != 1:
        shown = (current.digest_time or default).strftime("%H:%M")
        state = _("paused") if current.paused else _("daily at {time}").format(time=shown)
        await reply(update, _("Your digest: {state}.").format(state=state) + "\n" + usage)
        return
    word = args[0].lower()
    if word in ("off", "关", "关闭", "pause"):
        await services.staff_settings.set_digest(user_id, current.digest_time, paused=True)
        await reply(update, _("Your daily digest is paused. Send /digest on to resume."))
        return
    if word in ("on", "开", "开启", "resume"):
        await services.staff_settings.set_digest(user_id, current.digest_time, paused=False)
        shown = (current.digest_time or default).strftime("%H:%M")
        await reply(update, _("Your daily digest is on, at {time}.").format(time=shown))
        return
    try:
        chosen = time.fromisoformat(word.replace("：", ":").zfill(5))
    except ValueError:
        chosen = None
    if chosen is None or chosen.tzinfo is not None:
        # The digest follows the community's clock; an offset would only confuse it.
        await reply(update, usage)
        return
    await services.staff_settings.set_digest(user_id, chosen, paused=False)
    await reply(
        update, _("Your daily digest now comes at {time}.").format(time=chosen.strftime("%H:%M"))
    )
