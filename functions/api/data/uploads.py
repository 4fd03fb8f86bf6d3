"""Data access for the datasets bucket: signs uploads, and writes the files of a dataset
built from reviews. The API never reads or lists datasets; its role may only add objects
under `datasets/`."""

from __future__ import annotations

from typing import Any

from functions.shared.models import SignedUpload


class DatasetUploads:
    """Signs presigned S3 POSTs into one bucket (UploadSigner)."""

    def __init__(self, bucket: str, client: Any) -> None:
        self._bucket = bucket
        self._client = client

    def presign_upload(
        self, key: str, content_type: str, max_bytes: int, expires_in: int
    ) -> SignedUpload:
        """A POST policy for exactly `key`, exactly `content_type` and 1 to `max_bytes`
        bytes, expiring after `expires_in` seconds. Signs locally; no request to S3."""
        signed = self._client.generate_presigned_post(
            Bucket=self._bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[
                {"Content-Type": content_type},
                ["content-length-range", 1, max_bytes],
            ],
            ExpiresIn=expires_in,
        )
        return SignedUpload(
            url=str(signed["url"]),
            fields={name: str(value) for name, value in signed["fields"].items()},
        )

    def put_file(self, key: str, body: bytes, content_type: str) -> None:
        """Stores one dataset file (its arrival starts training, as an upload's does)."""
        self._client.put_object(Bucket=self._bucket, Key=key, Body=body, ContentType=content_type)
