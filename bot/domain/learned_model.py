"""The learned model: a linear classifier over hashed n-grams (see `text_features`).

One softmax over "none", "suggestion" and every request category, and one logistic output for
"urgent". It is small (only buckets seen in training are stored, weights as float16), loads in
milliseconds and classifies a message in tens of microseconds. The file is a zip of .npy arrays
plus JSON metadata, written byte-for-byte reproducibly (fixed member dates), so retraining on the
same corpus gives the same file.
"""

from __future__ import annotations

import io
import json
import math
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Final

import numpy as np
import numpy.typing as npt

from bot.domain.text_features import FEATURES_VERSION, bucket_of, buckets, feature_names

NONE_LABEL: Final = "none"
SUGGESTION_LABEL: Final = "suggestion"
PACKAGED_MODEL: Final = "classifier_model.zip"
_ZIP_DATE: Final = (2020, 1, 1, 0, 0, 0)

FloatArray = npt.NDArray[np.float32]


class ModelError(ValueError):
    """A model file that cannot be used (wrong format, other feature version, damaged)."""


@dataclass(frozen=True)
class Prediction:
    """What the model makes of one message."""

    request: float  # P(a request of any category)
    suggestion: float
    urgent: float  # P(urgent), meaningful for requests
    categories: tuple[tuple[str, float], ...]  # categories by P(category | request), best first

    @property
    def category(self) -> str:
        return self.categories[0][0]


@dataclass(frozen=True, eq=False)
class LinearModel:
    """Weights per hash bucket; the last column is the urgent logit."""

    labels: tuple[str, ...]
    rows: Mapping[int, int]
    weights: FloatArray
    bias: FloatArray
    metadata: Mapping[str, object] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return str(self.metadata.get("version", "unversioned"))

    @property
    def categories(self) -> tuple[str, ...]:
        return self.labels[2:]

    def logits(self, text: str) -> FloatArray:
        """Raw scores: one per label, then urgent."""
        counts = buckets(text)
        found = [(self.rows[b], c) for b, c in counts.items() if b in self.rows]
        if not found:
            return self.bias.copy()
        norm = math.sqrt(sum(c * c for c in counts.values()))
        index = np.fromiter((row for row, _ in found), dtype=np.int64, count=len(found))
        values = np.fromiter((c / norm for _, c in found), dtype=np.float32, count=len(found))
        result: FloatArray = values @ self.weights[index] + self.bias
        return result

    def predict(self, text: str) -> Prediction:
        scores = self.logits(text)
        label_scores = scores[:-1].astype(np.float64)
        exp = np.exp(label_scores - label_scores.max())
        probabilities = exp / exp.sum()
        request = float(probabilities[2:].sum())
        within = probabilities[2:] / max(request, 1e-12)
        order = np.argsort(-within, kind="stable")
        return Prediction(
            request=request,
            suggestion=float(probabilities[1]),
            urgent=1.0 / (1.0 + math.exp(-float(scores[-1]))),
            categories=tuple((self.categories[i], float(within[i])) for i in order),
        )

    def evidence(self, text: str, label: str, limit: int = 6) -> list[tuple[str, float]]:
        """Features that pushed the message towards `label` most (for `--explain`)."""
        column = self.labels.index(label) if label in self.labels else len(self.labels)
        names = feature_names(text)
        norm = math.sqrt(sum(count * count for count in buckets(text).values())) or 1.0
        weighed: dict[str, float] = {}
        for name in names:
            row = self.rows.get(bucket_of(name))
            if row is None:
                continue
            # Relative to the average label, so a word common to every label does not show.
            weight = self.weights[row]
            contribution = float(weight[column] - weight[: len(self.labels)].mean())
            weighed[name] = weighed.get(name, 0.0) + contribution / norm
        ranked = sorted(weighed.items(), key=lambda item: -item[1])
        return [(name, round(value, 3)) for name, value in ranked[:limit] if value > 0]

    def with_delta(self, delta: ModelDelta) -> LinearModel:
        """This model with a deployment's learned adjustments added."""
        rows = dict(self.rows)
        extra = [b for b in delta.buckets if b not in rows]
        weights = np.concatenate(
            [self.weights, np.zeros((len(extra), self.weights.shape[1]), dtype=np.float32)]
        )
        for offset, bucket in enumerate(extra):
            rows[bucket] = len(self.weights) + offset
        index = np.fromiter((rows[b] for b in delta.buckets), dtype=np.int64)
        weights[index] += delta.weights
        metadata = {**self.metadata, "adaptation": delta.version}
        return LinearModel(self.labels, rows, weights, self.bias, metadata)

    def to_bytes(self) -> bytes:
        ordered = sorted(self.rows.items(), key=lambda item: item[1])
        return _write_zip(
            {
                "buckets": np.array([b for b, _ in ordered], dtype=np.int32),
                "weights": self.weights[[row for _, row in ordered]].astype(np.float16),
                "bias": self.bias.astype(np.float32),
            },
            {**self.metadata, "labels": list(self.labels), "features": FEATURES_VERSION},
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> LinearModel:
        arrays, metadata = _read_zip(data)
        if metadata.get("features") != FEATURES_VERSION:
            raise ModelError(f"model uses features v{metadata.get('features')}")
        labels = metadata.get("labels")
        if not isinstance(labels, list) or labels[:2] != [NONE_LABEL, SUGGESTION_LABEL]:
            raise ModelError("model labels missing")
        bucket_ids = arrays["buckets"]
        weights = arrays["weights"].astype(np.float32)
        bias = arrays["bias"].astype(np.float32)
        if weights.shape != (len(bucket_ids), len(labels) + 1) or bias.shape != (len(labels) + 1,):
            raise ModelError("model arrays do not match its labels")
        rows = {int(bucket): row for row, bucket in enumerate(bucket_ids)}
        return cls(tuple(str(label) for label in labels), rows, weights, bias, metadata)


@dataclass(frozen=True, eq=False)
class ModelDelta:
    """A deployment's adjustments to the shipped model, learned from its corrections."""

    buckets: tuple[int, ...]
    weights: FloatArray  # one row per bucket, same columns as the model
    version: str
    base_version: str

    def to_bytes(self) -> bytes:
        return _write_zip(
            {
                "buckets": np.array(self.buckets, dtype=np.int32),
                "weights": self.weights.astype(np.float32),
            },
            {"version": self.version, "base": self.base_version, "features": FEATURES_VERSION},
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> ModelDelta:
        arrays, metadata = _read_zip(data)
        if metadata.get("features") != FEATURES_VERSION:
            raise ModelError("adaptation was learned for other features")
        bucket_ids = tuple(int(b) for b in arrays["buckets"])
        weights = arrays["weights"].astype(np.float32)
        if weights.shape[0] != len(bucket_ids):
            raise ModelError("adaptation arrays do not match")
        return cls(bucket_ids, weights, str(metadata["version"]), str(metadata["base"]))


@cache
def packaged_model() -> LinearModel:
    """The model shipped in the package (`bot/domain/classifier_model.zip`), loaded once."""
    data = resources.files("bot.domain").joinpath(PACKAGED_MODEL).read_bytes()
    return LinearModel.from_bytes(data)


def _write_zip(
    arrays: Mapping[str, npt.NDArray[np.generic]], metadata: Mapping[str, object]
) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            member = io.BytesIO()
            np.save(member, array, allow_pickle=False)
            archive.writestr(zipfile.ZipInfo(f"{name}.npy", _ZIP_DATE), member.getvalue(),
                             compress_type=zipfile.ZIP_DEFLATED)  # fmt: skip
        text = json.dumps(metadata, sort_keys=True, ensure_ascii=False, indent=1)
        archive.writestr(zipfile.ZipInfo("metadata.json", _ZIP_DATE), text.encode("utf-8"),
                         compress_type=zipfile.ZIP_DEFLATED)  # fmt: skip
    return buffer.getvalue()


def _read_zip(data: bytes) -> tuple[dict[str, npt.NDArray[np.generic]], dict[str, object]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            metadata = json.loads(archive.read("metadata.json").decode("utf-8"))
            arrays = {
                name.removesuffix(".npy"): np.load(
                    io.BytesIO(archive.read(name)), allow_pickle=False
                )
                for name in archive.namelist()
                if name.endswith(".npy")
            }
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ModelError(f"unreadable model: {exc}") from exc
    if not isinstance(metadata, dict):
        raise ModelError("model metadata is not an object")
    return arrays, metadata
