"""The bot's commands: one list feeds setMyCommands and /help."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from bot.i18n import N_


class Audience(Enum):
    """Who a command is meant for; /help only lists what the person may use."""

    EVERYONE = "everyone"
    CHAT_ADMIN = "chat_admin"


@dataclass(frozen=True)
class CommandInfo:
    """A command, where it works, and its one-line description (a message id)."""

    name: str
    description: str
    in_private: bool = True
    in_groups: bool = True
    audience: Audience = Audience.EVERYONE


COMMANDS: tuple[CommandInfo, ...] = (
    CommandInfo("start", N_("Start Courtyard and see what it does")),
    CommandInfo("help", N_("What Courtyard does and which commands you can use")),
    CommandInfo("language", N_("Choose the bot's language: /language zh or /language en")),
    CommandInfo("report", N_("Report a problem (in the group, or privately step by step)")),
    CommandInfo(
        "track", N_("Reply to a message with /track to track it as a request"), in_private=False
    ),
    CommandInfo("requests", N_("Open requests of this building"), in_private=False),
    CommandInfo("request", N_("A request's card and history: /request 42")),
    CommandInfo("mine", N_("Requests assigned to me (staff)")),
    CommandInfo("polls", N_("Open polls and recent results"), in_private=False),
    CommandInfo(
        "poll",
        N_("Start a poll (building heads): /poll Question? | A | B"),
        in_private=False,
        audience=Audience.CHAT_ADMIN,
    ),
    CommandInfo(
        "proxy",
        N_("Record a vote for a household not on Telegram"),
        in_groups=False,
        audience=Audience.CHAT_ADMIN,
    ),
    CommandInfo("digest", N_("Staff: daily digest time, /digest 08:30 or /digest off")),
    CommandInfo(
        "summary",
        N_("Building report: /summary week or /summary month (heads)"),
        audience=Audience.CHAT_ADMIN,
    ),
    CommandInfo(
        "export",
        N_("Export requests as CSV and Excel (admins, private chat)"),
        in_groups=False,
        audience=Audience.CHAT_ADMIN,
    ),
    CommandInfo("surveys", N_("Surveys of your building: answer, door-to-door lists, results")),
    CommandInfo(
        "survey",
        N_("Create a survey (building heads): /survey Title | Question? A / B | Question? text"),
        audience=Audience.CHAT_ADMIN,
    ),
    CommandInfo("care", N_("Care check-ins: your enrolment and the people you look after")),
    CommandInfo("join", N_("Register your household (flat number stays private)")),
    CommandInfo("whoami", N_("Your roles and household")),
    CommandInfo("leave", N_("Leave your household")),
    CommandInfo("forgetme", N_("Delete your personal data"), in_groups=False),
    CommandInfo(
        "setup",
        N_("Link this group to a building, change its settings"),
        in_private=False,
        audience=Audience.CHAT_ADMIN,
    ),
    CommandInfo(
        "head",
        N_("Appoint or remove a building head"),
        in_private=False,
        audience=Audience.CHAT_ADMIN,
    ),
    CommandInfo(
        "staff",
        N_("Add or remove staff and their categories"),
        in_private=False,
        audience=Audience.CHAT_ADMIN,
    ),
    CommandInfo(
        "roles",
        N_("List building heads and staff"),
        in_private=False,
        audience=Audience.CHAT_ADMIN,
    ),
    CommandInfo(
        "households",
        N_("Household registration coverage and approvals"),
        audience=Audience.CHAT_ADMIN,
    ),
    CommandInfo(
        "household", N_("Register a household not on Telegram"), audience=Audience.CHAT_ADMIN
    ),
    CommandInfo(
        "assign", N_("Assign a request: /assign 42 @username"), audience=Audience.CHAT_ADMIN
    ),
    CommandInfo(
        "close",
        N_("Close a request with a reason: /close 42 reason"),
        audience=Audience.CHAT_ADMIN,
    ),
    CommandInfo(
        "reject", N_("Reject a request: /reject 42 duplicate 41"), audience=Audience.CHAT_ADMIN
    ),
    CommandInfo(
        "category", N_("Staff and heads: change a request's category: /category 42 heating")
    ),
    CommandInfo("urgent", N_("Staff and heads: mark a request urgent or not: /urgent 42 off")),
    CommandInfo(
        "notrequest",
        N_("Close a message tracked by mistake: /notrequest 42"),
        audience=Audience.CHAT_ADMIN,
    ),
    CommandInfo("reopen", N_("Reopen a request: /reopen 42")),
    CommandInfo("note", N_("Add a note to a request: /note 42 text")),
    # The three lists: needs, projects, meetings and their decisions.
    CommandInfo("need", N_("Propose something the building needs: /need a bike shed")),
    CommandInfo("needs", N_("Needs of this building, most supported first"), in_private=False),
    CommandInfo("projects", N_("Projects and their progress"), in_private=False),
    CommandInfo("decisions", N_("Meeting decisions and who follows them up"), in_private=False),
    CommandInfo("decision", N_("A decision, or mark yours done: /decision 5 done")),
    CommandInfo(
        "project",
        N_("Make a need a project, report progress: /project need 12 | @owner"),
        audience=Audience.CHAT_ADMIN,
    ),
    CommandInfo(
        "meeting",
        N_("Call a meeting: /meeting 2030-05-20 19:00 | place | agenda"),
        audience=Audience.CHAT_ADMIN,
    ),
    CommandInfo(
        "minutes",
        N_("Record a meeting's minutes and decisions: /minutes 3 1 … => …"),
        audience=Audience.CHAT_ADMIN,
    ),
    CommandInfo(
        "board",
        N_("Turn the pinned board of the three lists on or off"),
        in_private=False,
        audience=Audience.CHAT_ADMIN,
    ),
)


def commands_for(*, private: bool, include_admin: bool) -> list[CommandInfo]:
    """Commands shown in a private chat or a group, optionally with admin-only ones."""
    return [
        command
        for command in COMMANDS
        if (command.in_private if private else command.in_groups)
        and (include_admin or command.audience is Audience.EVERYONE)
    ]
