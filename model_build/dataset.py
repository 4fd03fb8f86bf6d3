"""Dataset intake: reads a supervisor's CSV, checks it, and splits it into train and test.

Shared by the CLI and the training function. Every run produces a validation report, also
when the data is refused, so a supervisor can see what was wrong without reading a trace.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sklearn.model_selection import train_test_split

from functions.scoring.features import MAX_TEXT_CHARS, normalise

LABELS = ("negative", "neutral", "positive")
MAX_FILE_BYTES = 50 * 1024 * 1024
MIN_ROWS_PER_CLASS = 20
MAX_ROWS_NAMED = 10


class DatasetError(ValueError):
    """Data that cannot be trained on; the message says what and where.

    Raised by `prepare` with the validation report attached, so it can still be written.
    """

    def __init__(self, message: str, report: ValidationReport | None = None) -> None:
        super().__init__(message)
        self.report = report


@dataclass(frozen=True)
class ColumnMapping:
    text: str = "text"
    label: str = "label"


@dataclass
class Labelled:
    texts: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)

    def class_counts(self) -> dict[str, int]:
        counts = Counter(self.labels)
        return {label: counts.get(label, 0) for label in LABELS}


@dataclass
class FileReport:
    """What happened to one input file."""

    path: str
    sha256: str = ""
    size_bytes: int = 0
    rows_read: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    conflicting_texts: int = 0

    def drop(self, reason: str, count: int = 1) -> None:
        self.dropped[reason] = self.dropped.get(reason, 0) + count


@dataclass
class ValidationReport:
    mapping: ColumnMapping
    files: list[FileReport] = field(default_factory=list)
    split: str = ""
    leakage_removed: int = 0
    train_counts: dict[str, int] = field(default_factory=dict)
    test_counts: dict[str, int] = field(default_factory=dict)
    min_rows_per_class: int = MIN_ROWS_PER_CLASS
    max_file_bytes: int = MAX_FILE_BYTES
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "errors": self.errors,
            "columns": {"text": self.mapping.text, "label": self.mapping.label},
            "files": [vars(report) for report in self.files],
            "split": self.split,
            "leakage_removed_from_train": self.leakage_removed,
            "train_class_counts": self.train_counts,
            "test_class_counts": self.test_counts,
            "min_rows_per_class": self.min_rows_per_class,
            "max_file_bytes": self.max_file_bytes,
        }


@dataclass(frozen=True)
class PreparedData:
    train: Labelled
    test: Labelled
    report: ValidationReport

    def fingerprint(self) -> dict[str, Any]:
        """Identifies the data a model was trained on: file hashes, rows and class counts."""
        return {
            "sha256": {report.path: report.sha256 for report in self.report.files},
            "train_rows": len(self.train.texts),
            "test_rows": len(self.test.texts),
            "train_class_counts": self.train.class_counts(),
            "test_class_counts": self.test.class_counts(),
        }


def _name_rows(lines: list[int]) -> str:
    shown = ", ".join(str(line) for line in lines[:MAX_ROWS_NAMED])
    more = len(lines) - MAX_ROWS_NAMED
    return shown + (f" and {more} more" if more > 0 else "")


def _decode(path: Path, report: FileReport) -> str:
    try:
        size = path.stat().st_size
    except OSError as error:
        raise DatasetError(f"{path}: cannot read the file ({error.strerror})") from None
    report.size_bytes = size
    if size > MAX_FILE_BYTES:
        raise DatasetError(f"{path}: {size} bytes is over the {MAX_FILE_BYTES}-byte limit")
    raw = path.read_bytes()
    report.sha256 = hashlib.sha256(raw).hexdigest()
    if b"\x00" in raw:
        raise DatasetError(f"{path}: not a CSV text file (it contains NUL bytes)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DatasetError(
            f"{path}: not UTF-8 (invalid byte at offset {error.start}); save it as UTF-8"
        ) from None


def read_labelled_csv(path: Path, mapping: ColumnMapping, report: FileReport) -> Labelled:
    """Reads `path`, normalises labels, drops unusable rows and records why in `report`.

    Raises DatasetError for a file that is not UTF-8 CSV, is over the size limit, lacks a
    mapped column, or holds labels other than negative / neutral / positive.
    """
    reader = csv.DictReader(io.StringIO(_decode(path, report), newline=""))
    columns = reader.fieldnames or []
    missing = [name for name in (mapping.text, mapping.label) if name not in columns]
    if missing:
        raise DatasetError(
            f"{path}: no column named {', '.join(repr(m) for m in missing)}; the header has "
            f"{', '.join(repr(c) for c in columns) or 'no columns'} "
            "(choose columns with --text-column and --label-column)"
        )
    bad_labels: dict[str, list[int]] = defaultdict(list)
    rows: list[tuple[str, str]] = []
    try:
        for line, record in enumerate(reader, start=2):
            report.rows_read += 1
            text = (record.get(mapping.text) or "").strip()
            label = (record.get(mapping.label) or "").strip().lower()
            if label not in LABELS:
                bad_labels[label].append(line)
                continue
            if not text:
                report.drop("empty text")
            elif len(text) > MAX_TEXT_CHARS:
                report.drop(f"text over {MAX_TEXT_CHARS} characters")
            else:
                rows.append((text, label))
    except csv.Error as error:
        raise DatasetError(f"{path}: not valid CSV ({error})") from None
    if bad_labels:
        details = "; ".join(
            f"{label!r} on rows {_name_rows(lines)}" for label, lines in bad_labels.items()
        )
        raise DatasetError(
            f"{path}: labels must be negative, neutral or positive (any case): {details}"
        )
    return _deduplicate(rows, report)


def _deduplicate(rows: list[tuple[str, str]], report: FileReport) -> Labelled:
    """Keeps one row per normalised text; drops texts whose copies disagree on the label."""
    labels_of: dict[str, set[str]] = defaultdict(set)
    for text, label in rows:
        labels_of[normalise(text)].add(label)
    conflicting = {key for key, labels in labels_of.items() if len(labels) > 1}
    report.conflicting_texts = len(conflicting)
    seen: set[str] = set()
    kept = Labelled()
    for text, label in rows:
        key = normalise(text)
        if key in conflicting:
            report.drop("identical text with conflicting labels")
        elif key in seen:
            report.drop("duplicate text")
        else:
            seen.add(key)
            kept.texts.append(text)
            kept.labels.append(label)
    return kept


def _remove_leakage(train: Labelled, test: Labelled) -> tuple[Labelled, int]:
    test_keys = {normalise(text) for text in test.texts}
    kept = Labelled()
    for text, label in zip(train.texts, train.labels, strict=True):
        if normalise(text) not in test_keys:
            kept.texts.append(text)
            kept.labels.append(label)
    return kept, len(train.texts) - len(kept.texts)


def _check_classes(name: str, data: Labelled, minimum: int, errors: list[str]) -> None:
    for label, count in data.class_counts().items():
        if count < minimum:
            errors.append(f"{name} has {count} '{label}' rows; at least {minimum} are needed")


def prepare(
    train_path: Path,
    test_path: Path | None = None,
    *,
    mapping: ColumnMapping | None = None,
    test_size: float = 0.2,
    seed: int = 42,
    min_rows_per_class: int = MIN_ROWS_PER_CLASS,
) -> PreparedData:
    """Reads and checks the data, then splits it (or uses `test_path` as the test set).

    Raises DatasetError, with the validation report attached, when the data cannot be
    trained on.
    """
    mapping = mapping or ColumnMapping()
    report = ValidationReport(mapping=mapping, min_rows_per_class=min_rows_per_class)
    try:
        train_report = FileReport(path=str(train_path))
        report.files.append(train_report)
        train = read_labelled_csv(train_path, mapping, train_report)
        if test_path is not None:
            test_report = FileReport(path=str(test_path))
            report.files.append(test_report)
            test = read_labelled_csv(test_path, mapping, test_report)
            train, report.leakage_removed = _remove_leakage(train, test)
            report.split = f"separate test file {test_path}"
        else:
            train, test = _split(train, test_size, seed, min_rows_per_class, report)
    except DatasetError as error:
        report.errors.append(str(error))
        raise _refused(report) from None
    report.train_counts, report.test_counts = train.class_counts(), test.class_counts()
    _check_classes("the training set", train, min_rows_per_class, report.errors)
    _check_classes("the test set", test, max(1, min_rows_per_class // 4), report.errors)
    if report.errors:
        raise _refused(report)
    return PreparedData(train, test, report)


def _split(
    data: Labelled, test_size: float, seed: int, minimum: int, report: ValidationReport
) -> tuple[Labelled, Labelled]:
    report.split = f"stratified {test_size:.0%} test split, seed {seed}"
    counts = data.class_counts()
    if min(counts.values()) < max(2, minimum):
        _check_classes("the data", data, max(2, minimum), report.errors)
        raise _refused(report)
    train_x, test_x, train_y, test_y = train_test_split(
        data.texts, data.labels, test_size=test_size, stratify=data.labels, random_state=seed
    )
    return Labelled(list(train_x), list(train_y)), Labelled(list(test_x), list(test_y))


def _refused(report: ValidationReport) -> DatasetError:
    return DatasetError("; ".join(report.errors), report)
