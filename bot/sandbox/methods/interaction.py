"""Answering button presses and handing out files."""

from __future__ import annotations

from bot.sandbox.errors import QUERY_TOO_OLD, bad_request
from bot.sandbox.methods.registry import api_method
from bot.sandbox.models import CallbackAnswer, Json
from bot.sandbox.params import Params
from bot.sandbox.state import EmulatorState


@api_method("answerCallbackQuery")
async def answer_callback_query(state: EmulatorState, params: Params) -> bool:
    """Record the answer to a button press; a query can be answered only once."""
    query_id = params.text("callback_query_id", missing=QUERY_TOO_OLD)
    query = state.callback_queries.get(query_id)
    if query is None or query.answer is not None:
        raise bad_request(QUERY_TOO_OLD)
    text = params.optional_text("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    query.answer = CallbackAnswer(
        text=text,
        show_alert=params.flag("show_alert"),
        url=params.optional_text("url"),
        cache_time=params.optional_integer("cache_time"),
    )
    state.changed()
    return True


@api_method("getFile")
async def get_file(state: EmulatorState, params: Params) -> Json:
    """A File object whose file_path can be downloaded under the file URL."""
    file_id = params.text("file_id", missing="file_id is empty")
    stored = state.files.get(file_id)
    if stored is None:
        raise bad_request("wrong file_id or the file is temporarily unavailable")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.content),
        "file_path": stored.file_path,
    }
