"""What keeps training fast without changing what it computes: texts analysed once for every
fold, and BLAS on one thread."""

from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_info

from model_build.train import TermCounts, TrainParams, _vectorizer, one_blas_thread
from tests.unit.model.conftest import labelled_rows


def test_term_counts_give_what_refitting_the_vectorizer_on_those_rows_gives() -> None:
    texts = [row["text"] for row in labelled_rows()]
    params = TrainParams(min_df=2)
    rng = np.random.default_rng(3)
    order = rng.permutation(len(texts))
    fit_rows, other_rows = np.sort(order[:150]), np.sort(order[150:])
    fit_x, other_x = TermCounts(texts, params).tfidf(fit_rows, other_rows)
    vectorizer = _vectorizer(params)
    expected_fit = vectorizer.fit_transform([texts[i] for i in fit_rows])
    expected_other = vectorizer.transform([texts[i] for i in other_rows])
    assert fit_x.shape == expected_fit.shape
    assert other_x.shape == expected_other.shape
    assert abs(fit_x - expected_fit).max() < 1e-12
    assert abs(other_x - expected_other).max() < 1e-12


def test_training_runs_blas_on_one_thread() -> None:
    @one_blas_thread
    def blas_threads() -> list[int]:
        return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]

    assert set(blas_threads()) <= {1}
