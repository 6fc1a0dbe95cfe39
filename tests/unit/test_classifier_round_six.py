"""Round six of the rules: smoke, gas, water still coming, water in electrics, and their hedges.

Every example is written for this test (none comes from a blind batch or the corpus), in the
four styles residents use (simplified, traditional, Cantonese, English), so a rule that only
matched a tuned phrase fails here. Urgency and hedging are the rules' own, so they are checked
on the rules alone.
"""

from __future__ import annotations

import pytest

from bot.domain.classifier import Verdict, classify, default_rules
from bot.domain.learned_model import packaged_model
from bot.domain.understanding import Understanding

RULES = default_rules()
UNDERSTANDING = Understanding(RULES, packaged_model())


@pytest.mark.parametrize(
    "text",
    [
        # Smoke filling a space, or choking people, with no fire word.
        "五楼楼梯间满是黑烟，我下楼的时候呛得直咳嗽",
        "B座後樓梯全部都係煙，嗆到眼都擘唔開",
        "走廊裡都是煙，嗆得喘不過氣，不知道哪一戶",
        "地下车库弥漫着烟，看不清车位了",
        "The landing on 9 is thick with smoke and I'm coughing, no idea which flat",
        "儲物間一屋子的煙，嗆得眼淚直流",
        # Gas or rotten eggs smelt, getting stronger or filling a floor.
        "12楼电梯口一股臭蛋味，越往里走越重，谁家燃气没关？",
        "成條走廊一陣臭雞蛋味，越嚟越勁，好驚",
        "樓梯間有一股臭雞蛋的味道，越來越濃，頭都暈了",
        "There's a sulphur smell on level 4 that keeps getting stronger, could be gas",
        "gas smell in the whole stairwell of block D, really strong now",
        "the rotten-egg smell by lift 2 is much stronger than an hour ago",
        # Water still surging or pouring out of a flat or from a ceiling.
        "对门家里的水一直往外涌，已经漫进电梯厅了",
        "隔壁單位的水不停湧出來，整條走廊都係水",
        "天花板的水哗哗地灌下来，接了三个桶都不够",
        "車庫頂上的水不斷倒下來，已經積到腳踝",
        "樓上單位啲水由天花一路灌落嚟，仲係不停咁灌",
        "Water is pouring from the ceiling of the bike store onto the floor",
        "flat 3C's door has water gushing out from under it into the hallway, still going",
        # Water in or on lights, switches, sockets, electrical boxes.
        "卫生间顶上的筒灯里全是水，灯还开着，吓得不敢去关",
        "走廊配電箱上面積了一灘水，上面還在漏",
        "雨水順住窗邊流落插蘇度，我唔敢撳個掣",
        "楼上漏下来的水正好滴在客厅开关面板上",
        "the kitchen ceiling light is half full of water and still switched on",
        "阳台吸顶灯的灯罩接满了水，灯还亮着，我不敢去关",
        "Rain is running down the wall right onto the sockets in the laundry room",
        "rain coming in and running down the wall onto the fuse box in the garage",
    ],
)
def test_round_six_hazards_are_urgent(text: str) -> None:
    result = classify(text, RULES)
    assert result.urgent, result.matched
    assert result.verdict is Verdict.REQUEST


@pytest.mark.parametrize(
    "text",
    [
        # A dripping tap, a flickering light, a faint smell that is gone, a neighbour's barbecue.
        "厨房水龙头一直滴答滴答的，关不紧",
        "The tap in the communal laundry keeps dripping, needs a new washer",
        "三楼走廊的灯一闪一闪的，晚上有点吓人",
        "corridor light outside 7F flickers all evening",
        "昨晚楼道里好像有点臭鸡蛋味，早上开了窗就散了",
        "前天夜里走廊有股淡淡的怪味，后来就没有了",
        "隔壁阳台在烤串，烟飘进来呛得我赶紧关窗",
        "樓下有人炒辣椒，嗆到成座樓都咳",
        # A door or cover ajar with nothing exposed.
        "一楼电表箱的门合不上，留着一条缝，不过里面线都包着没露出来",
        "Meter cupboard door on L2 won't close properly, nothing is exposed, just the latch",
        # An entrapment that is over.
        "昨晚電梯停咗喺兩層中間，我困咗五分鐘，後來自己開咗",
        "lift stopped with me in it for 5 min, eventually it opened by itself, pls check it",
        # A slow drain seeping back up.
        "浴室地漏好慢，水慢慢渗上来，应该是堵了",
        "沖涼房個去水好慢，啲水回水返上嚟",
    ],
)
def test_round_six_look_alikes_are_not_urgent(text: str) -> None:
    assert not classify(text, RULES).urgent, classify(text, RULES).matched


@pytest.mark.parametrize(
    "text",
    [
        # Asking what to do if someone is trapped or something happens: a question.
        "问一下大家，万一被关在电梯里了，除了打电话还能干嘛？",
        "想問下，如果困咗喺升降機入面，應該點做？",
        "請教一下，要是半夜被困在電梯裡，打什麼電話最快？",
        "Quick one: if you get stuck in the lift, what do you do first?",
        "要是楼里闻到煤气味，大家一般先找谁？",
    ],
)
def test_round_six_what_to_do_if_is_hedged(text: str) -> None:
    ruled = classify(text, RULES)
    assert ruled.hedged, ruled.matched
    assert not ruled.urgent
    assert UNDERSTANDING.classify(text).verdict is not Verdict.REQUEST


@pytest.mark.parametrize(
    "text",
    [
        "昨晚電梯停咗喺兩層中間，我困咗五分鐘，後來自己開咗",
        "一楼电表箱的门合不上，留着一条缝，不过里面线都包着没露出来",
        "浴室地漏好慢，水慢慢渗上来，应该是堵了",
    ],
)
def test_round_six_settled_hazards_still_report_the_fault(text: str) -> None:
    assert classify(text, RULES).harmless
    assert UNDERSTANDING.classify(text).is_request
