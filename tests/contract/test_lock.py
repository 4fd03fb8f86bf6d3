"""requirements/*.txt pin what make, CI and the Lambda build install; they must agree with
the dependencies pyproject.toml declares (re-pin with `make lock`)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")
FROM_PROJECT = "carescore (pyproject.toml)"
RELOCK = "the lock disagrees with pyproject.toml; run `make lock`"


def _declared(extras: bool) -> list[Requirement]:
    declared = [Requirement(text) for text in PROJECT["dependencies"]]
    if extras:
        for group in PROJECT["optional-dependencies"].values():
            declared += [Requirement(text) for text in group]
    return declared


def _lock(name: str) -> tuple[dict[str, str], set[str]]:
    """The pins of a lock file (name -> version), and the names it says pyproject asked for."""
    pins: dict[str, str] = {}
    direct: set[str] = set()
    current = ""
    for line in (ROOT / "requirements" / name).read_text(encoding="utf-8").splitlines():
        pinned = PIN.match(line)
        if pinned:
            current = canonicalize_name(pinned.group(1))
            pins[current] = pinned.group(2)
        elif FROM_PROJECT in line and current:
            direct.add(current)
        elif line.startswith(" ") and "--hash=sha256:" not in line and "#" not in line:
            pytest.fail(f"{name}: unexpected line {line!r}")
    return pins, direct


@pytest.mark.parametrize(
    ("lock", "extras"), [("dev.txt", True), ("lambda.txt", False)], ids=["dev", "lambda"]
)
def test_every_declared_dependency_is_pinned_within_its_range(lock: str, extras: bool) -> None:
    pins, _ = _lock(lock)
    for requirement in _declared(extras):
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{lock}: {name} is not pinned; {RELOCK}"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{lock}: {name}=={pins[name]} is outside {requirement.specifier}; {RELOCK}"
        )


@pytest.mark.parametrize(
    ("lock", "extras"), [("dev.txt", True), ("lambda.txt", False)], ids=["dev", "lambda"]
)
def test_the_lock_was_made_from_these_dependencies(lock: str, extras: bool) -> None:
    _, direct = _lock(lock)
    assert direct == {canonicalize_name(r.name) for r in _declared(extras)}, RELOCK


def test_the_deployment_tools_are_pinned_from_their_own_list() -> None:
    """requirements/deploy.txt (SAM CLI, in .venv-deploy) is made from deploy.in alone."""
    declared = [
        Requirement(line)
        for line in (ROOT / "requirements" / "deploy.in").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    pins, _ = _lock("deploy.txt")
    text = (ROOT / "requirements" / "deploy.txt").read_text(encoding="utf-8")
    direct = {
        canonicalize_name(name)
        for name, _ in re.findall(
            r"^([A-Za-z0-9][\w.-]*)==(\S+)[^\n]*\n(?:\s+--hash[^\n]*\n)+"
            r"\s+# via -r requirements/deploy\.in",
            text,
            re.M,
        )
    }
    assert direct == {canonicalize_name(r.name) for r in declared}, RELOCK
    for requirement in declared:
        name = canonicalize_name(requirement.name)
        assert requirement.specifier.contains(pins[name], prereleases=True), RELOCK


def test_every_pin_carries_a_hash() -> None:
    for lock in ("dev.txt", "lambda.txt", "deploy.txt"):
        text = (ROOT / "requirements" / lock).read_text(encoding="utf-8")
        blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
        for block in blocks:
            if PIN.match(block):
                assert "--hash=sha256:" in block, f"{lock}: {block.splitlines()[0]}"
