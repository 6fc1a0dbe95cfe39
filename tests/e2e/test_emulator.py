"""The Bot API emulator, exercised through python-telegram-bot's real ``telegram.Bot``."""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import sys
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from telegram import (
    Bot,
    ChatFullInfo,
    ChatMemberAdministrator,
    ChatMemberBanned,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberOwner,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.request import HTTPXRequest

from bot.sandbox import BotApiEmulator, SimUser


def make_bot(emulator: BotApiEmulator, *, read_timeout: float = 5.0) -> Bot:
    """A real PTB Bot pointed at the emulator."""
    return Bot(
        emulator.token,
        base_url=emulator.base_url,
        base_file_url=emulator.base_file_url,
        request=HTTPXRequest(read_timeout=read_timeout),
        get_updates_request=HTTPXRequest(read_timeout=read_timeout),
    )


@pytest.fixture
async def bot(emulator: BotApiEmulator) -> AsyncIterator[Bot]:
    async with make_bot(emulator) as running:
        yield running


@pytest.fixture
def alice(emulator: BotApiEmulator) -> SimUser:
    """A resident who has started the bot (her /start update is consumed)."""
    user = emulator.create_user("Alice", username="alice_w", last_name="Wang")
    emulator.user_starts_bot(user)
    return user


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d)] for t, d in pairs])


# -- HTTP surface ------------------------------------------------------------------------------


async def test_get_me_parses_with_capability_flags(bot: Bot) -> None:
    me = await bot.get_me()

    assert me.is_bot
    assert me.username == "courtyard_test_bot"
    assert me.can_join_groups is True
    assert me.can_read_all_group_messages is True
    assert me.supports_inline_queries is False
    assert me.can_connect_to_business is False
    assert me.has_main_web_app is False


async def test_privacy_mode_shows_in_get_me() -> None:
    async with (
        BotApiEmulator(privacy_mode=True) as emulator,
        make_bot(emulator) as private_bot,
    ):
        assert (await private_bot.get_me()).can_read_all_group_messages is False


async def test_wrong_token_and_unknown_method_are_rejected(emulator: BotApiEmulator) -> None:
    root = emulator.base_url
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{root}999:WRONG/getMe") as response:
            assert response.status == 401
            assert await response.json() == {
                "ok": False,
                "error_code": 401,
                "description": "Unauthorized",
            }
        async with session.post(f"{root}{emulator.token}/noSuchMethod") as response:
            assert response.status == 404
            assert (await response.json())["description"] == "Not Found"
    wrong = Bot("999:WRONG", base_url=emulator.base_url)
    try:
        with pytest.raises(InvalidToken):
            await wrong.initialize()
    finally:
        await wrong.shutdown()


async def test_json_bodies_query_strings_and_any_method_case(
    emulator: BotApiEmulator, alice: SimUser
) -> None:
    api = f"{emulator.base_url}{emulator.token}"
    async with aiohttp.ClientSession() as session:
        async with session.post(
            f"{api}/SENDMESSAGE", json={"chat_id": alice.id, "text": "from json"}
        ) as response:
            body = await response.json()
        async with session.get(f"{api}/getme") as response:
            me = await response.json()
        async with session.get(
            f"{api}/sendMessage", params={"chat_id": str(alice.id), "text": "from query"}
        ) as response:
            assert response.status == 200

    assert body["ok"] is True
    assert body["result"]["text"] == "from json"
    assert me["result"]["id"] == emulator.bot_user.id
    assert [m.text for m in emulator.messages(alice)] == ["from json", "from query"]
    assert [c.method for c in emulator.calls("sendmessage")] == ["sendMessage", "sendMessage"]


# -- sending, editing, deleting ----------------------------------------------------------------


async def test_send_message_round_trip_with_html_keyboard_and_reply(
    emulator: BotApiEmulator, bot: Bot, alice: SimUser
) -> None:
    question = emulator.send_message(alice, alice, "电梯坏了 😡")

    sent = await bot.send_message(
        alice.id,
        "<b>已登记</b> 工单 #12 &lt;紧急&gt;",
        parse_mode="HTML",
        reply_markup=keyboard(("我也是", "metoo:12")),
        reply_parameters=ReplyParameters(question["message_id"]),
        link_preview_options=None,
    )

    assert sent.text == "已登记 工单 #12 <紧急>"
    assert sent.entities[0].type == "bold"
    assert sent.parse_entity(sent.entities[0]) == "已登记"
    assert sent.reply_to_message is not None
    assert sent.reply_to_message.text == "电梯坏了 😡"
    assert sent.from_user is not None
    assert sent.from_user.id == emulator.bot_user.id
    assert sent.message_id == question["message_id"] + 1
    stored = emulator.last_message(alice)
    assert stored is not None
    assert stored.message_id == sent.message_id
    assert stored.text == "已登记 工单 #12 <紧急>"
    assert stored.source == "<b>已登记</b> 工单 #12 &lt;紧急&gt;"
    assert stored.parse_mode == "HTML"
    assert stored.reply_to == question["message_id"]
    assert stored.callback_data == ["metoo:12"]
    assert stored.button("我也").get("callback_data") == "metoo:12"


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("<b>unclosed", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", "Unmatched end tag"),
        ("<br>", 'Unsupported start tag "br"'),
        ("a < b", "Unsupported start tag"),
        ("Tom & Jerry", 'Unescaped "&"'),
        ('<span class="x">s</span>', 'Tag "span" must have class "tg-spoiler"'),
    ],
)
async def test_invalid_html_is_a_bad_request_and_sends_nothing(
    emulator: BotApiEmulator, bot: Bot, alice: SimUser, html: str, reason: str
) -> None:
    with pytest.raises(BadRequest, match="Can't parse entities") as caught:
        await bot.send_message(alice.id, html, parse_mode="HTML")

    assert reason.lower() in caught.value.message.lower()
    assert emulator.messages(alice) == []


async def test_allowed_html_tags_become_entities(bot: Bot, alice: SimUser) -> None:
    sent = await bot.send_message(
        alice.id,
        '<i>i</i><u>u</u><s>s</s><tg-spoiler>p</tg-spoiler><a href="https://x.org">a</a>'
        '<code>c</code><pre><code class="language-python">p</code></pre>'
        "<blockquote expandable>q</blockquote>",
        parse_mode="HTML",
    )

    kinds = [(e.type, getattr(e, "url", None) or e.language) for e in sent.entities]
    assert kinds == [
        ("italic", None),
        ("underline", None),
        ("strikethrough", None),
        ("spoiler", None),
        ("text_link", "https://x.org"),
        ("code", None),
        ("pre", "python"),
        ("expandable_blockquote", None),
    ]


async def test_empty_and_overlong_texts_are_rejected(bot: Bot, alice: SimUser) -> None:
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(alice.id, "  \n ")
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(alice.id, "楼" * 4097)
    await bot.send_message(alice.id, "楼" * 4096)


async def test_unknown_chat_is_not_found(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(42, "hello")


async def test_edits_keep_history_and_follow_telegram_rules(
    emulator: BotApiEmulator, bot: Bot, alice: SimUser
) -> None:
    sent = await bot.send_message(alice.id, "v1", reply_markup=keyboard(("ok", "ok")))

    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text(
            "v1", alice.id, sent.message_id, reply_markup=keyboard(("ok", "ok"))
        )
    edited = await bot.edit_message_text("<i>v2</i>", alice.id, sent.message_id, parse_mode="HTML")
    assert isinstance(edited, Message)
    assert edited.text == "v2"
    assert edited.edit_date is not None
    # Like Telegram, an edit without reply_markup removes the inline keyboard.
    assert edited.reply_markup is None
    again = await bot.edit_message_reply_markup(
        alice.id, sent.message_id, reply_markup=keyboard(("done", "done"))
    )
    assert isinstance(again, Message)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", alice.id, 9999)

    stored = emulator.messages(alice)[0]
    assert stored.text == "v2"
    assert stored.callback_data == ["done"]
    assert [(e.text, e.reply_markup is not None) for e in stored.edits] == [
        ("v1", True),
        ("v2", False),
    ]


async def test_caption_edit_and_caption_rules(
    emulator: BotApiEmulator, bot: Bot, alice: SimUser
) -> None:
    text_message = await bot.send_message(alice.id, "text only")
    photo = await bot.send_photo(alice.id, b"not really a jpeg", caption="old")

    edited = await bot.edit_message_caption(alice.id, photo.message_id, caption="new")
    assert isinstance(edited, Message)
    assert edited.caption == "new"
    with pytest.raises(BadRequest, match="no caption"):
        await bot.edit_message_caption(alice.id, text_message.message_id, caption="x")
    with pytest.raises(BadRequest, match="no text"):
        await bot.edit_message_text("x", alice.id, photo.message_id)
    with pytest.raises(BadRequest, match="caption is too long"):
        await bot.send_photo(alice.id, b"img", caption="x" * 1025)
    assert emulator.messages(alice)[1].caption == "new"


async def test_users_messages_cannot_be_edited_by_the_bot(
    emulator: BotApiEmulator, bot: Bot, alice: SimUser
) -> None:
    written = emulator.send_message(alice, alice, "mine")

    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.edit_message_text("hijack", alice.id, written["message_id"])


async def test_delete_message_marks_it_deleted(
    emulator: BotApiEmulator, bot: Bot, alice: SimUser
) -> None:
    first = await bot.send_message(alice.id, "first")
    await bot.send_message(alice.id, "second")

    assert await bot.delete_message(alice.id, first.message_id) is True
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(alice.id, first.message_id)

    assert [(m.text, m.deleted) for m in emulator.messages(alice)] == [
        ("first", True),
        ("second", False),
    ]
    last = emulator.last_message(alice)
    assert last is not None
    assert last.text == "second"


async def test_bot_needs_admin_rights_for_others_messages_and_pins(
    emulator: BotApiEmulator, bot: Bot, alice: SimUser
) -> None:
    group = emulator.create_group("Tower A", members=[alice])
    written = emulator.send_message(alice, group, "hello neighbours")
    own = await bot.send_message(group.id, "notice")

    with pytest.raises(BadRequest, match="Message can't be deleted"):
        await bot.delete_message(group.id, written["message_id"])
    with pytest.raises(BadRequest, match="Not enough rights"):
        await bot.pin_chat_message(group.id, own.message_id)

    emulator.promote(group, emulator.bot_user)
    assert await bot.pin_chat_message(group.id, own.message_id)
    assert await bot.delete_message(group.id, written["message_id"])
    assert emulator.messages(group)[0].pinned
    pinned = (await bot.get_chat(group.id)).pinned_message
    assert pinned is not None
    assert pinned.message_id == own.message_id
    assert await bot.unpin_chat_message(group.id)
    assert not emulator.messages(group)[0].pinned


# -- who may be written to ---------------------------------------------------------------------


async def test_private_chats_need_start_and_no_block(emulator: BotApiEmulator, bot: Bot) -> None:
    bob = emulator.create_user("Bob")

    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_message(bob.id, "hi")
    emulator.user_starts_bot(bob)
    await bot.send_message(bob.id, "hi")
    emulator.block_bot(bob)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(bob.id, "still there?")
    emulator.unblock_bot(bob)
    await bot.send_message(bob.id, "welcome back")

    assert [m.text for m in emulator.messages(bob)] == ["hi", "welcome back"]


async def test_removed_bot_cannot_post_to_groups(emulator: BotApiEmulator, bot: Bot) -> None:
    owner = emulator.create_user("Owner")
    group = emulator.create_group("Tower B", creator=owner)
    supergroup = emulator.create_group("Tower C", creator=owner, supergroup=True)

    emulator.remove_bot_from_group(group, owner)
    emulator.remove_bot_from_group(supergroup, owner)

    with pytest.raises(Forbidden, match="bot is not a member of the group chat"):
        await bot.send_message(group.id, "hello?")
    with pytest.raises(Forbidden, match="bot was kicked from the supergroup chat"):
        await bot.send_message(supergroup.id, "hello?")


async def test_migrated_group_answers_with_the_new_id(emulator: BotApiEmulator, bot: Bot) -> None:
    owner = emulator.create_user("Owner")
    group = emulator.create_group("Tower D", creator=owner)

    supergroup = emulator.migrate_to_supergroup(group)

    assert supergroup.type == "supergroup"
    assert str(supergroup.id).startswith("-100")
    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(group.id, "hello")
    assert caught.value.new_chat_id == supergroup.id
    await bot.send_message(supergroup.id, "hello again")
    updates = await bot.get_updates()
    service = [u.message for u in updates if u.message]
    assert service[0].migrate_to_chat_id == supergroup.id
    assert service[1].migrate_from_chat_id == group.id
    assert service[1].chat.type == "supergroup"
    assert (await bot.get_chat_member(supergroup.id, owner.id)).status == "creator"


# -- chats and members -------------------------------------------------------------------------


async def test_chat_and_member_queries_parse_into_ptb_objects(
    emulator: BotApiEmulator, bot: Bot, alice: SimUser
) -> None:
    owner = emulator.create_user("Owner", username="owner_li")
    staff = emulator.create_user("Staff")
    stranger = emulator.create_user("Stranger")
    group = emulator.create_group(
        "Tower E",
        members=[alice],
        admins=[staff],
        creator=owner,
        supergroup=True,
        description="Residents of Tower E",
    )

    chat = await bot.get_chat(group.id)
    assert isinstance(chat, ChatFullInfo)
    assert (chat.title, chat.type, chat.description) == (
        "Tower E",
        "supergroup",
        "Residents of Tower E",
    )
    assert isinstance(await bot.get_chat_member(group.id, owner.id), ChatMemberOwner)
    staff_member = await bot.get_chat_member(group.id, staff.id)
    assert isinstance(staff_member, ChatMemberAdministrator)
    assert staff_member.can_pin_messages is True
    assert isinstance(await bot.get_chat_member(group.id, alice.id), ChatMemberMember)
    assert isinstance(await bot.get_chat_member(group.id, stranger.id), ChatMemberLeft)
    admins = await bot.get_chat_administrators(group.id)
    assert {a.user.id for a in admins} == {owner.id, staff.id}
    assert await bot.get_chat_member_count(group.id) == 4
    emulator.remove_member(group, alice, by_user=staff)
    assert isinstance(await bot.get_chat_member(group.id, alice.id), ChatMemberBanned)
    private = await bot.get_chat(alice.id)
    assert (private.type, private.first_name, private.username) == ("private", "Alice", "alice_w")


async def test_leave_chat_reports_my_chat_member(emulator: BotApiEmulator, bot: Bot) -> None:
    owner = emulator.create_user("Owner")
    group = emulator.create_group("Tower F", creator=owner)

    assert await bot.leave_chat(group.id)

    (update,) = await bot.get_updates()
    assert update.my_chat_member is not None
    assert update.my_chat_member.new_chat_member.status == "left"
    with pytest.raises(Forbidden):
        await bot.send_message(group.id, "bye")


async def test_bot_added_to_group_gets_my_chat_member_and_service_message(
    emulator: BotApiEmulator, bot: Bot
) -> None:
    owner = emulator.create_user("Owner")
    group = emulator.create_group("Tower G", creator=owner, bot_is_member=False)

    emulator.add_bot_to_group(group, owner)

    first, second = await bot.get_updates()
    assert first.my_chat_member is not None
    assert first.my_chat_member.old_chat_member.status == "left"
    assert first.my_chat_member.new_chat_member.status == "member"
    assert first.my_chat_member.from_user.id == owner.id
    assert second.message is not None
    assert [u.id for u in second.message.new_chat_members] == [emulator.bot_user.id]


# -- files -------------------------------------------------------------------------------------


async def test_documents_keep_bytes_and_download_through_get_file(
    emulator: BotApiEmulator, bot: Bot, alice: SimUser
) -> None:
    content = "工单,状态\n12,已解决\n".encode()

    sent = await bot.send_document(alice.id, content, filename="report.csv", caption="周报")

    stored = emulator.last_message(alice)
    assert stored is not None
    assert stored.document is not None
    assert (stored.document.filename, stored.document.content) == ("report.csv", content)
    assert stored.caption == "周报"
    assert sent.document is not None
    assert sent.document.file_name == "report.csv"
    telegram_file = await bot.get_file(sent.document.file_id)
    assert bytes(await telegram_file.download_as_bytearray()) == content
    assert emulator.file_bytes(sent.document.file_id) == content


async def test_photos_get_sizes_and_can_be_resent_by_file_id(
    emulator: BotApiEmulator, bot: Bot, alice: SimUser
) -> None:
    png = (
        bytes.fromhex("89504e470d0a1a0a0000000d49484452")
        + (1600).to_bytes(4, "big")
        + (1200).to_bytes(4, "big")
    )

    first = await bot.send_photo(alice.id, png, caption="漏水")
    largest = first.photo[-1]
    again = await bot.send_photo(alice.id, largest.file_id)

    assert (largest.width, largest.height) == (1280, 960)
    assert len({size.file_id for size in first.photo}) == len(first.photo) > 1
    assert [size.file_id for size in again.photo] == [size.file_id for size in first.photo]
    downloaded = await (await bot.get_file(first.photo[0].file_id)).download_as_bytearray()
    assert bytes(downloaded) == png
    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await bot.send_photo(alice.id, "AgACunknown")


async def test_users_photo_can_be_downloaded_by_the_bot(
    emulator: BotApiEmulator, bot: Bot, alice: SimUser
) -> None:
    emulator.send_message(alice, alice, photo=b"GIF89a\x10\x00\x08\x00rest", caption="看这里")

    (update,) = await bot.get_updates(offset=-1)
    assert update.message is not None
    assert update.message.caption == "看这里"
    photo = update.message.photo[-1]
    assert (photo.width, photo.height) == (16, 8)
    data = await (await bot.get_file(photo.file_id)).download_as_bytearray()
    assert bytes(data).startswith(b"GIF89a")


# -- updates -----------------------------------------------------------------------------------


async def test_updates_stay_until_a_higher_offset_confirms_them(
    emulator: BotApiEmulator, bot: Bot
) -> None:
    carol = emulator.create_user("Carol")
    for text in ("one", "two", "three"):
        emulator.send_message(carol, carol, text)

    first_batch = await bot.get_updates(limit=2)
    repeated = await bot.get_updates(limit=2)
    rest = await bot.get_updates(offset=first_batch[-1].update_id + 1)
    after_confirming = await bot.get_updates(offset=rest[-1].update_id + 1)

    assert [u.message.text for u in first_batch if u.message] == ["one", "two"]
    assert [u.update_id for u in repeated] == [u.update_id for u in first_batch]
    assert [u.message.text for u in rest if u.message] == ["three"]
    assert after_confirming == ()
    assert emulator.pending_update_count == 0
    delivered_ids = [d.update_id for d in emulator.updates_delivered]
    assert delivered_ids.count(first_batch[0].update_id) == 2
    assert delivered_ids.count(rest[0].update_id) == 1


async def test_negative_offset_keeps_only_the_latest_updates(
    emulator: BotApiEmulator, bot: Bot
) -> None:
    carol = emulator.create_user("Carol")
    for text in ("one", "two", "three"):
        emulator.send_message(carol, carol, text)

    latest = await bot.get_updates(offset=-1)

    assert [u.message.text for u in latest if u.message] == ["three"]
    assert emulator.pending_update_count == 1


async def test_long_poll_returns_as_soon_as_an_update_arrives(
    emulator: BotApiEmulator,
) -> None:
    carol = emulator.create_user("Carol")
    async with make_bot(emulator, read_timeout=60) as slow_reader:
        polling = asyncio.create_task(slow_reader.get_updates(timeout=50))
        await emulator.wait_for(
            lambda: any(
                c.result is None and c.error is None for c in emulator.calls("getUpdates")
            ),
            description="getUpdates to be waiting",
        )
        assert not polling.done()

        emulator.send_message(carol, carol, "wake up")
        updates = await polling

    assert [u.message.text for u in updates if u.message] == ["wake up"]


async def test_a_second_poller_terminates_the_first_with_conflict(
    emulator: BotApiEmulator,
) -> None:
    async with make_bot(emulator, read_timeout=60) as first, make_bot(emulator) as second:
        waiting = asyncio.create_task(first.get_updates(timeout=50))
        await emulator.wait_for(lambda: emulator.calls("getUpdates"))
        await second.get_updates()

        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await waiting


async def test_chat_member_updates_need_opt_in_and_admin_rights(
    emulator: BotApiEmulator, bot: Bot
) -> None:
    owner = emulator.create_user("Owner")
    dave = emulator.create_user("Dave")
    erin = emulator.create_user("Erin")
    group = emulator.create_group("Tower H", creator=owner, bot_is_admin=True)

    emulator.add_member(group, dave)
    default_updates = await bot.get_updates()
    await bot.get_updates(
        offset=default_updates[-1].update_id + 1, allowed_updates=["message", "chat_member"]
    )
    emulator.add_member(group, erin, by_user=owner)
    opted_in = await bot.get_updates()

    assert [u.message is not None for u in default_updates] == [True]
    assert len(emulator.updates_filtered_out) == 1
    kinds = [("chat_member" if u.chat_member else "message") for u in opted_in]
    assert kinds == ["chat_member", "message"]
    assert opted_in[0].chat_member is not None
    assert opted_in[0].chat_member.new_chat_member.user.id == erin.id


async def test_allowed_updates_filters_other_kinds(emulator: BotApiEmulator, bot: Bot) -> None:
    carol = emulator.create_user("Carol")
    await bot.get_updates(allowed_updates=["callback_query"])

    emulator.send_message(carol, carol, "ignored")

    assert await bot.get_updates() == ()
    assert emulator.pending_update_count == 0


async def test_privacy_mode_filters_group_messages() -> None:
    async with BotApiEmulator(privacy_mode=True) as emulator, make_bot(emulator) as bot:
        frank = emulator.create_user("Frank", username="frank_z")
        group = emulator.create_group("Tower I", members=[frank])
        bot_reply = await bot.send_message(group.id, "I am here")
        texts = [
            "just chatting",
            "/report@courtyard_test_bot 漏水",
            "/report@some_other_bot",
            "/help",
            "hey @courtyard_test_bot 电梯",
            "@frank_z hi",
        ]
        for text in texts:
            emulator.send_message(frank, group, text)
        emulator.send_message(frank, group, "replying", reply_to=bot_reply.message_id)

        delivered = [u.message.text for u in await bot.get_updates() if u.message]

        assert delivered == [
            "/report@courtyard_test_bot 漏水",
            "/help",
            "hey @courtyard_test_bot 电梯",
            "replying",
        ]
        emulator.promote(group, emulator.bot_user)
        emulator.send_message(frank, group, "admins see everything")
        latest = await bot.get_updates(offset=-1)
        assert latest[0].message is not None
        assert latest[0].message.text == "admins see everything"


async def test_user_entities_use_utf16_offsets(emulator: BotApiEmulator, bot: Bot) -> None:
    grace = emulator.create_user("Grace")
    emulator.send_message(
        grace, grace, "😀 /start@courtyard_test_bot 找 @alice_w https://x.org #漏水"
    )

    (update,) = await bot.get_updates()
    assert update.message is not None
    parsed = {e.type: t for e, t in update.message.parse_entities().items()}
    assert parsed == {
        "bot_command": "/start@courtyard_test_bot",
        "mention": "@alice_w",
        "url": "https://x.org",
        "hashtag": "#漏水",
    }


async def test_start_with_deep_link_and_user_edits(emulator: BotApiEmulator, bot: Bot) -> None:
    heidi = emulator.create_user("Heidi", language_code="en")
    emulator.user_starts_bot(heidi, payload="join-tower-a")
    written = emulator.send_message(heidi, heidi, "lift broken")
    emulator.edit_message(heidi, written, "lift broken again")

    start, message, edited = await bot.get_updates()

    assert start.message is not None
    assert start.message.text == "/start join-tower-a"
    assert start.message.from_user is not None
    assert start.message.from_user.language_code == "en"
    assert message.message is not None
    assert message.message.text == "lift broken"
    assert edited.edited_message is not None
    assert edited.edited_message.text == "lift broken again"
    assert edited.edited_message.message_id == message.message.message_id


# -- webhooks ----------------------------------------------------------------------------------


async def test_webhook_delivery_retries_in_order_with_secret(
    emulator: BotApiEmulator, bot: Bot
) -> None:
    received: list[tuple[str | None, int]] = []
    refuse_first = [True]

    async def receive(request: web.Request) -> web.Response:
        update = await request.json()
        if refuse_first[0]:
            refuse_first[0] = False
            return web.Response(status=500)
        received.append(
            (request.headers.get("X-Telegram-Bot-Api-Secret-Token"), update["update_id"])
        )
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        port = runner.addresses[0][1]
        ivan = emulator.create_user("Ivan")
        emulator.send_message(ivan, ivan, "before webhook")
        await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret_token")
        emulator.send_message(ivan, ivan, "after webhook")

        await emulator.wait_for(lambda: len(received) == 2, description="two webhook posts")
        info = await bot.get_webhook_info()
        with pytest.raises(Conflict, match="webhook is active"):
            await bot.get_updates()
        assert await bot.delete_webhook()
    finally:
        await runner.cleanup()

    ids = [update_id for _, update_id in received]
    assert ids == sorted(ids)
    assert {secret for secret, _ in received} == {"s3cret_token"}
    assert info.url.endswith("/hook")
    assert info.pending_update_count == 0
    assert info.last_error_message is not None
    assert [d.via for d in emulator.updates_delivered] == ["webhook", "webhook"]
    assert emulator.webhook_url == ""


async def test_delete_webhook_can_drop_pending_updates(emulator: BotApiEmulator, bot: Bot) -> None:
    judy = emulator.create_user("Judy")
    emulator.send_message(judy, judy, "stale")

    await bot.delete_webhook(drop_pending_updates=True)

    assert emulator.pending_update_count == 0
    assert await bot.get_updates() == ()


# -- callbacks and polls -----------------------------------------------------------------------


async def test_button_presses_and_answers(
    emulator: BotApiEmulator, bot: Bot, alice: SimUser
) -> None:
    await bot.get_updates(offset=-1)
    await bot.get_updates(offset=emulator.updates_delivered[-1].update_id + 1)
    sent = await bot.send_message(alice.id, "满意吗?", reply_markup=keyboard(("👍", "rate:5")))
    stored = emulator.messages(alice)[-1]

    query_id = emulator.press_button(alice, stored, button_text="👍")
    (update,) = await bot.get_updates()
    query = update.callback_query
    assert query is not None
    assert query.id == query_id
    assert query.data == "rate:5"
    assert query.message is not None
    assert query.message.message_id == sent.message_id
    assert query.chat_instance

    assert emulator.callback_answer(query_id) is None
    await bot.answer_callback_query(query_id, text="谢谢", show_alert=True)
    answer = await emulator.wait_callback_answer(query_id)
    assert (answer.text, answer.show_alert) == ("谢谢", True)
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(query_id)
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query("123")
    with pytest.raises(ValueError, match="no button"):
        emulator.press_button(alice, stored, "rate:1")


async def test_polls_votes_and_stopping(emulator: BotApiEmulator, bot: Bot) -> None:
    head = emulator.create_user("Head")
    kim = emulator.create_user("Kim")
    group = emulator.create_group("Tower J", members=[kim], creator=head)

    sent = await bot.send_poll(group.id, "换物业?", ["同意", "反对"], is_anonymous=False)
    emulator.vote_poll(kim, emulator.messages(group)[-1], [0])
    poll_update, answer_update = await bot.get_updates()
    stopped = await bot.stop_poll(group.id, sent.message_id)

    assert sent.poll is not None
    assert [o.text for o in sent.poll.options] == ["同意", "反对"]
    assert poll_update.poll is not None
    assert poll_update.poll.options[0].voter_count == 1
    assert answer_update.poll_answer is not None
    assert answer_update.poll_answer.user is not None
    assert (answer_update.poll_answer.user.id, answer_update.poll_answer.option_ids) == (
        kim.id,
        (0,),
    )
    assert stopped.is_closed
    with pytest.raises(BadRequest, match="Poll has already been closed"):
        await bot.stop_poll(group.id, sent.message_id)


# -- bot settings ------------------------------------------------------------------------------


async def test_commands_are_stored_per_scope_and_language(
    emulator: BotApiEmulator, bot: Bot
) -> None:
    from telegram import BotCommand, BotCommandScopeAllGroupChats

    await bot.set_my_commands([BotCommand("report", "报修")], language_code="zh")
    await bot.set_my_commands(
        [BotCommand("vote", "Start a vote")], scope=BotCommandScopeAllGroupChats()
    )
    await bot.set_my_description("物业助手")

    assert [c.command for c in await bot.get_my_commands(language_code="zh")] == ["report"]
    assert await bot.get_my_commands() == ()
    assert emulator.commands({"type": "all_group_chats"}) == [
        {"command": "vote", "description": "Start a vote"}
    ]
    assert emulator.description() == "物业助手"
    assert json.loads(emulator.calls("setMyCommands")[0].params["commands"]) == [
        {"command": "report", "description": "报修"}
    ]
    with pytest.raises(BadRequest):
        await bot.set_my_commands([BotCommand("Bad-Name", "x")])
    await bot.delete_my_commands(language_code="zh")
    assert emulator.commands(language_code="zh") == []


async def test_copy_forward_and_chat_action(
    emulator: BotApiEmulator, bot: Bot, alice: SimUser
) -> None:
    original = await bot.send_message(alice.id, "通知: 停水")
    lena = emulator.create_user("Lena")
    emulator.user_starts_bot(lena)

    copied = await bot.copy_message(lena.id, alice.id, original.message_id)
    forwarded = await bot.forward_message(lena.id, alice.id, original.message_id)
    assert await bot.send_chat_action(lena.id, "typing")

    texts = [(m.message_id, m.text) for m in emulator.messages(lena)]
    assert texts == [(copied.message_id, "通知: 停水"), (forwarded.message_id, "通知: 停水")]
    assert forwarded.forward_origin is not None


# -- faults ------------------------------------------------------------------------------------


async def test_flood_fault_raises_retry_after_and_has_no_effect(
    emulator: BotApiEmulator, bot: Bot, alice: SimUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    emulator.inject_fault("sendMessage", kind="flood", retry_after=7)

    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(alice.id, "one")
    await bot.send_message(alice.id, "two")

    assert caught.value.retry_after == dtm.timedelta(seconds=7)
    assert [m.text for m in emulator.messages(alice)] == ["two"]
    assert [c.fault for c in emulator.calls("sendMessage")] == ["flood", None]


@pytest.mark.parametrize("kind", ["server_error", "bad_gateway"])
async def test_server_faults_surface_as_network_errors(
    emulator: BotApiEmulator, bot: Bot, alice: SimUser, kind: str
) -> None:
    emulator.inject_fault("sendmessage", kind=kind, times=2)  # type: ignore[arg-type]

    for _ in range(2):
        with pytest.raises(NetworkError):
            await bot.send_message(alice.id, "lost")
    await bot.send_message(alice.id, "delivered")

    assert [m.text for m in emulator.messages(alice)] == ["delivered"]


async def test_faults_can_target_one_chat(
    emulator: BotApiEmulator, bot: Bot, alice: SimUser
) -> None:
    mia = emulator.create_user("Mia")
    emulator.user_starts_bot(mia)
    emulator.inject_fault("sendMessage", kind="server_error", chat_id=mia.id)

    await bot.send_message(alice.id, "unaffected")
    with pytest.raises(NetworkError):
        await bot.send_message(mia.id, "affected")

    assert [m.text for m in emulator.messages(alice)] == ["unaffected"]
    assert emulator.messages(mia) == []


async def test_timeout_fault_times_out_the_client_without_effect(
    emulator: BotApiEmulator, alice: SimUser
) -> None:
    emulator.inject_fault("sendMessage", kind="timeout")

    async with make_bot(emulator, read_timeout=0.2) as impatient:
        with pytest.raises(TimedOut):
            await impatient.send_message(alice.id, "never stored")
        await impatient.send_message(alice.id, "stored")

    assert [m.text for m in emulator.messages(alice)] == ["stored"]
    assert emulator.calls("sendMessage")[0].fault == "timeout"


async def test_latency_lets_the_call_take_effect_after_the_client_gave_up(
    emulator: BotApiEmulator, alice: SimUser
) -> None:
    emulator.set_latency("sendMessage", 1.0)

    async with make_bot(emulator, read_timeout=0.1) as impatient:
        with pytest.raises(TimedOut):
            await impatient.send_message(alice.id, "slow but real")
        stored = await emulator.wait_for_message(alice, containing="slow")

    assert stored.text == "slow but real"


async def test_wait_for_reports_what_it_waited_for(
    emulator: BotApiEmulator, alice: SimUser
) -> None:
    with pytest.raises(AssertionError, match="containing 'never'"):
        await emulator.wait_for_message(alice, containing="never", timeout=0.05)


# -- command line ------------------------------------------------------------------------------


async def test_cli_prints_the_base_url() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.sandbox",
        "--port",
        "0",
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        first_line = (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
        base_url = first_line.split("base_url=")[1].strip()
        async with Bot("123456:TEST-TOKEN", base_url=base_url) as cli_bot:
            assert (await cli_bot.get_me()).username == "courtyard_test_bot"
    finally:
        process.terminate()
        await process.wait()
    assert "http://127.0.0.1:" in first_line


async def test_wait_for_message_after_and_count(
    emulator: BotApiEmulator, bot: Bot, alice: SimUser
) -> None:
    await bot.send_message(alice.id, "收到")
    question = emulator.send_message(alice, alice, "还有一个问题")
    waiting = asyncio.create_task(emulator.wait_for_message(alice, after=question, count=2))
    await bot.send_message(alice.id, "收到")
    assert not waiting.done()

    await bot.send_message(alice.id, "已处理")
    latest = await waiting

    assert latest.text == "已处理"
    earlier = await emulator.wait_for_message(alice, containing="收到", after=question)
    assert earlier.message_id == question["message_id"] + 1


async def test_simulated_users_follow_telegram_rules(
    emulator: BotApiEmulator, bot: Bot, alice: SimUser
) -> None:
    outsider = emulator.create_user("Outsider")
    group = emulator.create_group("Tower K", members=[alice], username="tower_k")
    sent = await bot.send_message("@tower_k", "公告")
    await bot.send_poll(group.id, "?", ["a", "b"], allows_revoting=False)

    with pytest.raises(ValueError, match="not a member"):
        emulator.send_message(outsider, group, "let me in")
    emulator.block_bot(alice)
    with pytest.raises(ValueError, match="blocked the bot"):
        emulator.send_message(alice, alice, "hello?")
    with pytest.raises(ValueError, match="only edit their own"):
        emulator.edit_message(alice, emulator.messages(group)[0], "mine now")
    poll_message = emulator.messages(group)[-1]
    emulator.vote_poll(alice, poll_message, [0])
    with pytest.raises(ValueError, match="does not allow changing"):
        emulator.vote_poll(alice, poll_message, [1])

    assert sent.chat.username == "tower_k"
    history = [(m.sender.first_name, m.content) for m in emulator.history(group)]
    assert history == [("Courtyard", "公告"), ("Courtyard", "")]
