"""The scoring core: loads an ONNX model directory and scores texts with onnxruntime.

Used by every API function. Imports onnxruntime and numpy only; the features module turns
texts into terms exactly as training did, and the graph maps terms to TF-IDF weights,
logits, calibrated probabilities and per-term contributions.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort

from functions.scoring.cache import SizedCache
from functions.scoring.features import (
    MAX_CACHED_WORD,
    MAX_TEXT_CHARS,
    FeatureSpec,
    TextParts,
    char_terms,
    phrase_term,
    shown_phrase,
    shown_word,
    split_text,
)

MODEL_FILE = "model.onnx"
CARD_FILE = "model_card.json"
CHUNK = 256
TOP_TERMS = 5
WORD_INDICES_CACHE_BYTES = 4 * 2**20

# Graph interface, shared with the exporter in model_build.export.
INPUT_INDICES = "indices"
INPUT_COUNTS = "counts"
INPUT_ROWS = "rows"
INPUT_BATCH = "batch_size"
OUTPUT_PROBABILITIES = "probabilities"
OUTPUT_CONTRIBUTIONS = "contributions"
METADATA_VOCABULARY = "carescore.vocabulary"
_GRAPH_INPUTS = {INPUT_INDICES, INPUT_COUNTS, INPUT_ROWS, INPUT_BATCH}


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
class _Scored:
    """A chunk's texts, their distinct known terms per text, and what the graph made of them.

    Terms are grouped by row, so each text's terms are one contiguous slice.
    """

    parts: list[TextParts]
    indices: np.ndarray
    rows: np.ndarray
    counts: np.ndarray
    probabilities: np.ndarray
    contributions: np.ndarray


class SentimentModel:
    """One loaded model version. Thread-safe: onnxruntime sessions may run concurrently.

    Raises ModelLoadError when the graph does not take the inputs this core feeds it.
    """

    def __init__(self, session: ort.InferenceSession, card: dict[str, Any]) -> None:
        inputs = {node.name for node in session.get_inputs()}
        metadata = session.get_modelmeta().custom_metadata_map
        if inputs != _GRAPH_INPUTS or METADATA_VOCABULARY not in metadata:
            raise ModelLoadError(
                f"model {card.get('version')} was exported for another scoring core "
                f"(inputs {sorted(inputs)})"
            )
        self._session = session
        terms = metadata[METADATA_VOCABULARY].split("\n")
        self._vocabulary = {term: index for index, term in enumerate(terms)}
        self.card = card
        self.version: str = card["version"]
        self.labels: tuple[str, ...] = tuple(card["labels"])
        self.spec = FeatureSpec.from_dict(card["features"])
        # Terms the model never saw are dropped: they weigh nothing. Words recur, so the
        # indices of each short word's character n-grams are remembered, within a budget.
        self._known_indices: SizedCache[str, tuple[int, ...]] = SizedCache(
            WORD_INDICES_CACHE_BYTES, _indices_bytes
        )

    def _known_char_terms(self, word: str) -> tuple[int, ...]:
        found = map(self._vocabulary.get, char_terms(word, self.spec))
        return tuple(index for index in found if index is not None)

    def _word_indices(self, word: str) -> tuple[int, ...]:
        """Vocabulary indices of the known character n-grams of `word`."""
        if len(word) > MAX_CACHED_WORD:
            return self._known_char_terms(word)
        return self._known_indices.get_or_add(word, self._known_char_terms)

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

    def _occurrences(self, parts: TextParts) -> list[int]:
        """Vocabulary indices of every known term occurrence in a text."""
        found = map(self._vocabulary.get, map(phrase_term, parts.phrases))
        indices = [index for index in found if index is not None]
        for word in parts.words:
            indices.extend(self._word_indices(word))
        return indices

    def _run(self, texts: Sequence[str]) -> _Scored:
        parts = [split_text(text, self.spec) for text in texts]
        found = [Counter(self._occurrences(p)) for p in parts]
        rows = np.repeat(np.arange(len(texts), dtype=np.int64), [len(c) for c in found])
        indices = np.fromiter(chain.from_iterable(found), np.int64, len(rows))
        counts = np.fromiter(chain.from_iterable(c.values() for c in found), np.int64, len(rows))
        probabilities, contributions = self._session.run(
            [OUTPUT_PROBABILITIES, OUTPUT_CONTRIBUTIONS],
            {
                INPUT_INDICES: indices,
                INPUT_COUNTS: counts.astype(np.float32),
                INPUT_ROWS: rows,
                INPUT_BATCH: np.array([len(texts)], dtype=np.int64),
            },
        )
        return _Scored(parts, indices, rows, counts, probabilities, contributions)

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Raw class probabilities, one row per text in label order (for parity checks)."""
        return np.vstack(
            [
                self._run(texts[start : start + CHUNK]).probabilities
                for start in range(0, len(texts), CHUNK)
            ]
        )

    def _score_chunk(self, texts: Sequence[str]) -> Iterator[Prediction]:
        scored = self._run(texts)
        winners = scored.probabilities.argmax(axis=1)
        # A term's push toward the winning class, relative to the average class, shared
        # equally among the term's occurrences.
        relative = scored.contributions - scored.contributions.mean(axis=1, keepdims=True)
        shares = relative[np.arange(len(scored.rows)), winners[scored.rows]] / scored.counts
        bounds = np.searchsorted(scored.rows, np.arange(len(texts) + 1)).tolist()
        indices, shares_list = scored.indices.tolist(), shares.tolist()
        for row, probs in enumerate(scored.probabilities.tolist()):
            label_index = int(winners[row])
            terms = slice(bounds[row], bounds[row + 1])
            yield Prediction(
                label=self.labels[label_index],
                probabilities={
                    label: round(p, 6) for label, p in zip(self.labels, probs, strict=True)
                },
                confidence=round(probs[label_index], 6),
                top_terms=self._explain(
                    scored.parts[row], dict(zip(indices[terms], shares_list[terms], strict=True))
                ),
                model_version=self.version,
            )

    def _explain(self, parts: TextParts, share: dict[int, float]) -> tuple[TermContribution, ...]:
        """Sums the pushes of each word's and phrase's terms; returns the strongest."""
        by_word: dict[str, float] = defaultdict(float)
        for phrase in parts.phrases:
            index = self._vocabulary.get(phrase_term(phrase))
            if index is not None:
                by_word[shown_phrase(phrase)] += share[index]
        for word in parts.words:
            by_word[shown_word(word)] += sum(map(share.__getitem__, self._word_indices(word)))
        ranked = sorted(by_word.items(), key=lambda item: item[1], reverse=True)
        return tuple(
            TermContribution(w, round(weight, 4)) for w, weight in ranked[:TOP_TERMS] if weight > 0
        )


def _indices_bytes(word: str, indices: tuple[int, ...]) -> int:
    # The ints are the vocabulary's own objects: only the word and the tuple are new.
    return sys.getsizeof(word) + sys.getsizeof(indices)


def new_session(onnx_bytes: bytes) -> ort.InferenceSession:
    """An onnxruntime session on the CPU, one thread per run to keep latency predictable."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    return ort.InferenceSession(onnx_bytes, options, providers=["CPUExecutionProvider"])
