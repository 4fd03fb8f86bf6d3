"""Training: choose an ensemble of linear models over TF-IDF features by cross-validation,
fold it into one linear model, calibrate it, export it to ONNX, check parity, and write the
model directory.

The members (multinomial logistic regression, one-vs-rest naive-Bayes-weighted logistic
regression, one-vs-rest linear SVM) are all linear in the same features, so their scaled
sum is one weight matrix and one bias: the exported graph is the same whatever is chosen.

Runs where scikit-learn is installed (the CLI and the training container), never on the
serving path.
"""

from __future__ import annotations

import hashlib
import json
import operator
import platform
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import partial, reduce, wraps
from importlib import metadata
from itertools import combinations
from pathlib import Path
from typing import Any, TypeVar, cast

import numpy as np
from scipy import sparse
from scipy.optimize import minimize
from scipy.special import log_softmax, softmax
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score
from sklearn.metrics import precision_recall_fscore_support as prfs
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.svm import LinearSVC
from threadpoolctl import threadpool_limits

from functions.scoring.features import FeatureSpec, analyse
from functions.scoring.model import CARD_FILE, MODEL_FILE, SentimentModel, new_session
from model_build.dataset import LABELS, Labelled, PreparedData
from model_build.export import OPSET, LinearTextModel, build_graph

Progress = Callable[[str], None]
F = TypeVar("F", bound=Callable[..., Any])
PARITY_MIN_AGREEMENT = 0.999
PARITY_MAX_PROBABILITY_DIFF = 1e-4
CALIBRATION_BINS = 10


class ParityError(RuntimeError):
    """The ONNX export disagrees with scikit-learn beyond the parity limits."""


LOGISTIC, NB_LOGISTIC, LINEAR_SVM = "logistic", "nb_logistic", "linear_svm"
MEMBERS = (LOGISTIC, NB_LOGISTIC, LINEAR_SVM)
# Every non-empty combination of the members, so cross-validation shows what each adds.
ALL_ENSEMBLES = tuple(
    combo for size in range(1, len(MEMBERS) + 1) for combo in combinations(MEMBERS, size)
)


@dataclass(frozen=True)
class TrainParams:
    """What the model search may try; recorded in the model card.

    The logistic regression's settings come from `c_grid` x `class_weights`; the best by
    cross-validation joins each ensemble that names LOGISTIC. The naive-Bayes-weighted
    logistic regression and the SVM weigh classes by their inverse frequency. An ensemble
    sums its members' class scores, each divided by its spread out of fold.
    """

    c_grid: tuple[float, ...] = (2.0,)
    class_weights: tuple[str | None, ...] = ("balanced",)
    nb_alpha: float = 1.0
    nb_c: float = 4.0
    svm_c: float = 0.2
    ensembles: tuple[tuple[str, ...], ...] = ALL_ENSEMBLES
    folds: int = 5
    # The search (members, spreads, temperature) cross-validates on a stratified sample of
    # at most this many training rows; the chosen recipe is then fitted on all of them.
    # Larger data only makes each of its fits slower (bench/training_bench.py).
    search_rows: int = 20_000
    min_df: int = 2
    seed: int = 42
    # Ship a model refitted on train and test rows together, with the settings, spreads
    # and temperature chosen on the training split; the card's metrics stay held-out.
    refit_on_all_rows: bool = True
    features: FeatureSpec = field(default_factory=FeatureSpec)

    def to_dict(self) -> dict[str, Any]:
        found = asdict(self)
        found["features"] = self.features.to_dict()
        return found


@dataclass(frozen=True)
class Linear:
    """Class scores `x @ coef.T + intercept` over TF-IDF features."""

    coef: np.ndarray  # (C, V)
    intercept: np.ndarray  # (C,)

    def scores(self, x: sparse.csr_matrix) -> np.ndarray:
        scores: np.ndarray = np.asarray(x @ self.coef.T) + self.intercept
        return scores

    def __add__(self, other: Linear) -> Linear:
        return Linear(self.coef + other.coef, self.intercept + other.intercept)

    def __truediv__(self, scale: float) -> Linear:
        return Linear(self.coef / scale, self.intercept / scale)


@dataclass(frozen=True)
class Member:
    """One linear model of an ensemble: its kind and the settings it is fitted with."""

    kind: str
    c: float
    class_weight: str | None = None
    alpha: float = 0.0

    @property
    def name(self) -> str:
        return f"{self.kind} C={self.c} class_weight={self.class_weight}"

    def fit(self, x: sparse.csr_matrix, y: np.ndarray, seed: int) -> Linear:
        """Fits this member on TF-IDF rows `x` with label ids `y`."""
        if self.kind == LOGISTIC:
            model = LogisticRegression(
                C=self.c, class_weight=self.class_weight, max_iter=3000, random_state=seed
            ).fit(x, y)
            return Linear(model.coef_, model.intercept_)
        if self.kind == LINEAR_SVM:
            svm = LinearSVC(C=self.c, class_weight=self.class_weight, random_state=seed)
            svm.fit(x, y)
            return Linear(svm.coef_, svm.intercept_)
        return self._fit_nb_logistic(x, y, seed)

    def _fit_nb_logistic(self, x: sparse.csr_matrix, y: np.ndarray, seed: int) -> Linear:
        """One-vs-rest logistic regressions on features scaled by their naive-Bayes
        log-count ratio (NBSVM): class k scores x @ (ratio_k * w_k) + b_k, linear in x."""
        coef, intercept = [], []
        for k in range(len(LABELS)):
            ratio = _log_count_ratio(x, y == k, self.alpha)
            model = LogisticRegression(
                C=self.c, class_weight=self.class_weight, max_iter=3000, random_state=seed
            )
            model.fit(x.multiply(ratio).tocsr(), y == k)
            coef.append(model.coef_[0] * ratio)
            intercept.append(model.intercept_[0])
        return Linear(np.vstack(coef), np.array(intercept))


def _log_count_ratio(x: sparse.csr_matrix, inside: np.ndarray, alpha: float) -> np.ndarray:
    """Per feature: log of its smoothed share of the class's texts that hold it over its
    share of the other texts'. Counts texts, not TF-IDF mass, so `alpha` smooths counts."""
    present = (x > 0).astype(np.float64)
    p = alpha + np.asarray(present[inside].sum(axis=0)).ravel()
    q = alpha + np.asarray(present[~inside].sum(axis=0)).ravel()
    return np.asarray(np.log((p / p.sum()) / (q / q.sum())))


@dataclass
class FittedModel:
    """A fitted vectorizer, the ensemble folded into one linear model, and the calibration
    applied to its logits."""

    vectorizer: TfidfVectorizer
    linear: Linear
    temperature: float

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """scikit-learn's calibrated probabilities, columns in LABELS order."""
        logits = self.linear.scores(self.vectorizer.transform(texts))
        return np.asarray(softmax(logits / self.temperature, axis=1))

    def to_linear(self) -> LinearTextModel:
        return LinearTextModel(
            vocabulary={term: int(i) for term, i in self.vectorizer.vocabulary_.items()},
            idf=self.vectorizer.idf_,
            coef=self.linear.coef,
            intercept=self.linear.intercept,
            temperature=self.temperature,
        )


@dataclass(frozen=True)
class Recipe:
    """What cross-validation chose: the members with their out-of-fold spreads, and the
    temperature of their summed logits."""

    members: tuple[Member, ...]
    spreads: tuple[float, ...]
    temperature: float

    def to_dict(self) -> dict[str, Any]:
        members = zip(self.members, self.spreads, strict=True)
        return {
            "members": [asdict(member) | {"spread": spread} for member, spread in members],
            "temperature": self.temperature,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Recipe:
        """Reads what `to_dict` wrote (a card's `recipe`), to refit the same model."""
        members = [dict(member) for member in data["members"]]
        spreads = tuple(float(member.pop("spread")) for member in members)
        return cls(tuple(Member(**member) for member in members), spreads, data["temperature"])

    def fit(self, texts: Sequence[str], labels: Sequence[str], params: TrainParams) -> FittedModel:
        """Fits the vectorizer and every member on `texts`; folds them into one model."""
        vectorizer = _vectorizer(params)
        x = vectorizer.fit_transform(texts)
        y = _label_ids(labels)
        fitted = [member.fit(x, y, params.seed) for member in self.members]
        linear = reduce(
            operator.add,
            (part / spread for part, spread in zip(fitted, self.spreads, strict=True)),
        )
        return FittedModel(vectorizer, linear, self.temperature)


def _vectorizer(params: TrainParams) -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer=partial(analyse, spec=params.features),
        sublinear_tf=True,
        min_df=params.min_df,
        dtype=np.float64,
    )


def _label_ids(labels: Sequence[str]) -> np.ndarray:
    return np.array([LABELS.index(label) for label in labels])


def _members(params: TrainParams) -> list[Member]:
    """Every member some ensemble needs; each logistic setting is one member."""
    kinds = {kind for ensemble in params.ensembles for kind in ensemble}
    members = []
    if LOGISTIC in kinds:
        members += [Member(LOGISTIC, c, w) for c in params.c_grid for w in params.class_weights]
    if NB_LOGISTIC in kinds:
        members.append(Member(NB_LOGISTIC, params.nb_c, "balanced", params.nb_alpha))
    if LINEAR_SVM in kinds:
        members.append(Member(LINEAR_SVM, params.svm_c, "balanced"))
    return members


def _macro_f1(logits: np.ndarray, y: np.ndarray) -> float:
    return float(f1_score(y, logits.argmax(axis=1), average="macro"))


def _cv_figures(logits: np.ndarray, y: np.ndarray) -> dict[str, float]:
    return {
        "cv_macro_f1": round(_macro_f1(logits, y), 4),
        "cv_accuracy": round(float(accuracy_score(y, logits.argmax(axis=1))), 4),
    }


class TermCounts:
    """Every text's term counts, analysed once. A TF-IDF vectorizer fitted on some of the
    rows is then a choice of columns (the terms in at least `min_df` of those rows) and
    scikit-learn's own TF-IDF weighting of them: the same matrices as refitting
    `_vectorizer` on those rows' texts, without analysing every text again for each fold."""

    def __init__(self, texts: Sequence[str], params: TrainParams) -> None:
        counter = CountVectorizer(analyzer=partial(analyse, spec=params.features))
        self._counts = sparse.csr_matrix(counter.fit_transform(texts), dtype=np.float64)
        self._min_df = params.min_df

    def tfidf(
        self, fit_rows: np.ndarray, other_rows: np.ndarray
    ) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
        """TF-IDF rows of `fit_rows` and `other_rows`, by a vectorizer fitted on `fit_rows`."""
        fitted = self._counts[fit_rows]
        document_frequency = np.bincount(fitted.indices, minlength=fitted.shape[1])
        terms = np.flatnonzero(document_frequency >= self._min_df)
        fitted = fitted[:, terms]
        weighting = TfidfTransformer(sublinear_tf=True).fit(fitted)
        other = self._counts[other_rows][:, terms]
        return weighting.transform(fitted), weighting.transform(other)


def _out_of_fold(
    train: Labelled, members: list[Member], params: TrainParams, progress: Progress
) -> dict[Member, np.ndarray]:
    """Each member's out-of-fold class scores. The vectorizer is refitted inside each fold
    (on term counts analysed once), so no fold sees its own test texts."""
    y = _label_ids(train.labels)
    counts = TermCounts(train.texts, params)
    oof = {member: np.zeros((len(y), len(LABELS))) for member in members}
    folds = StratifiedKFold(params.folds, shuffle=True, random_state=params.seed)
    for fold, (fit_rows, held_rows) in enumerate(folds.split(np.zeros(len(y)), y), start=1):
        progress(f"  fold {fold}/{params.folds}: {len(members)} models")
        fit_x, held_x = counts.tfidf(fit_rows, held_rows)
        for member in members:
            oof[member][held_rows] = member.fit(fit_x, y[fit_rows], params.seed).scores(held_x)
    return oof


def _search_sample(train: Labelled, params: TrainParams, progress: Progress) -> Labelled:
    """The training rows the search cross-validates on: all of them up to
    `params.search_rows`, else a stratified sample of that many."""
    if len(train.texts) <= params.search_rows:
        return train
    progress(f"searching on a stratified sample of {params.search_rows} of {len(train.texts)} rows")
    texts, _, labels, _ = train_test_split(
        train.texts,
        train.labels,
        train_size=params.search_rows,
        stratify=train.labels,
        random_state=params.seed,
    )
    return Labelled(list(texts), list(labels))


def _search(
    train: Labelled, params: TrainParams, progress: Progress
) -> tuple[Recipe, dict[str, Any]]:
    """Cross-validates the members, then every ensemble of them; returns the best ensemble
    as a recipe, and every figure for the card."""
    train = _search_sample(train, params, progress)
    y = _label_ids(train.labels)
    members = _members(params)
    oof = _out_of_fold(train, members, params, progress)
    spreads = {member: float(oof[member].std()) for member in members}
    by_kind = {member.kind: member for member in members if member.kind != LOGISTIC}
    logistic = [member for member in members if member.kind == LOGISTIC]
    if logistic:
        by_kind[LOGISTIC] = max(logistic, key=lambda member: _macro_f1(oof[member], y))
    ensembles = []
    for kinds in params.ensembles:
        chosen = tuple(by_kind[kind] for kind in kinds)
        logits = np.sum([oof[member] / spreads[member] for member in chosen], axis=0)
        ensembles.append((chosen, logits, _cv_figures(logits, y)))
    best, best_logits, best_figures = max(ensembles, key=lambda found: found[2]["cv_macro_f1"])
    temperature = calibrate(best_logits, y)
    selection = {
        "members": [
            {"name": m.name, "oof_spread": round(spreads[m], 6)} | _cv_figures(oof[m], y)
            for m in members
        ],
        "ensembles": [
            {"members": [m.name for m in chosen]} | figures for chosen, _, figures in ensembles
        ],
        "search_rows": len(y),
        "chosen": {"members": [m.name for m in best]} | best_figures,
        "calibration": {
            "method": "temperature scaling on out-of-fold summed logits",
            "temperature": round(temperature, 6),
        },
    }
    return Recipe(best, tuple(spreads[m] for m in best), temperature), selection


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
) -> tuple[Recipe, FittedModel, dict[str, Any]]:
    """Chooses, fits and calibrates the model on `train` only."""
    progress(f"cross-validating {len(params.ensembles)} ensembles, {params.folds} folds")
    recipe, selection = _search(train, params, progress)
    progress(f"chose {selection['chosen']['members']}; fitting on the whole training split")
    fitted = recipe.fit(train.texts, train.labels, params)
    selection["vocabulary_size"] = len(fitted.vectorizer.vocabulary_)
    return recipe, fitted, selection


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


def one_blas_thread(function: F) -> F:
    """Runs `function` with BLAS on one thread. The solvers' vector operations are small:
    more threads only spin against each other (five times the CPU time, and longer, on a
    loaded two-core machine)."""

    @wraps(function)
    def limited(*args: Any, **kwargs: Any) -> Any:
        with threadpool_limits(limits=1, user_api="blas"):
            return function(*args, **kwargs)

    return cast(F, limited)


@one_blas_thread
def build_model(
    data: PreparedData, out_dir: Path, params: TrainParams, progress: Progress
) -> dict[str, Any]:
    """Trains, exports and checks a model, then writes model.onnx and model_card.json.

    Raises ParityError (and writes no model) when the export disagrees with scikit-learn.
    Returns the model card.
    """
    recipe, fitted, selection = fit(data.train, params, progress)
    held_out = evaluate_probabilities(fitted.probabilities(data.test.texts), data.test.labels)
    shipped = {"fit_on": "training split", "rows": len(data.train.texts)}
    if params.refit_on_all_rows:
        texts, labels = data.train.texts + data.test.texts, data.train.labels + data.test.labels
        progress(f"refitting the chosen ensemble on all {len(texts)} rows")
        fitted = recipe.fit(texts, labels, params)
        shipped = {"fit_on": "training and test splits", "rows": len(texts)}
    shipped["vocabulary_size"] = len(fitted.vectorizer.vocabulary_)
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
        "parameters": params.to_dict() | {"opset": OPSET},
        "selection": selection,
        "recipe": recipe.to_dict(),
        # Measured on the test split by the model fitted on the training split alone.
        "metrics": held_out,
        "shipped": shipped,
        "parity": parity,
        "onnx_sha256": onnx_sha,
        "library_versions": _versions(),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / MODEL_FILE).write_bytes(onnx_bytes)
    (out_dir / CARD_FILE).write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    progress(f"wrote model {card['version']} to {out_dir}")
    return card
