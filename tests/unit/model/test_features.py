from hypothesis import given
from hypothesis import strategies as st

from functions.scoring.features import (
    CHAR_PREFIX,
    WORD_PREFIX,
    FeatureSpec,
    analyse,
    char_terms,
    normalise,
    shown_word,
    split_text,
)

SPEC = FeatureSpec()


def test_normalise_masks_handles_and_links_and_collapses_space() -> None:
    assert normalise("@United  LOST my bag\n https://t.co/x") == "@ lost my bag http"


def test_word_terms_cover_unigrams_and_bigrams() -> None:
    terms = analyse("late flight", SPEC)
    assert f"{WORD_PREFIX}late" in terms
    assert f"{WORD_PREFIX}late flight" in terms


def test_character_terms_stay_inside_their_padded_word() -> None:
    terms = char_terms("day!", SPEC)
    assert f"{CHAR_PREFIX} day!" in terms
    assert f"{CHAR_PREFIX}ay! " in terms
    assert all(" " not in term[len(CHAR_PREFIX) :].strip() for term in terms)


def test_words_are_shown_without_surrounding_punctuation() -> None:
    assert [shown_word(w) for w in split_text("Bad day!! ...", SPEC).words] == ["bad", "day", "..."]


def test_single_letter_text_still_has_terms() -> None:
    assert analyse("k", SPEC)


def test_spec_round_trips_through_a_dict() -> None:
    spec = FeatureSpec(word_max=3, char_min=1)
    assert FeatureSpec.from_dict(spec.to_dict()) == spec


@given(st.text(max_size=300))
def test_every_word_and_phrase_contributes_its_terms(text: str) -> None:
    parts = split_text(text, SPEC)
    terms = analyse(text, SPEC)
    assert len(terms) == len(parts.phrases) + sum(len(char_terms(w, SPEC)) for w in parts.words)
