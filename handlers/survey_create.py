"""Creating a survey in a private chat: step by step, or in one message, then publishing it."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler

from bot.clock import from_timestamp, to_timestamp
from bot.context import CourtyardContext, CourtyardHandler
from bot.domain.survey import MAX_QUESTIONS, Question
from bot.domain.survey_syntax import (
    SurveySyntaxError,
    SurveySyntaxErrorCode,
    check_title,
    parse_closing,
    parse_question,
    parse_survey_command,
)
from bot.i18n import Translator
from handlers.building_heads import managed_buildings
from handlers.common import (
    answer_quietly,
    edit_quietly,
    escape,
    refusal,
    reply,
    sender_id,
    translator_for,
)
from handlers.survey_common import (
    audience_name,
    kind_name,
    local_time,
    survey_quiet,
    survey_zone,
)
from handlers.survey_jobs import run_survey_scan
from storage.buildings import Building
from storage.conversations import Conversation

CONVERSATION_NEW_SURVEY = "survey_new"
CREATE_CALLBACK = re.compile(r"^sn:(b|done|a|d|pub|x):(\w+)$")
DEADLINE_CHOICES = (3, 7, 14)


def usage(_: Translator) -> str:
    return escape(
        _(
            "Send /survey to create a survey step by step, or write it in one message:\n"
            "/survey Title | Question? A / B / C | Question? text | Question? rating\n"
            "Write multi: before the options for multiple choice. Add --person for one answer "
            "per person (one per household is the default) and --days 10 or --until 2026-12-01 "
            "for the deadline (7 days by default)."
        )
    )


def question_help(_: Translator) -> str:
    return escape(
        _(
            "Send question {number}, for example:\n"
            "• Is the lift working well? Yes / Sometimes / No\n"
            "• Which days suit you? multi: Saturday / Sunday\n"
            "• How clean is the stairwell? rating\n"
            "• What should we improve? text"
        )
    )


def syntax_error_text(_: Translator, error: SurveySyntaxError) -> str:
    code = SurveySyntaxErrorCode
    texts = {
        code.NO_TITLE: _("The survey needs a title."),
        code.TITLE_TOO_LONG: _("The title is too long (at most {max} characters)."),
        code.NO_QUESTIONS: _("The survey needs at least one question after the title."),
        code.TOO_MANY_QUESTIONS: _("A survey can have at most {max} questions."),
        code.EMPTY_QUESTION: _("Question {position} has no text."),
        code.QUESTION_TOO_LONG: _("Question {position} is too long (at most {max} characters)."),
        code.TOO_FEW_OPTIONS: _(
            "Question {position} needs at least two options separated by /, or the word text "
            "or rating."
        ),
        code.TOO_MANY_OPTIONS: _("Question {position} has more than {max} options."),
        code.OPTION_TOO_LONG: _(
            "An option of question {position} is too long (at most {max} characters)."
        ),
        code.DUPLICATE_OPTION: _("Question {position} lists “{option}” twice."),
        code.UNKNOWN_FLAG: _("I do not know the option {flag}."),
        code.MISSING_FLAG_VALUE: _("{flag} needs a value."),
        code.CONFLICTING_FLAGS: _("Some options contradict each other."),
        code.BAD_DEADLINE: _("I cannot read the deadline “{value}”: use 7 (days) or 2026-12-01."),
        code.DEADLINE_IN_PAST: _("The deadline has already passed."),
        code.DEADLINE_TOO_FAR: _("The deadline can be at most {max} days away."),
    }
    detail = {key: escape(str(value)) for key, value in error.detail.items()}
    return texts[error.code].format(**detail)


async def start_creating(update: Update, context: CourtyardContext, text: str) -> None:
    """`/survey` (step by step) or `/survey Title | …` (one message), in a private chat."""
    _ = await translator_for(update, context)
    buildings = await managed_buildings(update, context)
    if not buildings:
        await reply(update, refusal(_))
        return
    payload: dict[str, Any] = {"building_id": buildings[0].id if len(buildings) == 1 else None}
    services = context.services
    if text.strip():
        zone = survey_zone(context, buildings[0] if len(buildings) == 1 else None)
        try:
            draft = parse_survey_command(text, now=services.clock.now(), tz=zone)
        except SurveySyntaxError as error:
            await reply(update, syntax_error_text(_, error) + "\n\n" + usage(_))
            return
        payload.update(
            title=draft.title,
            questions=[q.to_json() for q in draft.questions],
            per_household=draft.per_household,
            closes_at=to_timestamp(draft.closes_at),
        )
    payload["step"] = "preview" if text.strip() else "title"
    if payload["building_id"] is None:
        payload["after_building"], payload["step"] = payload["step"], "building"
        await services.conversations.begin(sender_id(update), CONVERSATION_NEW_SURVEY, payload)
        keyboard = [
            [InlineKeyboardButton(b.name, callback_data=f"sn:b:{b.id}")] for b in buildings[:20]
        ]
        await reply(
            update,
            _("Which building is the survey for?"),
            reply_markup=InlineKeyboardMarkup(keyboard),
        )
        return
    await services.conversations.begin(sender_id(update), CONVERSATION_NEW_SURVEY, payload)
    await _prompt(update, context, _, payload)


async def _building(context: CourtyardContext, payload: dict[str, Any]) -> Building | None:
    building_id = payload.get("building_id")
    return None if building_id is None else await context.services.buildings.get(building_id)


async def _prompt(
    update: Update, context: CourtyardContext, _: Translator, payload: dict[str, Any]
) -> None:
    """Ask for whatever the current step needs."""
    step = payload["step"]
    if step == "title":
        await _send(update, context, _("📋 New survey. What is its title?"))
    elif step == "question":
        count = len(payload.get("questions", []))
        keyboard = (
            InlineKeyboardMarkup([[InlineKeyboardButton(_("✅ Done"), callback_data="sn:done:0")]])
            if count
            else None
        )
        await _send(update, context, question_help(_).format(number=count + 1), keyboard)
    elif step == "audience":
        keyboard = InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(audience_name(_, True), callback_data="sn:a:h")],
                [InlineKeyboardButton(audience_name(_, False), callback_data="sn:a:p")],
            ]
        )
        await _send(update, context, _("Who answers?"), keyboard)
    elif step == "deadline":
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        _("{days} days").format(days=days), callback_data=f"sn:d:{days}"
                    )
                    for days in DEADLINE_CHOICES
                ]
            ]
        )
        await _send(
            update,
            context,
            _("Until when? Choose, or send a date such as 2026-12-01 18:00."),
            keyboard,
        )
    else:
        await _preview(update, context, _, payload)


async def _send(
    update: Update,
    context: CourtyardContext,
    text: str,
    keyboard: InlineKeyboardMarkup | None = None,
) -> None:
    await context.bot.send_message(sender_id(update), text, reply_markup=keyboard)


async def _preview(
    update: Update, context: CourtyardContext, _: Translator, payload: dict[str, Any]
) -> None:
    building = await _building(context, payload)
    lines = [
        _("📋 <b>{title}</b> ({building})").format(
            title=escape(payload["title"]), building=escape(building.name if building else "?")
        )
    ]
    for number, data in enumerate(payload["questions"], start=1):
        question = Question.from_json(data)
        options = f": {escape(' / '.join(question.options))}" if question.options else ""
        lines.append(
            f"{number}. {escape(question.text)} <i>({kind_name(_, question.kind)}{options})</i>"
        )
    lines.append(
        _("👥 {audience} · ⏰ until {deadline}").format(
            audience=audience_name(_, bool(payload["per_household"])),
            deadline=local_time(context, building, from_timestamp(payload["closes_at"])),
        )
    )
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(_("📣 Publish"), callback_data="sn:pub:0"),
                InlineKeyboardButton(_("❌ Cancel"), callback_data="sn:x:0"),
            ]
        ]
    )
    await _send(update, context, "\n".join(lines), keyboard)


async def continue_text(
    update: Update, context: CourtyardContext, conversation: Conversation
) -> None:
    """A typed title, question or deadline for the survey being created."""
    _ = await translator_for(update, context)
    message = update.effective_message
    if message is None or not message.text:
        return
    payload = dict(conversation.payload)
    step = payload.get("step")
    try:
        if step == "title":
            payload["title"] = check_title(message.text)
            payload["questions"], payload["step"] = [], "question"
        elif step == "question":
            questions = list(payload.get("questions", []))
            questions.append(parse_question(message.text, len(questions) + 1).to_json())
            payload["questions"] = questions
            if len(questions) >= MAX_QUESTIONS:
                payload["step"] = "audience"
            else:
                await reply(
                    update,
                    _("Added question {number}.").format(number=len(questions)),
                )
        elif step == "deadline":
            building = await _building(context, payload)
            closes_at = parse_closing(
                message.text, now=context.services.clock.now(), tz=survey_zone(context, building)
            )
            payload["closes_at"], payload["step"] = to_timestamp(closes_at), "preview"
        else:
            await reply(update, _("Please use the buttons above."))
            return
    except SurveySyntaxError as error:
        await reply(update, syntax_error_text(_, error))
        return
    await context.services.conversations.begin(sender_id(update), CONVERSATION_NEW_SURVEY, payload)
    await _prompt(update, context, _, payload)


async def on_button(update: Update, context: CourtyardContext) -> None:
    """Building, done, audience, deadline, publish and cancel buttons."""
    query = update.callback_query
    assert query is not None
    _ = await translator_for(update, context)
    services = context.services
    user_id = sender_id(update)
    conversation = await services.conversations.current(user_id)
    match = CREATE_CALLBACK.match(query.data or "")
    if match is None or conversation is None or conversation.kind != CONVERSATION_NEW_SURVEY:
        await answer_quietly(query, _("This button is out of date."), show_alert=True)
        return
    payload = dict(conversation.payload)
    action, value = match.group(1), match.group(2)
    expected = {"b": "building", "done": "question", "a": "audience", "d": "deadline"}
    if action in expected and payload.get("step") != expected[action]:
        await answer_quietly(query, _("This button is out of date."), show_alert=True)
        return
    await answer_quietly(query)
    if action == "x":
        await services.conversations.end(user_id)
        await edit_quietly(query, _("The survey was not published."))
        return
    if action == "b":
        building = await services.buildings.get(int(value)) if value.isdigit() else None
        if building is None or not await services.access.may_manage(
            context.bot, user_id, building
        ):
            await edit_quietly(query, refusal(_))
            return
        payload["building_id"], payload["step"] = building.id, payload.pop("after_building")
    elif action == "done":
        payload["step"] = "audience"
    elif action == "a":
        payload["per_household"], payload["step"] = value == "h", "deadline"
    elif action == "d" and value.isdigit():
        closes_at = services.clock.now() + timedelta(days=int(value))
        payload["closes_at"], payload["step"] = to_timestamp(closes_at), "preview"
    elif action == "pub" and payload.get("step") == "preview":
        await _publish(update, context, _, payload)
        return
    await services.conversations.begin(user_id, CONVERSATION_NEW_SURVEY, payload)
    await _prompt(update, context, _, payload)


async def _publish(
    update: Update, context: CourtyardContext, _: Translator, payload: dict[str, Any]
) -> None:
    services = context.services
    user_id = sender_id(update)
    query = update.callback_query
    assert query is not None
    building = await _building(context, payload)
    # Checked again at the moment it counts: roles may have changed since the draft began.
    if building is None or not await services.access.may_manage(context.bot, user_id, building):
        await edit_quietly(query, refusal(_))
        return
    now = services.clock.now()
    closes_at = from_timestamp(payload["closes_at"])
    if closes_at <= now:
        await edit_quietly(query, escape(_("The deadline has already passed.")))
        return
    survey = await services.surveys.create(
        building.id,
        user_id,
        payload["title"],
        [Question.from_json(q) for q in payload["questions"]],
        per_household=bool(payload["per_household"]),
        closes_at=closes_at,
        announce_at=survey_quiet(context, building).next_allowed_send(
            now, survey_zone(context, building), urgent=False
        ),
    )
    await services.conversations.end(user_id)
    await edit_quietly(
        query,
        _(
            "📣 Survey #{number} is published: the group gets an announcement with a button to "
            "answer privately. Send /survey {number} for coverage, the door-to-door checklist "
            "and results."
        ).format(number=survey.id),
    )
    await run_survey_scan(context)


def handlers() -> list[CourtyardHandler]:
    return [CallbackQueryHandler(on_button, pattern=CREATE_CALLBACK)]
