"""The typed dependencies every handler and job can reach through the context."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.access import AccessControl
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.domain.sla import SlaPolicy
from bot.pacing import OutboxPacer
from bot.transient import TransientFailures
from storage.buildings import BuildingRepository
from storage.care import CareRepository
from storage.care_alerts import CareAlertRepository
from storage.chats import ChatRepository
from storage.conversations import ConversationRepository
from storage.database import Database
from storage.households import HouseholdRepository
from storage.inbox import UpdateInbox
from storage.invites import InviteRepository
from storage.outbox import OutboxRepository
from storage.people import PeopleRepository
from storage.polls import PollRepository
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
    people: PeopleRepository
    chats: ChatRepository
    buildings: BuildingRepository
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
    # issue 16: surveys and care check-ins
    surveys: SurveyRepository
    survey_visits: SurveyVisitRepository
    survey_followups: SurveyFollowUpRepository
    care: CareRepository
    care_alerts: CareAlertRepository
    pacer: OutboxPacer = field(default_factory=OutboxPacer)
    transient: TransientFailures = field(default_factory=TransientFailures)
    # The SLA policy with per-building overrides keyed by building id (set at start-up).
    sla: SlaPolicy = field(default_factory=SlaPolicy)

    @classmethod
    def create(cls, settings: Settings, clock: Clock | None = None) -> Services:
        """Wire repositories to one (not yet opened) database."""
        clock = clock or SystemClock()
        database = Database(settings.storage.database)
        buildings = BuildingRepository(database, clock)
        roles = RoleRepository(database, clock)
        return cls(
            settings=settings,
            clock=clock,
            database=database,
            inbox=UpdateInbox(database, clock),
            people=PeopleRepository(database, clock),
            chats=ChatRepository(database, clock),
            buildings=buildings,
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
            sla=settings.sla,
            pacer=OutboxPacer(settings.telegram.rate_limit.overall_per_second),
            access=AccessControl(
                admins=settings.community.admins,
                chat_admins_are_heads=settings.community.chat_admins_are_heads,
                buildings=buildings,
                roles=roles,
                clock=clock,
            ),
            surveys=SurveyRepository(database, clock),
            survey_visits=SurveyVisitRepository(database, clock),
            survey_followups=SurveyFollowUpRepository(database, clock),
            care=CareRepository(database, clock),
            care_alerts=CareAlertRepository(database, clock),
        )
