"""An ApiClient whose transport answers from a script, for tests of the HTTP layer."""

from __future__ import annotations

import httpx

from sources.common.bodies import ErrorFormat
from sources.common.http import ApiClient
from sources.common.retries import RetryPolicy


def client_for(
    responses: list, policy: RetryPolicy | None = None, errors: ErrorFormat | None = None
) -> tuple[ApiClient, list]:
    """A client whose transport answers from `responses` in turn (an httpx.Response or an
    exception to raise), recording the requests it saw."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = responses[min(len(seen) - 1, len(responses) - 1)]
        if isinstance(answer, Exception):
            raise answer
        return answer

    client = ApiClient(
        "https://api.example.test/v1", vendor="Vendor", auth_headers={"x-api-key": "sek-ret-1"},
        key_setting="VENDOR_KEY", transport=httpx.MockTransport(handler), errors=errors,
        policy=policy or RetryPolicy(max_attempts=4, backoff_initial=0.001, retry_after_floor=0.01),
    )  # fmt: skip
    return client, seen
