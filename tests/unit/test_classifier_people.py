"""People in danger, things about to fall, and smoke that is only a notice or the news.

Batch 4 showed that the hazards the rules missed were mostly dangers to people (a child on a
railing, a neighbour not seen for days, a hand caught in a door, an ambulance that cannot get in)
and objects about to fall described in new words; its false alarms were fire and smoke words in
notices, news and pest control. Pests and smells were filed under the place they were noticed.
"""

from __future__ import annotations

import pytest

from bot.domain.classifier import Verdict, classify, default_rules

RULES = default_rules()


@pytest.mark.parametrize(
    "text",
    [
        # A child or an elderly person in a risky place.
        "9楼有个小女孩坐在窗台上往下看，窗户没关，家长呢",
        "几个初中生翻过天台的护栏在边上拍照",
        "有個細路企咗喺露台欄杆外面，快啲搵佢屋企人",
        "A little boy is standing on the window sill of 7C with the window wide open",
        # In the water, caught, fallen, unconscious.
        "喷泉池里有个小孩掉进去了，快来人",
        "自动门夹住了一个老人的手，还在往里关",
        "地下车库有个大爷躺在地上一动不动",
        "My son's fingers are trapped in the gate by the playground and it won't open",
        "An elderly neighbour collapsed in the corridor and is not responding",
        # Not seen for days.
        "对门的老太太四天没开门了，一个人住，电话也不接",
        "The man in 2B lives alone and hasn't answered his door since Sunday",
        # Emergency access.
        "救护车在东门外进不来，被两辆私家车挡着",
        "The fire engine couldn't get down the service road because of a parked lorry",
        # About to fall, in new words.
        "顶楼的广告牌被风吹得晃来晃去，下面就是人行道",
        "Air con unit on the 4th floor is hanging off one bracket above the bus stop",
        "A sheet of roofing is flapping loose over the car park entrance",
    ],
)
def test_people_in_danger_and_things_about_to_fall_are_urgent(text: str) -> None:
    result = classify(text, RULES)
    assert result.verdict is Verdict.REQUEST, result.matched
    assert result.urgent, result.matched


@pytest.mark.parametrize(
    "text",
    [
        # Notices, drills and pest control.
        "【通知】明天上午地下车库灭蚊消杀，会有烟雾，请勿惊慌",
        "下周三消防演习，楼下会放烟雾弹",
        "Pest control are fogging the bin store tomorrow, the mist is harmless",
        # Fires elsewhere or in the past; the all-clear.
        "马路对面的饭店着火了，不是我们小区",
        "上个月隔壁楼那次起火是电动车引起的",
        "The smoke is from a controlled burn across the valley, nothing to do with us",
        "刚才的烟不是着火，是楼下在打药",
        # Cooking fumes and festival offerings.
        "谁家在炒菜，油烟好大",
        "有人喺露台燒嘢食，啲煙吹晒入嚟",
        # A danger that is over, or a what-if.
        "The lady who fainted in the lobby is okay now, her son took her home",
        "要是小孩被电梯门夹住了怎么办？",
    ],
)
def test_notices_news_cooking_and_settled_dangers_page_nobody(text: str) -> None:
    assert not classify(text, RULES).urgent


@pytest.mark.parametrize(
    "text",
    [
        # A near miss or a habit is a request about the fault, not an emergency.
        "电梯门经常夹到人，感应器是不是坏了",
        "单元门的闭门器太猛，差点夹到孩子的手",
        "楼道扶手松了，老人扶着晃得厉害",
        "Radiator in the kids' room won't heat up even after bleeding it",
        "The bathroom light in my flat flickers every evening",
    ],
)
def test_faults_near_people_are_not_urgent(text: str) -> None:
    assert not classify(text, RULES).urgent


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("the lift smells of wee every single morning", "sanitation"),
        ("pigeons nesting on the roof above the lift room, droppings all over", "sanitation"),
        ("电梯里有蟑螂爬来爬去", "sanitation"),
        ("天台上全是鸽子屎", "sanitation"),
        ("The car park barrier remote stopped working for the whole floor", "parking"),
        ("地库的卷帘门又坏了，车出不去", "parking"),
    ],
)
def test_pests_and_smells_are_filed_by_what_they_are_not_where_they_are(
    text: str, category: str
) -> None:
    assert classify(text, RULES).category == category
