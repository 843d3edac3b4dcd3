"""The answer judge: "does this paragraph (and which of its sentences) state what this question
asks, and do the papers answer it at all?", decided by small trained models instead of rules about
question wordings.

Small models read the features of qa/features.py: one ranks a question's paragraphs (trained on a
softmax over its candidates, then scaled to a probability that a paragraph answers, given that one
does), one which of a paragraph's sentences says it, one whether a paragraph is about the question
at all (fitted to each paragraph alone), and one, the gate, whether the question is answered at
all. Each is logistic, or, for the paragraph model when trained with `--trees`, boosted trees,
which weigh one piece of evidence by another; each is trained with the direction a feature's
meaning fixes held (a name the paragraph says only counts for it). Their weights, and the
thresholds calibrated with them, are `judge.json` beside this module, written by
`bench/train_judge.py` from the development questions (bench/questions/generated/dev.jsonl) in a
few minutes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from .embed import evidence_model
from .features import candidates, gate_row, vector
from .models import Hit
from .query import Query
from .retrieve import Retrieval

MODEL_PATH = Path(__file__).with_name("judge.json")


@dataclass
class Sentence:
    start: int
    end: int
    p: float = 0.0


@dataclass
class Judged:
    """One retrieved paragraph as the judge sees it: the probability that it states the answer,
    and its sentences, most likely to say it first."""

    hit: Hit
    p: float
    sentences: list[Sentence] = field(default_factory=list)
    features: dict[str, float] = field(default_factory=dict)
    about: float = 0.0  # how likely it answers, weighed against every question's paragraphs (see JudgeFile)

    @property
    def text(self) -> str:
        return self.hit.chunk.text

    def best(self) -> Sentence:
        return self.sentences[0]


@dataclass
class Model:
    """A logistic model over named features: standardised, weighted, summed, squashed."""

    features: list[str]
    weights: np.ndarray
    mean: np.ndarray
    scale: np.ndarray

    def predict(self, x: np.ndarray) -> np.ndarray:
        z = ((x - self.mean) / self.scale) @ self.weights
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))

    def to_json(self) -> dict[str, Any]:
        return {"features": self.features, "weights": self.weights.round(5).tolist(),
                "mean": self.mean.round(5).tolist(), "scale": self.scale.round(5).tolist()}

    @classmethod
    def of(cls, data: dict[str, Any]) -> "Model":
        return cls(list(data["features"]), np.array(data["weights"], dtype=np.float64),
                   np.array(data["mean"], dtype=np.float64), np.array(data["scale"], dtype=np.float64))


@dataclass
class Trees:
    """Boosted decision trees over named features: the leaf values the row reaches in every tree,
    summed with the baseline and squashed. Stored as one array per node field, trees padded to one
    length, so a question's candidates go down all trees at once."""

    features: list[str]
    baseline: float
    feature: np.ndarray  # (trees, nodes): the feature a node splits on
    threshold: np.ndarray  # a row goes left when its feature is at most this
    left: np.ndarray  # child nodes; 0 marks a leaf (the root is no one's child)
    right: np.ndarray
    value: np.ndarray  # a leaf's share of the log-odds

    def predict(self, x: np.ndarray) -> np.ndarray:
        rows = np.arange(x.shape[0])[:, None]
        trees = np.arange(self.feature.shape[0])[None, :]
        node = np.zeros((x.shape[0], self.feature.shape[0]), dtype=np.int64)
        for _ in range(self.feature.shape[1]):
            inner = self.left[trees, node] > 0
            if not inner.any():
                break
            go_left = x[rows, self.feature[trees, node]] <= self.threshold[trees, node]
            node = np.where(inner, np.where(go_left, self.left[trees, node], self.right[trees, node]), node)
        z = self.baseline + self.value[trees, node].sum(axis=1)
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))

    def to_json(self) -> dict[str, Any]:
        trees = []
        for t in range(self.feature.shape[0]):
            n = int(np.count_nonzero(self.left[t]) * 2 + 1)  # nodes in use: each inner node has two children
            trees.append({"feature": self.feature[t, :n].tolist(), "threshold": self.threshold[t, :n].round(6).tolist(),
                          "left": self.left[t, :n].tolist(), "right": self.right[t, :n].tolist(),
                          "value": self.value[t, :n].round(6).tolist()})
        return {"kind": "trees", "features": self.features, "baseline": round(self.baseline, 6), "trees": trees}

    @classmethod
    def of(cls, data: dict[str, Any]) -> "Trees":
        width = max(len(t["feature"]) for t in data["trees"])

        def field(name: str, dtype: type) -> np.ndarray:
            out = np.zeros((len(data["trees"]), width), dtype=dtype)
            for i, t in enumerate(data["trees"]):
                out[i, :len(t[name])] = t[name]
            return out

        return cls(list(data["features"]), float(data["baseline"]), field("feature", np.int64),
                   field("threshold", np.float64), field("left", np.int64), field("right", np.int64),
                   field("value", np.float64))


def model_of(data: dict[str, Any]) -> Model | Trees:
    return Trees.of(data) if data.get("kind") == "trees" else Model.of(data)


@dataclass
class Thresholds:
    """Calibrated on the development questions (see bench/train_judge.py)."""

    answer: float = 0.5  # the gate's probability at which the question is answered
    near: float = 0.15  # a paragraph this likely is about the subject: pointed at by a near miss …
    # … when the gate finds the question at least this likely answered: nine in ten near misses (a
    # detail changed in a question about a paper's subject) are; a question on another subject is not
    point: float = 0.0
    listed: float = 0.5  # a list gathers every paragraph at least this likely …
    beside: float = 0.0  # … and at least this share of the best one's probability
    read: float = 0.0  # a language model reads the paragraphs at least this share as likely as the best


@dataclass
class JudgeFile:
    """The models. `units` ranks a question's paragraphs against each other, so its probability says
    which of them answers, given that one does; `about` weighs each paragraph against the paragraphs
    of every question, so a paragraph on another subject is unlikely whatever else was retrieved
    (a near miss points only at paragraphs likely by this one)."""

    units: Model | Trees
    sentences: Model | Trees
    gate: Model | Trees
    about: Model | Trees
    thresholds: Thresholds
    trained_on: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"units": self.units.to_json(), "sentences": self.sentences.to_json(), "gate": self.gate.to_json(),
                "about": self.about.to_json(), "thresholds": self.thresholds.__dict__, "trained_on": self.trained_on}


@lru_cache(maxsize=4)
def load(path: Path = MODEL_PATH) -> JudgeFile:
    data = json.loads(path.read_text(encoding="utf-8"))
    return JudgeFile(model_of(data["units"]), model_of(data["sentences"]), model_of(data["gate"]),
                     model_of(data["about"]),
                     Thresholds(**data["thresholds"]),
                     data.get("trained_on", {}))


class Judge:
    def __init__(self, embed_models: list[str], path: Path = MODEL_PATH) -> None:
        self.path = path
        evidence = evidence_model(embed_models)
        self.dense_model = evidence.model if evidence else None

    @property
    def file(self) -> JudgeFile:
        """The trained weights, read on first use (and once per process)."""
        return load(self.path)

    @property
    def thresholds(self) -> Thresholds:
        return self.file.thresholds

    @staticmethod
    def beside(judged: list[Judged], floor: float, share: float) -> list[Judged]:
        """The paragraphs that stand beside the best (itself included): at least `floor` likely and
        at least `share` of the best one's probability."""
        least = max(floor, share * judged[0].p) if judged else floor
        return [j for j in judged if j.p >= least]

    def gate(self, query: Query, retrieval: Retrieval, judged: list[Judged]) -> float:
        """The probability that the papers answer the question at all, read off its best paragraphs."""
        if not judged:
            return 0.0
        row = gate_row([j.features for j in judged], [j.about for j in judged])
        return float(self.file.gate.predict(vector(row, self.file.gate.features)[None, :])[0])

    def judge(self, query: Query, retrieval: Retrieval) -> list[Judged]:
        """The retrieved paragraphs, most likely to state the answer first."""
        found = candidates(query, retrieval, self.dense_model)
        if not found:
            return []
        x = np.stack([vector(u, self.file.units.features) for _, u, _, _ in found])
        units, about = self.file.units.predict(x), self.file.about.predict(x)
        out = []
        for (hit, unit, spans, rows), p, q in zip(found, units, about):
            ps = self.file.sentences.predict(np.stack([vector(r, self.file.sentences.features) for r in rows]))
            ranked = sorted((Sentence(a, b, float(s)) for (a, b), s in zip(spans, ps)), key=lambda s: -s.p)
            out.append(Judged(hit, float(p), ranked, unit, float(q)))
        # in the model's order alone: whether a paragraph is about the time the question names is
        # one of its features (`period`, `period_named`), not a rule over it
        return sorted(out, key=lambda j: -j.p)
