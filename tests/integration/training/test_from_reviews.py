"""Corrections feed training: a dataset built from the active model's training data and
supervisors' reviews trains through the same path as an upload, and the gate's reviews
rule weighs every candidate on the reviewed decisions once there are enough of them."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from functions.shared.model_files import read_training_data
from model_build.gate import MIN_REVIEWS
from model_build.training_run import TrainingContext
from tests.integration.api.conftest import Call
from tests.integration.training.conftest import Upload, csv_bytes, deliver, split_rows
from tests.integration.training.test_training_runs import only_run, registry_state
from tests.unit.model.conftest import labelled_rows

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics")

SUBJECTS = ["hotel room", "train ride", "taxi", "museum tour", "ferry", "spa visit", "concert"]
PHRASES = {
    "negative": ["smelled of smoke", "was filthy and noisy", "broke down twice"],
    "neutral": ["opens at nine?", "accepts cards?", "needs booking ahead?"],
    "positive": ["felt wonderful", "was spotless, loved it", "delighted everyone"],
}
# Requests about other things than the training rows' flights and bags, with their true
# labels: 21 per label.
REQUESTS = [
    (f"{subject} {phrase}", label)
    for label, phrases in PHRASES.items()
    for subject, phrase in itertools.product(SUBJECTS, phrases)
]
ROTATE = {"negative": "neutral", "neutral": "positive", "positive": "negative"}


def create_task(api: Call, text: str) -> dict[str, Any]:
    body = {"text": text, "account_id": "acct-9", "category": "general", "channel": "web"}
    reply = api("POST", "/v1/tasks", body=body)
    assert reply.status == 201, reply.body
    return dict(reply.body)


def review(api: Call, task: dict[str, Any], label: str) -> None:
    reply = api(
        "POST",
        f"/v1/tasks/{task['id']}/review",
        body={"label": label},
        headers={"If-Match": f'"{task["revision"]}"'},
    )
    assert reply.status == 201, reply.body


def check(run: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in run["gate"]["checks"] if c["name"] == name)


def test_without_reviews_a_dataset_from_reviews_is_refused(api: Call) -> None:
    reply = api("POST", "/v1/datasets/from-reviews", body={"name": "corrections"})
    assert reply.status == 409
    assert reply.error_code == "no_reviews"
    assert "no decision has been reviewed yet" in reply.body["error"]["message"]
    assert api("GET", "/v1/datasets").body["items"] == []


def test_an_active_model_without_stored_training_data_cannot_be_built_on(
    api: Call, active_model: str
) -> None:
    # GIVEN the installed model, whose training data was not stored, and one review
    task = create_task(api, REQUESTS[0][0])
    review(api, task, "negative")
    # WHEN a supervisor asks for a dataset from reviews THEN it is refused, saying why
    reply = api("POST", "/v1/datasets/from-reviews", body={"name": "corrections"})
    assert reply.status == 409
    assert reply.error_code == "training_data_unavailable"
    assert active_model in reply.body["error"]["message"]
    assert api("GET", "/v1/datasets").body["items"] == []


def test_a_dataset_from_reviews_trains_on_the_corrected_data_and_passes_the_reviews_rule(
    api: Call, upload: Upload, good_files: dict[str, bytes], training: TrainingContext
) -> None:
    # GIVEN a model trained from an upload, active, with its training data kept
    active = only_run(api, upload(good_files))["model_version"]
    base = read_training_data(training.s3, training.models_bucket, active)
    assert base is not None
    # AND supervisors who reviewed more than enough of its decisions with the true label
    corrections = 0
    for text, label in REQUESTS:
        task = create_task(api, text)
        corrections += task["decision"]["label"] != label
        review(api, task, label)
    assert len(REQUESTS) >= MIN_REVIEWS
    # WHEN a supervisor builds a dataset from the reviews
    reply = api("POST", "/v1/datasets/from-reviews", body={"name": "march corrections"})
    # THEN it is stored with what it was made of, and its files are where uploads go
    assert reply.status == 201, reply.body
    dataset = reply.body
    assert reply.headers["Location"] == f"/v1/datasets/{dataset['dataset_id']}"
    assert dataset["source"] == "reviews"
    derived = dataset["derived_from"]
    assert derived["model_version"] == active
    assert (derived["reviews"], derived["corrections"]) == (len(REQUESTS), corrections)
    assert derived["confirmations"] == len(REQUESTS) - corrections
    assert derived["base_rows"] == len(base)
    assert derived["added_rows"] == len(REQUESTS)
    assert derived["train_rows"] + derived["test_rows"] == len(base) + len(REQUESTS)
    assert [f["key"] for f in dataset["files"]] == [
        f"datasets/{dataset['dataset_id']}/train.csv",
        f"datasets/{dataset['dataset_id']}/test.csv",
    ]
    # AND when the files' notifications reach the training function, it trains them
    deliver(training, dataset)
    shown = api("GET", f"/v1/datasets/{dataset['dataset_id']}").body
    assert shown["status"] == "complete"
    run = only_run(api, shown)
    listed = api("GET", "/v1/training-runs", query={"dataset_id": dataset["dataset_id"]})
    assert [r["run_id"] for r in listed.body["items"]] == [run["run_id"]]
    # AND the candidate passes every rule, the reviews rule applied to every review
    assert run["status"] == "succeeded", run["gate"]
    reviews = check(run, "reviews")
    assert reviews["passed"]
    assert reviews["detail"].startswith(f"accuracy on {len(REQUESTS)} reviewed decisions")
    assert f"the candidate was trained on {len(REQUESTS)} of them" in reviews["detail"]
    # AND the gate compared it fairly: the active model had been trained on the test split
    # it kept, so it was measured as its recipe refitted without those texts
    [note] = run["gate"]["notes"]
    assert f"the active model {active} was trained on" in note
    assert "refitted on its own training data without them" in note
    # AND the new version is active, its lineage naming the dataset and its hash
    version = run["model_version"]
    assert registry_state(api)[0] == version
    lineage = api("GET", f"/v1/models/{version}").body["lineage"]
    assert lineage["dataset_id"] == dataset["dataset_id"]
    assert lineage["dataset_sha256"] == derived["sha256"]
    assert lineage["parent_version"] == active
    # AND a comparison of the two says how the active model was measured
    compared = api("GET", "/v1/models/compare", query={"a": active, "b": version})
    assert compared.status == 200, compared.body
    assert (compared.body["test_split_of"], compared.body["note"]) == (version, note)
    # AND it was trained on the reviewed labels, which a later dataset starts from
    kept = read_training_data(training.s3, training.models_bucket, version)
    assert kept is not None
    labels = {row.text: row.label for row in kept}
    assert all(labels[text] == label for text, label in REQUESTS)


def test_a_candidate_less_accurate_on_the_reviews_than_the_active_model_is_rejected(
    api: Call, upload: Upload, good_files: dict[str, bytes]
) -> None:
    # GIVEN an active model whose decisions supervisors confirmed, enough of them
    active = only_run(api, upload(good_files))["model_version"]
    confirmed = []
    for text, _ in REQUESTS:
        task = create_task(api, text)
        review(api, task, task["decision"]["label"])
        confirmed.append((text, task["decision"]["label"]))
    # WHEN an upload teaches a candidate other labels for those very texts
    train, test = split_rows(labelled_rows())
    contrary = [{"text": text, "label": ROTATE[label]} for text, label in confirmed]
    files = {"train": csv_bytes(train + contrary), "test": csv_bytes(test)}
    run = only_run(api, upload(files))
    # THEN it is rejected by the reviews rule, with the figures, and the active model stays
    assert run["status"] == "rejected"
    reviews = check(run, "reviews")
    assert not reviews["passed"]
    assert reviews["detail"] in run["gate"]["reasons"]
    assert "against the active model's 1.0000: below it" in reviews["detail"]
    assert f"the candidate was trained on {len(REQUESTS)} of them" in reviews["detail"]
    assert registry_state(api)[0] == active
