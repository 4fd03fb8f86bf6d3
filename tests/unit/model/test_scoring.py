import json
import shutil
from pathlib import Path

import onnx
import pytest

from functions.scoring.features import MAX_TEXT_CHARS
from functions.scoring.model import (
    CARD_FILE,
    CHUNK,
    InvalidText,
    ModelLoadError,
    SentimentModel,
    new_session,
)


@pytest.fixture(scope="module")
def model(tiny_model: Path) -> SentimentModel:
    return SentimentModel.load(tiny_model)


def test_scores_a_clearly_negative_text(model: SentimentModel) -> None:
    [prediction] = model.score(["my flight was cancelled again, awful"])
    assert prediction.label == "negative"
    assert prediction.confidence == max(prediction.probabilities.values())
    assert sum(prediction.probabilities.values()) == pytest.approx(1.0, abs=1e-5)
    assert prediction.model_version == model.version


def test_top_terms_are_words_of_the_text_pushing_toward_the_label(model: SentimentModel) -> None:
    [prediction] = model.score(["thank you, the crew were lovely"])
    assert prediction.top_terms
    words = "thank you the crew were lovely"
    assert all(term.term in words and term.weight > 0 for term in prediction.top_terms)


def test_batches_across_chunks_score_like_single_texts(model: SentimentModel) -> None:
    texts = [f"seat {i} was broken, terrible service" for i in range(CHUNK + 5)]
    texts[CHUNK] = "what time is check in"
    batch = model.score(texts)
    assert len(batch) == len(texts)
    assert batch[CHUNK] == model.score([texts[CHUNK]])[0]


@pytest.mark.parametrize(
    ("text", "code"),
    [("", "empty_text"), ("  \n", "empty_text"), ("x" * (MAX_TEXT_CHARS + 1), "text_too_long")],
)
def test_unscorable_texts_are_rejected_not_truncated(
    model: SentimentModel, text: str, code: str
) -> None:
    with pytest.raises(InvalidText) as error:
        model.score(["fine text", text])
    assert error.value.code == code


def test_text_at_the_limit_is_scored(model: SentimentModel) -> None:
    assert model.score(["late " * (MAX_TEXT_CHARS // 5)])


def test_a_model_that_does_not_match_its_card_is_refused(tiny_model: Path, tmp_path: Path) -> None:
    copy = tmp_path / "m"
    shutil.copytree(tiny_model, copy)
    card = json.loads((copy / CARD_FILE).read_text())
    card["onnx_sha256"] = "0" * 64
    (copy / CARD_FILE).write_text(json.dumps(card))
    with pytest.raises(ModelLoadError, match="does not match"):
        SentimentModel.load(copy)


def test_a_missing_model_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match=r"needs model\.onnx"):
        SentimentModel.load(tmp_path)


def test_text_of_only_unseen_terms_falls_back_to_the_prior(model: SentimentModel) -> None:
    [prediction] = model.score(["ǂǂǂ"])
    assert sum(prediction.probabilities.values()) == pytest.approx(1.0, abs=1e-5)
    assert prediction.top_terms == ()


def test_a_graph_with_other_inputs_is_refused(tmp_path: Path) -> None:
    graph = onnx.helper.make_graph(
        [onnx.helper.make_node("Identity", ["text"], ["probabilities"])],
        "other",
        [onnx.helper.make_tensor_value_info("text", onnx.TensorProto.FLOAT, [1])],
        [onnx.helper.make_tensor_value_info("probabilities", onnx.TensorProto.FLOAT, [1])],
    )
    model = onnx.helper.make_model(graph, opset_imports=[onnx.helper.make_opsetid("", 17)])
    model.ir_version = 8
    card = {"version": "v", "labels": ["negative"], "features": {}}
    with pytest.raises(ModelLoadError, match="another scoring core"):
        SentimentModel(new_session(model.SerializeToString()), card)
