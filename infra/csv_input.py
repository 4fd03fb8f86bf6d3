"""Reading a person's CSV for `carescore predict` and `evaluate`: every way the file can be
wrong becomes one CsvInputError naming the file and the row, never a traceback; and
writing an output file that appears whole or not at all."""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO


class CsvInputError(ValueError):
    """A CSV file that cannot be read as the header-and-rows table it should be."""


def _check_text(path: Path) -> None:
    """Raises CsvInputError at the first line that is binary (NUL bytes) or not UTF-8.
    Line by line, so the line named is exact (a UTF-8 character never spans a newline)."""
    try:
        with path.open("rb") as raw:
            for number, line in enumerate(raw, start=1):
                if b"\x00" in line:
                    raise CsvInputError(
                        f"{path}, line {number}: binary content (NUL bytes), not CSV text"
                    )
                try:
                    line.decode("utf-8")
                except UnicodeDecodeError as error:
                    raise CsvInputError(
                        f"{path}, line {number}: not UTF-8 (invalid byte at column "
                        f"{error.start + 1}); save the file as UTF-8"
                    ) from None
    except OSError as error:
        raise CsvInputError(f"{path}: cannot read the file ({error.strerror})") from None


def _rows(path: Path, source: IO[str]) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) for each record, the header first; blank lines are skipped.
    A record's line is the one it ends on."""
    reader = csv.reader(source, strict=True)
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise CsvInputError(
                f"{path}, line {reader.line_num}: not valid CSV ({error})"
            ) from None
        if fields:
            yield reader.line_num, fields


@contextmanager
def _opened(path: Path) -> Iterator[IO[str]]:
    try:
        source = path.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        raise CsvInputError(f"{path}: cannot read the file ({error.strerror})") from None
    with source:
        yield source


def read_header(path: Path, required: Sequence[str]) -> list[str]:
    """The header of `path`, after checking that the file is UTF-8 text, that every row
    has as many fields as the header and that the header names every column in
    `required`. Raises CsvInputError."""
    _check_text(path)
    with _opened(path) as source:
        header: list[str] | None = None
        for line, fields in _rows(path, source):
            if header is None:
                header = fields
                missing = [name for name in required if name not in header]
                if missing:
                    raise CsvInputError(
                        f"{path}, line {line}: no column named "
                        f"{', '.join(repr(name) for name in missing)}; the header has "
                        f"{', '.join(repr(name) for name in header)}"
                    )
            elif len(fields) != len(header):
                raise CsvInputError(
                    f"{path}, line {line}: {len(fields)} fields, but the header has "
                    f"{len(header)}; check for a stray quote or delimiter"
                )
    if header is None:
        raise CsvInputError(f"{path}: the file is empty (it needs a header row)")
    return header


def count_rows(path: Path) -> int:
    """How many data rows (not counting the header) `path` holds. Raises CsvInputError."""
    with _opened(path) as source:
        return sum(1 for _ in _rows(path, source)) - 1


def read_records(path: Path) -> Iterator[dict[str, str]]:
    """The data rows of `path` as dicts keyed by the header, for a file `read_header` has
    checked. Raises CsvInputError."""
    with _opened(path) as source:
        rows = _rows(path, source)
        header = next(rows, (0, []))[1]
        for _, fields in rows:
            yield dict(zip(header, fields, strict=True))


@contextmanager
def written_atomically(target: Path) -> Iterator[IO[str]]:
    """A text file to write that becomes `target` only when the block ends without an
    error; otherwise it is removed and `target` is left as it was."""
    descriptor, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".partial"
    )
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            yield handle
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
