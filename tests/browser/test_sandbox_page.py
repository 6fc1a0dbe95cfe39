"""`courtyard sandbox` in headless Chromium, walked through as a newcomer would.

Run: .venv/bin/pytest tests/browser -q   (COURTYARD_SANDBOX_SCREENSHOT=docs/sandbox.png also
refreshes the README's screenshot).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.i18n import translator
from bot.sandbox.demo_content import DEMO_CONTENT
from tests.browser.conftest import RunningSandbox, chrome, start_sandbox
from tests.browser.sandbox_page import SandboxPage

pytestmark = pytest.mark.usefixtures("browser_available")


@pytest.fixture
def english(tmp_path: Path) -> Iterator[RunningSandbox]:
    yield from start_sandbox("en", tmp_path)


@pytest.fixture
def chinese(tmp_path: Path) -> Iterator[RunningSandbox]:
    yield from start_sandbox("zh", tmp_path)


def _number(pattern: str, text: str) -> int:
    found = re.search(pattern, text)
    assert found is not None, f"{pattern!r} not in {text!r}"
    return int(found.group(1))


def report_leak_take_resolve(
    page: SandboxPage, language: str, leak: str, *, rate: bool, photo: str | None = None
) -> int:
    """A resident reports a leak in the group (with a sample ``photo``), the plumber takes
    and resolves it privately, and (``rate``) the resident confirms and rates it. Returns
    the request's number."""
    _ = translator(language)  # type: ignore[arg-type]
    people = DEMO_CONTENT[language]  # type: ignore[index]
    resident, plumber = people.residents[0].first_name, people.plumber.first_name

    page.become(resident)
    page.open_group()
    sent = page.send(leak, photo=photo)
    if photo is not None:
        page.wait(lambda: page.image_loaded(sent), "our photo to show")
    card = page.bot_message(leak[:20], after=sent, with_button=_("🙋 Me too"))
    number = _number(r"#(\d+)", page.text_of(card))

    page.become(plumber)
    page.open_private()
    staff_card = page.bot_message(f"#{number}", with_button=_("🛠 Take it"))
    page.press(staff_card, _("🛠 Take it"))
    page.wait(lambda: page.has_button(staff_card, _("✅ Resolved")), "the card to offer Resolved")
    before = page.last_id()
    page.press(staff_card, _("✅ Resolved"))
    page.bot_message(after=before)  # asks for an optional note
    note = page.send("Replaced the seal" if language == "en" else "换了密封圈")
    page.bot_message(f"#{number}", after=note)
    if not rate:
        return number

    page.become(resident)
    page.open_private()
    question = page.bot_message(f"#{number}", with_button=_("👍 Fixed"))
    page.press(question, _("👍 Fixed"))
    page.press(question, "⭐⭐⭐⭐⭐")
    page.wait(
        lambda: "⭐⭐⭐⭐⭐" in page.text_of(question) and not page.has_button(question, "⭐"),
        "the rating to be confirmed",
    )
    return number


def household_poll_to_results(page: SandboxPage, language: str, question: str) -> int:
    """The head starts a household poll, two residents vote, the clock jumps to its
    deadline and the results with their chart appear in the group."""
    people = DEMO_CONTENT[language]  # type: ignore[index]
    household = "--household" if language == "en" else "--按户"
    page.become(people.head.first_name)
    page.open_group()
    sent = page.send(f"/poll {question} {household} --hours 48")
    poll = page.bot_message("#P", after=sent, with_button="1.")
    number = _number(r"#P(\d+)", page.text_of(poll))
    for voter, option in ((people.residents[0], "1."), (people.residents[1], "2.")):
        page.become(voter.first_name)
        page.open_group()
        page.press(poll, option)
        page.wait(lambda: page.toast(), f"{voter.first_name}'s vote to be confirmed")
    page.move_clock(f"clock-poll-{number}")
    chart = page.bot_message(f"#P{number}", after=poll, with_image=True)
    page.wait(lambda: page.image_loaded(chart), "the results chart to load")
    results = page.bot_message("(50%)", after=poll)
    assert results < chart
    assert f"#P{number}" in page.text_of(results)
    return results


def kill_write_and_restart(page: SandboxPage, text: str) -> None:
    """Kill the bot from the page, write meanwhile, start it again: the message is answered."""
    page.click("bot-kill")
    page.wait(lambda: page.is_disabled("bot-kill"), "the bot to be killed")
    sent = page.send(text)
    page.wait(lambda: page.fact(-1) == "1", "the update to wait for the bot")
    page.click("bot-start")
    card = page.bot_message(text[:8], after=sent)
    assert "#" in page.text_of(card)


def test_a_newcomer_walks_through_requests_polls_and_reports_in_english(
    english: RunningSandbox, tmp_path: Path
) -> None:
    driver = chrome(tmp_path / "profile", "1400,950")
    page = SandboxPage(driver, english.url, tmp_path / "failure.png")
    try:
        page.open()
        assert page.unlabelled_controls() == []
        report_leak_take_resolve(
            page,
            "en",
            "Water is dripping from the ceiling in the stairwell of unit 2",
            rate=True,
            photo="leak",
        )
        results = household_poll_to_results(page, "en", "Paint the hallway?")
        _screenshot(page, results, tmp_path)
        # Monday 09:00: the weekly report (message and chart) reaches the head privately.
        head = DEMO_CONTENT["en"].head.first_name
        page.become(head)
        page.open_private()
        before = page.last_id()
        page.move_clock("clock-report")
        report = page.bot_message("Report for", after=before)
        page.bot_message(after=report, with_image=True)
        assert "Maple Court B" in page.text_of(report)
    finally:
        driver.quit()


def test_a_shorter_walk_in_chinese_on_a_phone_sized_screen(
    chinese: RunningSandbox, tmp_path: Path
) -> None:
    driver = chrome(tmp_path / "profile", "400,860")
    page = SandboxPage(driver, chinese.url, tmp_path / "failure.png")
    try:
        page.open()
        assert driver.find_element("css selector", "html").get_attribute("lang") == "zh-Hans"
        assert page.unlabelled_controls() == []
        report_leak_take_resolve(page, "zh", "2单元楼道天花板在漏水，一直往下滴", rate=False)
        household_poll_to_results(page, "zh", "楼道要不要重新刷漆？")
        kill_write_and_restart(page, "3单元门口的路灯不亮了，晚上看不见路")
    finally:
        driver.quit()


def _screenshot(page: SandboxPage, message_id: int, tmp_path: Path) -> None:
    """The chat with a message at the top; COURTYARD_SANDBOX_SCREENSHOT=docs/sandbox.png
    keeps the README's picture current."""
    script = """
    const list = document.getElementById('messages');
    const item = document.getElementById(arguments[0]);
    list.scrollTop += item.getBoundingClientRect().top - list.getBoundingClientRect().top - 8;
    window.scrollTo(0, 0);
    """
    page.driver.execute_script(script, f"m-{message_id}")
    target = os.environ.get("COURTYARD_SANDBOX_SCREENSHOT")
    path = Path(target) if target else tmp_path / "sandbox.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    assert page.driver.save_screenshot(str(path))
