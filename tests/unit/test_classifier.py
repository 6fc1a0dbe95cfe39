"""The message classifier with the packaged rules: requests, chit-chat, urgency, places."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.classifier import Classification, Verdict, classify, default_rules
from bot.domain.location import Location

RULES = default_rules()


def verdict_of(text: str) -> Verdict:
    return classify(text, RULES).verdict


@pytest.mark.parametrize(
    "text",
    [
        "大家早上好！",
        "Good morning everyone!",
        "谢谢物业师傅，辛苦了",
        "thanks!",
        "👍👍👍",
        "🙏",
        "哈哈哈哈",
        "lol",
        "What time is the meeting?",
        "明天几点开会？",
        "恭喜王阿姨家添了孙子！",
        "Congratulations on the new baby!",
        "The elevator is fixed, thanks!",
        "电梯修好了，谢谢师傅",
        "停水通知：明天9点到12点停水，请大家提前储水",
        "Notice: the water will be shut off on Friday for maintenance",
        "Reminder: fire drill on Saturday at 10am",
        "物业说电梯下周一年检，停运半天",
        "Who has a spare key for the bike shed?",
        "小区新装的路灯真亮，晚上散步舒服多了",
        "",
        "   ",
    ],
)
def test_chit_chat_and_announcements_are_ignored(text: str) -> None:
    assert verdict_of(text) is Verdict.IGNORE


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("厨房水管漏水了，楼下天花板都湿了", "water"),
        ("暖气一点都不热，家里才十五度", "heating"),
        ("2单元楼道灯坏了好几天了", "electricity"),
        ("电梯怎么又坏了？", "elevator"),
        ("垃圾桶满了好几天没人收，都溢出来了", "sanitation"),
        ("我的车位又被人占了，物业管不管？", "parking"),
        ("楼上半夜还在装修，电钻声吵得睡不着", "noise"),
        ("单元门的门禁坏了，谁都能进来", "security"),
        ("楼梯扶手松了，一扶就晃", "facilities"),
        ("昨晚大风把树刮倒了，横在路中间", "greenery"),
        ("The kitchen sink is leaking again, water all over the floor", "water"),
        ("Radiators in our apartment are stone cold", "heating"),
        ("Hallway light on floor 3 has been out for a week", "electricity"),
        ("Why is the elevator out of order again?", "elevator"),
        ("The bins are overflowing, nobody has collected them for days", "sanitation"),
        ("Someone parked across my garage door, I can't get out", "parking"),
        ("Neighbours upstairs drilling at 7am on a Sunday again", "noise"),
        ("Front door doesn't lock anymore, anyone can walk in", "security"),
        ("A step at the entrance is cracked and wobbly", "facilities"),
        ("The grass behind building 6 hasn't been mowed all summer", "greenery"),
    ],
)
def test_clear_requests_are_tracked_with_their_category(text: str, category: str) -> None:
    result = classify(text, RULES)
    assert result.verdict is Verdict.REQUEST
    assert result.is_request
    assert result.category == category
    assert not result.urgent


@pytest.mark.parametrize(
    "text",
    [
        "3号楼有家阳台冒烟了，好像着火了！",
        "楼道里闻到好大一股煤气味！",
        "电表箱在冒火花！",
        "我妈被困在电梯里了，快打电话！",
        "地下室水管爆了，水已经漫到楼道了！",
        "门口台阶结冰了，刚才王阿姨滑倒摔了一跤",
        "消防通道上停满了车，救护车进不来！",
        "There's smoke coming out of a window in block A!",
        "Fire on the 8th floor, call 119!",
        "Sparks coming out of the junction box by the stairs!",
        "I smell gas on the 4th floor landing",
        "My neighbour is trapped in the elevator",
        "Pipe burst in the basement, it's flooding fast!!",
        "The steps are a sheet of ice, an old man slipped and fell",
        "Cars are parked all along the fire lane, an ambulance couldn't get through",
    ],
)
def test_urgent_markers_in_both_languages_make_urgent_requests(text: str) -> None:
    result = classify(text, RULES)
    assert result.urgent
    assert result.verdict is Verdict.REQUEST


@pytest.mark.parametrize(
    "text",
    [
        "楼梯间有人乱堆纸箱，万一着火怎么办",
        "Please can someone check the fire alarm panel, it's beeping every minute",
        "Fire extinguishers on our floor are empty",
    ],
)
def test_fire_safety_worries_are_requests_but_not_emergencies(text: str) -> None:
    result = classify(text, RULES)
    assert result.verdict is Verdict.REQUEST
    assert not result.urgent


@pytest.mark.parametrize(
    ("traditional", "simplified"),
    [
        ("電梯又壞了，我家老人住八樓走不下來", "电梯又坏了，我家老人住八楼走不下来"),
        ("有人被困在電梯裡了！快叫人！", "有人被困在电梯里了！快叫人！"),
        ("樓上裝修電鑽聲太大，週日一大早就開始", "楼上装修电钻声太大，周日一大早就开始"),
        ("謝謝物業師傅，電梯修好了", "谢谢物业师傅，电梯修好了"),
    ],
)
def test_traditional_text_reads_like_simplified(traditional: str, simplified: str) -> None:
    assert classify(traditional, RULES) == classify(simplified, RULES)


def test_full_width_english_reads_like_ascii() -> None:
    assert classify("ＴＨＥ ＬＩＦＴ ＩＳ ＢＲＯＫＥＮ", RULES) == classify(
        "the lift is broken", RULES
    )


def test_a_resolution_cancels_the_problem_words_it_repeats() -> None:
    assert verdict_of("楼道灯不亮的问题物业已经修好了，谢谢") is Verdict.IGNORE
    assert verdict_of("楼道灯不亮，物业到现在还没修好") is Verdict.REQUEST
    assert verdict_of("The leak in 4B has been fixed, thanks all") is Verdict.IGNORE
    assert verdict_of("The leak in 4B still hasn't been fixed") is Verdict.REQUEST


def test_a_topic_alone_is_not_a_request() -> None:
    assert verdict_of("电梯") is Verdict.IGNORE
    assert verdict_of("The new benches in the garden are really comfortable") is Verdict.IGNORE


def test_a_problem_without_a_known_topic_is_borderline_in_the_fallback_category() -> None:
    result = classify("自助售货机坏了，取不了货", RULES)
    assert result.verdict is Verdict.BORDERLINE
    assert not result.is_request
    assert result.category == RULES.fallback_category
    assert result.category_votes == ()


def test_the_fallback_category_votes_with_its_own_words() -> None:
    """Stray dogs and fees belong to "other" by their words, not only for want of a topic."""
    texts = ("快递柜坏了", "北门的流浪狗追着小孩跑", "Stray dogs chasing kids by the gate")
    for text in texts:
        result = classify(text, RULES)
        assert result.category == RULES.fallback_category, text
        assert dict(result.category_votes).get(RULES.fallback_category), text


def test_thanks_at_the_end_of_a_clear_request_keeps_it_a_request() -> None:
    assert verdict_of("3号楼电梯坏了，麻烦尽快派人来修，谢谢！") is Verdict.REQUEST


def test_location_is_attached_when_mentioned() -> None:
    result = classify("5号楼3单元的电梯卡住了", RULES)
    assert result.location == Location(building="5", unit="3")
    assert classify("电梯卡住了", RULES).location is None


def test_matched_names_the_rule_list_of_each_hit() -> None:
    result = classify("电梯坏了，谢谢", RULES)
    groups = {hit.split(":", 1)[0] for hit in result.matched}
    assert {"elevator", "problem", "chit_chat"} <= groups
    assert "problem:坏了" in result.matched


def test_confidence_orders_verdicts_by_the_thresholds() -> None:
    confident = classify("电梯坏了，困了人！", RULES)
    borderline = classify("自助售货机坏了", RULES)
    ignored = classify("电梯", RULES)
    assert confident.confidence >= RULES.confident > borderline.confidence
    assert borderline.confidence >= RULES.borderline > ignored.confidence


def test_the_same_message_always_gets_the_same_reading() -> None:
    text = "3-502家里水管漏水，楼下天花板都湿了，麻烦物业来看看"
    assert classify(text, RULES) == classify(text, RULES)


# Fragments the rules react to, mixed into random text so matching paths get exercised.
_FRAGMENTS = st.sampled_from(
    ["电梯", "坏了", "着火", "谢谢", "通知", "修好了", "3单元", "B座", "unit 3B", "leak",
     "fire", "thanks", "fixed", "!", "，", "樓", "ＡＢ", "\u200b", "😊", "\n"]
)  # fmt: skip
_MESSAGES = st.one_of(
    st.text(max_size=4096),
    st.lists(st.one_of(_FRAGMENTS, st.text(max_size=20)), max_size=200).map("".join),
)


@settings(max_examples=300, deadline=None)
@given(_MESSAGES)
def test_classify_never_raises_and_stays_consistent(text: str) -> None:
    result = classify(text[:4096], RULES)
    assert isinstance(result, Classification)
    assert 0.0 <= result.confidence <= 1.0
    expected = (
        Verdict.REQUEST
        if result.confidence >= RULES.confident
        else Verdict.BORDERLINE
        if result.confidence >= RULES.borderline
        else Verdict.IGNORE
    )
    assert result.verdict is expected
    assert result.category in {rule.key for rule in RULES.categories}
    assert not (result.urgent and result.verdict is Verdict.IGNORE)
