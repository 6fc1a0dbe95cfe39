"""Training the learned model: from the corpus (`courtyard train`) and from corrections.

Plain multinomial logistic regression with L2, fitted by full-batch Adam on a sparse matrix
(numpy only). Deterministic: the same examples in the same order give the same weights.
Adapting to a deployment fits only a *delta* on the buckets its corrections contain, pulled
towards zero (towards the shipped model), so a handful of corrections changes what they are
about and little else.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bot.domain.learned_model import (
    NONE_LABEL,
    SUGGESTION_LABEL,
    FloatArray,
    LinearModel,
    ModelDelta,
)
from bot.domain.text_features import buckets

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Example:
    """One labelled message: `label` is "none", "suggestion" or a category key."""

    text: str
    label: str
    urgent: bool = False
    weight: float = 1.0


@dataclass(frozen=True)
class TrainingParameters:
    iterations: int = 250
    learning_rate: float = 0.08
    l2: float = 2e-5
    min_count: int = 2  # buckets seen fewer times are not stored (model size)


@dataclass(frozen=True)
class AdaptationParameters:
    iterations: int = 150
    learning_rate: float = 0.1
    anchor: float = 0.02  # pull of the delta towards zero, per example-weighted mean loss


class _Design:
    """The sparse design matrix of a set of examples over a column space of buckets."""

    def __init__(self, texts: Sequence[str], columns: dict[int, int] | None) -> None:
        self.columns: dict[int, int] = {} if columns is None else columns
        grow = columns is None
        rows: list[int] = []
        cols: list[int] = []
        values: list[float] = []
        for number, text in enumerate(texts):
            counts = buckets(text)
            norm = math.sqrt(sum(c * c for c in counts.values())) or 1.0
            for bucket, count in counts.items():
                column = self.columns.get(bucket)
                if column is None:
                    if not grow:
                        continue
                    column = self.columns[bucket] = len(self.columns)
                rows.append(number)
                cols.append(column)
                values.append(count / norm)
        self.size = len(texts)
        self.rows: IntArray = np.array(rows, dtype=np.int64)
        self.cols: IntArray = np.array(cols, dtype=np.int64)
        self.values: FloatArray = np.array(values, dtype=np.float32)
        order = np.argsort(self.cols, kind="stable")
        self._t_rows = self.rows[order]
        self._t_values = self.values[order]
        self.used_columns, self._t_starts = np.unique(self.cols[order], return_index=True)

    def times(self, weights: FloatArray) -> FloatArray:
        """X @ W."""
        out = np.zeros((self.size, weights.shape[1]), dtype=np.float32)
        np.add.at(out, self.rows, self.values[:, None] * weights[self.cols])
        return out

    def transposed_times(self, gradient: FloatArray, width: int) -> FloatArray:
        """X.T @ G over all `width` columns."""
        out = np.zeros((width, gradient.shape[1]), dtype=np.float32)
        if len(self._t_rows):
            sums = np.add.reduceat(
                self._t_values[:, None] * gradient[self._t_rows], self._t_starts, axis=0
            )
            out[self.used_columns] = sums
        return out


def _targets(
    examples: Sequence[Example], labels: Sequence[str]
) -> tuple[FloatArray, FloatArray, FloatArray]:
    index = {label: i for i, label in enumerate(labels)}
    classes = np.zeros((len(examples), len(labels)), dtype=np.float32)
    for row, example in enumerate(examples):
        classes[row, index[example.label]] = 1.0
    urgent = np.array([[float(e.urgent)] for e in examples], dtype=np.float32)
    weights = np.array([e.weight for e in examples], dtype=np.float32)
    return classes, urgent, weights / weights.sum()


def _loss_gradient(
    logits: FloatArray, classes: FloatArray, urgent: FloatArray, weights: FloatArray
) -> FloatArray:
    """d(weighted mean cross-entropy)/d(logits) for the softmax labels and the urgent output."""
    label_logits = logits[:, :-1]
    shifted = np.exp(label_logits - label_logits.max(axis=1, keepdims=True))
    probabilities = shifted / shifted.sum(axis=1, keepdims=True)
    urgent_probability = 1.0 / (1.0 + np.exp(-logits[:, -1:]))
    gradient = np.concatenate([probabilities - classes, urgent_probability - urgent], axis=1)
    result: FloatArray = gradient * weights[:, None]
    return result


def _adam(
    gradient_of: object, shapes: Sequence[tuple[int, ...]], iterations: int, rate: float
) -> list[FloatArray]:
    """Minimise with Adam; `gradient_of(params) -> grads` (same shapes)."""
    params = [np.zeros(shape, dtype=np.float32) for shape in shapes]
    first = [np.zeros_like(p) for p in params]
    second = [np.zeros_like(p) for p in params]
    beta1, beta2, epsilon = 0.9, 0.999, 1e-8
    for step in range(1, iterations + 1):
        grads = gradient_of(params)  # type: ignore[operator]
        for i, grad in enumerate(grads):
            first[i] = beta1 * first[i] + (1 - beta1) * grad
            second[i] = beta2 * second[i] + (1 - beta2) * grad * grad
            corrected_first = first[i] / (1 - beta1**step)
            corrected_second = second[i] / (1 - beta2**step)
            params[i] -= rate * corrected_first / (np.sqrt(corrected_second) + epsilon)
    return params


def train(
    examples: Sequence[Example],
    categories: Sequence[str],
    parameters: TrainingParameters | None = None,
    *,
    version: str = "",
) -> LinearModel:
    """Fit a model on labelled examples (deterministic)."""
    parameters = parameters or TrainingParameters()
    labels = (NONE_LABEL, SUGGESTION_LABEL, *categories)
    counts: dict[int, int] = {}
    for example in examples:
        for bucket in buckets(example.text):
            counts[bucket] = counts.get(bucket, 0) + 1
    kept = sorted(bucket for bucket, count in counts.items() if count >= parameters.min_count)
    design = _Design([e.text for e in examples], {b: i for i, b in enumerate(kept)})
    classes, urgent, weights = _targets(examples, labels)
    width = len(labels) + 1

    def gradient_of(params: list[FloatArray]) -> list[FloatArray]:
        matrix, bias = params
        logits = design.times(matrix) + bias
        gradient = _loss_gradient(logits, classes, urgent, weights)
        return [
            design.transposed_times(gradient, len(kept)) + parameters.l2 * matrix,
            gradient.sum(axis=0),
        ]

    matrix, bias = _adam(
        gradient_of,
        [(len(kept), width), (width,)],
        parameters.iterations,
        parameters.learning_rate,
    )
    return LinearModel(
        labels=labels,
        rows={bucket: i for i, bucket in enumerate(kept)},
        weights=matrix,
        bias=bias,
        metadata={
            "version": version or corpus_fingerprint(examples)[:12],
            "corpus_sha256": corpus_fingerprint(examples),
            "examples": len(examples),
            "parameters": parameters.__dict__,
        },
    )


def adapt(
    model: LinearModel,
    examples: Sequence[Example],
    parameters: AdaptationParameters | None = None,
    *,
    version: str,
) -> ModelDelta:
    """Learn a delta from a deployment's corrections, anchored to the shipped model."""
    parameters = parameters or AdaptationParameters()
    design = _Design([e.text for e in examples], None)
    touched = sorted(design.columns, key=design.columns.__getitem__)
    base = np.zeros((len(touched), model.weights.shape[1]), dtype=np.float32)
    for column, bucket in enumerate(touched):
        row = model.rows.get(bucket)
        if row is not None:
            base[column] = model.weights[row]
    classes, urgent, weights = _targets(examples, model.labels)

    def gradient_of(params: list[FloatArray]) -> list[FloatArray]:
        (delta,) = params
        logits = design.times(base + delta) + model.bias
        gradient = _loss_gradient(logits, classes, urgent, weights)
        return [design.transposed_times(gradient, len(touched)) + parameters.anchor * delta]

    (delta,) = _adam(gradient_of, [base.shape], parameters.iterations, parameters.learning_rate)
    return ModelDelta(tuple(touched), delta, version=version, base_version=model.version)


def corpus_fingerprint(examples: Sequence[Example]) -> str:
    """SHA-256 of the examples as trained on, to tell whether a model matches its corpus."""
    digest = hashlib.sha256()
    for example in examples:
        line = f"{example.text}\t{example.label}\t{int(example.urgent)}\t{example.weight}\n"
        digest.update(line.encode("utf-8"))
    return digest.hexdigest()
