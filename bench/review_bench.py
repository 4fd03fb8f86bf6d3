"""Review benchmark: how the default model, the previous default model and VADER read
customer text from other domains than airline tweets, side by side.

    .venv/bin/python bench/review_bench.py [--model DIR] [--baseline DIR]

Three sets, none of them ever trained on:
- 3,708 product-review sentences and 10,605 movie-review sentences with human ratings, from
  the data of the VADER paper (Hutto & Gilbert, ICWSM 2014), which the vaderSentiment sdist
  ships (MIT licence). pip downloads that sdist, pinned by version and sha256, into a cache.
  Each sentence's rating is the mean of about 20 raters on -4..4; above 0.5 is positive,
  below -0.5 negative, in between neutral.
- tests/fixtures/review_sentences.csv: 60 hand-written product and restaurant sentences,
  20 per label.

Without --baseline, the previous default model comes from git history, as in
model_bench.py. Prints a table and writes bench/results/review_bench.json.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from model_bench import previous_default_model
from sklearn.metrics import accuracy_score, f1_score
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from functions.scoring.model import CARD_FILE, SentimentModel
from model_build import DEFAULT_MODEL_DIR

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results"
CACHE = Path(__file__).parent / ".cache"
SDIST = "vaderSentiment-3.3.2.tar.gz"
SDIST_SHA256 = "5d7c06e027fc8b99238edb0d53d970cf97066ef97654009890b83703849632f9"
SNIPPETS = {
    "product reviews (VADER data)": "amazonReviewSnippets_GroundTruth.txt",
    "movie reviews (VADER data)": "movieReviewSnippets_GroundTruth.txt",
}
FIXTURE = ROOT / "tests" / "fixtures" / "review_sentences.csv"
NEUTRAL_BAND = 0.5

Labelled = tuple[list[str], list[str]]


def _sdist() -> Path:
    """The vaderSentiment sdist, downloaded once by pip and checked against its sha256."""
    path = CACHE / SDIST
    if not path.is_file():
        CACHE.mkdir(exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary",
             ":all:", "--dest", str(CACHE), "vaderSentiment==3.3.2"],
            check=True,
        )  # fmt: skip
    if hashlib.sha256(path.read_bytes()).hexdigest() != SDIST_SHA256:
        raise RuntimeError(f"{path} does not match its pinned sha256")
    return path


def _snippets(sdist: Path, name: str) -> Labelled:
    """One ground-truth file of the VADER paper: `id<TAB>mean rating<TAB>sentence` lines."""
    with tarfile.open(sdist) as outer:
        inner_member = next(m for m in outer.getmembers() if m.name.endswith("2014.tar.gz"))
        inner_file = outer.extractfile(inner_member)
        assert inner_file is not None
        with tarfile.open(fileobj=inner_file) as inner:
            member = next(m for m in inner.getmembers() if m.name.endswith(name))
            found = inner.extractfile(member)
            assert found is not None
            lines = found.read().decode("utf-8", errors="replace").splitlines()
    texts, labels = [], []
    for line in lines:
        _, rating, text = [*line.split("\t"), "", ""][:3]
        if text.strip():
            texts.append(text.strip())
            labels.append(_label(float(rating)))
    return texts, labels


def _label(mean: float) -> str:
    if mean > NEUTRAL_BAND:
        return "positive"
    return "negative" if mean < -NEUTRAL_BAND else "neutral"


def _fixture() -> Labelled:
    rows = list(csv.DictReader(FIXTURE.open(encoding="utf-8")))
    return [row["text"] for row in rows], [row["label"] for row in rows]


def _vader(texts: Sequence[str]) -> list[str]:
    analyzer = SentimentIntensityAnalyzer()
    scores = [analyzer.polarity_scores(t)["compound"] for t in texts]
    return ["positive" if s >= 0.05 else "negative" if s <= -0.05 else "neutral" for s in scores]


def _model(model_dir: Path) -> Callable[[Sequence[str]], list[str]]:
    model = SentimentModel.load(model_dir)

    def predict(texts: Sequence[str]) -> list[str]:
        return [model.labels[i] for i in model.probabilities(list(texts)).argmax(axis=1)]

    return predict


def _figures(predicted: Sequence[str], truth: Sequence[str]) -> dict[str, Any]:
    return {
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "macro_f1": round(float(f1_score(truth, predicted, average="macro")), 4),
        "predicted_share": {
            label: round(list(predicted).count(label) / len(predicted), 3)
            for label in ("negative", "neutral", "positive")
        },
    }


def run(model_dir: Path, baseline_dir: Path) -> dict[str, Any]:
    sdist = _sdist()
    sets = {name: _snippets(sdist, file) for name, file in SNIPPETS.items()}
    sets["hand-written product and restaurant sentences"] = _fixture()
    current, previous = SentimentModel.load(model_dir), SentimentModel.load(baseline_dir)
    engines = {
        f"model {current.version}": _model(model_dir),
        f"previous {previous.version}": _model(baseline_dir),
        "vader": _vader,
    }
    return {
        "neutral_band": NEUTRAL_BAND,
        "sets": {
            name: {"rows": len(texts)}
            | {engine: _figures(predict(texts), labels) for engine, predict in engines.items()}
            for name, (texts, labels) in sets.items()
        },
    }


def _print(result: dict[str, Any]) -> None:
    for name, found in result["sets"].items():
        print(f"\n{name} ({found['rows']} sentences)")
        print(f"  {'engine':<28}{'accuracy':>10}{'macro-F1':>10}   predicted neg/neu/pos")
        for engine, figures in found.items():
            if engine == "rows":
                continue
            shares = "/".join(f"{share:.2f}" for share in figures["predicted_share"].values())
            quality = f"{figures['accuracy']:>10.4f}{figures['macro_f1']:>10.4f}"
            print(f"  {engine:<28}{quality}   {shares}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL_DIR)
    parser.add_argument(
        "--baseline", type=Path, help="model to compare with; default: the previous default model"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        baseline = args.baseline or previous_default_model(
            json.loads((args.model / CARD_FILE).read_text())["version"], Path(scratch)
        )
        result = run(args.model, baseline)
    _print(result)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "review_bench.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwrote {RESULTS / 'review_bench.json'}")


if __name__ == "__main__":
    main()
