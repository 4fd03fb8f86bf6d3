"""Data access for model files in the models bucket: ``models/<version>/`` holds
``model.onnx`` and ``model_card.json`` and is never rewritten (content-addressed)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from functions.scoring.model import CARD_FILE, MODEL_FILE
from functions.shared.errors import ModelUnavailable

MODEL_FILES = (MODEL_FILE, CARD_FILE)


def model_prefix(version: str) -> str:
    """The key prefix of one version's files."""
    return f"models/{version}/"


def upload_model(s3: Any, bucket: str, model_dir: Path, version: str) -> None:
    """Uploads the files of `model_dir` under ``models/<version>/``."""
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
