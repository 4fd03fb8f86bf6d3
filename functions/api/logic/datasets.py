"""Supervisors' dataset uploads: where a new file goes and the limits on it. The file
itself travels straight from the browser to S3 through a short-lived presigned POST."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from functions.shared.clock import new_id
from functions.shared.models import SignedUpload

MAX_DATASET_BYTES = 50 * 1024 * 1024
UPLOAD_EXPIRY_SECONDS = 300
CSV = "text/csv"
DATASETS_PREFIX = "datasets"
_MAX_NAME = 100
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class UploadSigner(Protocol):
    def presign_upload(
        self, key: str, content_type: str, max_bytes: int, expires_in: int
    ) -> SignedUpload:
        """A POST that can store one object at `key`, of `content_type` and 1 to
        `max_bytes` bytes, for `expires_in` seconds."""
        ...


@dataclass(frozen=True)
class DatasetUploadPlan:
    dataset_id: str
    key: str
    upload: SignedUpload
    expires_in_seconds: int
    max_bytes: int


def safe_filename(name: str) -> str:
    """`name` without any directory part, with only letters, digits, `.`, `_` and `-`, no
    leading dots, at most 100 characters; `dataset.csv` when nothing is left."""
    base = re.split(r"[\\/]", name)[-1]
    cleaned = _UNSAFE.sub("_", base).lstrip("._")[-_MAX_NAME:]
    return cleaned or "dataset.csv"


def start_dataset_upload(
    filename: str,
    content_type: str,
    size_bytes: int,
    signer: UploadSigner,
    make_id: Callable[[], str] = new_id,
) -> DatasetUploadPlan:
    """Reserves a new `datasets/<id>/<safe filename>` key and signs an upload for it,
    limited to the declared size and to CSV, valid for five minutes. Raises ValueError
    when the size or type is out of bounds (the HTTP layer validates both first)."""
    if content_type != CSV:
        raise ValueError("only text/csv datasets are accepted")
    if not 1 <= size_bytes <= MAX_DATASET_BYTES:
        raise ValueError(f"a dataset is 1 to {MAX_DATASET_BYTES} bytes")
    dataset_id = make_id()
    key = f"{DATASETS_PREFIX}/{dataset_id}/{safe_filename(filename)}"
    upload = signer.presign_upload(key, content_type, size_bytes, UPLOAD_EXPIRY_SECONDS)
    return DatasetUploadPlan(
        dataset_id=dataset_id,
        key=key,
        upload=upload,
        expires_in_seconds=UPLOAD_EXPIRY_SECONDS,
        max_bytes=size_bytes,
    )
