"""Model benchmark: quality and speed of the ONNX model against the previous default model,
the same recipe in scikit-learn, VADER and TextBlob, side by side on the same held-out
split, in one process.

    .venv/bin/python bench/model_bench.py --data ../shared/data/airline_tweets.csv \
        [--model DIR] [--baseline DIR]

Without --baseline, the previous default model is read from git history: the newest
committed model_build/default_model whose version differs from the one being measured,
written to a temporary folder (it is not shipped in the package). The shipped model is
refitted on every row, test split included, so its quality on that split is not a
held-out figure; the held-out one comes from the same recipe fitted on the training split
alone (the "scikit-learn" row).

Prints a table and writes bench/results/model_bench.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, f1_score
from textblob import TextBlob
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from functions.scoring.features import FeatureSpec
from functions.scoring.model import CARD_FILE, MODEL_FILE, SentimentModel
from model_build import DEFAULT_MODEL_DIR
from model_build.dataset import LABELS, ColumnMapping, prepare
from model_build.train import Recipe, TrainParams

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results"
LATENCY_TEXTS = 400
LATENCY_ROUNDS = 5
THROUGHPUT_ROUNDS = 3
BATCH_SIZES = (1, 32, 1000)
COLD_STARTS = 5
MEMORY_BATCHES = (256, 2560, 10240)

COLD_START_PROBE = """
import time
import tracemalloc
start = time.perf_counter()
from pathlib import Path
from functions.scoring.model import SentimentModel
imported = time.perf_counter()
SentimentModel.load(Path({model_dir!r}))
loaded = time.perf_counter()
print(imported - start, loaded - imported)
"""


def _quality(predicted: Sequence[str], truth: Sequence[str]) -> dict[str, float]:
    return {
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "macro_f1": round(float(f1_score(truth, predicted, average="macro")), 4),
    }


def _vader(texts: Sequence[str]) -> list[str]:
    analyzer = SentimentIntensityAnalyzer()
    scores = [analyzer.polarity_scores(t)["compound"] for t in texts]
    return ["positive" if s >= 0.05 else "negative" if s <= -0.05 else "neutral" for s in scores]


def _textblob(texts: Sequence[str]) -> list[str]:
    scores = [TextBlob(t).sentiment.polarity for t in texts]
    return ["positive" if s > 0 else "negative" if s < 0 else "neutral" for s in scores]


def _latency_ms(
    engines: dict[str, Callable[[list[str]], object]], texts: Sequence[str]
) -> dict[str, dict[str, float]]:
    """Single-text p50/p99 per engine: rounds interleave the engines, so a noisy spell
    hits all of them, and each figure is the median over the rounds."""
    rounds: dict[str, list[tuple[float, float]]] = {name: [] for name in engines}
    for _ in range(LATENCY_ROUNDS):
        for name, run in engines.items():
            timings = []
            for text in texts:
                start = time.perf_counter()
                run([text])
                timings.append((time.perf_counter() - start) * 1000)
            ordered = sorted(timings)
            rounds[name].append((statistics.median(ordered), ordered[int(len(ordered) * 0.99) - 1]))
    return {
        name: {
            "p50_ms": round(statistics.median(p50 for p50, _ in found), 4),
            "p99_ms": round(statistics.median(p99 for _, p99 in found), 4),
        }
        for name, found in rounds.items()
    }


def _throughput(run: Callable[[list[str]], object], texts: Sequence[str], batch: int) -> float:
    """Texts per second over at least ~1,000 texts or 1 s, whichever comes later."""
    done, start = 0, time.perf_counter()
    while done < max(1000, batch) or time.perf_counter() - start < 1.0:
        offset = done % max(1, len(texts) - batch)
        run(list(texts[offset : offset + batch]))
        done += batch
    return round(done / (time.perf_counter() - start), 1)


def _throughputs(
    engines: dict[str, Callable[[list[str]], object]], texts: Sequence[str]
) -> dict[str, dict[str, float]]:
    """Texts per second per engine and batch size: like latency, rounds interleave the
    engines and each figure is the median over the rounds, so a noisy spell on a shared
    machine hits every engine instead of whichever ran during it."""
    rounds: dict[str, dict[int, list[float]]] = {
        name: {size: [] for size in BATCH_SIZES} for name in engines
    }
    for _ in range(THROUGHPUT_ROUNDS):
        for size in BATCH_SIZES:
            for name, run in engines.items():
                rounds[name][size].append(_throughput(run, texts, size))
    return {
        name: {str(size): statistics.median(found[size]) for size in BATCH_SIZES}
        for name, found in rounds.items()
    }


def _peak_memory_mb(model: SentimentModel, texts: Sequence[str]) -> dict[str, float]:
    """Peak Python-side memory (numpy included) while scoring growing batches."""
    peaks = {}
    for size in MEMORY_BATCHES:
        batch = [texts[i % len(texts)] for i in range(size)]
        tracemalloc.start()
        model.score(batch)
        peaks[str(size)] = round(tracemalloc.get_traced_memory()[1] / 2**20, 2)
        tracemalloc.stop()
    return peaks


def _cold_start(model_dir: Path) -> dict[str, float]:
    runs = []
    for _ in range(COLD_STARTS):
        out = subprocess.run(
            [sys.executable, "-c", COLD_START_PROBE.format(model_dir=str(model_dir))],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        runs.append((float(out[0]) * 1000, float(out[1]) * 1000))
    imports, loads = zip(*runs, strict=True)
    return {
        "import_ms": round(statistics.median(imports), 1),
        "load_ms": round(statistics.median(loads), 1),
        "total_ms": round(statistics.median(i + load for i, load in runs), 1),
    }


def _git(*args: str) -> bytes:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, check=True).stdout


def previous_default_model(current_version: str, folder: Path) -> Path:
    """Writes the newest committed default model whose version is not `current_version`
    into `folder`. Raises LookupError when git history holds none."""
    default = DEFAULT_MODEL_DIR.relative_to(ROOT).as_posix()
    for revision in _git("log", "--format=%H", "--", f"{default}/{MODEL_FILE}").split():
        rev = revision.decode()
        card = _git("show", f"{rev}:{default}/{CARD_FILE}")
        if json.loads(card)["version"] != current_version:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / CARD_FILE).write_bytes(card)
            (folder / MODEL_FILE).write_bytes(_git("show", f"{rev}:{default}/{MODEL_FILE}"))
            return folder
    raise LookupError("git history holds no other default model; pass --baseline DIR")


def run(data_path: Path, model_dir: Path, baseline_dir: Path) -> dict[str, Any]:
    card = json.loads((model_dir / CARD_FILE).read_text())
    columns = ColumnMapping(**card["columns"])
    split = card["parameters"]
    data = prepare(data_path, mapping=columns, seed=split["seed"])
    texts, truth = data.test.texts, data.test.labels

    start = time.perf_counter()
    onnx_model = SentimentModel.load(model_dir)
    load_ms = (time.perf_counter() - start) * 1000
    previous = SentimentModel.load(baseline_dir)
    params = TrainParams(
        min_df=split["min_df"],
        seed=split["seed"],
        features=FeatureSpec.from_dict(card["features"]),
    )
    # The card's recipe fitted on the training split alone: held-out quality, and the
    # scikit-learn pipeline the ONNX graph replaces.
    sklearn_model = Recipe.from_dict(card["recipe"]).fit(
        data.train.texts, data.train.labels, params
    )

    engines: dict[str, Callable[[list[str]], object]] = {
        "onnx (probabilities)": onnx_model.probabilities,
        "onnx (score + top terms)": onnx_model.score,
        "previous (probabilities)": previous.probabilities,
        "previous (score + top terms)": previous.score,
        "scikit-learn": sklearn_model.probabilities,
    }
    labels = np.array(LABELS)
    quality = {
        "scikit-learn (training split only)": _quality(
            list(labels[sklearn_model.probabilities(texts).argmax(1)]), truth
        ),
        "previous": _quality(list(labels[previous.probabilities(texts).argmax(1)]), truth),
        "onnx (refit: saw these rows)": _quality(
            list(labels[onnx_model.probabilities(texts).argmax(1)]), truth
        ),
        "vader": _quality(_vader(texts), truth),
        "textblob": _quality(_textblob(texts), truth),
    }
    latency = _latency_ms(engines, texts[:LATENCY_TEXTS])
    throughput = _throughputs(engines, texts)
    speed = {
        name: {"latency": latency[name], "throughput_texts_per_s": throughput[name]}
        for name in engines
    }

    def ratio(name: str, other: str, figure: Callable[[dict[str, Any]], float]) -> float:
        return round(figure(speed[name]) / figure(speed[other]), 2)

    def p50(found: dict[str, Any]) -> float:
        return float(found["latency"]["p50_ms"])

    def batch_1000(found: dict[str, Any]) -> float:
        return float(found["throughput_texts_per_s"]["1000"])

    cold = _cold_start(model_dir)
    memory = _peak_memory_mb(onnx_model, texts)
    return {
        "model_version": onnx_model.version,
        "previous_version": previous.version,
        "test_rows": len(texts),
        "quality": quality,
        "speed": speed,
        "model_load_ms": round(load_ms, 1),
        "model_file_mb": round((model_dir / MODEL_FILE).stat().st_size / 2**20, 2),
        "cold_start": cold,
        "previous_cold_start": _cold_start(baseline_dir),
        "score_peak_memory_mb": memory,
        "goals": {
            "single_text_latency_ratio_vs_previous": ratio(
                "onnx (probabilities)", "previous (probabilities)", p50
            ),
            "single_text_latency_ratio_goal_at_most": 1.5,
            "scored_single_text_latency_ratio_vs_previous": ratio(
                "onnx (score + top terms)", "previous (score + top terms)", p50
            ),
            "batch_1000_throughput_ratio_vs_previous": ratio(
                "onnx (probabilities)", "previous (probabilities)", batch_1000
            ),
            "scored_batch_1000_throughput_ratio_vs_previous": ratio(
                "onnx (score + top terms)", "previous (score + top terms)", batch_1000
            ),
            "batch_1000_throughput_ratio_goal_at_least": 1.0,
            "single_text_speedup_vs_sklearn": ratio("scikit-learn", "onnx (probabilities)", p50),
            "batch_1000_throughput_ratio_vs_sklearn": ratio(
                "onnx (probabilities)", "scikit-learn", batch_1000
            ),
            "model_file_mb_goal_under": 5,
            "cold_start_ms": cold["total_ms"],
            "cold_start_goal_ms": 500,
        },
    }


def _print(result: dict[str, Any]) -> None:
    print(
        f"model {result['model_version']} (previous {result['previous_version']}) on "
        f"{result['test_rows']} test-split texts\n"
    )
    print(f"{'engine':<36}{'accuracy':>10}{'macro-F1':>10}")
    for name, q in result["quality"].items():
        print(f"{name:<36}{q['accuracy']:>10.4f}{q['macro_f1']:>10.4f}")
    print(
        f"\n{'engine':<30}{'p50 ms':>9}{'p99 ms':>9}"
        + "".join(f"{'b=' + str(b) + ' t/s':>13}" for b in BATCH_SIZES)
    )
    for name, s in result["speed"].items():
        rates = "".join(f"{s['throughput_texts_per_s'][str(b)]:>13,.0f}" for b in BATCH_SIZES)
        print(f"{name:<30}{s['latency']['p50_ms']:>9.3f}{s['latency']['p99_ms']:>9.3f}{rates}")
    cold, before = result["cold_start"], result["previous_cold_start"]
    print(
        f"\nmodel file {result['model_file_mb']} MB, load {result['model_load_ms']} ms; fresh "
        f"process: imports {cold['import_ms']} ms + load {cold['load_ms']} ms = "
        f"{cold['total_ms']} ms (previous model {before['total_ms']} ms)"
    )
    memory = ", ".join(f"{n} texts {mb} MB" for n, mb in result["score_peak_memory_mb"].items())
    print(f"peak memory while scoring (results included): {memory}")
    print("\ngoals:", json.dumps(result["goals"], indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL_DIR)
    parser.add_argument(
        "--baseline", type=Path, help="model to compare with; default: the previous default model"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        baseline = args.baseline or previous_default_model(
            json.loads((args.model / CARD_FILE).read_text())["version"], Path(scratch)
        )
        result = run(args.data, args.model, baseline)
    _print(result)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "model_bench.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwrote {RESULTS / 'model_bench.json'}")


if __name__ == "__main__":
    main()
