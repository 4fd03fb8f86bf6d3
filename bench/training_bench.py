"""Training benchmark: CPU time, wall time and peak memory of the training pipeline
(validate, train, export, parity) against dataset size, to size the training function, and
of the gate's refit of the active model (its worst case: an active model trained on the
same data, whose recipe is refitted without the whole test split).

    .venv/bin/python bench/training_bench.py --data ../shared/data/airline_tweets.csv \
        --rows 1000 12000 100000

Each size runs in a fresh process (so peak RSS is that run's alone) and reports its wall
time and its CPU time (user + system): on a shared, loaded machine the wall time stretches
with the load while the CPU time does not, and the pipeline is mostly single-threaded, so
CPU time is what one Lambda invocation's wall time will be close to. Data: a CSV resampled from
the shared data: beyond the file's own rows, new rows splice the first half of one tweet to
the second half of another with the same label, so the vocabulary grows as real traffic
would rather than repeating (repeats would be removed as duplicates). Prints a table and
writes bench/results/training_bench.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"
SEED = 7

PROBE = """
import json, resource, sys, time
from pathlib import Path
from functions.scoring.model import SentimentModel
from model_build.comparison import active_on_split
from model_build.dataset import ColumnMapping, prepare
from model_build.lineage import training_rows
from model_build.train import TrainParams, build_model, one_blas_thread
clock = time.process_time
start = clock()
data = prepare(Path(sys.argv[1]), mapping=ColumnMapping(label="airline_sentiment"))
prepared = clock()
card = build_model(data, Path(sys.argv[2]), TrainParams(), lambda _: None)
built = clock()
# The gate's worst case: an active model of the same data, trained on the whole test split,
# so its recipe is refitted without those texts (model_build/comparison.py).
model = SentimentModel.load(Path(sys.argv[2]))
on_split = one_blas_thread(active_on_split)(data.test, model, training_rows(data), lambda _: None)
compared = clock()
print(json.dumps({
    "validate_cpu_seconds": round(prepared - start, 1),
    "train_export_parity_cpu_seconds": round(built - prepared, 1),
    "gate_refit_cpu_seconds": round(compared - built, 1),
    "search_rows": card["selection"]["search_rows"],
    "chosen": card["selection"]["chosen"]["members"],
    "macro_f1": card["metrics"]["macro_f1"],
    "accuracy": card["metrics"]["accuracy"],
    "expected_calibration_error": card["metrics"]["expected_calibration_error"],
    "vocabulary": card["shipped"]["vocabulary_size"],
    "gate_basis": on_split.basis,
}))
"""


def resample(source: Path, rows: int, target: Path) -> None:
    """Writes `rows` labelled rows drawn from `source` (see the module docstring)."""
    with source.open(encoding="utf-8", newline="") as handle:
        records = [(r["text"], r["airline_sentiment"]) for r in csv.DictReader(handle)]
    rng = random.Random(SEED)
    rng.shuffle(records)
    by_label: dict[str, list[str]] = {}
    for text, label in records:
        by_label.setdefault(label, []).append(text)
    chosen = records[:rows]
    while len(chosen) < rows:
        text, label = rng.choice(records)
        other = rng.choice(by_label[label]).split()
        head = text.split()
        chosen.append((" ".join(head[: len(head) // 2] + other[len(other) // 2 :]), label))
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "airline_sentiment"])
        writer.writerows(chosen)


def measure(source: Path, rows: int, workdir: Path) -> dict[str, Any]:
    data = workdir / f"rows-{rows}.csv"
    resample(source, rows, data)
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(data), str(workdir / f"model-{rows}")],
        check=True,
        capture_output=True,
        text=True,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "rows": rows,
        "file_mib": round(data.stat().st_size / 2**20, 2),
        "wall_seconds": round(time.perf_counter() - start, 1),
        "cpu_seconds": round(cpu, 1),
        "load_average": round(os.getloadavg()[0], 1),
        # ru_maxrss of children is the largest child so far: sizes run in increasing order.
        "peak_rss_mib": round(after.ru_maxrss / 1024),
    } | figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--rows", type=int, nargs="+", default=[1000, 12000, 100000])
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as workdir:
        for rows in sorted(args.rows):
            result = measure(args.data, rows, Path(workdir))
            results.append(result)
            train_cpu, gate_cpu = (
                result["train_export_parity_cpu_seconds"],
                result["gate_refit_cpu_seconds"],
            )
            print(
                f"{rows:>7} rows  {result['file_mib']:>6} MiB  wall {result['wall_seconds']:>7} s  "
                f"cpu {result['cpu_seconds']:>7} s (train {train_cpu} s, gate refit {gate_cpu} s)"
                f"  peak {result['peak_rss_mib']:>5} MiB  macro-F1 {result['macro_f1']}  "
                f"ECE {result['expected_calibration_error']}",
                flush=True,
            )
            RESULTS.mkdir(exist_ok=True)
            (RESULTS / "training_bench.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
