"""Long replies and digests are split into messages at whole lines, each within the budget."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from handlers.common import chunk_lines, utf16_length

_LINES = st.lists(st.text(alphabet="ab漏水🚨", max_size=30), max_size=30)


@given(_LINES, st.integers(1, 200))
def test_chunks_hold_whole_lines_in_order_each_as_full_as_the_budget_allows(
    lines: list[str], budget: int
) -> None:
    chunks = chunk_lines(lines, budget)
    assert [line for chunk in chunks for line in chunk.split("\n")] == lines
    for index, chunk in enumerate(chunks):
        if "\n" in chunk:  # a single line longer than the budget goes alone
            assert utf16_length(chunk) < budget
        if index + 1 < len(chunks):  # the next chunk's first line did not fit
            following = chunks[index + 1].split("\n")[0]
            assert utf16_length(chunk) + 1 + utf16_length(following) >= budget


def test_a_short_list_is_one_message_and_nothing_is_none() -> None:
    assert chunk_lines(["☀️ a", "b"], budget=4096) == ["☀️ a\nb"]
    assert chunk_lines([], budget=4096) == []
    assert chunk_lines(["", ""], budget=4096) == ["\n"]
