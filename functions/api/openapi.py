"""Prints the API's OpenAPI 3.1 document: ``python -m functions.api.openapi > openapi.json``."""

from __future__ import annotations

import json
import sys
from typing import Any


def openapi_document() -> dict[str, Any]:
    """The spec generated from the routes and models, as a dict."""
    from functions.api.app import app

    spec: dict[str, Any] = json.loads(app.get_openapi_json_schema())
    return spec


def render() -> str:
    return json.dumps(openapi_document(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
