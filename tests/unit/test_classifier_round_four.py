"""Round four of the rules: hedges in new words, any-order hazards, harmless sources, places.

Every example is written for this test (none comes from a blind batch or the corpus), so a rule
that only matched a tuned phrase fails here.
"""

from __future__ import annotations

import pytest

from bot.domain.classifier import Verdict, classify, default_rules
from bot.domain.learned_model import Prediction, packaged_model
from bot.domain.understanding import DEFAULT_THRESHOLDS, Understanding, combine

RULES = default_rules()
UNDERSTANDING = Understanding(RULES, packaged_model())


@pytest.mark.parametrize(
    "text",
    [
        # Apologies and the writer's own affairs.
        "抱歉啊，前天晚上我们家打牌打到很晚，可能吵到楼下了",
        "对唔住，我屋企个鱼缸可能渗水落楼下，已经搵咗人嚟睇",
        "Sorry if we woke anyone, the movers dropped a table on the stairs",
        # What-ifs anywhere in the message.
        "请问一下，家里暖气片要是漏水了，应该先关哪个阀？",
        "Does anyone know who we call if the lift ever traps someone at night?",
        "冬天快到了，外面的水龙头要不要关掉，不然冻裂咋办",
        # Old incidents, videos, other places.
        "前几年那次地库淹水，后来查出来是排水泵坏了",
        "刷到个视频，别的城市有个小区燃气爆炸了，太吓人",
        "Back in 2018 the whole block lost heating for a week, glad that's over",
        # Information questions.
        "小区的大件垃圾几点来收？",
        "Which day do the recycling bins get emptied?",
        # Staff notices of a repair in hand.
        "物业：5号楼水泵故障，维修人员已到场，预计傍晚恢复供水，请耐心等待",
        "Management update: engineers are attending the boiler, thank you for your patience",
        # Renting out.
        "Renting out my garage space from March, DM me",
    ],
)
def test_hard_negatives_in_new_words_are_hedged_and_page_nobody(text: str) -> None:
    result = classify(text, RULES)
    assert result.hedged, text
    assert not result.urgent, text
    assert result.verdict is not Verdict.REQUEST, text


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # A child at a window or a railing, in any order.
        ("9楼飘窗开着，有个小女孩踩着窗台往外探，家里没大人", "security"),
        ("A little boy is leaning out over the balcony rail, nobody with him", "security"),
        ("有個細路女爬咗上窗台，企喺度望落街", "security"),
        # Someone fallen who cannot get up, the words far apart.
        ("an old lady slipped near the mailboxes, she's awake but cannot stand up", "security"),
        ("楼梯口有个老大爷摔了，自己起不来，我在旁边陪着", "security"),
        # Smoke and a fire bell, in Cantonese.
        ("後樓梯好多煙，火警鐘響緊", "security"),
        # Concrete falling where people pass.
        ("入口上面啲批荡剥落，跌咗几舊落行人路", "facilities"),
        ("Lumps of concrete keep dropping off the balcony above the bus stop", "facilities"),
        # Water on wires; hot water spraying from a joint.
        ("Rain is dripping onto the exposed cables in the riser, they're live", "electricity"),
        ("卫生间角阀崩开了，水飙得满墙都是", "water"),
        # An open manhole where people walk.
        ("小区主路上那个窨井盖被掀开了，一个大洞", "facilities"),
    ],
)
def test_hazards_in_new_words_are_urgent(text: str, category: str) -> None:
    # The rules alone page staff (learning can never silence them); the category is decided
    # with the model, as the bot does.
    assert classify(text, RULES).urgent, text
    result = UNDERSTANDING.classify(text)
    assert result.urgent, text
    assert result.verdict is Verdict.REQUEST, text
    assert result.category == category, text


@pytest.mark.parametrize(
    "text",
    [
        "The smoke detector outside 12F keeps chirping, low battery I guess, please replace it",
        "楼下那家烧烤档每晚都冒烟，熏得我们不敢开窗",
        "Smokers leave cigarette ends all over the stairwell, please put up a sign",
    ],
)
def test_a_harmless_source_keeps_the_complaint_but_pages_nobody(text: str) -> None:
    result = classify(text, RULES)
    assert result.harmless, text
    assert not result.urgent, text
    assert result.verdict is not Verdict.IGNORE, text


@pytest.mark.parametrize(
    "text",
    [
        "有人抽烟把垃圾桶点着了，冒着烟",
        "楼下饭馆的厨房起火了，黑烟往上冒",
        "The fan unit on the roof is sparking and smoking",
    ],
)
def test_something_alight_is_never_harmless(text: str) -> None:
    result = classify(text, RULES)
    assert not result.harmless, text
    assert result.urgent, text


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("The ceiling light outside 7B is smoking and smells of burnt plastic", "electricity"),
        ("插座那里冒烟了，一股焦味", "electricity"),
        ("信箱的小门掉了两个，合不上", "facilities"),
        ("The landing window catch is broken and it won't shut", "facilities"),
        ("后门那几只流浪狗老追着送外卖的咬", "other"),
        ("有辆车的防盗器响了半天没人管", "noise"),
    ],
)
def test_the_broken_thing_and_its_place_decide_the_category(text: str, category: str) -> None:
    assert classify(text, RULES).category == category, text
    assert UNDERSTANDING.classify(text).category == category, text


def _confident_urgent_model(category: str) -> Prediction:
    return Prediction(
        request=0.95, suggestion=0.0, urgent=0.95, categories=((category, 0.9), ("other", 0.1))
    )


def test_the_models_urgency_never_overrules_a_hedge_or_a_harmless_source() -> None:
    hedged = classify("What should we do if the gas alarm ever goes off at night?", RULES)
    harmless = classify("The smoke alarm in the hall keeps chirping, battery's low", RULES)
    for ruled in (hedged, harmless):
        combined = combine(ruled, _confident_urgent_model("security"), RULES, DEFAULT_THRESHOLDS)
        assert not combined.urgent, ruled.matched


def test_the_model_may_promote_a_rules_request_to_urgent() -> None:
    ruled = classify("楼道里的灯一直在闪，已经好几天了", RULES)
    assert ruled.verdict is Verdict.REQUEST
    assert not ruled.urgent
    assert not ruled.hedged
    combined = combine(ruled, _confident_urgent_model("electricity"), RULES, DEFAULT_THRESHOLDS)
    assert combined.urgent
    assert "model: urgent" in combined.evidence
