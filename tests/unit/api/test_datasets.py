"""Declaring a dataset: one signed upload per file under its own prefix, and a status that
says what is missing and when the dataset expires."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from functions.api.logic.datasets import (
    UPLOAD_EXPIRY_SECONDS,
    DeclaredFile,
    create_dataset,
    describe_status,
    safe_filename,
)
from functions.shared.errors import NoReviewsYet
from functions.shared.lifecycle import ARRIVAL_GRACE, Dataset, TrainingRun
from functions.shared.models import SignedUpload

NOW = datetime(2026, 11, 26, 5, 0, tzinfo=UTC)


class RecordingSigner:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, int, int]] = []

    def presign_upload(
        self, key: str, content_type: str, max_bytes: int, expires_in: int
    ) -> SignedUpload:
        self.calls.append((key, content_type, max_bytes, expires_in))
        return SignedUpload(url="https://bucket.example", fields={"key": key})


class MemoryDatasets:
    def __init__(self) -> None:
        self.stored: dict[str, Dataset] = {}

    def create_dataset(self, dataset: Dataset) -> None:
        self.stored[dataset.dataset_id] = dataset

    def dataset(self, dataset_id: str) -> Dataset | None:
        return self.stored.get(dataset_id)

    def datasets(self, limit: int, after: str | None) -> tuple[list[Dataset], str | None]:
        return list(self.stored.values())[:limit], None

    def runs_by_id(self, run_ids: object) -> list[TrainingRun]:
        return []


def declare(signer: RecordingSigner, repository: MemoryDatasets) -> Dataset:
    dataset, _ = create_dataset(
        "march",
        "text",
        "label",
        [DeclaredFile("train", "../my tweets.csv", 2048), DeclaredFile("test", "t.csv", 512)],
        "user:sup",
        signer=signer,
        repository=repository,
        make_id=lambda: "ab" * 16,
        now=lambda: NOW,
    )
    return dataset


def test_each_file_gets_its_own_upload_named_by_its_role() -> None:
    signer, repository = RecordingSigner(), MemoryDatasets()
    dataset = declare(signer, repository)
    assert signer.calls == [
        (f"datasets/{'ab' * 16}/train.csv", "text/csv", 2048, UPLOAD_EXPIRY_SECONDS),
        (f"datasets/{'ab' * 16}/test.csv", "text/csv", 512, UPLOAD_EXPIRY_SECONDS),
    ]
    assert [f.filename for f in dataset.files] == ["my_tweets.csv", "t.csv"]
    assert repository.stored[dataset.dataset_id] == dataset


def test_a_dataset_waits_then_completes_or_expires() -> None:
    dataset = declare(RecordingSigner(), MemoryDatasets())
    assert describe_status(dataset, NOW) == (
        "awaiting_files",
        "waiting for the train and test file",
    )
    late = NOW + timedelta(seconds=UPLOAD_EXPIRY_SECONDS) + ARRIVAL_GRACE + timedelta(seconds=1)
    status, detail = describe_status(dataset, late)
    assert status == "expired"
    assert "train and test file never arrived" in detail
    for declared in dataset.files:
        declared.arrived_at = NOW
    assert describe_status(dataset, late)[0] == "complete"


def test_a_dataset_from_reviews_is_refused_while_no_reviews_exist() -> None:
    from functions.api.logic.datasets import create_dataset_from_reviews

    with pytest.raises(NoReviewsYet, match="no reviews exist yet"):
        create_dataset_from_reviews()


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
