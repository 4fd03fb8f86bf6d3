"""The API function's zip must not need scikit-learn or SciPy (design decision 1)."""

from __future__ import annotations

import json
import subprocess
import sys


def test_importing_and_building_the_api_loads_neither_sklearn_nor_scipy() -> None:
    code = (
        "import sys, json\n"
        "import functions.api.app\n"
        "import functions.api.openapi as o; o.openapi_document()\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('sklearn', 'scipy', 'skl2onnx'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


def test_importing_the_api_creates_no_aws_client() -> None:
    code = (
        "import boto3, sys\n"
        "made = []\n"
        "boto3.client = lambda *a, **k: made.append(a) or None\n"
        "import functions.api.app\n"
        "print(len(made))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip().splitlines()[-1] == "0"
