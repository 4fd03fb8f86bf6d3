import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from functions.scoring.features import (
    CHAR_PREFIX,
    FROWN_TOKEN,
    NEGATED_SUFFIX,
    NEGATIONS,
    PLAIN,
    RICH,
    RICH_WHOLE_HANDLES,
    SMILE_TOKEN,
    SYMBOL_PREFIX,
    URL_TOKEN,
    WORD_PREFIX,
    FeatureSpec,
    analyse,
    char_terms,
    normalise,
    prepare,
    shown_phrase,
    shown_word,
    split_text,
)

SPEC = FeatureSpec()
PLAIN_SPEC = FeatureSpec(preparation=PLAIN)


def _phrases(text: str) -> list[str]:
    return split_text(text, FeatureSpec(word_max=1)).phrases


def test_normalise_masks_handles_and_links_and_collapses_space() -> None:
    assert normalise("@United  LOST my bag\n https://t.co/x") == "@ lost my bag http"


def test_new_models_use_the_rich_preparation_with_whole_handles() -> None:
    assert SPEC.preparation == RICH_WHOLE_HANDLES


def test_handles_give_a_word_but_no_character_terms() -> None:
    terms = analyse("@JetBlue blue seats @bob", SPEC)
    assert f"{WORD_PREFIX}jetblue" in terms
    assert not [term for term in terms if "@" in term]
    # "blue" gets its n-grams from the word "blue" only, not from the airline's name.
    assert terms.count(f"{CHAR_PREFIX}blue") == 1


def test_models_trained_with_the_rich_preparation_keep_their_handle_terms() -> None:
    rich = FeatureSpec(preparation=RICH)
    assert f"{CHAR_PREFIX}@jet" in analyse("@JetBlue thanks", rich)
    assert split_text("@JetBlue thanks @bob", rich).words == ["@jetblue", "thanks", "@"]


def test_a_card_without_a_preparation_is_read_as_plain() -> None:
    card = {"word_min": 1, "word_max": 2, "char_min": 2, "char_max": 5}
    assert FeatureSpec.from_dict(card) == PLAIN_SPEC


def test_plain_preparation_cuts_words_as_before() -> None:
    assert split_text("Can't wait!!! @JetBlue", PLAIN_SPEC).phrases[:3] == [
        "can",
        "wait",
        "can wait",
    ]


def test_links_become_one_token() -> None:
    assert (
        prepare("see https://t.co/abc and www.example.com/x") == f"see {URL_TOKEN} and {URL_TOKEN}"
    )


def test_queue_handles_are_kept_and_other_handles_masked() -> None:
    assert prepare("@JetBlue thanks @bob_smith") == "@jetblue thanks @"


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("great :)", SMILE_TOKEN),
        ("great :-D", SMILE_TOKEN),
        ("great;)", SMILE_TOKEN),
        ("love it <3", SMILE_TOKEN),
        ("love it &lt;3", SMILE_TOKEN),
        ("delayed :(", FROWN_TOKEN),
        ("delayed :'(", FROWN_TOKEN),
        ("meh :/", FROWN_TOKEN),
    ],
)
def test_emoticons_become_a_smile_or_a_frown(text: str, token: str) -> None:
    assert token in _phrases(text)


def test_times_and_links_are_not_emoticons() -> None:
    assert prepare("gate at 10:30 (terminal D)") == "gate at 10:30 (terminal d)"
    assert SMILE_TOKEN not in prepare("http://t.co/P)")


def test_each_emoji_becomes_a_token_of_its_name_without_its_skin_tone() -> None:
    assert _phrases("thanks 👍🏽✈️") == [
        "thanks",
        f"{SYMBOL_PREFIX}thumbs_up_sign",
        f"{SYMBOL_PREFIX}airplane",
    ]


def test_elongations_and_punctuation_runs_are_cut() -> None:
    assert prepare("Sooooo LATE!!!!! ??? 1000") == "soo late! ? 1000"


def test_words_after_a_negation_are_marked_up_to_the_next_punctuation() -> None:
    assert _phrases("I don't like the seat, but ok") == [
        "don't",
        f"like{NEGATED_SUFFIX}",
        f"the{NEGATED_SUFFIX}",
        f"seat{NEGATED_SUFFIX}",
        "but",
        "ok",
    ]
    assert _phrases("never again")[1] == f"again{NEGATED_SUFFIX}"
    assert _phrases("dont go")[1] == f"go{NEGATED_SUFFIX}"


def test_explanations_show_phrases_without_negation_marks() -> None:
    assert shown_phrase(f"not good{NEGATED_SUFFIX}") == "not good"
    assert shown_phrase(SMILE_TOKEN) == shown_word(SMILE_TOKEN)


def test_non_latin_words_are_kept() -> None:
    assert _phrases("Спасибо 谢谢 شكرا") == ["спасибо", "谢谢", "شكرا"]


def test_curly_apostrophes_and_entities_read_as_plain_ones() -> None:
    assert prepare("don\u2019t &amp; won\u2019t") == "don't & won't"


def test_word_terms_cover_unigrams_and_bigrams() -> None:
    terms = analyse("late flight", SPEC)
    assert f"{WORD_PREFIX}late" in terms
    assert f"{WORD_PREFIX}late flight" in terms


def test_character_terms_stay_inside_their_padded_word() -> None:
    terms = char_terms("day!", SPEC)
    assert f"{CHAR_PREFIX} day!" in terms
    assert f"{CHAR_PREFIX}ay! " in terms
    assert all(" " not in term[len(CHAR_PREFIX) :].strip() for term in terms)


def test_long_words_get_the_same_terms_uncached() -> None:
    word = "x" * 30 + "y" * 300
    assert char_terms(word, SPEC) == char_terms(word, SPEC)
    assert len(char_terms(word, SPEC)) == sum(len(word) + 3 - n for n in range(2, 6))


def test_words_are_shown_without_surrounding_punctuation() -> None:
    assert [shown_word(w) for w in split_text("Bad day!! ...", SPEC).words] == ["bad", "day", "."]


def test_single_letter_text_still_has_terms() -> None:
    assert analyse("k", SPEC)


def test_spec_round_trips_through_a_dict() -> None:
    spec = FeatureSpec(word_max=3, char_min=1)
    assert FeatureSpec.from_dict(spec.to_dict()) == spec


@given(st.text(max_size=300), st.sampled_from([PLAIN_SPEC, FeatureSpec(preparation=RICH), SPEC]))
def test_every_word_and_phrase_contributes_its_terms(text: str, spec: FeatureSpec) -> None:
    parts = split_text(text, spec)
    terms = analyse(text, spec)
    assert len(terms) == len(parts.phrases) + sum(len(char_terms(w, spec)) for w in parts.words)


@given(st.text(max_size=300))
def test_rich_preparation_never_leaves_newlines_or_double_spaces(text: str) -> None:
    prepared = prepare(text)
    assert "\n" not in prepared
    assert "  " not in prepared


def _negated_by_clause(clean: str) -> list[str]:
    """The definition of negation marking, clause by clause: in each stretch between
    punctuation marks, every word after the first negation carries the suffix."""
    tokens: list[str] = []
    for clause in re.split(r"[.,!?;:]", clean):
        words = re.findall(r"\w[\w']+", clause)
        first = next(
            (i for i, w in enumerate(words) if w in NEGATIONS or w.endswith("n't")), len(words)
        )
        tokens += words[: first + 1] + [w + NEGATED_SUFFIX for w in words[first + 1 :]]
    return tokens


@given(
    st.lists(
        st.sampled_from(["not", "never", "don't", "good", "seat", "ok", ",", ".", "!", "?", " "]),
        max_size=20,
    ).map(" ".join)
    | st.text(max_size=200)
)
def test_negation_marking_follows_its_clause_by_clause_definition(text: str) -> None:
    clean = prepare(text)
    assert split_text(text, FeatureSpec(word_max=1)).phrases == _negated_by_clause(clean)
