"""An S3-compatible store on loopback (moto's server), for the lake's tests: a bucket, the
filesystem destination's settings for it, and the `deltalake` reader's."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

KEY, SECRET, REGION = "testing-key", "testing-secret", "us-east-1"


@dataclass(frozen=True)
class S3Store:
    endpoint: str
    bucket: str

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}"

    @property
    def env(self) -> dict[str, str]:
        """The filesystem destination on the bucket. delta-rs commits to S3 by a rename it
        cannot make atomic there without a lock: allowed here, one writer per table (the loads
        of one pipeline take turns); docs/operations.md says what to give it on AWS."""
        prefix = "DESTINATION__FILESYSTEM__"
        return {
            prefix + "BUCKET_URL": self.url,
            prefix + "CREDENTIALS__AWS_ACCESS_KEY_ID": KEY,
            prefix + "CREDENTIALS__AWS_SECRET_ACCESS_KEY": SECRET,
            prefix + "CREDENTIALS__REGION_NAME": REGION,
            prefix + "CREDENTIALS__ENDPOINT_URL": self.endpoint,
            prefix + "DELTALAKE_STORAGE_OPTIONS": '{"AWS_S3_ALLOW_UNSAFE_RENAME": "true"}',
        }

    @property
    def storage_options(self) -> dict[str, str]:
        return {"aws_access_key_id": KEY, "aws_secret_access_key": SECRET, "region": REGION,
                "endpoint_url": self.endpoint, "aws_allow_http": "true"}  # fmt: skip


@contextmanager
def s3_store(bucket: str = "lake") -> Iterator[S3Store]:
    """moto's S3 on a free loopback port, with `bucket` made, stopped after the block."""
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    try:
        boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=KEY,
                     aws_secret_access_key=SECRET, region_name=REGION).create_bucket(Bucket=bucket)  # fmt: skip
        yield S3Store(endpoint, bucket)
    finally:
        server.stop()
