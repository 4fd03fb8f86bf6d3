"""Commands for a deployed stack, which read its outputs with `describe-stacks`.

`carescore publish-portal`: puts the built portal (web/dist) in a deployed stack's portal
bucket and writes its `config.json` from the stack's outputs.

The build is the same for every stage; what differs (the API's URL, the user pool, the
portal's app client, the region) is read from `describe-stacks` after deploy and written
as `config.json` beside the files, which CloudFront never caches. Hashed files under
`assets/` are uploaded as immutable; `index.html` last, so a page never names a file that
is not there yet, and then invalidated at the edge.

It uses the caller's AWS credentials (environment or profile, as the AWS CLI does) and
calls only CloudFormation (read), S3 (write to the portal bucket) and CloudFront
(one invalidation).

`carescore install-model`: makes a model directory (by default the one shipped in
model_build/default_model) the active version of a freshly deployed stack.
"""

from __future__ import annotations

import json
import mimetypes
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# The stack outputs this reads (template.yaml declares them; a test keeps the two in step).
STACK_OUTPUTS = (
    "PortalBucketName",
    "PortalDistributionId",
    "PortalUrl",
    "ApiUrl",
    "UserPoolId",
    "PortalClientId",
)
# A stack whose resources and outputs are in place (an update rolled back keeps the last).
DEPLOYED = frozenset(
    {
        "CREATE_COMPLETE",
        "UPDATE_COMPLETE",
        "UPDATE_ROLLBACK_COMPLETE",
        "IMPORT_COMPLETE",
        "IMPORT_ROLLBACK_COMPLETE",
    }
)
CONFIG_KEY = "config.json"
IMMUTABLE = "public, max-age=31536000, immutable"  # content-hashed names never change
REVALIDATE = "no-cache"  # anything else: the browser asks again every time
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
    ".webmanifest": "application/manifest+json",
    ".woff2": "font/woff2",
}


class PublishError(Exception):
    """The stack, its outputs or the build are not what publishing needs."""


@dataclass(frozen=True)
class Upload:
    key: str
    body: bytes = field(repr=False)
    content_type: str
    cache_control: str


@dataclass
class Published:
    """What a publication did (or, dry, would do)."""

    bucket: str
    portal_url: str
    config: dict[str, str]
    uploads: list[Upload]
    removed: list[str] = field(default_factory=list)
    invalidation: list[str] = field(default_factory=list)


def stack_outputs(
    cloudformation: Any, stack: str, required: Sequence[str] = STACK_OUTPUTS
) -> tuple[dict[str, str], str]:
    """The stack's outputs by key, and its region (from its id). Raises PublishError when the
    stack is missing, not in a deployed state, or lacks one of the `required` outputs."""
    try:
        [description] = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    except Exception as error:  # botocore's ClientError: no such stack, no access
        raise PublishError(f"cannot describe stack {stack}: {error}") from error
    status = str(description.get("StackStatus", ""))
    if status not in DEPLOYED:
        raise PublishError(f"stack {stack} is {status}: deploy it first (sam deploy)")
    outputs = {o["OutputKey"]: o["OutputValue"] for o in description.get("Outputs", [])}
    missing = [name for name in required if not outputs.get(name)]
    if missing:
        raise PublishError(
            f"stack {stack} has no {', '.join(missing)} output: is it carescore's template, "
            "at a version with the portal's hosting?"
        )
    # arn:aws:cloudformation:<region>:<account>:stack/<name>/<id>
    region = str(description["StackId"]).split(":")[3]
    return outputs, region


def portal_config(outputs: dict[str, str], region: str) -> dict[str, str]:
    """The portal's runtime settings (web/src/config.ts reads them)."""
    return {
        "apiBaseUrl": outputs["ApiUrl"],
        "region": region,
        "userPoolId": outputs["UserPoolId"],
        "userPoolClientId": outputs["PortalClientId"],
    }


def _content_type(path: Path) -> str:
    return (
        CONTENT_TYPES.get(path.suffix.lower())
        or mimetypes.guess_type(path.name)[0]
        or "application/octet-stream"
    )


def _files(dist: Path) -> Iterator[tuple[str, Path]]:
    for path in sorted(dist.rglob("*")):
        if path.is_file():
            yield path.relative_to(dist).as_posix(), path


def uploads(dist: Path, config: dict[str, str]) -> list[Upload]:
    """Every file of the build and the config, in the order they must go up: hashed assets,
    other files, config.json, and index.html last. Raises PublishError without a build."""
    if not (dist / "index.html").is_file():
        raise PublishError(f"{dist} has no index.html: build the portal first (make portal)")
    assets: list[Upload] = []
    others: list[Upload] = []
    for key, path in _files(dist):
        if key in (CONFIG_KEY, "index.html"):
            continue  # the stack's config.json wins over any in the build
        immutable = key.startswith("assets/")
        (assets if immutable else others).append(
            Upload(
                key,
                path.read_bytes(),
                _content_type(path),
                IMMUTABLE if immutable else REVALIDATE,
            )
        )
    settings = Upload(
        CONFIG_KEY,
        (json.dumps(config, indent=2) + "\n").encode(),
        CONTENT_TYPES[".json"],
        REVALIDATE,
    )
    index = Upload(
        "index.html", (dist / "index.html").read_bytes(), CONTENT_TYPES[".html"], REVALIDATE
    )
    return [*assets, *others, settings, index]


def _existing_keys(s3: Any, bucket: str) -> set[str]:
    keys: set[str] = set()
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        keys.update(item["Key"] for item in page.get("Contents", []))
    return keys


def publish(
    session: Any,
    stack: str,
    dist: Path,
    *,
    prune: bool = False,
    dry_run: bool = False,
    say: Callable[[str], None] = print,
) -> Published:
    """Uploads the build in `dist` and the stack's config.json to the stack's portal bucket
    and invalidates what CloudFront may have cached. `session` is a boto3 Session.

    `prune` also deletes objects of earlier builds (by default they stay, so a page opened
    before the publication can still load the files it names; the bucket keeps replaced
    versions for 30 days either way). `dry_run` reads the stack and the build only.
    """
    outputs, region = stack_outputs(session.client("cloudformation"), stack)
    config = portal_config(outputs, region)
    bucket = outputs["PortalBucketName"]
    planned = uploads(dist, config)
    result = Published(bucket, outputs["PortalUrl"], config, planned)
    s3 = session.client("s3", region_name=region)
    if prune:
        wanted = {upload.key for upload in planned}
        result.removed = sorted(_existing_keys(s3, bucket) - wanted)
    # Everything that may be cached and is not content-hashed (config.json never is).
    result.invalidation = ["/"] + [
        f"/{upload.key}"
        for upload in planned
        if upload.cache_control == REVALIDATE and upload.key != CONFIG_KEY
    ]
    if dry_run:
        return result
    for upload in planned:
        s3.put_object(
            Bucket=bucket,
            Key=upload.key,
            Body=upload.body,
            ContentType=upload.content_type,
            CacheControl=upload.cache_control,
        )
    say(f"uploaded {len(planned)} files to s3://{bucket}/ (config.json from stack {stack})")
    for start in range(0, len(result.removed), 1000):
        batch = result.removed[start : start + 1000]
        s3.delete_objects(
            Bucket=bucket, Delete={"Objects": [{"Key": key} for key in batch], "Quiet": True}
        )
    if result.removed:
        say(f"removed {len(result.removed)} files of earlier builds")
    cloudfront = session.client("cloudfront", region_name="us-east-1")
    cloudfront.create_invalidation(
        DistributionId=outputs["PortalDistributionId"],
        InvalidationBatch={
            "Paths": {"Quantity": len(result.invalidation), "Items": result.invalidation},
            "CallerReference": f"carescore-publish-{time.time_ns()}",
        },
    )
    say(f"invalidated {', '.join(result.invalidation)} on {outputs['PortalDistributionId']}")
    return result


def install_model(session: Any, stack: str, model_dir: Path) -> str:
    """Uploads a model directory to the stack's models bucket, registers it and makes it the
    active version (as the local stack does with the default model at start-up). Returns
    the version. Raises PublishError for a stack without the outputs this needs."""
    from functions.shared.registry import install_model as install

    outputs, region = stack_outputs(
        session.client("cloudformation"), stack, ("RegistryTableName", "ModelsBucketName")
    )
    return install(
        model_dir,
        outputs["RegistryTableName"],
        outputs["ModelsBucketName"],
        session.client("dynamodb", region_name=region),
        session.client("s3", region_name=region),
    )
