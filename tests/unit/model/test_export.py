import json
from pathlib import Path

import numpy as np
import onnx
import pytest

from functions.scoring.model import CARD_FILE, MODEL_FILE
from model_build.export import OPSET
from model_build.train import ParityError, check_parity


def test_graph_pins_its_opset_and_needs_no_locale(tiny_model: Path) -> None:
    graph = onnx.load(tiny_model / MODEL_FILE)
    assert [(o.domain, o.version) for o in graph.opset_import] == [("", OPSET)]
    assert "StringNormalizer" not in {node.op_type for node in graph.graph.node}


def test_card_records_what_made_the_model(tiny_model: Path) -> None:
    card = json.loads((tiny_model / CARD_FILE).read_text())
    assert card["labels"] == ["negative", "neutral", "positive"]
    assert card["dataset"]["train_rows"] + card["dataset"]["test_rows"] == 240
    assert set(card["metrics"]) >= {
        "accuracy",
        "macro_f1",
        "per_class",
        "confusion_matrix",
        "expected_calibration_error",
    }
    assert card["library_versions"]["onnxruntime"]
    assert card["version"] == card["onnx_sha256"][:16]


def test_parity_check_fails_when_labels_disagree() -> None:
    reference = np.array([[0.9, 0.05, 0.05], [0.1, 0.8, 0.1]])
    exported = np.array([[0.9, 0.05, 0.05], [0.8, 0.1, 0.1]])
    with pytest.raises(ParityError, match="label agreement 50"):
        check_parity(reference, exported)


def test_parity_check_fails_on_probability_drift_alone() -> None:
    reference = np.array([[0.6, 0.3, 0.1]])
    with pytest.raises(ParityError, match="max probability difference"):
        check_parity(reference, reference + np.array([[0.01, -0.01, 0.0]]))
