"""carescore's training pipeline and command line."""

from pathlib import Path

DEFAULT_MODEL_DIR = Path(__file__).parent / "default_model"
