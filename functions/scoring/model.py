"""The scoring core: loads an ONNX model directory and scores texts with onnxruntime.

Used by every API function. Imports onnxruntime and numpy only; the features module turns
texts into terms exactly as training did, and the graph maps terms to TF-IDF weights,
logits, calibrated probabilities and per-term contributions.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort

from functions.scoring.features import MAX_TEXT_CHARS, FeatureSpec, extract_terms

MODEL_FILE = "model.onnx"
CARD_FILE = "model_card.json"
CHUNK = 256
TOP_TERMS = 5

# Graph interface, shared with the exporter in model_build.export.
INPUT_TERMS = "terms"
INPUT_COUNTS = "counts"
INPUT_ROWS = "rows"
INPUT_BATCH = "batch_size"
OUTPUT_PROBABILITIES = "probabilities"
OUTPUT_CONTRIBUTIONS = "contributions"


class InvalidText(ValueError):
    """A text that cannot be scored: empty, or longer than the limit."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class ModelLoadError(RuntimeError):
    """A model directory that is missing, incomplete, or does not match its card."""


@dataclass(frozen=True)
class TermContribution:
    term: str
    weight: float


@dataclass(frozen=True)
class Prediction:
    label: str
    probabilities: dict[str, float]
    confidence: float
    top_terms: tuple[TermContribution, ...]
    model_version: str


def check_text(text: str) -> None:
    """Raises InvalidText when `text` is blank or longer than MAX_TEXT_CHARS characters."""
    if not text.strip():
        raise InvalidText("empty_text", "text is empty")
    if len(text) > MAX_TEXT_CHARS:
        raise InvalidText(
            "text_too_long", f"text has {len(text)} characters; the limit is {MAX_TEXT_CHARS}"
        )


@dataclass(frozen=True)
class _Encoded:
    terms: list[str]
    counts: list[float]
    rows: list[int]
    sources: list[dict[str, int]]  # per term occurrence: which words it came from


def _encode(texts: Sequence[str], spec: FeatureSpec) -> _Encoded:
    terms: list[str] = []
    counts: list[float] = []
    rows: list[int] = []
    sources: list[dict[str, int]] = []
    for row, text in enumerate(texts):
        by_term: dict[str, Counter[str]] = defaultdict(Counter)
        for term, source in extract_terms(text, spec):
            by_term[term][source] += 1
        for term, origin in by_term.items():
            terms.append(term)
            counts.append(float(sum(origin.values())))
            rows.append(row)
            sources.append(dict(origin))
    return _Encoded(terms, counts, rows, sources)


class SentimentModel:
    """One loaded model version. Thread-safe: onnxruntime sessions may run concurrently."""

    def __init__(self, session: ort.InferenceSession, card: dict[str, Any]) -> None:
        self._session = session
        self.card = card
        self.version: str = card["version"]
        self.labels: tuple[str, ...] = tuple(card["labels"])
        self.spec = FeatureSpec.from_dict(card["features"])

    @classmethod
    def load(cls, model_dir: Path) -> SentimentModel:
        """Loads `model_dir` (model.onnx + model_card.json).

        Raises ModelLoadError when a file is missing or model.onnx does not match the
        sha256 its card records.
        """
        onnx_path, card_path = model_dir / MODEL_FILE, model_dir / CARD_FILE
        if not onnx_path.is_file() or not card_path.is_file():
            raise ModelLoadError(f"{model_dir} needs {MODEL_FILE} and {CARD_FILE}")
        card = json.loads(card_path.read_text(encoding="utf-8"))
        onnx_bytes = onnx_path.read_bytes()
        if hashlib.sha256(onnx_bytes).hexdigest() != card.get("onnx_sha256"):
            raise ModelLoadError(f"{onnx_path} does not match the sha256 in its model card")
        return cls(new_session(onnx_bytes), card)

    def score(self, texts: Sequence[str]) -> list[Prediction]:
        """Scores `texts` in fixed-size chunks, so memory stays flat as the batch grows.

        Raises InvalidText for the first blank or over-long text; nothing is scored then.
        """
        for text in texts:
            check_text(text)
        predictions: list[Prediction] = []
        for start in range(0, len(texts), CHUNK):
            predictions.extend(self._score_chunk(texts[start : start + CHUNK]))
        return predictions

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Raw class probabilities, one row per text in label order (for parity checks)."""
        return np.vstack(
            [self._run(texts[start : start + CHUNK])[1] for start in range(0, len(texts), CHUNK)]
        )

    def _run(self, texts: Sequence[str]) -> tuple[_Encoded, np.ndarray, np.ndarray]:
        encoded = _encode(texts, self.spec)
        probabilities, contributions = self._session.run(
            [OUTPUT_PROBABILITIES, OUTPUT_CONTRIBUTIONS],
            {
                INPUT_TERMS: np.array(encoded.terms, dtype=object),
                INPUT_COUNTS: np.array(encoded.counts, dtype=np.float32),
                INPUT_ROWS: np.array(encoded.rows, dtype=np.int64),
                INPUT_BATCH: np.array([len(texts)], dtype=np.int64),
            },
        )
        return encoded, probabilities, contributions

    def _score_chunk(self, texts: Sequence[str]) -> Iterator[Prediction]:
        encoded, probabilities, contributions = self._run(texts)
        winners = probabilities.argmax(axis=1)
        # A term's push toward the winning class, relative to the average class.
        relative = contributions - contributions.mean(axis=1, keepdims=True)
        per_row: list[dict[str, float]] = [defaultdict(float) for _ in texts]
        for index, row in enumerate(encoded.rows):
            push = float(relative[index, winners[row]])
            if push == 0.0:
                continue
            origin = encoded.sources[index]
            total = sum(origin.values())
            for source, times in origin.items():
                per_row[row][source] += push * times / total
        for row, probs in enumerate(probabilities):
            label_index = int(winners[row])
            ranked = sorted(per_row[row].items(), key=lambda item: item[1], reverse=True)
            yield Prediction(
                label=self.labels[label_index],
                probabilities={
                    label: round(float(p), 6) for label, p in zip(self.labels, probs, strict=True)
                },
                confidence=round(float(probs[label_index]), 6),
                top_terms=tuple(
                    TermContribution(term, round(weight, 4))
                    for term, weight in ranked[:TOP_TERMS]
                    if weight > 0
                ),
                model_version=self.version,
            )


def new_session(onnx_bytes: bytes) -> ort.InferenceSession:
    """An onnxruntime session on the CPU, one thread per run to keep latency predictable."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    return ort.InferenceSession(onnx_bytes, options, providers=["CPUExecutionProvider"])
