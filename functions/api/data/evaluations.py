"""Data access for the evaluations training stores beside the models (EvaluationSource)."""

from __future__ import annotations

from typing import Any

from functions.shared.model_files import read_evaluation


class Evaluations:
    """Reads ``evaluations/<version>/against-<other>.json`` from the models bucket."""

    def __init__(self, bucket: str, s3: Any) -> None:
        self._bucket = bucket
        self._s3 = s3

    def evaluation(self, version: str, against: str) -> dict[str, Any] | None:
        """Both models' figures on `version`'s test split, or None when `version` was not
        trained against `against`."""
        return read_evaluation(self._s3, self._bucket, version, against)
