"""Assemble the python-telegram-bot Application and its start/stop services."""

from __future__ import annotations

import asyncio
import logging
import ssl
from datetime import timedelta

import httpx
from telegram import (
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    LinkPreviewOptions,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ApplicationBuilder, Defaults, ExtBot
from telegram.request import HTTPXRequest

from bot.commands import commands_for
from bot.config import LANGUAGES, require_token
from bot.context import CONTEXT_TYPES, CourtyardApplication, CourtyardContext
from bot.errors import report_error
from bot.i18n import translator
from bot.instrumentation import TimedJobQueue
from bot.limited_bot import LimitedBot
from bot.pacing import SendLimits
from bot.reconcile import reconcile_config
from bot.send_journal import JournalingRateLimiter
from bot.services import Services
from handlers.backups import schedule_backups
from handlers.care_jobs import schedule_care_scan
from handlers.learning import adapt_periodically, load_adaptation
from handlers.list_jobs import PLAN_LISTS_JOB, plan_lists
from handlers.outbox import deliver_outbox
from handlers.poll_schedule import rebuild_poll_jobs
from handlers.registry import register_handlers
from handlers.reminders import PLANNER_INTERVAL, plan_reminders, send_digests
from handlers.request_jobs import (
    AUTO_CLOSE_INTERVAL,
    UNFINISHED_INTAKE_INTERVAL,
    close_unrated,
    finish_intakes,
)
from handlers.survey_jobs import schedule_survey_scan
from handlers.weekly_report import catch_up_weekly_report, schedule_weekly_report

logger = logging.getLogger(__name__)

INBOX_RETENTION = timedelta(days=3)
# Long enough for every dedup key that matters (a digest's day, a report's week) to hold.
OUTBOX_RETENTION = timedelta(days=30)
# How often to check whether enough corrections came in to adapt the classifier.
ADAPT_CHECK_INTERVAL = timedelta(hours=1)


def build_application(services: Services) -> CourtyardApplication:
    """A ready-to-start Application; storage opens in `post_init`.

    There is no Updater: `bot.runner` fetches updates itself so that each one is stored
    before Telegram is told we have it.
    """
    telegram = services.settings.telegram
    limits = telegram.rate_limit
    timeout = telegram.request_timeout
    tls = tls_context(telegram.base_url, telegram.base_file_url)
    bot: ExtBot[int] = LimitedBot(
        token=require_token(services.settings),
        base_url=telegram.base_url,
        base_file_url=telegram.base_file_url,
        defaults=Defaults(
            parse_mode=ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
            allow_sending_without_reply=True,
        ),
        request=HTTPXRequest(
            connection_pool_size=256,
            read_timeout=timeout,
            write_timeout=timeout,
            connect_timeout=timeout,
            httpx_kwargs={"verify": tls},
        ),
        get_updates_request=HTTPXRequest(
            connection_pool_size=1,
            read_timeout=telegram.poll_timeout + 10,
            httpx_kwargs={"verify": tls},
        ),
        rate_limiter=JournalingRateLimiter(
            services.journal,
            SendLimits(
                overall_per_second=limits.overall_per_second,
                group_per_minute=limits.group_per_minute,
                private_per_second=limits.private_per_second,
            ),
            max_retries=limits.max_retries,
        ),
    )
    application: CourtyardApplication = (
        ApplicationBuilder()
        .bot(bot)
        .updater(None)
        .job_queue(TimedJobQueue())
        .context_types(CONTEXT_TYPES)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    application.bot_data.attach(services)
    register_handlers(application)
    application.add_error_handler(report_error)
    return application


def tls_context(*urls: str) -> ssl.SSLContext:
    """The TLS context both HTTP clients share: each would build its own and load the CA
    bundle (about 40 ms of start-up each). Against a plain-HTTP Bot API server (a local one,
    the test emulator) no handshake happens, so the CA bundle is not loaded at all: that
    context trusts no certificate, and an https URL would fail rather than go unchecked."""
    if all(url.startswith("http://") for url in urls):
        return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    return httpx.create_ssl_context()


async def post_init(application: CourtyardApplication) -> None:
    """Open storage, register commands, schedule housekeeping."""
    services = application.bot_data.services
    await services.database.open()
    await reconcile_config(services)
    moved = await services.requests.follow_due_rules()
    if moved:
        logger.info("Deadlines or the rating window changed: %d requests re-planned", moved)
    await load_adaptation(services)
    await register_commands(application)
    if application.job_queue is not None:
        staff = services.settings.staff
        schedule_weekly_report(
            application.job_queue, services, weekday=staff.report_weekday, at=staff.report_time
        )
        if await catch_up_weekly_report(
            application.job_queue, services, weekday=staff.report_weekday, at=staff.report_time
        ):
            logger.info("Sending the weekly report missed while the bot was down")
        reopened = await rebuild_poll_jobs(application.job_queue, services)
        if reopened:
            logger.info("Rescheduled %d open polls", reopened)
        application.job_queue.run_repeating(
            prune_stored_messages, interval=timedelta(hours=6), first=timedelta(minutes=1)
        )
        # Reminders, escalations and digests are derived from the database at every tick, so
        # whatever fell due while the bot was down goes out (once) on the first one.
        application.job_queue.run_repeating(
            plan_reminders,
            interval=PLANNER_INTERVAL,
            first=timedelta(seconds=2),
            name="plan_reminders",
        )
        # Meeting reminders, decision follow-ups, evaluations and boards: due ones, by index.
        application.job_queue.run_repeating(
            plan_lists, interval=PLANNER_INTERVAL, first=timedelta(seconds=4), name=PLAN_LISTS_JOB
        )
        application.job_queue.run_repeating(
            send_digests,
            interval=timedelta(minutes=1),
            first=timedelta(seconds=3),
            name="send_digests",
        )
        application.job_queue.run_repeating(
            deliver_outbox,
            interval=timedelta(seconds=2),
            first=timedelta(seconds=1),
            name="deliver_outbox",
        )
        schedule_backups(application.job_queue, services)
        application.job_queue.run_repeating(
            adapt_periodically, interval=ADAPT_CHECK_INTERVAL, first=timedelta(minutes=5)
        )
        schedule_survey_scan(application.job_queue)
        schedule_care_scan(application.job_queue)
        application.job_queue.run_repeating(
            close_unrated,
            interval=AUTO_CLOSE_INTERVAL,
            first=timedelta(seconds=30),
            name="close_unrated",
        )
        application.job_queue.run_repeating(
            finish_intakes,
            interval=UNFINISHED_INTAKE_INTERVAL,
            first=UNFINISHED_INTAKE_INTERVAL,
            name="finish_intakes",
        )


async def post_shutdown(application: CourtyardApplication) -> None:
    """Close storage after the last update was handled."""
    await application.bot_data.services.database.close()


async def register_commands(application: CourtyardApplication) -> None:
    """setMyCommands for private chats, groups and group administrators, in both languages
    plus a default: nine independent calls, sent together (start-up waits for one round
    trip, not nine)."""
    default_language = application.bot_data.services.settings.community.language
    # Group administrators (who are building heads by default) also see the managing commands.
    scopes = (
        (BotCommandScopeAllPrivateChats(), True, False),
        (BotCommandScopeAllGroupChats(), False, False),
        (BotCommandScopeAllChatAdministrators(), False, True),
    )
    calls = []
    for scope, private, include_admin in scopes:
        for language_code in (*LANGUAGES, None):
            _ = translator(language_code or default_language)
            commands = [
                BotCommand(command.name, _(command.description))
                for command in commands_for(private=private, include_admin=include_admin)
            ]
            calls.append(_set_commands(application, commands, scope, language_code))
    await asyncio.gather(*calls)


async def _set_commands(
    application: CourtyardApplication,
    commands: list[BotCommand],
    scope: BotCommandScope,
    language_code: str | None,
) -> None:
    try:
        await application.bot.set_my_commands(commands, scope=scope, language_code=language_code)
    except TelegramError as exc:
        # The menu is a convenience; a failure must not keep the bot from running.
        logger.warning("setMyCommands failed for %s/%s: %s", scope.type, language_code, exc)


async def prune_stored_messages(context: CourtyardContext) -> None:
    """Forget handled updates after a few days and delivered (or abandoned) outgoing
    messages after a month: both hold message texts."""
    services = context.services
    removed = await services.inbox.prune(INBOX_RETENTION)
    if removed:
        logger.info("Pruned %d handled updates from the inbox", removed)
    cutoff = services.clock.now() - OUTBOX_RETENTION
    removed = await services.outbox.prune(cutoff)
    if removed:
        logger.info("Pruned %d finished messages from the outbox", removed)
    await services.journal.prune(INBOX_RETENTION)
