"""The learned model: stable features, reproducible training, a file format that round-trips."""

from __future__ import annotations

import pytest

from bot.domain.learned_model import (
    NONE_LABEL,
    LinearModel,
    ModelDelta,
    ModelError,
    packaged_model,
)
from bot.domain.model_training import Example, TrainingParameters, adapt, train
from bot.domain.text_features import BUCKETS, bucket_of, buckets, feature_names, fold

CATEGORIES = ("water", "elevator")
EXAMPLES = [
    Example("水管漏水了", "water"),
    Example("厨房水管一直漏水", "water"),
    Example("the pipe is leaking", "water"),
    Example("pipe leaking under the sink", "water"),
    Example("电梯坏了", "elevator", urgent=False),
    Example("电梯困人了", "elevator", urgent=True),
    Example("the lift is broken", "elevator"),
    Example("someone is trapped in the lift", "elevator", urgent=True),
    Example("大家早上好", NONE_LABEL),
    Example("good morning everyone", NONE_LABEL),
    Example("谢谢大家", NONE_LABEL),
    Example("thanks everyone", NONE_LABEL),
    Example("建议装个充电桩", "suggestion"),
    Example("could we get a bike rack", "suggestion"),
]
SMALL = TrainingParameters(iterations=120, min_count=1)


def test_features_fold_scripts_and_numbers() -> None:
    assert fold("3栋2单元1102 電梯") == "0栋0单元0 电梯"
    assert feature_names("電梯") == feature_names("电梯")
    assert "w:lift" in feature_names("The LIFT!")
    assert "g:<lea" in feature_names("leaking")
    assert "s:🔥" in feature_names("🔥🔥")


def test_buckets_are_stable_across_runs() -> None:
    # CRC-32, not hash(): the shipped model depends on these numbers never changing.
    assert bucket_of("c:电梯") == 612975
    assert all(0 <= bucket < BUCKETS for bucket in buckets("电梯坏了 the lift"))


def test_training_is_deterministic_and_the_file_round_trips() -> None:
    first = train(EXAMPLES, CATEGORIES, SMALL, version="t1")
    second = train(EXAMPLES, CATEGORIES, SMALL, version="t1")
    assert first.to_bytes() == second.to_bytes()
    loaded = LinearModel.from_bytes(first.to_bytes())
    for text in ("水管漏水", "lift broken", "早上好"):
        assert loaded.predict(text).request == pytest.approx(first.predict(text).request, abs=1e-2)


def test_a_trained_model_learns_its_examples() -> None:
    model = train(EXAMPLES, CATEGORIES, SMALL)
    assert model.predict("楼上水管漏水").category == "water"
    assert model.predict("楼上水管漏水").request > 0.5
    assert model.predict("电梯又坏了").category == "elevator"
    assert model.predict("大家早上好啊").request < 0.5
    assert model.predict("建议装个充电桩吧").suggestion > 0.5
    assert model.evidence("厨房水管漏水", "water")


def test_an_adaptation_moves_what_it_was_shown() -> None:
    model = train(EXAMPLES, CATEGORIES, SMALL)
    local = [Example("the hoist is stuck again", "elevator")] * 3
    before = model.predict("hoist stuck on level 2")
    delta = adapt(model, local, version="a1")
    adapted = model.with_delta(ModelDelta.from_bytes(delta.to_bytes()))
    after = adapted.predict("hoist stuck on level 2")
    assert after.categories[0][0] == "elevator"
    assert after.request > before.request
    assert adapted.metadata["adaptation"] == "a1"
    # Words it never saw in the corrections keep their weights.
    assert adapted.predict("大家早上好").request == pytest.approx(
        model.predict("大家早上好").request, abs=1e-6
    )


@pytest.mark.parametrize("data", [b"", b"not a zip", b"PK\x03\x04broken"])
def test_a_damaged_model_file_is_refused(data: bytes) -> None:
    with pytest.raises(ModelError):
        LinearModel.from_bytes(data)


def test_the_packaged_model_loads_and_is_versioned() -> None:
    model = packaged_model()
    assert model.version
    assert model.metadata["examples"] >= 3000
    assert set(model.categories) >= {"water", "heating", "other"}
