"""The training data a model version keeps beside its files (functions/shared/training_data.py):
made from the prepared data by the training function, and rebuilt for an installed model
(the default one) from its source CSV, which must be the very file its card fingerprints."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

from functions.scoring.model import CARD_FILE
from functions.shared.training_data import TrainingRow, encode_rows
from model_build.dataset import ColumnMapping, DatasetError, PreparedData, prepare

logger = logging.getLogger(__name__)


def training_rows(data: PreparedData) -> list[TrainingRow]:
    """Every usable row of `data`, training split first, with its split."""
    return [
        TrainingRow(text, label, "train")
        for text, label in zip(data.train.texts, data.train.labels, strict=True)
    ] + [
        TrainingRow(text, label, "test")
        for text, label in zip(data.test.texts, data.test.labels, strict=True)
    ]


def training_data_bytes(data: PreparedData) -> bytes:
    return encode_rows(training_rows(data))


def _matches(card_dataset: dict[str, Any], data: PreparedData) -> bool:
    found = data.fingerprint()
    return all(
        found[name] == card_dataset.get(name)
        for name in ("train_rows", "test_rows", "train_class_counts", "test_class_counts")
    )


def rebuild_training_data(model_dir: Path, source: Path) -> bytes | None:
    """The training data of the model in `model_dir`, prepared again from `source` the way
    its card says (columns, seed): None, with a warning, unless `source` is the one file the
    card fingerprints (same sha256) and preparing it gives the card's rows and classes."""
    card = json.loads((model_dir / CARD_FILE).read_text(encoding="utf-8"))
    dataset = card.get("dataset", {})
    hashes = list(dataset.get("sha256", {}).values())
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    if hashes != [digest]:
        logger.warning(
            "%s is not the file model %s was trained on (sha256 %s, the card names %s)",
            source,
            card.get("version"),
            digest,
            ", ".join(hashes) or "none",
        )
        return None
    columns = card.get("columns", {})
    try:
        data = prepare(
            source,
            mapping=ColumnMapping(
                text=columns.get("text", "text"), label=columns.get("label", "label")
            ),
            seed=int(card.get("parameters", {}).get("seed", 42)),
        )
    except DatasetError as error:
        logger.warning("cannot prepare %s again: %s", source, error)
        return None
    if not _matches(dataset, data):
        logger.warning(
            "preparing %s again does not give the rows model %s was trained on",
            source,
            card.get("version"),
        )
        return None
    return training_data_bytes(data)
