"""Data access for model files in the models bucket: ``models/<version>/`` holds
``model.onnx`` and ``model_card.json`` and is never rewritten (content-addressed);
``evaluations/<version>/against-<other>.json`` holds both models' figures on the first's
test split, written when it was trained against the other; ``models/<version>/
training_data.csv`` the rows the version was trained on (functions/shared/training_data.py)."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from functions.scoring.model import CARD_FILE, MODEL_FILE
from functions.shared.errors import ModelUnavailable
from functions.shared.training_data import TRAINING_DATA_FILE, TrainingRow, decode_rows

MODEL_FILES = (MODEL_FILE, CARD_FILE)


def model_prefix(version: str) -> str:
    """The key prefix of one version's files."""
    return f"models/{version}/"


def upload_model(s3: Any, bucket: str, model_dir: Path, version: str) -> None:
    """Uploads the files of `model_dir` under ``models/<version>/``, the card last: a
    version whose card is there has all its files."""
    for name in MODEL_FILES:
        s3.upload_file(str(model_dir / name), bucket, model_prefix(version) + name)


def download_model(s3: Any, bucket: str, version: str, target: Path) -> None:
    """Downloads one version's files into the directory `target`, which appears whole or
    not at all (a concurrent process sees either). Raises ModelUnavailable when the
    files are missing."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{version}-"))
    try:
        for name in MODEL_FILES:
            s3.download_file(bucket, model_prefix(version) + name, str(staging / name))
        staging.rename(target)
    except ClientError:
        raise ModelUnavailable(f"model {version} files are missing") from None
    except OSError:
        if not target.is_dir():  # another process renamed its copy into place first
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def evaluation_key(version: str, against: str) -> str:
    return f"evaluations/{version}/against-{against}.json"


def upload_evaluation(
    s3: Any, bucket: str, version: str, against: str, evaluation: dict[str, Any]
) -> None:
    """Stores what training measured of `version` and `against` on `version`'s test split."""
    s3.put_object(
        Bucket=bucket,
        Key=evaluation_key(version, against),
        Body=json.dumps(evaluation).encode("utf-8"),
        ContentType="application/json",
    )


def read_evaluation(s3: Any, bucket: str, version: str, against: str) -> dict[str, Any] | None:
    """The evaluation of `version` against `against`, or None when none was made."""
    try:
        body = s3.get_object(Bucket=bucket, Key=evaluation_key(version, against))["Body"]
    except ClientError as error:
        if error.response["Error"]["Code"] in {"NoSuchKey", "404", "AccessDenied"}:
            return None
        raise
    found: dict[str, Any] = json.loads(body.read())
    return found


def training_data_key(version: str) -> str:
    return model_prefix(version) + TRAINING_DATA_FILE


def upload_training_data(s3: Any, bucket: str, version: str, body: bytes) -> None:
    """Stores `version`'s training data (`training_data.encode_rows`) beside its files."""
    s3.put_object(Bucket=bucket, Key=training_data_key(version), Body=body, ContentType="text/csv")


def read_training_data(s3: Any, bucket: str, version: str) -> list[TrainingRow] | None:
    """The training rows of `version`, or None when none were stored with it."""
    try:
        body = s3.get_object(Bucket=bucket, Key=training_data_key(version))["Body"].read()
    except ClientError as error:
        if error.response["Error"]["Code"] in {"NoSuchKey", "404", "AccessDenied"}:
            return None
        raise
    return decode_rows(body)
