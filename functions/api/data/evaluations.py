"""Data access for what training stores beside the models: evaluations (EvaluationSource)
and each version's training data (TrainingDataSource)."""

from __future__ import annotations

from typing import Any

from functions.shared.model_files import read_evaluation, read_training_data
from functions.shared.training_data import TrainingRow


class Evaluations:
    """Reads ``evaluations/<version>/against-<other>.json`` from the models bucket."""

    def __init__(self, bucket: str, s3: Any) -> None:
        self._bucket = bucket
        self._s3 = s3

    def evaluation(self, version: str, against: str) -> dict[str, Any] | None:
        """Both models' figures on `version`'s test split, or None when `version` was not
        trained against `against`."""
        return read_evaluation(self._s3, self._bucket, version, against)


class TrainingData:
    """Reads ``models/<version>/training_data.csv`` from the models bucket."""

    def __init__(self, bucket: str, s3: Any) -> None:
        self._bucket = bucket
        self._s3 = s3

    def training_data(self, version: str) -> list[TrainingRow] | None:
        """The rows `version` was trained on, or None when none were stored with it."""
        return read_training_data(self._s3, self._bucket, version)
