import json
import subprocess
import sys

from model_build import DEFAULT_MODEL_DIR

PROBE = f"""
import json, sys
from pathlib import Path
from functions.scoring.model import SentimentModel
model = SentimentModel.load(Path({str(DEFAULT_MODEL_DIR)!r}))
model.score(["my bag is lost"])
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("sklearn", "scipy"))
print(json.dumps(heavy))
"""


def test_serving_path_never_imports_scikit_learn_or_scipy() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=120
    )
    assert json.loads(result.stdout) == []
