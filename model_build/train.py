"""Training: choose a TF-IDF + logistic-regression model by cross-validation, calibrate it,
export it to ONNX, check parity, and write the model directory.

Runs where scikit-learn is installed (the CLI and the training container), never on the
serving path.
"""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import minimize
from scipy.special import log_softmax, softmax
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score
from sklearn.metrics import precision_recall_fscore_support as prfs
from sklearn.model_selection import StratifiedKFold

from functions.scoring.features import FeatureSpec, analyse
from functions.scoring.model import CARD_FILE, MODEL_FILE, SentimentModel, new_session
from model_build.dataset import LABELS, Labelled, PreparedData
from model_build.export import OPSET, LinearTextModel, build_graph

Progress = Callable[[str], None]
PARITY_MIN_AGREEMENT = 0.999
PARITY_MAX_PROBABILITY_DIFF = 1e-4
CALIBRATION_BINS = 10


class ParityError(RuntimeError):
    """The ONNX export disagrees with scikit-learn beyond the parity limits."""


@dataclass(frozen=True)
class TrainParams:
    """What the model search may try; recorded in the model card."""

    c_grid: tuple[float, ...] = (0.5, 1.0, 2.0)
    class_weights: tuple[str | None, ...] = (None, "balanced")
    folds: int = 4
    min_df: int = 2
    seed: int = 42
    features: FeatureSpec = field(default_factory=FeatureSpec)


@dataclass(frozen=True)
class Candidate:
    c: float
    class_weight: str | None

    def classifier(self, seed: int) -> LogisticRegression:
        return LogisticRegression(
            C=self.c, class_weight=self.class_weight, max_iter=3000, random_state=seed
        )


@dataclass
class FittedModel:
    """A fitted vectorizer and classifier plus the calibration applied to its logits."""

    vectorizer: TfidfVectorizer
    classifier: LogisticRegression
    temperature: float

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """scikit-learn's calibrated probabilities, columns in LABELS order."""
        logits = self.classifier.decision_function(self.vectorizer.transform(texts))
        return np.asarray(softmax(logits / self.temperature, axis=1))

    def to_linear(self) -> LinearTextModel:
        return LinearTextModel(
            vocabulary={term: int(i) for term, i in self.vectorizer.vocabulary_.items()},
            idf=self.vectorizer.idf_,
            coef=self.classifier.coef_,
            intercept=self.classifier.intercept_,
            temperature=self.temperature,
        )


def _vectorizer(params: TrainParams) -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer=partial(analyse, spec=params.features),
        sublinear_tf=True,
        min_df=params.min_df,
        dtype=np.float64,
    )


def _label_ids(labels: Sequence[str]) -> np.ndarray:
    return np.array([LABELS.index(label) for label in labels])


def _search(
    train: Labelled, params: TrainParams, progress: Progress
) -> tuple[Candidate, np.ndarray, list[dict[str, Any]]]:
    """Cross-validates every candidate; returns the best, its out-of-fold logits and all
    results. The vectorizer is refitted inside each fold, so no fold sees its own test
    texts."""
    y = _label_ids(train.labels)
    texts = np.array(train.texts, dtype=object)
    candidates = [Candidate(c, w) for c in params.c_grid for w in params.class_weights]
    oof = {candidate: np.zeros((len(y), len(LABELS))) for candidate in candidates}
    folds = StratifiedKFold(params.folds, shuffle=True, random_state=params.seed)
    for fold, (fit_rows, held_rows) in enumerate(folds.split(texts, y), start=1):
        vectorizer = _vectorizer(params)
        fit_x = vectorizer.fit_transform(texts[fit_rows])
        held_x = vectorizer.transform(texts[held_rows])
        for number, candidate in enumerate(candidates, start=1):
            progress(f"  fold {fold}/{params.folds}, candidate {number}/{len(candidates)}")
            model = candidate.classifier(params.seed).fit(fit_x, y[fit_rows])
            oof[candidate][held_rows] = model.decision_function(held_x)
    scores = [float(f1_score(y, oof[c].argmax(1), average="macro")) for c in candidates]
    results: list[dict[str, Any]] = [
        {
            "C": candidate.c,
            "class_weight": candidate.class_weight,
            "cv_macro_f1": round(score, 4),
        }
        for candidate, score in zip(candidates, scores, strict=True)
    ]
    best_index = max(range(len(candidates)), key=scores.__getitem__)
    best = candidates[best_index]
    return best, oof[best], results


def calibrate(logits: np.ndarray, y: np.ndarray) -> float:
    """Fits one temperature minimising log-loss (temperature scaling).

    A single temperature sharpens or softens confidence without moving any argmax, so the
    class balance chosen by cross-validation keeps its macro-F1.
    """

    def loss(theta: np.ndarray) -> float:
        scaled = logits / np.exp(theta[0])
        return float(-log_softmax(scaled, axis=1)[np.arange(len(y)), y].mean())

    fitted = minimize(loss, np.zeros(1), method="L-BFGS-B")
    return float(np.exp(fitted.x[0]))


def expected_calibration_error(probabilities: np.ndarray, y: np.ndarray) -> float:
    """Gap between confidence and accuracy, averaged over equal-width confidence bins."""
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == y
    edges = np.linspace(0.0, 1.0, CALIBRATION_BINS + 1)
    bins = np.clip(np.digitize(confidence, edges[1:-1]), 0, CALIBRATION_BINS - 1)
    error = 0.0
    for b in range(CALIBRATION_BINS):
        members = bins == b
        if members.any():
            error += members.mean() * abs(correct[members].mean() - confidence[members].mean())
    return float(error)


def evaluate_probabilities(probabilities: np.ndarray, labels: Sequence[str]) -> dict[str, Any]:
    """Accuracy, macro-F1, per-class precision/recall/F1, confusion matrix and calibration."""
    y = _label_ids(labels)
    predicted = probabilities.argmax(axis=1)
    classes = list(range(len(LABELS)))
    precision, recall, f1, support = prfs(y, predicted, labels=classes, zero_division=0)
    clipped = np.clip(probabilities[np.arange(len(y)), y], 1e-12, 1.0)
    return {
        "rows": len(y),
        "accuracy": round(float(accuracy_score(y, predicted)), 4),
        "macro_f1": round(float(f1_score(y, predicted, average="macro", labels=classes)), 4),
        "per_class": {
            label: {
                "precision": round(float(precision[i]), 4),
                "recall": round(float(recall[i]), 4),
                "f1": round(float(f1[i]), 4),
                "support": int(support[i]),
            }
            for i, label in enumerate(LABELS)
        },
        "confusion_matrix": {
            "labels": list(LABELS),
            "rows_true_columns_predicted": confusion_matrix(y, predicted, labels=classes).tolist(),
        },
        "expected_calibration_error": round(expected_calibration_error(probabilities, y), 4),
        "log_loss": round(float(-np.log(clipped).mean()), 4),
    }


def fit(
    train: Labelled, params: TrainParams, progress: Progress
) -> tuple[FittedModel, dict[str, Any]]:
    """Selects, fits and calibrates the model on `train` only."""
    progress(f"cross-validating {len(params.c_grid) * len(params.class_weights)} candidates")
    best, oof_logits, results = _search(train, params, progress)
    progress(f"chose C={best.c}, class_weight={best.class_weight}; calibrating")
    temperature = calibrate(oof_logits, _label_ids(train.labels))
    progress("fitting the chosen model on the whole training split")
    vectorizer = _vectorizer(params)
    features = vectorizer.fit_transform(train.texts)
    classifier = best.classifier(params.seed).fit(features, _label_ids(train.labels))
    selection = {
        "candidates": results,
        "chosen": {"C": best.c, "class_weight": best.class_weight},
        "calibration": {
            "method": "temperature scaling on out-of-fold logits",
            "temperature": round(temperature, 6),
        },
        "vocabulary_size": len(vectorizer.vocabulary_),
    }
    return FittedModel(vectorizer, classifier, temperature), selection


def check_parity(
    reference: np.ndarray, exported: np.ndarray, min_agreement: float = PARITY_MIN_AGREEMENT
) -> dict[str, Any]:
    """Compares scikit-learn and onnxruntime probabilities; raises ParityError past limits."""
    agreement = float((reference.argmax(1) == exported.argmax(1)).mean())
    max_diff = float(np.abs(reference - exported).max())
    report = {
        "rows": len(reference),
        "label_agreement": round(agreement, 6),
        "max_probability_diff": max_diff,
        "min_label_agreement": min_agreement,
        "max_probability_diff_allowed": PARITY_MAX_PROBABILITY_DIFF,
        "passed": agreement >= min_agreement and max_diff <= PARITY_MAX_PROBABILITY_DIFF,
    }
    if not report["passed"]:
        raise ParityError(
            f"ONNX export disagrees with scikit-learn: label agreement {agreement:.4%}, "
            f"max probability difference {max_diff:.2e}"
        )
    return report


def _versions() -> dict[str, str]:
    names = ["scikit-learn", "onnx", "onnxruntime", "numpy", "scipy", "carescore"]
    return {"python": platform.python_version()} | {n: metadata.version(n) for n in names}


def build_model(
    data: PreparedData, out_dir: Path, params: TrainParams, progress: Progress
) -> dict[str, Any]:
    """Trains, exports and checks a model, then writes model.onnx and model_card.json.

    Raises ParityError (and writes no model) when the export disagrees with scikit-learn.
    Returns the model card.
    """
    fitted, selection = fit(data.train, params, progress)
    progress("exporting to ONNX")
    onnx_bytes = build_graph(fitted.to_linear())
    progress(f"checking parity on {len(data.test.texts)} test texts")
    reference = fitted.probabilities(data.test.texts)
    card_stub = {"version": "parity", "labels": list(LABELS), "features": params.features.to_dict()}
    exported = SentimentModel(new_session(onnx_bytes), card_stub).probabilities(data.test.texts)
    parity = check_parity(reference, exported)
    onnx_sha = hashlib.sha256(onnx_bytes).hexdigest()
    card = {
        # Content-addressed: the same data, parameters and code give the same version.
        "version": onnx_sha[:16],
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "labels": list(LABELS),
        "features": params.features.to_dict(),
        "dataset": data.fingerprint() | {"split": data.report.split},
        "columns": {"text": data.report.mapping.text, "label": data.report.mapping.label},
        "parameters": {
            "c_grid": list(params.c_grid),
            "class_weights": list(params.class_weights),
            "folds": params.folds,
            "min_df": params.min_df,
            "seed": params.seed,
            "opset": OPSET,
        },
        "selection": selection,
        "metrics": evaluate_probabilities(exported, data.test.labels),
        "parity": parity,
        "onnx_sha256": onnx_sha,
        "library_versions": _versions(),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / MODEL_FILE).write_bytes(onnx_bytes)
    (out_dir / CARD_FILE).write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    progress(f"wrote model {card['version']} to {out_dir}")
    return card
