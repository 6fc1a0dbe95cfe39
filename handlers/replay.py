"""Handling an update again (after a crash or a passing Telegram error) finishes its work.

A decision an update takes (toggle a vote, approve a registration) is recorded before it is
applied, so the next attempt applies the same decision instead of taking it again; whether
the decision was already recorded also tells a handler it is resuming, so an "already done"
check does not stop it short of what the first attempt left undone.
"""

from __future__ import annotations

from typing import Any

from bot.context import CourtyardContext
from bot.handling import current_update_id
from storage.journal import update_scope


async def settle(context: CourtyardContext, step: str, value: Any) -> tuple[Any, bool]:
    """This update's first decision for `step`, and whether it is taken now (False: this
    update was handled before and decided `step` then)."""
    update_id = current_update_id()
    if update_id is None:
        return value, True
    return await context.services.journal.settle(update_scope(update_id), step, value)
