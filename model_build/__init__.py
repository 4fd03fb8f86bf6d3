"""carescore's training pipeline and command line."""

import os
from pathlib import Path

DEFAULT_MODEL_DIR = Path(__file__).parent / "default_model"
_SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "airline_tweets.csv"


def shared_data_file() -> Path | None:
    """The airline tweets CSV: $CARESCORE_DATA, else ../shared/data beside the repository;
    None when neither is there."""
    path = Path(os.environ.get("CARESCORE_DATA") or _SHARED_DATA)
    return path if path.is_file() else None
