"""Who is looking at which chat, in which language: the state the page keeps in its URL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from urllib.parse import parse_qs, urlencode, urlsplit

from bot.config import Language
from bot.i18n import Translator, normalize_language, translator
from bot.sandbox.models import SimChat, SimUser
from bot.sandbox.session import SandboxSession

GROUP = "group"
PRIVATE = "private"


@dataclass(frozen=True)
class View:
    """The page as one person sees it: ``viewer`` types into ``chat``."""

    viewer: SimUser
    chat: SimChat
    language: Language
    tz: tzinfo
    bot_username: str

    @property
    def _(self) -> Translator:
        """The page's translator."""
        return translator(self.language)

    @property
    def chat_key(self) -> str:
        """How the URL names the chat: ``private`` or the group's id."""
        return PRIVATE if self.chat.type == "private" else str(self.chat.id)

    def url(self, *, viewer: SimUser | None = None, chat: str | None = None, **extra: str) -> str:
        """The page's address for another person or chat (the language stays)."""
        query = {
            "as": str((viewer or self.viewer).id),
            "chat": chat or self.chat_key,
            "lang": self.language,
            **extra,
        }
        return "/?" + urlencode(query)

    def hidden_fields(self) -> str:
        """The form fields that carry the view to an action."""
        return (
            f'<input type="hidden" name="as" value="{self.viewer.id}">'
            f'<input type="hidden" name="chat" value="{self.chat_key}">'
            f'<input type="hidden" name="lang" value="{self.language}">'
        )

    def local_time(self, timestamp: int | float) -> datetime:
        """A Telegram date in the community's time zone."""
        return datetime.fromtimestamp(timestamp, UTC).astimezone(self.tz)

    def link(self, target: str) -> str | None:
        """Where a link in a message leads: deep links to the bot open the viewer's private
        chat and send ``/start …`` there; other web links stay; the rest is no link."""
        parts = urlsplit(target)
        host = parts.netloc.lower()
        if parts.scheme in ("http", "https") and host in ("t.me", "telegram.me"):
            name = parts.path.strip("/").lower()
            if name == self.bot_username.lower():
                payload = parse_qs(parts.query).get("start", [""])[0]
                return "/sandbox/do/start?" + urlencode(
                    {"as": self.viewer.id, "lang": self.language, "payload": payload}
                )
            return None
        if parts.scheme == "tg":
            return None
        return target if parts.scheme in ("http", "https") else None


def page_language(session: SandboxSession, requested: str | None) -> Language:
    """The language asked for in the URL, else the community's."""
    language = normalize_language(requested)
    if language is not None:
        return language
    return session.community.language if session.community else "en"


def resolve_view(session: SandboxSession, query: dict[str, str]) -> View | None:
    """The view a URL (or form) names, falling back to the first persona in the group; None
    while there is nobody to be."""
    community = session.community
    if community is None or not community.personas:
        return None
    state = session.emulator.state
    viewer = community.personas[0].user
    try:
        chosen = state.users.get(int(query.get("as", "")))
    except ValueError:
        chosen = None
    if chosen is not None and not chosen.is_bot:
        viewer = chosen
    chat = community.group
    key = query.get("chat", GROUP)
    if key == PRIVATE:
        chat = state.private_chat(viewer)
    elif key not in ("", GROUP):
        try:
            found = state.find_chat(int(key))
        except ValueError:
            found = None
        if found is not None and found.is_group and found.is_present(viewer.id):
            chat = found
    language = page_language(session, query.get("lang"))
    username = state.bot_user.username or ""
    return View(viewer, chat, language, community.timezone, username)
