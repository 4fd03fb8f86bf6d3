"""template.yaml passes cfn-lint (the checks `sam validate --lint` runs): resource
properties against CloudFormation's schemas, references, conditions, dependency cycles."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_the_template_is_clean_under_cfn_lint(monkeypatch: pytest.MonkeyPatch) -> None:
    from cfnlint.api import lint

    # cfn-lint runs the SAM transform offline; it must not look for a region or credentials.
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    matches = lint((ROOT / "template.yaml").read_text(encoding="utf-8"), regions=["us-east-1"])
    assert [f"{m.rule.id} line {m.linenumber}: {m.message}" for m in matches] == []
