"""Text normalisation and n-gram extraction, shared by training and serving.

The same function turns a text into terms when scikit-learn fits the model and when the
API scores a request, so both sides see identical features: this is what makes the ONNX
export agree with scikit-learn to float precision instead of the 99.9% a re-implemented
tokenizer reaches. Pure Python: nothing here imports numpy, scikit-learn or onnxruntime.
"""

from __future__ import annotations

import re
import string
from dataclasses import asdict, dataclass
from functools import lru_cache
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


@dataclass(frozen=True)
class TextParts:
    """A normalised text cut for feature extraction."""

    phrases: list[str]  # word n-grams, such as "late" and "late flight"
    words: list[str]  # space-separated words, punctuation kept: their character n-grams


def split_text(text: str, spec: FeatureSpec) -> TextParts:
    """Cuts `text` into the word n-grams and the words that its terms come from."""
    clean = normalise(text)
    tokens = _WORD.findall(clean)
    phrases = [
        " ".join(tokens[start : start + n])
        for n in range(spec.word_min, spec.word_max + 1)
        for start in range(len(tokens) - n + 1)
    ]
    return TextParts(phrases, clean.split(" "))


def phrase_term(phrase: str) -> str:
    """The term of a word n-gram."""
    return WORD_PREFIX + phrase


@lru_cache(maxsize=1 << 16)
def char_terms(word: str, spec: FeatureSpec) -> tuple[str, ...]:
    """The character n-gram terms of one word, padded with a space on each side.

    Remembered: words repeat across texts far more than they vary.
    """
    padded = f" {word} "
    return tuple(
        CHAR_PREFIX + padded[i : i + n]
        for n in range(spec.char_min, spec.char_max + 1)
        for i in range(len(padded) - n + 1)
    )


def shown_word(word: str) -> str:
    """A word as explanations show it: without surrounding punctuation."""
    return word.strip(string.punctuation) or word


def analyse(text: str, spec: FeatureSpec) -> list[str]:
    """The terms of `text`, repeated as often as they occur (scikit-learn's analyzer form).

    Word n-grams are prefixed ``w:``, character n-grams (taken inside each word) ``c:``.
    """
    parts = split_text(text, spec)
    terms = [phrase_term(phrase) for phrase in parts.phrases]
    for word in parts.words:
        terms.extend(char_terms(word, spec))
    return terms
