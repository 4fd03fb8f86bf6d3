"""Text preparation and n-gram extraction, shared by training and serving.

The same function turns a text into terms when scikit-learn fits the model and when the
API scores a request, so both sides see identical features: this is what makes the ONNX
export agree with scikit-learn to float precision instead of the 99.9% a re-implemented
tokenizer reaches. Pure Python: nothing here imports numpy, scikit-learn or onnxruntime.

A model's card records which preparation it was trained with (`FeatureSpec.preparation`),
so every version in the registry, old ones included, is scored with its own.
"""

from __future__ import annotations

import html
import re
import string
import sys
import unicodedata
from dataclasses import asdict, dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Any

from functions.scoring.cache import SizedCache

MAX_TEXT_CHARS = 5000

WORD_PREFIX = "w:"
CHAR_PREFIX = "c:"

# Preparations: 1 lower-cases and masks links and handles; 2 (richer, see `prepare`) also
# keeps the queues' own handles, reads emoticons and emoji, cuts elongations and marks
# negated words; 3 is 2 with no character n-grams taken from handles (see `split_text`).
# Models trained before the field existed used 1.
PLAIN, RICH, RICH_WHOLE_HANDLES = 1, 2, 3

_URL = re.compile(r"https?://\S+|www\.\S+")
_MENTION = re.compile(r"@\w+")
_WORD = re.compile(r"\b\w\w+\b")

# The default data's queues: these handles say which airline a text is about, other
# handles only whom it was copied to.
QUEUE_HANDLES = frozenset(
    {"united", "usairways", "americanair", "southwestair", "jetblue", "virginamerica", "delta"}
)
URL_TOKEN = "_url_"
SMILE_TOKEN = "_smile_"
FROWN_TOKEN = "_frown_"
SYMBOL_PREFIX = "_sym_"
NEGATED_SUFFIX = "_neg"
# Emoticons are read before lower-casing (":D" is not ":d"); the look-arounds keep times
# ("10:30") and links apart from them.
_EMOTICON = re.compile(
    r"(?<![:/])(?:(?P<smile>[:;=]'?-?[)\]}DPp*]+(?!\w)|\^_*\^(?!\w)|<3+(?!\w))"
    r"|[:;=]'?-?[(\[{/\\]+(?![\w/])|</3+(?![\w/]))"
)
# Every emoticon holds one of these.
_EMOTICON_MARKS = (":", ";", "=", "^", "<")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_ASCII_FORMS = {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2026": "..."}
# Joiners, presentation selectors and skin tones only shape the emoji next to them.
_EMOJI_SHAPERS = frozenset("\u200d\ufe0e\ufe0f\U0001f3fb\U0001f3fc\U0001f3fd\U0001f3fe\U0001f3ff")
# A letter three or more times, or a punctuation mark twice or more, in a row.
_REPEATED = re.compile(r"([^\W\d_])\1\1+|([^\w\s])\2+")
_RICH_WORD = re.compile(r"\w[\w']+")
# A word token, or a punctuation mark that ends the reach of a negation.
_TOKEN_OR_CLAUSE_END = re.compile(r"\w[\w']+|[.,!?;:]")
NEGATIONS = frozenset(
    {
        "not",
        "no",
        "never",
        "nothing",
        "nobody",
        "none",
        "nowhere",
        "neither",
        "nor",
        "cannot",
        "dont",
        "cant",
        "wont",
        "didnt",
        "doesnt",
        "isnt",
        "wasnt",
        "arent",
        "werent",
        "havent",
        "hasnt",
        "hadnt",
        "couldnt",
        "shouldnt",
        "wouldnt",
        "aint",
    }
)

# Words up to this length have their n-grams remembered; a longer one is rare enough that
# remembering it only costs memory (and a hostile caller could send millions).
MAX_CACHED_WORD = 40
CHAR_TERMS_CACHE_BYTES = 4 * 2**20


@dataclass(frozen=True)
class FeatureSpec:
    """Which n-grams describe a text: word n-grams and within-word character n-grams, from
    text prepared by `preparation` (PLAIN, RICH or RICH_WHOLE_HANDLES)."""

    word_min: int = 1
    word_max: int = 2
    char_min: int = 2
    char_max: int = 5
    preparation: int = RICH_WHOLE_HANDLES

    def to_dict(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FeatureSpec:
        """Reads a card's `features`; a card without `preparation` predates RICH."""
        fields = {key: int(data[key]) for key in asdict(cls()) if key != "preparation"}
        return cls(**fields, preparation=int(data.get("preparation", PLAIN)))


def normalise(text: str) -> str:
    """Lower-cases, masks links and @handles, and collapses whitespace (PLAIN preparation;
    also the key under which dataset intake finds duplicate texts).

    Handles are masked so the model reads what was said, not whom it was said to.
    """
    text = _URL.sub(" http ", text.lower())
    text = _MENTION.sub(" @ ", text)
    return " ".join(text.split())


def _handle(match: re.Match[str]) -> str:
    handle = match.group().lower()
    return f" {handle} " if handle[1:] in QUEUE_HANDLES else " @ "


def _emoticon(match: re.Match[str]) -> str:
    return f" {SMILE_TOKEN} " if match.group("smile") else f" {FROWN_TOKEN} "


@lru_cache(maxsize=4096)
def _non_ascii(char: str) -> str:
    """Typographic quotes and ellipses as ASCII, an emoji or other pictograph as a token
    of its Unicode name, other characters as they are. Bounded by entries alone: a key is
    one character, a value under 100."""
    if char in _ASCII_FORMS:
        return _ASCII_FORMS[char]
    if char in _EMOJI_SHAPERS:
        return " "
    name = unicodedata.name(char, "") if unicodedata.category(char) == "So" else ""
    if not name:
        return char
    return f" {SYMBOL_PREFIX}{re.sub(r'[^a-z0-9]+', '_', name.lower())} "


def _cut_repeats(match: re.Match[str]) -> str:
    letter = match.group(1)
    return letter * 2 if letter else match.group(2)


def prepare(text: str) -> str:
    """The RICH preparation: entities decoded, links one token, typographic quotes plain,
    each emoji a token of its name, the queues' handles kept and others masked, emoticons
    a smile or frown token, lower-cased, letters repeated three or more times cut to two
    ("sooo" -> "soo") and a run of one punctuation mark to one ("!!!" -> "!"), whitespace
    collapsed.

    Emoji names come from Python's Unicode database: a character newer than the training
    interpreter knows stays a plain character there, and its name, unknown to the model,
    weighs nothing where serving knows it.
    """
    # Each step runs only where it can match (a substring test is far cheaper than a
    # regex pass), and str.split cuts at exactly the characters that `\s` matches.
    text = html.unescape(text)
    if "http" in text or "www." in text:
        text = _URL.sub(f" {URL_TOKEN} ", text)
    if not text.isascii():
        text = _NON_ASCII.sub(lambda match: _non_ascii(match.group()), text)
    if "@" in text:
        text = _MENTION.sub(_handle, text)
    if any(mark in text for mark in _EMOTICON_MARKS):
        text = _EMOTICON.sub(_emoticon, text)
    text = _REPEATED.sub(_cut_repeats, text.lower())
    return " ".join(text.split())


def _is_negation(token: str) -> bool:
    return token in NEGATIONS or token.endswith("n't")


def _rich_tokens(clean: str) -> list[str]:
    """Word tokens of a RICH text, two characters or more; words after a negation, up to
    the next punctuation mark, carry NEGATED_SUFFIX ("not good" -> "not", "good_neg")."""
    found = _RICH_WORD.findall(clean)
    # Most texts hold no negation; "n't" in a token is "n't" in the text.
    if NEGATIONS.isdisjoint(found) and "n't" not in clean:
        return found
    tokens: list[str] = []
    negated = False
    for token in _TOKEN_OR_CLAUSE_END.findall(clean):
        if len(token) == 1:
            negated = False
        elif negated:
            tokens.append(token + NEGATED_SUFFIX)
        else:
            tokens.append(token)
            negated = _is_negation(token)
    return tokens


@dataclass(frozen=True)
class TextParts:
    """A prepared text cut for feature extraction."""

    phrases: list[str]  # word n-grams, such as "late" and "late flight"
    words: list[str]  # space-separated words, punctuation kept: their character n-grams
    # (handles left out from RICH_WHOLE_HANDLES on)


def split_text(text: str, spec: FeatureSpec) -> TextParts:
    """Cuts `text` into the word n-grams and the words that its terms come from.

    From RICH_WHOLE_HANDLES on, a handle ("@jetblue", or "@" for a masked one) gives no
    character n-grams: it is a name, not a spelling, and its pieces ("blue", "ted ") would
    teach ordinary words the mood of the airline it names, which misreads text about
    anything else. The queue's name still counts as a word ("jetblue").
    """
    if spec.preparation == PLAIN:
        clean = normalise(text)
        tokens = _WORD.findall(clean)
    else:
        clean = prepare(text)
        tokens = _rich_tokens(clean)
    phrases: list[str] = []
    for n in range(spec.word_min, spec.word_max + 1):
        if n == 1:
            phrases += tokens
        elif n == 2:
            phrases += [f"{first} {second}" for first, second in pairwise(tokens)]
        else:
            phrases += [" ".join(tokens[start : start + n]) for start in range(len(tokens) - n + 1)]
    words = clean.split(" ")
    if spec.preparation >= RICH_WHOLE_HANDLES:
        words = [word for word in words if not word.startswith("@")]
    return TextParts(phrases, words)


def phrase_term(phrase: str) -> str:
    """The term of a word n-gram."""
    return WORD_PREFIX + phrase


def shown_phrase(phrase: str) -> str:
    """A word n-gram as explanations show it: without negation marks, and each word as
    `shown_word` shows it, so a phrase and its words' character n-grams add up."""
    return " ".join(map(shown_word, phrase.replace(NEGATED_SUFFIX, "").split(" ")))


def _char_terms(key: tuple[str, int, int]) -> tuple[str, ...]:
    word, low, high = key
    padded = f" {word} "
    return tuple(
        CHAR_PREFIX + padded[i : i + n]
        for n in range(low, high + 1)
        for i in range(len(padded) - n + 1)
    )


def _terms_bytes(key: tuple[str, int, int], terms: tuple[str, ...]) -> int:
    held = sys.getsizeof(key) + sys.getsizeof(key[0]) + sys.getsizeof(terms)
    return held + sum(map(sys.getsizeof, terms))


_CHAR_TERMS: SizedCache[tuple[str, int, int], tuple[str, ...]] = SizedCache(
    CHAR_TERMS_CACHE_BYTES, _terms_bytes
)


def char_terms(word: str, spec: FeatureSpec) -> tuple[str, ...]:
    """The character n-gram terms of one word, padded with a space on each side.

    Remembered for words up to MAX_CACHED_WORD characters, within CHAR_TERMS_CACHE_BYTES:
    words repeat across texts far more than they vary.
    """
    key = (word, spec.char_min, spec.char_max)
    if len(word) > MAX_CACHED_WORD:
        return _char_terms(key)
    return _CHAR_TERMS.get_or_add(key, _char_terms)


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
