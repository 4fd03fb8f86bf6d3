"""Dataset uploads start training runs in the training function, and every run ends in a
state a supervisor can read: succeeded (active), rejected (with reasons) or failed (with
its report), never a half-written version."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from functions.shared.clock import sortable_id, utc_now
from functions.shared.lifecycle import Dataset, DatasetFile, dataset_sha256
from model_build.function import process
from model_build.training_run import TrainingContext
from tests.fixtures.api_events import SUPERVISOR
from tests.fixtures.training_events import (
    DEAD_LETTER_QUEUE_ARN,
    dead_letter,
    s3_test_event,
    uploaded,
)
from tests.integration.api.conftest import Call
from tests.integration.training.conftest import Rows, Upload, csv_bytes, split_rows
from tests.unit.model.conftest import labelled_rows

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics")


def only_run(api: Call, dataset: dict[str, Any]) -> dict[str, Any]:
    assert len(dataset["runs"]) == 1, dataset
    reply = api("GET", f"/v1/training-runs/{dataset['runs'][0]['run_id']}")
    assert reply.status == 200, reply.body
    return dict(reply.body)


def registry_state(api: Call) -> tuple[str | None, set[str]]:
    models = api("GET", "/v1/models").body
    return models["active_version"], {entry["version"] for entry in models["items"]}


def model_objects(training: TrainingContext) -> set[str]:
    listed = training.s3.list_objects_v2(Bucket=training.models_bucket)
    return {item["Key"] for item in listed.get("Contents", [])}


def test_a_complete_dataset_trains_and_a_passing_candidate_becomes_active(
    api: Call, upload: Upload, good_files: dict[str, bytes], active_model: str
) -> None:
    # GIVEN the default model active WHEN a supervisor's train and test files both arrive
    dataset = upload(good_files)
    # THEN the dataset is complete with its fingerprint, and its one run succeeded
    assert dataset["status"] == "complete"
    assert dataset["fingerprint"]["train_rows"] > 0
    run = only_run(api, dataset)
    assert run["status"] == "succeeded", run["gate"]
    assert [stage["name"] for stage in run["stages"]] == [
        "validate",
        "train",
        "export",
        "parity",
        "evaluate",
        "gate",
        "register",
    ]
    assert all(stage["finished_at"] for stage in run["stages"])
    assert run["gate"]["passed"]
    assert run["gate"]["reasons"] == []
    assert {check["name"] for check in run["gate"]["checks"]} >= {"parity", "macro_f1"}
    # AND the new version is active, with its lineage
    version = run["model_version"]
    assert registry_state(api)[0] == version
    entry = api("GET", f"/v1/models/{version}").body
    assert entry["status"] == "active"
    assert entry["lineage"] == {
        "dataset_id": dataset["dataset_id"],
        "dataset_sha256": dataset_sha256(dataset["fingerprint"]["sha256"]),
        "parent_version": active_model,
        "run_id": run["run_id"],
        "started_by": f"user:{SUPERVISOR.claims['sub']}",
    }
    assert entry["activations"][-1]["kind"] == "gate"
    assert entry["activations"][-1]["from_version"] == active_model


def test_training_waits_until_every_declared_file_has_arrived(
    api: Call, upload: Upload, good_files: dict[str, bytes], active_model: str
) -> None:
    dataset = upload(good_files, deliver=("train",))
    assert dataset["status"] == "awaiting_files"
    assert "test" in dataset["status_detail"]
    assert dataset["runs"] == []
    assert registry_state(api)[0] == active_model


def test_a_repeated_notification_does_not_start_a_second_run(
    api: Call,
    upload: Upload,
    good_files: dict[str, bytes],
    training: TrainingContext,
) -> None:
    dataset = upload(good_files)
    process(uploaded(dataset["files"][0]["key"]), training, DEAD_LETTER_QUEUE_ARN)
    again = api("GET", f"/v1/datasets/{dataset['dataset_id']}").body
    assert len(again["runs"]) == 1


def test_s3s_test_event_is_ignored(training: TrainingContext) -> None:
    process(s3_test_event(), training, DEAD_LETTER_QUEUE_ARN)


def _rows(label: str | None = None) -> Rows:
    return [r for r in labelled_rows() if label is None or r["label"] == label]


def _bad_files() -> dict[str, tuple[dict[str, bytes], str]]:
    train, test = split_rows(_rows())
    latin = [r | {"text": r["text"] + " café"} for r in train]
    few = _rows("negative")[:4] + _rows("neutral")[:4] + _rows("positive")[:4]
    duplicated = (_rows("negative")[:8] + _rows("neutral")[:8] + _rows("positive")[:8]) * 20
    conflicting = train + [r | {"label": "positive"} for r in train if r["label"] == "negative"]
    return {
        "malformed CSV": (
            {"train": b'text,label\n"an unclosed quote,negative\nfine,positive\n'},
            "labels must be",
        ),
        "missing columns": ({"train": csv_bytes(train, ["text"])}, "no column named 'label'"),
        "one class": ({"train": csv_bytes(_rows("negative"))}, "0 'neutral' rows"),
        "too few rows": ({"train": csv_bytes(few)}, "at least"),
        "not UTF-8": (
            {"train": "\n".join(f"{r['text']},{r['label']}" for r in latin).encode("cp1252")},
            "not UTF-8",
        ),
        "mostly duplicates": ({"train": csv_bytes(duplicated)}, "at least"),
        "conflicting labels": ({"train": csv_bytes(conflicting)}, "'negative' rows"),
        "test labels the train file lacks": (
            {
                "train": csv_bytes([r for r in train if r["label"] != "neutral"]),
                "test": csv_bytes(test),
            },
            "the training set has 0 'neutral' rows",
        ),
    }


BAD = _bad_files()


@pytest.mark.parametrize("case", sorted(BAD))
def test_data_that_cannot_be_trained_on_fails_the_run_with_its_report(
    api: Call, upload: Upload, training: TrainingContext, case: str
) -> None:
    # GIVEN the registry before WHEN a dataset with bad data arrives
    before = registry_state(api)
    objects = model_objects(training)
    files, message = BAD[case]
    run = only_run(api, upload(files))
    # THEN the run failed, saying why, with the validation report
    assert run["status"] == "failed"
    assert message in run["error"]
    assert run["validation_report"]["errors"]
    assert "/tmp" not in run["error"]
    # AND nothing changed in the registry or the models bucket
    assert registry_state(api) == before
    assert model_objects(training) == objects


def test_a_file_over_the_size_limit_fails_the_run(
    api: Call,
    upload: Upload,
    good_files: dict[str, bytes],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from model_build import dataset

    monkeypatch.setattr(dataset, "MAX_FILE_BYTES", 1000)
    run = only_run(api, upload(good_files))
    assert run["status"] == "failed"
    assert "over the 1000-byte limit" in run["error"]


def test_more_rows_than_one_run_can_train_fail_the_run_before_training(
    api: Call, upload: Upload, good_files: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    from model_build import training_run

    monkeypatch.setattr(training_run, "MAX_TRAINING_ROWS", 100)
    run = only_run(api, upload(good_files))
    assert run["status"] == "failed"
    assert "more than the training function trains in one run (100)" in run["error"]
    assert [stage["name"] for stage in run["stages"]] == ["validate"]


def test_a_crash_mid_training_leaves_no_version_and_the_dead_letter_fails_the_run(
    api: Call,
    upload: Upload,
    good_files: dict[str, bytes],
    training: TrainingContext,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # GIVEN training that dies part-way through its folds
    from model_build import training_run

    def crash(_data: Any, _out: Any, _params: Any, progress: Any) -> None:
        progress("  fold 1/2, candidate 1/1")
        raise MemoryError("the function ran out of memory")

    monkeypatch.setattr(training_run, "build_model", crash)
    before, objects = registry_state(api), model_objects(training)
    # WHEN the files arrive, the attempt crashes (the message stays on the queue)
    with pytest.raises(MemoryError):
        upload(good_files)
    dataset = api("GET", "/v1/datasets").body["items"][0]
    run = only_run(api, dataset)
    assert run["status"] == "training"
    assert run["attempts"] == 1
    # AND the retry crashes too, then the message reaches the dead-letter queue
    train_key = dataset["files"][0]["key"]
    with pytest.raises(MemoryError):
        process(uploaded(train_key), training, DEAD_LETTER_QUEUE_ARN)
    process(dead_letter(train_key), training, DEAD_LETTER_QUEUE_ARN)
    # THEN the run failed for good, and no version was written anywhere
    run = only_run(api, dataset)
    assert run["status"] == "failed"
    assert run["attempts"] == 2
    assert "stage train" in run["error"]
    assert registry_state(api) == before
    assert model_objects(training) == objects


def test_a_dataset_whose_files_never_all_arrive_expires(
    api: Call, training: TrainingContext, good_files: dict[str, bytes]
) -> None:
    # GIVEN a dataset declared long ago whose test file never came
    created = utc_now() - timedelta(hours=1)
    dataset_id = sortable_id()
    files = [
        DatasetFile(
            role=role,
            filename=f"{role}.csv",
            key=f"datasets/{dataset_id}/{role}.csv",
            size_bytes=len(good_files[role]),
        )
        for role in ("train", "test")
    ]
    training.store.create_dataset(
        Dataset(
            dataset_id=dataset_id,
            name="late",
            text_column="text",
            label_column="label",
            files=files,
            created_at=created,
            created_by="user:someone",
            uploads_expire_at=created + timedelta(minutes=5),
        )
    )
    # WHEN its train file turns up now
    training.s3.put_object(
        Bucket=training.datasets_bucket, Key=files[0].key, Body=good_files["train"]
    )
    process(uploaded(files[0].key), training, DEAD_LETTER_QUEUE_ARN)
    # THEN it shows as expired, saying what never arrived, and nothing trained
    shown = api("GET", f"/v1/datasets/{dataset_id}").body
    assert shown["status"] == "expired"
    assert "test file never arrived" in shown["status_detail"]
    assert shown["runs"] == []


def test_a_worse_candidate_is_rejected_compared_and_can_still_be_promoted_by_hand(
    api: Call, upload: Upload, good_files: dict[str, bytes]
) -> None:
    # GIVEN a model trained on good data, active
    good = only_run(api, upload(good_files))["model_version"]
    # WHEN a dataset with negative and positive swapped in its train file arrives
    train, test = split_rows(labelled_rows())
    swap = {"negative": "positive", "positive": "negative"}
    swapped = [r | {"label": swap.get(r["label"], r["label"])} for r in train]
    run = only_run(api, upload({"train": csv_bytes(swapped), "test": csv_bytes(test)}))
    # THEN the run is rejected with every failing rule, and the good model stays active
    assert run["status"] == "rejected"
    failing = {check["name"] for check in run["gate"]["checks"] if not check["passed"]}
    assert failing == {"macro_f1", "negative_recall"}
    assert len(run["gate"]["reasons"]) == 2
    bad = run["model_version"]
    assert registry_state(api)[0] == good
    assert api("GET", f"/v1/models/{bad}").body["status"] == "rejected"
    # AND the two compare on the rejected one's test split, per class, with disagreements
    compared = api("GET", "/v1/models/compare", query={"a": good, "b": bad})
    assert compared.status == 200, compared.body
    assert compared.body["test_split_of"] == bad
    assert compared.body["differences"]["per_class"]["negative"]["recall"] < 0
    assert compared.body["disagreements"] > 0
    assert {(row["a"], row["b"]) for row in compared.body["sample"]} <= {
        ("negative", "positive"),
        ("positive", "negative"),
        ("neutral", "negative"),
        ("neutral", "positive"),
        ("negative", "neutral"),
        ("positive", "neutral"),
    }
    # AND a supervisor may still promote it, as a recorded override, and serving follows
    promoted = api("POST", f"/v1/models/{bad}/promote", body={"reason": "test the override"})
    assert promoted.status == 200, promoted.body
    assert api("GET", f"/v1/models/{bad}").body["activations"][-1]["override"] is True
    assert api("GET", "/v1/model").body["version"] == bad
    scored = api("POST", "/v1/sentiment", body={"texts": ["my flight was cancelled again"]})
    assert scored.body["model_version"] == bad
