"""Memory benchmark: how much a scoring process grows when every text is made of long words
it has never seen, the input that fills per-word caches fastest.

    .venv/bin/python bench/memory_bench.py [--texts 10000] [--chars 1000] [--model DIR]

This process is the fresh one: it loads the model, notes its resident memory, scores the
texts in API-sized batches and prints how far resident memory grew (goal: within 40 MB).
Writes bench/results/memory_bench.json.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import string
import time
from collections.abc import Iterator
from pathlib import Path

from functions.scoring.model import SentimentModel
from model_build import DEFAULT_MODEL_DIR

RESULTS = Path(__file__).parent / "results"
BATCH = 100  # the API's batch limit
SEED = 7
# Word lengths straddle the longest word the caches keep, so both paths are exercised.
WORD_LENGTHS = (20, 60)
GOAL_MB = 40


def _rss_mb() -> float:
    """Resident memory now (Linux /proc), else the peak so far (getrusage)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return pages * resource.getpagesize() / 2**20


def unique_texts(count: int, chars: int, seed: int = SEED) -> Iterator[str]:
    """`count` texts of about `chars` characters, every word drawn afresh (none repeat)."""
    rng = random.Random(seed)
    for _ in range(count):
        words: list[str] = []
        while sum(map(len, words)) + len(words) < chars:
            length = rng.randint(*WORD_LENGTHS)
            words.append("".join(rng.choices(string.ascii_lowercase, k=length)))
        yield " ".join(words)[:chars]


def run(model_dir: Path, count: int, chars: int) -> dict[str, object]:
    model = SentimentModel.load(model_dir)
    model.score(["warm up the session"])
    start_mb = _rss_mb()
    started = time.perf_counter()
    batch: list[str] = []
    checkpoints: dict[str, float] = {}
    for number, text in enumerate(unique_texts(count, chars), start=1):
        batch.append(text)
        if len(batch) == BATCH or number == count:
            model.score(batch)
            batch = []
        if number % (count // 5 or 1) == 0:
            checkpoints[str(number)] = round(_rss_mb() - start_mb, 1)
    growth = _rss_mb() - start_mb
    return {
        "model_version": model.version,
        "texts": count,
        "chars_per_text": chars,
        "seconds": round(time.perf_counter() - started, 1),
        "rss_start_mb": round(start_mb, 1),
        "rss_growth_mb": round(growth, 1),
        "rss_growth_by_texts_scored_mb": checkpoints,
        "goal_mb": GOAL_MB,
        "within_goal": growth <= GOAL_MB,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--texts", type=int, default=10_000)
    parser.add_argument("--chars", type=int, default=1_000)
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL_DIR)
    args = parser.parse_args()
    result = run(args.model, args.texts, args.chars)
    print(json.dumps(result, indent=2))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "memory_bench.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {RESULTS / 'memory_bench.json'}")


if __name__ == "__main__":
    main()
