from hypothesis import given
from hypothesis import strategies as st

from functions.scoring.features import (
    CHAR_PREFIX,
    WORD_PREFIX,
    FeatureSpec,
    analyse,
    extract_terms,
    normalise,
)

SPEC = FeatureSpec()


def test_normalise_masks_handles_and_links_and_collapses_space() -> None:
    assert normalise("@United  LOST my bag\n https://t.co/x") == "@ lost my bag http"


def test_word_terms_cover_unigrams_and_bigrams() -> None:
    terms = analyse("late flight", SPEC)
    assert f"{WORD_PREFIX}late" in terms
    assert f"{WORD_PREFIX}late flight" in terms


def test_character_terms_stay_inside_words_and_name_their_word() -> None:
    pairs = extract_terms("bad day", SPEC)
    char_pairs = [(term, source) for term, source in pairs if term.startswith(CHAR_PREFIX)]
    assert (f"{CHAR_PREFIX} bad ", "bad") in char_pairs
    assert all(" " not in term[len(CHAR_PREFIX) :].strip() for term, _ in char_pairs)


def test_single_letter_text_still_has_terms() -> None:
    assert analyse("k", SPEC)


def test_spec_round_trips_through_a_dict() -> None:
    spec = FeatureSpec(word_max=3, char_min=1)
    assert FeatureSpec.from_dict(spec.to_dict()) == spec


@given(st.text(max_size=300))
def test_extraction_never_crashes_and_matches_the_analyzer(text: str) -> None:
    pairs = extract_terms(text, SPEC)
    assert [term for term, _ in pairs] == analyse(text, SPEC)
