"""Declaring a dataset: one signed upload per file under its own prefix, and a status that
says what is missing and when the dataset expires. Building one from reviews: the active
model's training data with every review's label winning, stored with what it was made of."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from functions.api.logic.datasets import (
    UPLOAD_EXPIRY_SECONDS,
    DeclaredFile,
    create_dataset,
    create_dataset_from_reviews,
    describe_status,
    latest_by_text,
    review_split,
    safe_filename,
)
from functions.shared.errors import NoReviewsYet, TrainingDataUnavailable
from functions.shared.lifecycle import ARRIVAL_GRACE, Dataset, Pointer, TrainingRun, dataset_sha256
from functions.shared.models import ReviewedExample, SignedUpload
from functions.shared.training_data import TrainingRow

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


def example(
    text: str, label: str, model_label: str, minutes: int = 0, task: str = "t"
) -> ReviewedExample:
    return ReviewedExample(
        task_id=f"{task}-{text}",
        text=text,
        label=label,  # type: ignore[arg-type]
        model_label=model_label,  # type: ignore[arg-type]
        model_version="v-active",
        reviewed_at=NOW + timedelta(minutes=minutes),
    )


class Sources:
    """The ports of a dataset from reviews, in memory: reviews, the active pointer, the
    active model's training data, and the files written."""

    def __init__(
        self,
        examples: list[ReviewedExample],
        base: list[TrainingRow] | None,
        active: str | None = "v-active",
    ) -> None:
        self.examples, self.base, self.active = examples, base, active
        self.written: dict[str, tuple[bytes, str]] = {}

    def reviewed_examples(self) -> list[ReviewedExample]:
        return self.examples

    def pointer(self) -> Pointer | None:
        return None if self.active is None else Pointer(version=self.active, activated_at=NOW)

    def training_data(self, version: str) -> list[TrainingRow] | None:
        assert version == self.active
        return self.base

    def put_file(self, key: str, body: bytes, content_type: str) -> None:
        self.written[key] = (body, content_type)


BASE = [
    TrainingRow("my flight was cancelled", "negative", "train"),
    TrainingRow("what time is boarding?", "neutral", "train"),
    TrainingRow("thanks for the upgrade", "positive", "train"),
    TrainingRow("the crew was fine I guess", "positive", "test"),
    TrainingRow("lost my bag", "negative", "test"),
]


def build(sources: Sources, repository: MemoryDatasets | None = None) -> Dataset:
    return create_dataset_from_reviews(
        "corrections",
        "user:sup",
        reviews=sources,
        registry=sources,
        training_data=sources,
        files=sources,
        repository=repository or MemoryDatasets(),
        make_id=lambda: "cd" * 16,
        now=lambda: NOW,
    )


def read_csv(body: bytes) -> list[tuple[str, str]]:
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    assert rows[0] == ["text", "label"]
    return [(text, label) for text, label in rows[1:]]


def test_a_dataset_from_reviews_is_refused_while_no_reviews_exist() -> None:
    sources = Sources([], BASE)
    with pytest.raises(NoReviewsYet, match="no decision has been reviewed yet"):
        build(sources)
    assert sources.written == {}


@pytest.mark.parametrize(
    ("base", "active", "message"),
    [(None, "v-active", "has no training data stored"), (BASE, None, "no model is active")],
)
def test_a_dataset_from_reviews_needs_the_active_models_training_data(
    base: list[TrainingRow] | None, active: str | None, message: str
) -> None:
    sources = Sources([example("lost my bag", "negative", "neutral")], base, active)
    repository = MemoryDatasets()
    with pytest.raises(TrainingDataUnavailable, match=message):
        build(sources, repository)
    assert sources.written == {}
    assert repository.stored == {}


def test_the_review_wins_and_rows_keep_their_split() -> None:
    # GIVEN a correction of a training row, a correction of a test row, a confirmation
    # whose label differs from the data's, and a review of a text the data lacks
    added = "is my connection still on time"
    sources = Sources(
        [
            example("MY flight   was cancelled", "neutral", "negative"),
            example("the crew was fine I guess", "neutral", "positive"),
            example("what time is boarding?", "negative", "negative"),
            example(added, "neutral", "negative"),
        ],
        BASE,
    )
    repository = MemoryDatasets()
    # WHEN a dataset is built from them
    dataset = build(sources, repository)
    # THEN each review's label replaced the data's (matched as intake matches duplicates)
    train = read_csv(sources.written[f"datasets/{'cd' * 16}/train.csv"][0])
    test = read_csv(sources.written[f"datasets/{'cd' * 16}/test.csv"][0])
    assert ("my flight was cancelled", "neutral") in train
    assert ("what time is boarding?", "negative") in train
    assert ("thanks for the upgrade", "positive") in train
    assert ("the crew was fine I guess", "neutral") in test
    assert ("lost my bag", "negative") in test
    # AND the new text went to the split its hash names, once
    target = train if review_split(added) == "train" else test
    assert (added, "neutral") in target
    assert len(train) + len(test) == len(BASE) + 1
    # AND the dataset records what it was made of and the hash its models' lineage uses
    derived = dataset.derived_from
    assert derived is not None
    assert derived.model_dump() == {
        "model_version": "v-active",
        "reviews": 4,
        "corrections": 3,
        "confirmations": 1,
        "base_rows": 5,
        "relabelled_rows": 3,
        "added_rows": 1,
        "train_rows": len(train),
        "test_rows": len(test),
        "sha256": dataset_sha256(
            {
                f"{role}.csv": hashlib.sha256(body).hexdigest()
                for role, body in (
                    ("train", sources.written[f"datasets/{'cd' * 16}/train.csv"][0]),
                    ("test", sources.written[f"datasets/{'cd' * 16}/test.csv"][0]),
                )
            }
        ),
    }
    assert dataset.source == "reviews"
    assert [(f.role, f.key, f.size_bytes) for f in dataset.files] == [
        (role, key, len(sources.written[key][0]))
        for role, key in (
            ("train", f"datasets/{'cd' * 16}/train.csv"),
            ("test", f"datasets/{'cd' * 16}/test.csv"),
        )
    ]
    assert {content_type for _, content_type in sources.written.values()} == {"text/csv"}
    assert repository.stored[dataset.dataset_id] == dataset


def test_of_two_reviews_of_the_same_text_the_latest_counts() -> None:
    reviews = [
        example("lost my bag", "neutral", "negative", minutes=5, task="a"),
        example("Lost my  bag", "positive", "negative", minutes=9, task="b"),
        example("lost my bag", "negative", "negative", minutes=1, task="c"),
    ]
    latest = latest_by_text(reviews)
    assert list(latest) == ["lost my bag"]
    assert latest["lost my bag"].label == "positive"


@given(st.text(min_size=1, max_size=50))
def test_a_reviewed_text_always_goes_to_the_same_split(text: str) -> None:
    assert review_split(text) == review_split(text)


def test_about_a_fifth_of_added_texts_go_to_the_test_split() -> None:
    splits = [review_split(f"text number {i}") for i in range(2000)]
    assert 0.17 < splits.count("test") / len(splits) < 0.23


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
