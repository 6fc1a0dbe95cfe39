"""A need's card in the group: its text and support button, posted and refreshed (debounced)."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any, cast

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, TelegramError
from telegram.ext import JobQueue

from bot.context import CourtyardContext
from bot.domain.lists import NeedStatus
from bot.i18n import Translator
from handlers import board
from handlers.common import escape
from handlers.list_common import chat_translator, need_status
from storage.needs import Need

logger = logging.getLogger(__name__)


CARD_DELAY_SECONDS = 3.0  # support presses arriving together cost one card edit


def card_text(_: Translator, need: Need, *, reveal: bool = False) -> str:
    """The need's card; a privately proposed need's words only when `reveal` (its author
    and heads, in a private chat)."""
    lines = [
        _("🙋 <b>Need N{number}</b> · {status}").format(
            number=need.id, status=need_status(_, need.status)
        ),
        escape(need.text) if need.public or reveal else _("(proposed privately)"),
        _("👍 {count} households or neighbours support this").format(count=need.support),
    ]
    if need.status is NeedStatus.DECLINED and need.decline_reason:
        lines.append(_("Reason: {reason}").format(reason=escape(need.decline_reason)))
    if need.status is NeedStatus.MERGED and need.merged_into:
        lines.append(_("Merged into N{number}.").format(number=need.merged_into))
    return "\n".join(lines)


def card_keyboard(_: Translator, need: Need) -> InlineKeyboardMarkup | None:
    if not need.is_active:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("👍 Support ({count})").format(count=need.support),
                    callback_data=f"nd:s:{need.id}",
                )
            ]
        ]
    )


async def refresh_card(context: CourtyardContext, need_id: int) -> None:
    services = context.services
    need = await services.needs.get(need_id)
    if need is None or need.chat_id is None or need.card_message_id is None:
        return
    building = await services.buildings.get(need.building_id)
    _ = await chat_translator(context, need.chat_id, building)
    try:
        await context.bot.edit_message_text(
            card_text(_, need),
            need.chat_id,
            need.card_message_id,
            reply_markup=card_keyboard(_, need),
        )
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            logger.warning("Could not update the card of N%d: %s", need_id, exc)
    except TelegramError as exc:
        logger.warning("Could not update the card of N%d: %s", need_id, exc)


async def _card_job(context: CourtyardContext) -> None:
    assert context.job is not None
    assert isinstance(context.job.data, int)
    await refresh_card(context, context.job.data)


def refresh_card_soon(context: CourtyardContext, need_id: int) -> None:
    queue = cast("JobQueue[Any]", context.application.job_queue)
    name = f"need-card-{need_id}"
    if not queue.get_jobs_by_name(name):
        queue.run_once(_card_job, when=CARD_DELAY_SECONDS, data=need_id, name=name)


async def post_card(
    context: CourtyardContext, need: Need, chat_id: int, reply_to: int | None
) -> None:
    """The card with the support button, in the group; the board follows."""
    building = await context.services.buildings.get(need.building_id)
    _ = await chat_translator(context, chat_id, building)
    shown = replace(need, public=True)  # posting it is what makes it public
    message = await context.bot.send_message(
        chat_id,
        card_text(_, shown),
        reply_markup=card_keyboard(_, shown),
        reply_to_message_id=reply_to,
    )
    await context.services.needs.set_card(need.id, chat_id, message.message_id, public=True)
    if building is not None:
        await board.start_board(context, chat_id, building)
    await board.touch(context, need.building_id)
