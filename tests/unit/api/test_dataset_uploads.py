"""Where a dataset upload goes and the limits signed into it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from functions.api.logic.datasets import (
    MAX_DATASET_BYTES,
    UPLOAD_EXPIRY_SECONDS,
    safe_filename,
    start_dataset_upload,
)
from functions.shared.models import SignedUpload


class RecordingSigner:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, int, int]] = []

    def presign_upload(
        self, key: str, content_type: str, max_bytes: int, expires_in: int
    ) -> SignedUpload:
        self.calls.append((key, content_type, max_bytes, expires_in))
        return SignedUpload(url="https://bucket.example", fields={"key": key})


@pytest.mark.parametrize(
    ("given_name", "stored"),
    [
        ("train.csv", "train.csv"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\tweets 2024.csv", "tweets_2024.csv"),
        (".hidden.csv", "hidden.csv"),
        ("données;rm -rf.csv", "donn_es_rm_-rf.csv"),
        ("///", "dataset.csv"),
    ],
)
def test_filenames_are_reduced_to_a_safe_basename(given_name: str, stored: str) -> None:
    assert safe_filename(given_name) == stored


@given(st.text(min_size=1, max_size=300))
def test_a_safe_filename_never_leaves_its_folder(name: str) -> None:
    cleaned = safe_filename(name)
    assert "/" not in cleaned
    assert "\\" not in cleaned
    assert not cleaned.startswith(".")
    assert 1 <= len(cleaned) <= 100


def test_an_upload_gets_a_new_key_under_datasets_and_the_declared_limits() -> None:
    signer = RecordingSigner()
    plan = start_dataset_upload("train.csv", "text/csv", 1234, signer, make_id=lambda: "ab" * 16)
    assert plan.key == f"datasets/{'ab' * 16}/train.csv"
    assert signer.calls == [(plan.key, "text/csv", 1234, UPLOAD_EXPIRY_SECONDS)]
    assert UPLOAD_EXPIRY_SECONDS == 300


@pytest.mark.parametrize(
    ("content_type", "size"),
    [("application/octet-stream", 10), ("text/csv", 0), ("text/csv", MAX_DATASET_BYTES + 1)],
)
def test_out_of_bounds_uploads_are_not_signed(content_type: str, size: int) -> None:
    signer = RecordingSigner()
    with pytest.raises(ValueError, match="dataset"):
        start_dataset_upload("x.csv", content_type, size, signer)
    assert signer.calls == []
