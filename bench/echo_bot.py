"""A bare python-telegram-bot echo bot: the yardstick of `bench/throughput.py`.

    python bench/echo_bot.py TOKEN BASE_URL BASE_FILE_URL POLL_TIMEOUT [uvloop]

PTB's defaults: its Updater, updates handled one at a time, asyncio's own event loop (with
`uvloop`: on uvloop, as Courtyard runs where it is installed). It answers every text or photo
message with its text (or caption), quoting it and carrying one inline button, and answers
every button press, so the stream's presses find a button to press as they do with Courtyard.
"""

from __future__ import annotations

import sys

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("echo", callback_data="echo")]])


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None:
        return
    await message.reply_text(
        message.text or message.caption or "photo", do_quote=True, reply_markup=KEYBOARD
    )


async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer()


def main() -> None:
    token, base_url, base_file_url, poll_timeout = sys.argv[1:5]
    if sys.argv[5:6] == ["uvloop"]:
        import asyncio

        import uvloop

        # run_polling takes the current event loop (or makes an asyncio one without it).
        asyncio.set_event_loop(uvloop.new_event_loop())
    application = (
        Application.builder().token(token).base_url(base_url).base_file_url(base_file_url).build()
    )
    application.add_handler(MessageHandler(filters.TEXT | filters.PHOTO, echo))
    application.add_handler(CallbackQueryHandler(answer))
    application.run_polling(
        allowed_updates=[Update.MESSAGE, Update.CALLBACK_QUERY], timeout=int(poll_timeout)
    )


if __name__ == "__main__":
    main()
