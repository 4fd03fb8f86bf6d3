"""Nothing secret is committed: no cloud keys, private keys or passwords in tracked files."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Spelled in pieces so this file does not match itself.
PATTERNS = {
    "aws access key id": re.compile(r"\b(?:AK" + r"IA|AS" + r"IA)[0-9A-Z]{16}\b"),
    "aws secret access key": re.compile(
        r"(?i)aws_?secret_?access_?key\W{1,4}(?!testing\b)[A-Za-z0-9/+=]{40}\b"
    ),
    "private key": re.compile(r"-----BEGIN (?:[A-Z]+ )?PRIVATE" + r" KEY-----"),
    "password in config": re.compile(
        r"(?i)\b(?:pass"
        + r"word|passwd|client_secret)\b\s*[:=]\s*[\"']?(?!\s|\$|\{|!|<|\"|')[^\s\"']{8,}"
    ),
}
CONFIG_SUFFIXES = {".yaml", ".yml", ".json", ".toml", ".ini", ".cfg", ".env", ".conf"}


def tracked_files() -> list[Path]:
    git = shutil.which("git")
    if git is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    listed = subprocess.run(  # fixed arguments
        [git, "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    return [ROOT / name for name in listed.split("\0") if name and (ROOT / name).is_file()]


def test_no_tracked_file_holds_a_secret() -> None:
    found: list[str] = []
    for path in tracked_files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary: model files, images
        for name, pattern in PATTERNS.items():
            if name == "password in config" and path.suffix not in CONFIG_SUFFIXES:
                continue
            if pattern.search(text):
                found.append(f"{path.relative_to(ROOT)}: {name}")
    assert found == []


@pytest.mark.parametrize(
    ("name", "sample"),
    [
        ("aws access key id", "key = AK" + "IAABCDEFGHIJKLMNOP"),
        ("private key", "-----BEGIN RSA PRIVATE" + " KEY-----"),
        ("password in config", "pass" + "word: hunter2hunter2"),
    ],
)
def test_the_scanner_recognises_each_kind_of_secret(name: str, sample: str) -> None:
    assert PATTERNS[name].search(sample)
