"""`make package`: builds every zip function of template.yaml with `sam build` and checks that
each unzipped package stays under the limit (200 MB; Lambda's own is 250 MB unzipped,
layers included), printing the sizes.

Image functions (`PackageType: Image`) need Docker to build and are built only in the
cloud (`sam build` on a machine with Docker, then `sam deploy`): they are listed as skipped.
One `sam build` builds them all into `.aws-sam/package/`, each image function named
with `--exclude`.

Run it through the Makefile, which points every AWS API at a closed port with made-up
credentials: building needs no AWS account and calls none.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.template import load_template

ROOT = Path(__file__).resolve().parent.parent
LIMIT_MB = 200
MB = 1_000_000


@dataclass(frozen=True)
class Built:
    function: str
    directory: Path
    unzipped: int  # bytes
    zipped: int  # bytes, deflated as `sam deploy` uploads it
    files: int


def zip_functions(template: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The template's (zip functions, image functions), by logical id, in template order."""
    globals_type = template.get("Globals", {}).get("Function", {}).get("PackageType", "Zip")
    zips: list[str] = []
    images: list[str] = []
    for logical, resource in template.get("Resources", {}).items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        kind = (resource.get("Properties") or {}).get("PackageType", globals_type)
        (images if kind == "Image" else zips).append(logical)
    return zips, images


def measure(function: str, directory: Path) -> Built:
    """The unzipped size of a built function's directory, and its size once deflated."""
    paths = [path for path in sorted(directory.rglob("*")) if path.is_file()]
    unzipped = sum(path.stat().st_size for path in paths)
    with tempfile.TemporaryDirectory() as scratch:
        archive = Path(scratch) / f"{function}.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
            for path in paths:
                bundle.write(path, path.relative_to(directory).as_posix())
        zipped = archive.stat().st_size
    return Built(function, directory, unzipped, zipped, len(paths))


def build(sam: str, template: Path, skipped: Sequence[str], build_dir: Path) -> Path:
    """Runs one `sam build` of every function but the `skipped` ones; returns the build
    directory (one sub-directory per function, as `sam deploy` would package them)."""
    shutil.rmtree(build_dir, ignore_errors=True)
    command = [sam, "build", "--template-file", str(template), "--build-dir", str(build_dir)]
    for function in skipped:
        command += ["--exclude", function]
    # The makefile builder runs `make build-<Function>` in the repository itself instead of
    # copying the whole of it (its venvs and node_modules) to a scratch directory first.
    command.append("--build-in-source")
    print(f"$ {' '.join(command)}", flush=True)
    subprocess.run(command, check=True, cwd=ROOT, env=os.environ | {"SAM_CLI_TELEMETRY": "0"})
    return build_dir


def report(built: Sequence[Built], skipped: Sequence[str], limit_mb: int) -> bool:
    """Prints the sizes; True when every package is within the limit."""
    print(f"\n{'function':<24}{'unzipped':>12}{'zipped':>10}{'files':>8}  limit {limit_mb} MB")
    within = True
    for item in built:
        over = item.unzipped > limit_mb * MB
        within = within and not over
        print(
            f"{item.function:<24}{item.unzipped / MB:>9.1f} MB{item.zipped / MB:>7.1f} MB"
            f"{item.files:>8}  {'OVER THE LIMIT' if over else 'ok'}"
        )
    for function in skipped:
        print(f"{function:<24}{'-':>12}{'-':>10}{'-':>8}  skipped: image, built in the cloud")
    return within


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--sam", default="sam", help="the sam executable")
    parser.add_argument("--template", type=Path, default=ROOT / "template.yaml")
    parser.add_argument("--build-dir", type=Path, default=ROOT / ".aws-sam" / "package")
    parser.add_argument("--limit-mb", type=int, default=LIMIT_MB)
    args = parser.parse_args(argv)
    zips, images = zip_functions(load_template(args.template))
    for function in images:
        print(f"skipping {function}: an image function, built only in the cloud (needs Docker)")
    build_dir = build(args.sam, args.template, images, args.build_dir)
    missing = [function for function in zips if not (build_dir / function).is_dir()]
    if missing:
        print(f"sam build left no package for {', '.join(missing)}", file=sys.stderr)
        return 1
    built = [measure(function, build_dir / function) for function in zips]
    return 0 if report(built, images, args.limit_mb) else 1


if __name__ == "__main__":
    sys.exit(main())
