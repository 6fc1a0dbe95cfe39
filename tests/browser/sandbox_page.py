"""Drive the sandbox page in a real browser as a person would: by names, labels and buttons."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select, WebDriverWait

T = TypeVar("T")
# Generous: the machine may be loaded, and a jump may render charts before it returns.
TIMEOUT = 90.0


class SandboxPage:
    """The page, seen through the browser."""

    def __init__(
        self, driver: WebDriver, url: str, failure_screenshot: Path | None = None
    ) -> None:
        self.driver = driver
        self.url = url
        # Where to leave a picture of the page when a wait times out (for the failure report).
        self.failure_screenshot = failure_screenshot

    def wait(self, condition: Callable[[], T | None], what: str, timeout: float = TIMEOUT) -> T:
        """Poll ``condition`` until it returns something truthy; fail naming ``what``."""

        def attempt(_: WebDriver) -> T | None:
            try:
                return condition()
            except (StaleElementReferenceException, WebDriverException):
                return None  # the page was updated under our feet: look again

        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.2).until(attempt)
        except Exception as error:
            if self.failure_screenshot is not None:
                self.driver.save_screenshot(str(self.failure_screenshot))
            raise AssertionError(
                f"timed out waiting for {what}; toast: {self.toast()!r}"
            ) from error

    def open(self) -> None:
        self.driver.get(self.url)
        self.wait(lambda: self.driver.find_elements(By.CSS_SELECTOR, ".personas a"), "the page")

    def toast(self) -> str:
        try:
            return self.driver.find_element(By.ID, "toast").text
        except WebDriverException:
            return ""

    # -- who and where -------------------------------------------------------------------------

    def become(self, name: str) -> None:
        """Pick a person in the switcher."""

        def click() -> bool:
            for link in self.driver.find_elements(By.CSS_SELECTOR, ".personas a"):
                if name in link.text:
                    link.click()
                    return True
            return False

        self.wait(click, f"{name} in the switcher")
        self.wait(
            lambda: (
                name in self.driver.find_element(By.CSS_SELECTOR, ".personas a[aria-current]").text
            ),
            f"{name} to be the current person",
        )

    def open_group(self) -> None:
        def click() -> bool:
            for tab in self.driver.find_elements(By.CSS_SELECTOR, "#panel-tabs a"):
                if tab.get_attribute("id") != "tab-private":
                    tab.click()
                    return True
            return False

        self.wait(click, "the group's tab")
        self._wait_current_tab(lambda tab_id: tab_id != "tab-private")

    def open_private(self) -> None:
        self.click("tab-private")
        self._wait_current_tab(lambda tab_id: tab_id == "tab-private")

    def _wait_current_tab(self, wanted: Callable[[str], bool]) -> None:
        def current() -> bool:
            tab = self.driver.find_element(By.CSS_SELECTOR, "#panel-tabs a[aria-current]")
            return wanted(tab.get_attribute("id") or "")

        self.wait(current, "the chat to open")

    # -- messages ------------------------------------------------------------------------------

    def last_id(self) -> int:
        """The newest message id shown in the open chat (0 if none)."""
        script = """
        const ids = [...document.querySelectorAll("#messages li[id^='m-']")]
          .map((li) => Number(li.id.slice(2)));
        return Math.max(0, ...ids);
        """
        return int(self.driver.execute_script(script))

    def bot_message(
        self,
        containing: str = "",
        *,
        after: int = 0,
        with_button: str | None = None,
        with_image: bool = False,
    ) -> int:
        """Wait for the bot's message (newer than ``after``) that matches; returns its id."""

        def found() -> int | None:
            for li in reversed(
                self.driver.find_elements(By.CSS_SELECTOR, "#messages li.from-bot")
            ):
                number = int((li.get_attribute("id") or "m-0")[2:])
                if number <= after or containing not in li.text:
                    continue
                if with_button is not None and not self._buttons(li, with_button):
                    continue
                if with_image and not li.find_elements(By.CSS_SELECTOR, "img"):
                    continue
                return number
            return None

        what = f"a bot message containing {containing!r} after #{after}"
        if with_button:
            what += f" with a button {with_button!r}"
        return self.wait(found, what)

    def text_of(self, message_id: int) -> str:
        """The visible text of a message (it may be re-rendered meanwhile: read it afresh)."""
        return self.wait(
            lambda: self.driver.find_element(By.ID, f"m-{message_id}").text, "the message"
        )

    def image_loaded(self, message_id: int) -> bool:
        """Whether the message's picture was downloaded and decoded."""
        image = self.driver.find_element(By.CSS_SELECTOR, f"#m-{message_id} img")
        return bool(self.driver.execute_script("return arguments[0].naturalWidth > 0", image))

    @staticmethod
    def _buttons(li: WebElement, label: str) -> list[WebElement]:
        return [
            b for b in li.find_elements(By.CSS_SELECTOR, ".keyboard button") if label in b.text
        ]

    def has_button(self, message_id: int, label: str) -> bool:
        """Whether the message currently shows a button labelled ``label`` (a part of it)."""
        return bool(self._buttons(self.driver.find_element(By.ID, f"m-{message_id}"), label))

    def press(self, message_id: int, label: str) -> None:
        """Press the button labelled ``label`` (a part of it) under a message."""

        def click() -> bool:
            li = self.driver.find_element(By.ID, f"m-{message_id}")
            buttons = self._buttons(li, label)
            if not buttons:
                return False
            buttons[0].click()
            return True

        self.wait(click, f"a button {label!r} under message {message_id}")

    def send(self, text: str, *, photo: str | None = None) -> int:
        """Type a message (the caption of a sample ``photo``) and send it; returns its id once
        it shows in the chat."""
        before = self.last_id()
        if photo is not None:
            Select(self.driver.find_element(By.ID, "photo")).select_by_value(photo)
        box = self.driver.find_element(By.ID, "composer-text")
        box.clear()
        box.send_keys(text)
        self.driver.find_element(By.CSS_SELECTOR, "#composer .send").click()

        def shown() -> int | None:
            for li in self.driver.find_elements(By.CSS_SELECTOR, "#messages li.from-me"):
                number = int((li.get_attribute("id") or "m-0")[2:])
                if number > before and text in li.text:
                    return number
            return None

        return self.wait(shown, f"our message {text!r}")

    # -- controls ------------------------------------------------------------------------------

    def click(self, element_id: str) -> None:
        """Click a control of the side panels (they are re-rendered live: find it afresh)."""

        def click() -> bool:
            button = self.driver.find_element(By.ID, element_id)
            if not button.is_enabled():
                return False
            button.click()
            return True

        self.wait(click, f"#{element_id} to be clickable")

    def is_disabled(self, element_id: str) -> bool:
        return not self.driver.find_element(By.ID, element_id).is_enabled()

    def fact(self, index: int) -> str:
        """A value of the "Telegram and the bot" panel (-1: updates the bot has not fetched)."""
        return str(self.driver.find_elements(By.CSS_SELECTOR, "#panel-health dd")[index].text)

    def move_clock(self, button_id: str) -> None:
        """Press a clock button; returns once the page says where the clock is now."""
        # The panel is re-rendered live, so even this first read goes through `wait`, which
        # looks again when the element it found was replaced under it.
        before = self.wait(
            lambda: self.driver.find_element(By.CSS_SELECTOR, "#panel-clock time").get_attribute(
                "datetime"
            ),
            "the clock's time",
        )
        self.click(button_id)
        self.wait(
            lambda: (
                self.driver.find_element(By.CSS_SELECTOR, "#panel-clock time").get_attribute(
                    "datetime"
                )
                != before
            ),
            "the clock to move",
        )

    def unlabelled_controls(self) -> list[str]:
        """Form controls and buttons a screen reader could not name."""
        script = """
        const problems = [];
        const controls = 'button, textarea, select, input:not([type=hidden]), a';
        for (const el of document.querySelectorAll(controls)) {
          if (el.closest('[hidden]')) continue;
          const label = el.labels && el.labels.length ? el.labels[0].textContent : '';
          const image = el.querySelector('img[alt]');
          const name = el.getAttribute('aria-label') || label || el.textContent.trim()
            || (image ? image.alt : '');
          if (!name.trim()) problems.push(el.outerHTML.slice(0, 80));
        }
        return problems;
        """
        return list(self.driver.execute_script(script))
