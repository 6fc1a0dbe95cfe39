"""Rules and the learned model together: who decides what, and what learning may not change."""

from __future__ import annotations

import pytest

from bot.domain.adaptation import CorrectedLabel, latest_labels, plan_adaptation
from bot.domain.classifier import Verdict, classify, default_rules
from bot.domain.escalation import StaffLevel, StaffMember
from bot.domain.learned_model import packaged_model
from bot.domain.model_training import AdaptationParameters, Example, adapt
from bot.domain.recategorise import reroute
from bot.domain.understanding import Understanding

RULES = default_rules()
BOTH = Understanding(RULES, packaged_model())


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("我的车位被一辆白车占了三天了", "parking"),
        ("The dog next door howls from morning till night", "noise"),
        ("楼上小孩天天晚上在地板上蹦", "noise"),
        ("The main door no longer latches", "security"),
    ],
)
def test_the_model_notices_complaints_without_a_problem_word(text: str, category: str) -> None:
    result = BOTH.classify(text)
    assert result.verdict is not Verdict.IGNORE
    assert result.category == category


@pytest.mark.parametrize(
    "text",
    [
        "听说对面小区昨晚着火了",
        "要是停电了电梯里的人怎么办",
        "不好意思，这周我家装修，会有点吵",
        "What day do the bins get collected?",
        "谁家在炒辣椒，油烟好大，哈哈",
        "出一台九成新洗衣机，200块自提",
    ],
)
def test_hard_negatives_get_neither_card_nor_button(text: str) -> None:
    assert BOTH.classify(text).verdict is Verdict.IGNORE


@pytest.mark.parametrize(
    "text", ["建议在地库装几个充电桩", "Could we get a bike rack by block C?"]
)
def test_suggestions_are_flagged_not_tracked(text: str) -> None:
    result = BOTH.classify(text)
    assert result.suggestion
    assert result.verdict is Verdict.IGNORE


def test_rules_urgent_hazards_survive_a_model_taught_to_ignore_them() -> None:
    text = "5号楼地下室水管爆了，水已经漫到楼道了！"
    model = packaged_model()
    # A deliberately bad adaptation: the same hazard, labelled "not a request", many times.
    delta = adapt(
        model,
        [Example(text, "none")] * 20,
        AdaptationParameters(anchor=0.0001, iterations=300),
        version="bad",
    )
    poisoned = Understanding(RULES, model.with_delta(delta))
    assert poisoned.model is not None
    assert poisoned.model.predict(text).request < 0.1  # the model was fooled
    result = poisoned.classify(text)
    assert classify(text, RULES).urgent
    assert result.verdict is Verdict.REQUEST
    assert result.urgent


def test_a_card_torn_between_two_categories_names_both() -> None:
    results = [
        BOTH.classify(text)
        for text in (
            "楼道的暖气管漏水了，地上一滩水",
            "Water dripping from the radiator pipe in the hallway",
            "The light in the lift lobby flickers and the lift is slow",
        )
    ]
    torn = [r for r in results if r.alternative_category]
    assert torn, [(r.category, r.alternative_category) for r in results]
    for result in torn:
        assert result.alternative_category != result.category


def test_explain_names_the_rules_and_the_learned_evidence() -> None:
    explanation = BOTH.explain("厨房水管漏水了，楼下天花板都湿了")
    assert explanation["rules"]["category"] == "water"  # type: ignore[index]
    model = explanation["model"]
    assert isinstance(model, dict)
    assert model["version"] == packaged_model().version
    assert model["evidence"], "some n-grams pushed it towards water"
    assert explanation["decided_by"]


def test_rules_only_when_there_is_no_model() -> None:
    text = "Radiators in 2B are cold"
    assert Understanding(RULES).classify(text) == classify(text, RULES)


# --- adaptation safeguards ---


def label(
    subject: str, text: str, is_request: bool, category: str | None = None
) -> CorrectedLabel:
    return CorrectedLabel(subject, text, is_request, category, False)


def test_the_latest_correction_of_a_message_is_its_label() -> None:
    labels = [
        label("m:1", "a", True, "water"),
        label("m:2", "b", False),
        label("m:1", "a", True, "heating"),
    ]
    assert latest_labels(labels) == [labels[1], labels[2]]


def test_no_adaptation_below_the_minimum_number_of_examples() -> None:
    outcome = plan_adaptation(
        packaged_model(),
        [label("m:1", "the hoist is stuck", True, "elevator")],
        fallback_category="other",
        min_examples=5,
        version="a1",
    )
    assert outcome.delta is None
    assert "needed" in outcome.reason


def test_an_adaptation_that_does_worse_on_the_newest_corrections_is_not_kept() -> None:
    # Older corrections teach nonsense; the newest ones (held out) say the opposite.
    nonsense = [label(f"m:{i}", f"楼道灯不亮了 {i}号楼", False) for i in range(12)]
    truth = [label(f"n:{i}", f"{i}单元楼道灯不亮了", True, "electricity") for i in range(5)]
    outcome = plan_adaptation(
        packaged_model(),
        nonsense + truth,
        fallback_category="other",
        min_examples=5,
        version="a1",
        parameters=AdaptationParameters(anchor=0.0001, iterations=300),
    )
    assert outcome.delta is None
    assert outcome.before is not None
    assert outcome.after is not None
    assert outcome.after.right < outcome.before.right


def test_rerouting_tells_staff_who_no_longer_serve_the_category() -> None:
    roster = [
        StaffMember(1, 7, frozenset({"water"}), StaffLevel.VOLUNTEER),
        StaffMember(2, 7, frozenset({"heating"}), StaffLevel.VOLUNTEER),
        StaffMember(3, 7, frozenset({"water", "heating"}), StaffLevel.VOLUNTEER),
    ]
    plan = reroute("heating", 7, roster, had_it=[1, 3], assignee_id=1)
    assert plan.left == (1,)
    assert not plan.keep_assignee
    plan = reroute("heating", 7, roster, had_it=[1, 3], assignee_id=3)
    assert plan.keep_assignee
