"""A model version's training data, kept beside its files: ``models/<version>/training_data.csv``.

Every usable row the version's pipeline read (after validation: duplicates, conflicting
labels and train/test leakage already removed), with the split it was in, as a CSV with the
columns ``text``, ``label`` and ``split`` (``train`` or ``test``). The training function
writes it for every version it builds; installing a model writes it when the model's data
is at hand (the default model's: the airline CSV, checked against the card's fingerprint).

It is what a dataset built from reviews starts from, and what the gate reads to know which
texts the active model was trained on. Reading and writing it: functions/shared/model_files.py.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

TRAINING_DATA_FILE = "training_data.csv"
COLUMNS = ("text", "label", "split")
Split = Literal["train", "test"]


@dataclass(frozen=True)
class TrainingRow:
    text: str
    label: str
    split: Split


def encode_rows(rows: Iterable[TrainingRow]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows((row.text, row.label, row.split) for row in rows)
    return out.getvalue().encode("utf-8")


def decode_rows(body: bytes) -> list[TrainingRow]:
    """Reads what `encode_rows` wrote. Raises ValueError on anything else."""
    reader = csv.DictReader(io.StringIO(body.decode("utf-8"), newline=""))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise ValueError(f"a training data file has the columns {', '.join(COLUMNS)}")
    rows = []
    for record in reader:
        split = record["split"]
        if split not in ("train", "test"):
            raise ValueError(f"unknown split {split!r} in a training data file")
        rows.append(
            TrainingRow(record["text"], record["label"], "train" if split == "train" else "test")
        )
    return rows
