"""The page's own words (through the project's gettext catalogs, like the bot's)."""

from __future__ import annotations

from html import escape

from bot.i18n import N_
from bot.sandbox.session import SandboxSession
from bot.sandbox.web.view import View

PHOTO_LABELS = {
    "leak": N_("Photo: water dripping from a pipe"),
    "lamp": N_("Photo: a broken stairwell lamp"),
    "crack": N_("Photo: a crack in the wall"),
    "bins": N_("Photo: overflowing rubbish bins"),
}
GUIDE = (
    N_(
        "As a resident, describe a problem in the group, e.g. “Water is dripping from the "
        "ceiling in unit 2”: it becomes a tracked request with a card."
    ),
    N_(
        "Switch to the plumber: the request waits in his private chat. Take it, then mark it "
        "resolved."
    ),
    N_("Switch back to the resident and answer “Is it fixed?” in the private chat."),
    N_(
        "As the building head, start a vote in the group: /poll Paint the hallway? --household. "
        "Vote as two residents, then move the clock to the poll's deadline."
    ),
    N_("Move the clock to the weekly report and read it in the head's private chat."),
    N_(
        "Make Telegram fail for a minute or kill the bot, keep writing, and watch every "
        "message arrive once it is back."
    ),
)


def page_strings(view: View, session: SandboxSession) -> dict[str, str]:
    """The translated, escaped text of the page template."""
    _ = view._
    if view.chat.is_group:
        chat_title = view.chat.title or ""
    else:
        chat_title = _("Private chat with {bot}").format(bot=session.emulator.bot_user.first_name)
    texts = {
        "title": _("Courtyard sandbox"),
        "heading": _("Courtyard sandbox"),
        "tagline": _(
            "The real bot, with Telegram played on this computer: act as anyone, move the "
            "clock, break things."
        ),
        "language_label": _("Language"),
        "skip_text": _("Skip to the message box"),
        "lost_text": _("Live updates lost: reload the page."),
        "chat_title": chat_title,
        "chats_label": _("Chats"),
        "messages_label": _("Messages"),
        "replying_label": _("Replying to"),
        "cancel_reply": _("Cancel reply"),
        "menu_label": _("Menu: the bot's commands"),
        "photo_label": _("Attach a sample photo"),
        "send_label": _("Send"),
        "controls_label": _("Sandbox controls"),
        "people_heading": _("Who are you?"),
        "people_hint": _("Pick a person: you write and press buttons as them."),
        "clock_heading": _("Sandbox clock"),
        "health_heading": _("Telegram and the bot"),
        "log_label": _("The bot's log"),
        "guide_heading": _("What to try"),
        "api_hint": _("Scripts can do all of this too: the driver API is listed at /sandbox/api."),
    }
    values = {key: escape(text) for key, text in texts.items()}
    values["html_lang"] = "zh-Hans" if view.language == "zh" else "en"
    values["message_label"] = escape(_("Message as {name}").format(name=view.viewer.full_name))
    values["placeholder"] = escape(_("Message as {name}").format(name=view.viewer.full_name))
    return values
