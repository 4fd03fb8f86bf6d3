"""Exports a fitted TF-IDF + logistic-regression model to a sparse ONNX graph.

skl2onnx's TF-IDF operator emits a dense texts x vocabulary matrix (about 20x slower than
scikit-learn at batch 1,000) and refuses character analyzers. This graph instead takes the
known terms that functions.scoring.features found, as a flat list of vocabulary indices
with their counts and row numbers, and works on those only. The vocabulary travels inside
the model file, as metadata the scorer reads once at load:

    weight = (1 + log(count)) * idf[index]       sublinear TF-IDF
    weight = weight / ||weight||_row             L2 normalisation per text
    contrib = weight * coef[index] / T           per-term, per-class contribution
    logits = scatter_add(contrib by row) + intercept / T
    probabilities = softmax(logits)              T: temperature fitted out of fold
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from functions.scoring.model import (
    INPUT_BATCH,
    INPUT_COUNTS,
    INPUT_INDICES,
    INPUT_ROWS,
    METADATA_VOCABULARY,
    OUTPUT_CONTRIBUTIONS,
    OUTPUT_PROBABILITIES,
)

OPSET = 17
_FLOAT_ZERO = numpy_helper.from_array(np.zeros(1, dtype=np.float32))


@dataclass(frozen=True)
class LinearTextModel:
    """Everything the graph needs, in plain arrays."""

    vocabulary: dict[str, int]
    idf: np.ndarray  # (V,)
    coef: np.ndarray  # (C, V)
    intercept: np.ndarray  # (C,)
    temperature: float


def _const(name: str, array: np.ndarray) -> onnx.NodeProto:
    return helper.make_node("Constant", [], [name], value=numpy_helper.from_array(array, name))


def build_graph(model: LinearTextModel) -> bytes:
    """Returns the serialised ONNX model for `model`; deterministic for equal inputs."""
    n_classes = model.coef.shape[0]
    terms = sorted(model.vocabulary, key=model.vocabulary.__getitem__)
    # The temperature is folded into the weights: softmax(logits / T) with no extra node.
    coef = model.coef.T / model.temperature
    intercept = model.intercept / model.temperature
    nodes = [
        _const("idf", model.idf.astype(np.float32)),
        _const("coef", coef.astype(np.float32)),
        _const("intercept", intercept.astype(np.float32)),
        _const("one", np.array(1.0, dtype=np.float32)),
        _const("tiny", np.array(1e-12, dtype=np.float32)),
        _const("n_classes", np.array([n_classes], dtype=np.int64)),
        _const("axis1", np.array([1], dtype=np.int64)),
        # Sublinear term frequency times idf.
        helper.make_node("Log", [INPUT_COUNTS], ["log_count"]),
        helper.make_node("Add", ["log_count", "one"], ["tf"]),
        helper.make_node("Gather", ["idf", INPUT_INDICES], ["term_idf"]),
        helper.make_node("Mul", ["tf", "term_idf"], ["raw_weight"]),
        # L2 norm per text: scatter-add the squares by row.
        helper.make_node("ConstantOfShape", [INPUT_BATCH], ["row_zeros"], value=_FLOAT_ZERO),
        helper.make_node("Mul", ["raw_weight", "raw_weight"], ["squares"]),
        helper.make_node(
            "ScatterElements",
            ["row_zeros", INPUT_ROWS, "squares"],
            ["row_sq"],
            axis=0,
            reduction="add",
        ),
        helper.make_node("Max", ["row_sq", "tiny"], ["row_sq_safe"]),
        helper.make_node("Sqrt", ["row_sq_safe"], ["row_norm"]),
        helper.make_node("Gather", ["row_norm", INPUT_ROWS], ["term_norm"]),
        helper.make_node("Div", ["raw_weight", "term_norm"], ["weight"]),
        # Per-term contributions, then logits per text.
        helper.make_node("Gather", ["coef", INPUT_INDICES], ["term_coef"]),
        helper.make_node("Unsqueeze", ["weight", "axis1"], ["weight_col"]),
        helper.make_node("Mul", ["term_coef", "weight_col"], [OUTPUT_CONTRIBUTIONS]),
        helper.make_node("Concat", [INPUT_BATCH, "n_classes"], ["logit_shape"], axis=0),
        helper.make_node("ConstantOfShape", ["logit_shape"], ["logit_zeros"], value=_FLOAT_ZERO),
        helper.make_node("Unsqueeze", [INPUT_ROWS, "axis1"], ["rows_col"]),
        helper.make_node(
            "ScatterND",
            ["logit_zeros", "rows_col", OUTPUT_CONTRIBUTIONS],
            ["linear"],
            reduction="add",
        ),
        helper.make_node("Add", ["linear", "intercept"], ["logits"]),
        helper.make_node("Softmax", ["logits"], [OUTPUT_PROBABILITIES], axis=1),
    ]
    graph = helper.make_graph(
        nodes,
        "carescore_sentiment",
        inputs=[
            helper.make_tensor_value_info(INPUT_INDICES, TensorProto.INT64, ["terms"]),
            helper.make_tensor_value_info(INPUT_COUNTS, TensorProto.FLOAT, ["terms"]),
            helper.make_tensor_value_info(INPUT_ROWS, TensorProto.INT64, ["terms"]),
            helper.make_tensor_value_info(INPUT_BATCH, TensorProto.INT64, [1]),
        ],
        outputs=[
            helper.make_tensor_value_info(
                OUTPUT_PROBABILITIES, TensorProto.FLOAT, ["texts", n_classes]
            ),
            helper.make_tensor_value_info(
                OUTPUT_CONTRIBUTIONS, TensorProto.FLOAT, ["terms", n_classes]
            ),
        ],
    )
    onnx_model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="carescore",
    )
    # Terms never hold a newline: normalisation collapses all whitespace to single spaces.
    helper.set_model_props(onnx_model, {METADATA_VOCABULARY: "\n".join(terms)})
    onnx_model.ir_version = 8
    onnx.checker.check_model(onnx_model)
    serialised: bytes = onnx_model.SerializeToString()
    return serialised
