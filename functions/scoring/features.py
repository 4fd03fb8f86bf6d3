"""Text normalisation and n-gram extraction, shared by training and serving.

The same function turns a text into terms when scikit-learn fits the model and when the
API scores a request, so both sides see identical features: this is what makes the ONNX
export agree with scikit-learn to float precision instead of the 99.9% a re-implemented
tokenizer reaches. Pure Python: nothing here imports numpy, scikit-learn or onnxruntime.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

MAX_TEXT_CHARS = 5000

_URL = re.compile(r"https?://\S+|www\.\S+")
_MENTION = re.compile(r"@\w+")
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\b\w\w+\b")

WORD_PREFIX = "w:"
CHAR_PREFIX = "c:"


@dataclass(frozen=True)
class FeatureSpec:
    """Which n-grams describe a text: word n-grams and within-word character n-grams."""

    word_min: int = 1
    word_max: int = 2
    char_min: int = 2
    char_max: int = 5

    def to_dict(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FeatureSpec:
        return cls(**{key: int(data[key]) for key in asdict(cls())})


def normalise(text: str) -> str:
    """Lower-cases, masks links and @handles, and collapses whitespace.

    Handles are masked so the model reads what was said, not whom it was said to.
    """
    text = _URL.sub(" http ", text.lower())
    text = _MENTION.sub(" @ ", text)
    return _SPACE.sub(" ", text).strip()


def extract_terms(text: str, spec: FeatureSpec) -> list[tuple[str, str]]:
    """Returns every term occurrence in `text` as (term, source word or phrase).

    Word n-grams are prefixed ``w:``; character n-grams, taken inside each space-padded
    word, are prefixed ``c:`` and carry the word they came from (without surrounding
    punctuation), so explanations can be given in words rather than in fragments.
    """
    clean = normalise(text)
    found: list[tuple[str, str]] = []
    tokens = _WORD.findall(clean)
    for n in range(spec.word_min, spec.word_max + 1):
        for start in range(len(tokens) - n + 1):
            phrase = " ".join(tokens[start : start + n])
            found.append((WORD_PREFIX + phrase, phrase))
    for word in clean.split(" "):
        padded = f" {word} "
        shown = word.strip(string.punctuation) or word
        for n in range(spec.char_min, spec.char_max + 1):
            found.extend(
                (CHAR_PREFIX + padded[i : i + n], shown) for i in range(len(padded) - n + 1)
            )
    return found


def analyse(text: str, spec: FeatureSpec) -> list[str]:
    """The terms of `text`, repeated as often as they occur (scikit-learn's analyzer form)."""
    return [term for term, _ in extract_terms(text, spec)]


def count_terms(text: str, spec: FeatureSpec) -> Counter[str]:
    """How often each term occurs in `text`."""
    return Counter(analyse(text, spec))
