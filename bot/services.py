"""The typed dependencies every handler and job can reach through the context."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta

from bot.access import AccessControl
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.domain.due import DueRules
from bot.domain.error_notices import ErrorNotices
from bot.domain.sla import SlaPolicy
from bot.domain.understanding import Understanding
from bot.intake_tails import IntakeTails
from bot.learning import base_understanding
from bot.pacing import OutboxRun
from bot.transient import TransientFailures
from storage.adaptations import AdaptationRepository
from storage.boards import BoardRepository
from storage.building_requests import BuildingRequestRepository
from storage.buildings import BuildingRepository
from storage.care import CareRepository
from storage.care_alerts import CareAlertRepository
from storage.chat_bots import ChatBotRepository
from storage.chats import ChatRepository
from storage.conversations import ConversationRepository
from storage.corrections import CorrectionRepository
from storage.database import Database
from storage.decisions import DecisionRepository
from storage.digest_reads import DigestReads
from storage.evaluations import EvaluationRepository
from storage.forget import ForgetRepository
from storage.households import HouseholdRepository
from storage.inbox import UpdateInbox
from storage.invites import InviteRepository
from storage.journal import Journal
from storage.list_history import ListHistoryRepository
from storage.list_reports import ListReportRepository
from storage.meetings import MeetingRepository
from storage.needs import NeedRepository
from storage.outbox import OutboxRepository
from storage.people import PeopleRepository
from storage.polls import PollRepository
from storage.projects import ProjectRepository
from storage.requests import RequestRepository
from storage.roles import RoleRepository
from storage.staff_settings import StaffSettingsRepository
from storage.state import StateRepository
from storage.suggestions import SuggestionRepository
from storage.survey_followups import SurveyFollowUpRepository
from storage.survey_visits import SurveyVisitRepository
from storage.surveys import SurveyRepository


@dataclass
class Services:
    """Settings, clock, database, repositories and access control of one running bot."""

    settings: Settings
    clock: Clock
    database: Database
    inbox: UpdateInbox
    journal: Journal
    forget: ForgetRepository
    people: PeopleRepository
    chats: ChatRepository
    chat_bots: ChatBotRepository
    buildings: BuildingRepository
    building_requests: BuildingRequestRepository
    roles: RoleRepository
    invites: InviteRepository
    households: HouseholdRepository
    conversations: ConversationRepository
    requests: RequestRepository
    suggestions: SuggestionRepository
    polls: PollRepository
    outbox: OutboxRepository
    staff_settings: StaffSettingsRepository
    state: StateRepository
    access: AccessControl
    # The classifier handlers use: rules, the learned model and this deployment's adaptation.
    understanding: Understanding
    corrections: CorrectionRepository
    adaptations: AdaptationRepository
    needs: NeedRepository
    projects: ProjectRepository
    evaluations: EvaluationRepository
    meetings: MeetingRepository
    decisions: DecisionRepository
    boards: BoardRepository
    list_history: ListHistoryRepository
    list_reports: ListReportRepository
    # issue 16: surveys and care check-ins
    surveys: SurveyRepository
    survey_visits: SurveyVisitRepository
    survey_followups: SurveyFollowUpRepository
    care: CareRepository
    care_alerts: CareAlertRepository
    # issue 14: the daily staff digest's reads
    digest_reads: DigestReads
    outbox_run: OutboxRun = field(default_factory=OutboxRun)
    transient: TransientFailures = field(default_factory=TransientFailures)
    error_notices: ErrorNotices = field(default_factory=ErrorNotices)
    # Set once the updates that waited at Telegram while the bot was down are handled.
    caught_up: asyncio.Event = field(default_factory=asyncio.Event)
    # issue 14: requests' routing to staff, finished after their updates (bot.intake_tails).
    intake_tails: IntakeTails = field(default_factory=IntakeTails)
    # One redraw at a time per group board (handlers.board).
    board_locks: dict[int, asyncio.Lock] = field(default_factory=dict)
    # The SLA policy with per-building overrides keyed by building id (set at start-up).
    sla: SlaPolicy = field(default_factory=SlaPolicy)

    @classmethod
    def create(cls, settings: Settings, clock: Clock | None = None) -> Services:
        """Wire repositories to one (not yet opened) database."""
        clock = clock or SystemClock()
        database = Database(settings.storage.database)
        buildings = BuildingRepository(database, clock)
        roles = RoleRepository(database, clock)
        services = cls(
            settings=settings,
            clock=clock,
            database=database,
            inbox=UpdateInbox(database, clock),
            journal=Journal(database, clock),
            forget=ForgetRepository(database, clock),
            people=PeopleRepository(database, clock),
            chats=ChatRepository(database, clock),
            chat_bots=ChatBotRepository(database),
            buildings=buildings,
            building_requests=BuildingRequestRepository(database, clock),
            roles=roles,
            invites=InviteRepository(database, clock),
            households=HouseholdRepository(database, clock),
            conversations=ConversationRepository(database, clock),
            requests=RequestRepository(database, clock),
            suggestions=SuggestionRepository(database, clock),
            polls=PollRepository(database, clock),
            outbox=OutboxRepository(database, clock),
            staff_settings=StaffSettingsRepository(database),
            state=StateRepository(database),
            understanding=base_understanding(settings),
            corrections=CorrectionRepository(database, clock),
            adaptations=AdaptationRepository(database, clock),
            sla=settings.sla,
            access=AccessControl(
                admins=settings.community.admins,
                chat_admins_are_heads=settings.community.chat_admins_are_heads,
                buildings=buildings,
                roles=roles,
                clock=clock,
            ),
            needs=NeedRepository(database, clock),
            projects=ProjectRepository(database, clock),
            evaluations=EvaluationRepository(database, clock),
            meetings=MeetingRepository(database, clock),
            decisions=DecisionRepository(database, clock),
            boards=BoardRepository(database, clock),
            list_history=ListHistoryRepository(database, clock),
            list_reports=ListReportRepository(database, clock),
            surveys=SurveyRepository(database, clock),
            survey_visits=SurveyVisitRepository(database, clock),
            survey_followups=SurveyFollowUpRepository(database, clock),
            care=CareRepository(database, clock),
            care_alerts=CareAlertRepository(database, clock),
            digest_reads=DigestReads(database),
        )
        rating_window = timedelta(days=settings.requests.rating_days)
        # Read at each state change: start-up replaces `sla` with per-building overrides.
        services.requests.use_due_rules(lambda: DueRules(services.sla, rating_window))
        return services
