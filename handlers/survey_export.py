"""`/export survey N` (or `/survey N export`): a survey's answers and visits as CSV and XLSX.

Rows name flats, not people (no Telegram ids), so the heads of the survey's building may
have them as well as community admins; only ever in a private chat.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Sequence
from datetime import datetime, tzinfo

from telegram import Update

from bot.context import CourtyardContext
from bot.domain.survey import Answer, Question, QuestionKind
from bot.i18n import Translator
from handlers.common import is_private, refusal, reply, sender_id, translator_for, whole_number
from handlers.survey_common import may_manage_survey, survey_zone
from storage.surveys import ExportedResponse, Survey

SURVEY_EXPORT_WORDS = ("survey", "问卷", "调查")
Cell = str | int | datetime | None
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def answer_cell(question: Question, answer: Answer | None) -> Cell:
    if answer is None or answer.is_empty:
        return None
    if question.kind is QuestionKind.RATING:
        return answer.rating
    if question.kind is QuestionKind.TEXT:
        return answer.text
    return "; ".join(question.options[c] for c in answer.choices if 0 <= c < len(question.options))


def table(
    _: Translator, survey: Survey, responses: Sequence[ExportedResponse], tz: tzinfo
) -> list[list[Cell]]:
    def local(moment: datetime | None) -> datetime | None:
        return (
            None if moment is None else moment.astimezone(tz).replace(tzinfo=None, microsecond=0)
        )

    header: list[Cell] = [
        _("household"),
        _("unit"),
        _("recorded at the door"),
        _("complete"),
        _("updated"),
    ]
    header += [f"{i}. {q.text}" for i, q in enumerate(survey.questions, start=1)]
    rows: list[list[Cell]] = [header]
    for response in responses:
        row: list[Cell] = [
            response.household,
            response.unit,
            _("yes") if response.via_visit else _("no"),
            local(response.completed_at),
            local(response.updated_at),
        ]
        row += [answer_cell(q, response.answers.get(i)) for i, q in enumerate(survey.questions)]
        rows.append(row)
    return rows


def _csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value  # residents' words must never run as a spreadsheet formula
    return str(value)


def to_csv(rows: Sequence[Sequence[Cell]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([_csv_text(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")  # the BOM lets Excel read Chinese


def to_xlsx(sheets: Sequence[tuple[str, Sequence[Sequence[Cell]]]]) -> bytes:
    # openpyxl takes ~0.25 s to import: paid at the first survey export, not at every start.
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]

    workbook = Workbook()
    for number, (title, rows) in enumerate(sheets):
        sheet = workbook.active if number == 0 else workbook.create_sheet()
        sheet.title = title
        for row_number, row in enumerate(rows, start=1):
            for column_number, value in enumerate(row, start=1):
                if isinstance(value, str):
                    value = ILLEGAL_CHARACTERS_RE.sub("", value)
                cell = sheet.cell(row=row_number, column=column_number, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # text stays text, even when it starts with "="
                elif isinstance(value, datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm:ss"
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def export_survey(update: Update, context: CourtyardContext, args: Sequence[str]) -> None:
    """Send the answers of one survey (heads of its building and admins, private chat)."""
    _ = await translator_for(update, context)
    services = context.services
    number = whole_number(args[0]) if args else None
    survey = await services.surveys.get(number) if number is not None else None
    if survey is None:
        await reply(update, _("Usage: /export survey <number>, e.g. /export survey 3"))
        return
    if not await may_manage_survey(context, sender_id(update), survey):
        await reply(update, refusal(_))
        return
    if not is_private(update):
        await reply(update, _("Please ask me in a private chat: exports contain flat numbers."))
        return
    building = await services.buildings.get(survey.building_id)
    tz = survey_zone(context, building)
    rows = table(_, survey, await services.surveys.export(survey.id), tz)
    visits: list[list[Cell]] = [[_("household"), _("outcome"), _("date")]]
    outcomes = {
        "answered": _("answered"),
        "nobody_home": _("nobody home"),
        "declined": _("declined"),
    }
    visits += [
        [label, outcomes.get(outcome, outcome), day]
        for label, outcome, day in await services.survey_visits.visits(survey.id)
    ]
    csv_bytes = await asyncio.to_thread(to_csv, rows)
    xlsx_bytes = await asyncio.to_thread(to_xlsx, [("answers", rows), ("visits", visits)])
    message = update.effective_message
    if message is None:
        return
    stem = f"survey-{survey.id}"
    caption = _(
        "Survey #{number}: {count} respondents. The file names flats: keep it private."
    ).format(number=survey.id, count=len(rows) - 1)
    await message.reply_document(csv_bytes, filename=f"{stem}.csv", caption=caption)
    await message.reply_document(xlsx_bytes, filename=f"{stem}.xlsx")
