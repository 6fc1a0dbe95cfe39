"""Hazards told by a dangerous state and where it is; messages the rules read as settled.

Residents rarely write "fire" or "burst pipe": they say the water is running down the stairs or the
switch cupboard is open with children about. And a message naming a hazard is often about one that
is over, elsewhere, hypothetical or the writer's own doing; the learned model, which only sees the
hazard's words, must not turn those into cards.
"""

from __future__ import annotations

import pytest

from bot.domain.classifier import Classification, Verdict, classify, default_rules
from bot.domain.learned_model import Prediction
from bot.domain.understanding import DEFAULT_THRESHOLDS, combine

RULES = default_rules()


@pytest.mark.parametrize(
    "text",
    [
        "Water is running down the stairwell from the fifth floor",
        "楼梯上的水哗哗往下流，一楼都湿了",
        "The fuse box cover is off and the breakers are exposed",
        "一楼配电箱的门一直开着，小孩在旁边玩",
        "There's a strong smell of gas on the landing",
        "二楼楼道闻到燃气的味道了",
        "A cracked branch is dangling over the footpath to the school",
        "大风把树枝刮断了一半，挂在人行道上面",
        "My neighbour's kid is locked inside the bin store",
        "有个老人被困在地下室出不来了",
        "The fire exit on level 3 has been padlocked",
        "楼梯口的安全出口被人用锁链锁上了",
        "The lobby ceiling has caved in",
        "The walkway to block B is frozen over",
        "The lift went down with the doors still open",
        "阳台上的花盆摇摇欲坠，下面就是小区大门",
    ],
)
def test_hazards_without_a_hazard_word_are_urgent_requests(text: str) -> None:
    result = classify(text, RULES)
    assert result.verdict is Verdict.REQUEST, result.matched
    assert result.urgent, result.matched


@pytest.mark.parametrize(
    "text",
    [
        "A small branch is hanging low over the path, could someone trim it?",
        "The meter cupboard lock is broken so the door doesn't shut properly",
        "楼梯扶手有点晃",
    ],
)
def test_nuisances_near_hazards_are_not_urgent(text: str) -> None:
    assert not classify(text, RULES).urgent


@pytest.mark.parametrize(
    "text",
    [
        "单元门口的冰已经铲干净了",
        "The stuck lift is moving again and everyone inside is fine",
        "燃气公司的人说刚才的味道是检修放气，没有危险",
        "What happens if water gets into the switchboard?",
        "冬天楼梯结冰的话，物业会不会撒盐？",
        "Sorry about the smoke, it was our fireplace",
        "不好意思，刚才楼道里的烟是我家烧东西冒的",
        "在消防通道捡到一个钱包，已经交给保安了",
        "The block across the road had water pouring down their stairs",
    ],
)
def test_settled_hypothetical_and_own_hazards_are_hedged_not_urgent(text: str) -> None:
    result = classify(text, RULES)
    assert result.hedged, result.matched
    assert not result.urgent
    assert result.verdict is Verdict.IGNORE


@pytest.mark.parametrize(
    "text",
    [
        "楼梯间有人乱堆纸箱，万一着火怎么办",
        "The lobby hasn't been cleaned in two weeks, it's filthy",
        "三天两头停水，也不提前说一声",
        "Boxes piled in the stairwell again, what if there's a fire?",
    ],
)
def test_a_report_with_a_worry_or_a_complaint_about_notice_is_not_hedged(text: str) -> None:
    result = classify(text, RULES)
    assert not result.hedged, result.matched
    assert result.verdict is not Verdict.IGNORE


def _prediction(request: float) -> Prediction:
    return Prediction(
        request=request, suggestion=0.0, urgent=0.0, categories=(("water", 0.9), ("other", 0.1))
    )


def _hedged(text: str) -> Classification:
    ruled = classify(text, RULES)
    assert ruled.hedged
    assert ruled.verdict is Verdict.IGNORE
    return ruled


def test_a_sure_model_cannot_turn_a_hedged_message_into_a_card() -> None:
    ruled = _hedged("The leak's stopped, the plumber replaced the washer")
    sure = combine(ruled, _prediction(0.99), RULES, DEFAULT_THRESHOLDS)
    assert sure.verdict is Verdict.BORDERLINE
    fairly_sure = combine(ruled, _prediction(0.8), RULES, DEFAULT_THRESHOLDS)
    assert fairly_sure.verdict is Verdict.IGNORE


def test_the_same_model_still_makes_a_card_when_nothing_hedges() -> None:
    ruled = classify("The bathroom ceiling has a brown patch that grows", RULES)
    assert not ruled.hedged
    assert combine(ruled, _prediction(0.8), RULES, DEFAULT_THRESHOLDS).is_request
