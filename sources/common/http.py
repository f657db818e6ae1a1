"""The one HTTP layer every vendor source uses: auth headers, retries, timeouts, redaction.

What differs between vendors is handed in: the auth headers, how its error bodies read
(`ErrorFormat`, in sources.common.bodies), its rate limits (`RateLimits`), and any check of a
page's own consistency.
Retries go through tenacity. Transient: 429 (honouring Retry-After, with a floor so that
`Retry-After: 0` cannot become a hot loop; without one, backing off exponentially), 5xx but
501, connection errors, timeouts, and bodies that are cut short or are not JSON. Never
retried: 400 (the request is wrong), 401/403 (the key).
Nothing here logs or raises request headers, where the API key travels.
"""

from __future__ import annotations

import functools
import logging
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from sources.common.bodies import (
    BodyReader,
    ErrorFormat,
    NdjsonReader,
    PageCheck,
    json_body,
    ndjson_body,
    ndjson_rows,
)
from sources.common.errors import (
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    HttpStatusError,
    NotFoundError,
    RateLimitedError,
    RetriesExhaustedError,
)
from sources.common.ratelimit import RateLimits
from sources.common.retries import RetryPolicy, TransientError, parse_retry_after
from sources.common.scopes import OperationScopes, refusal
from sources.common.stats import RunStats
from sources.common.unreachable import misconfigured

log = logging.getLogger("sequence_funnel.http")
USER_AGENT = "sequence-funnel/0.1 (+dlt)"


@dataclass(frozen=True)
class ApiResponse:
    body: Any
    headers: httpx.Headers


def redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One TLS context for every client of the process, as httpx advises for many clients:
    each new one reads the whole CA bundle (some 35 ms, measured), and a run makes a client per
    resource. It is not changed after it is made (`SSL_CERT_FILE` is read once)."""
    return httpx.create_ssl_context()


class ApiClient:
    """A synchronous JSON client for one vendor API."""

    def __init__(
        self,
        base_url: str,
        *,
        vendor: str,
        auth_headers: dict[str, str],
        key_setting: str,
        base_setting: str = "the base URL setting",
        errors: ErrorFormat | None = None,
        policy: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        limits: RateLimits | None = None,
        stats: RunStats | None = None,
        max_connections: int = 10,
        scopes: OperationScopes | None = None,
    ) -> None:
        self.vendor = vendor
        self.scopes = scopes
        self.limits = limits
        self.key_setting = key_setting
        self.base_setting = base_setting
        self.errors = errors or ErrorFormat()
        self.policy = policy or RetryPolicy()
        self.stats = stats if stats is not None else RunStats()
        self._secrets = [v for v in auth_headers.values() if v]
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"user-agent": USER_AGENT, "accept": "application/json", **auth_headers},
            timeout=httpx.Timeout(self.policy.timeout, connect=10.0),
            verify=tls_context(),
            transport=transport,
            limits=httpx.Limits(max_connections=max_connections),
        )

    def base_url_for_errors(self) -> str:
        return str(self._client.base_url).rstrip("/")

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(
        self,
        path: str,
        params: dict[str, Any] | list[tuple[str, Any]] | None = None,
        *,
        collection: bool = False,
        read: BodyReader | None = None,
    ) -> ApiResponse:
        """`collection`: a listing the API always has, so a 404 means the base URL is wrong.
        `read`: how a 2xx body is read, when not simply as JSON."""
        try:
            return self.request("GET", path, params=params, read=read)
        except NotFoundError:
            if not collection:
                raise
            raise self._wrong_base(path) from None

    def _wrong_base(self, path: str) -> ConfigurationError:
        return ConfigurationError(
            f"{self.vendor}: {self.base_url_for_errors()}{path} not found: the base URL is"
            f" not the API's; check {self.base_setting}"
        )

    def post_query(
        self, path: str, body: dict[str, Any], *, collection: bool = False
    ) -> ApiResponse:
        """A read the API takes as a POST with a JSON body of filters (Instantly's
        `/leads/list`): it changes nothing, so it is retried like a GET."""
        try:
            return self.request("POST", path, json=body)
        except NotFoundError:
            if not collection:
                raise
            raise self._wrong_base(path) from None

    def get_ndjson(
        self,
        path: str,
        params: dict[str, Any] | None = None,
        check: PageCheck | None = None,
        read: NdjsonReader = ndjson_rows,
    ) -> ApiResponse:
        """A page of NDJSON (one object a line) as `read` gives it (a list, by default); a
        page cut short (no final newline, or one that `check` finds inconsistent) is retried."""
        return self.request("GET", path, params=params, ndjson=read, check=check)

    def write(
        self, method: str, path: str, settled: Callable[[], bool] | None = None, **kwargs: Any
    ) -> ApiResponse | None:
        """A call that changes something. A transient failure (a timeout, a cut answer, a 5xx)
        leaves its outcome unknown: when the call is not safe to repeat, `settled()` is asked
        before each retry whether it took effect after all, and None is returned if it did
        (creating an enrollment twice is what this prevents). Without `settled` the call is
        taken as safe to repeat (pause, resume: the same state again)."""
        return self._request(method, path, settled, **kwargs)

    def request(self, method: str, path: str, **kwargs: Any) -> ApiResponse:
        response = self._request(method, path, None, **kwargs)
        assert response is not None  # only a settled write answers None
        return response

    def _request(
        self, method: str, path: str, settled: Callable[[], bool] | None, **kwargs: Any
    ) -> ApiResponse | None:
        retrying = Retrying(
            stop=stop_after_attempt(self.policy.max_attempts),
            wait=self.policy.wait if settled is None else self.policy.wait_to_ask,
            retry=retry_if_exception_type(TransientError),
            before_sleep=lambda state: self._note_retry(method, path, state),
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    again = attempt.retry_state.attempt_number > 1
                    if settled is not None and again and settled():
                        return None
                    return self._once(method, path, **kwargs)
        except TransientError as exc:
            where = self.base_url_for_errors()
            hint = f"; if it stays so, check {self.base_setting}" if exc.unanswered else ""
            raise RetriesExhaustedError(
                f"{self.vendor} API at {where} unavailable: {method} {path} failed"
                f" {self.policy.max_attempts} times, last with {exc}; try again later{hint}"
            ) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _once(
        self,
        method: str,
        path: str,
        ndjson: NdjsonReader | None = None,
        check: PageCheck | None = None,
        read: BodyReader | None = None,
        **kwargs: Any,
    ) -> ApiResponse:
        """One request: its answer, or the error its status means (retried or not)."""
        if ndjson:
            kwargs["headers"] = {"accept": "application/x-ndjson"}
        response = self._send(method, path, **kwargs)
        self._refuse_unanswerable(method, path, response)
        status = response.status_code
        if ndjson and status < 300:
            rows = ndjson_body(response, ndjson)
            if check is not None:
                check(rows, response.headers)
            return ApiResponse(rows, response.headers)
        body = read(response.content) if read is not None and status < 300 else None
        if body is None and response.content:
            body = json_body(response)
        if status >= 400:
            raise self._refusal(method, path, status, body)
        return ApiResponse(body, response.headers)

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """The request, within the rate limits, counted; a transport failure as transient, or
        as the configuration's when nothing can answer at that address."""
        if self.limits is not None:
            self.limits.acquire(path)
        self.stats.add("requests")
        self.stats.reading(f"{method} {path}")
        try:
            return self._client.request(method, path, **kwargs)
        except httpx.TimeoutException as exc:
            raise TransientError(f"a timeout ({type(exc).__name__})", timed_out=True) from None
        except httpx.ConnectError as exc:  # nothing answers there: down, or the wrong address
            if (wrong := misconfigured(exc)) is not None:
                where = self.base_url_for_errors()
                raise ConfigurationError(
                    f"{self.vendor} API at {where}: {wrong}; check {self.base_setting}"
                ) from None
            raise TransientError(f"no connection ({type(exc).__name__})", unanswered=True) from None
        except httpx.TransportError as exc:
            raise TransientError(f"a broken connection ({type(exc).__name__})") from None

    def _refuse_unanswerable(self, method: str, path: str, response: httpx.Response) -> None:
        """A status that says nothing of the request itself: try again later (429, 5xx but
        501), or not with this key or plan (401, 403, 402)."""
        status = response.status_code
        if status == 429 or (status >= 500 and status != 501):
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            wait = retry_after or 0.0
            if status == 429 and wait > self.policy.give_up_after:
                raise RateLimitedError(
                    f"{self.vendor} asks to wait {wait / 60:.0f} minutes before"
                    f" {method} {path} again: {self.errors.message(json_body(response))}"
                )
            raise TransientError(f"HTTP {status}", retry_after, status)
        if status in (401, 403):  # a 403's own message may say little: the document may say more
            what = refusal(self.vendor, status, method, path,
                           self.errors.message(json_body(response)), self.scopes)  # fmt: skip
            raise AuthenticationError(
                f"{what}: set {self.key_setting} in the environment or in .dlt/secrets.toml"
            )
        if status == 402:
            raise ConfigurationError(
                f"{self.vendor} refused {method} {path}: the workspace's plan does not include"
                f" API access (HTTP 402: {self.errors.message(json_body(response))})"
            )

    def _refusal(self, method: str, path: str, status: int, body: Any) -> Exception:
        """The error of a 4xx answer to this request, in the vendor's own words."""
        if status == 400:
            problems = self.errors.problems(body)
            detail = "; ".join(self.errors.describe_problem(p) for p in problems)
            detail = detail or self.errors.message(body)
            return BadRequestError(f"{self.vendor} refused {method} {path}: {detail}", problems)
        if status == 404:
            return NotFoundError(f"{self.vendor}: {method} {path} not found")
        return HttpStatusError(
            f"{self.vendor}: {method} {path} answered HTTP {status}:"
            f" {self.errors.message(body)}", status, self.errors.code(body), body,
        )  # fmt: skip

    def _note_retry(self, method: str, path: str, state: RetryCallState) -> None:
        self.stats.add("retries")
        exc = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        log.warning(
            "%s %s: %s, retry %d of %d in %.1f s",
            method, path, redact(str(exc), self._secrets), state.attempt_number,
            self.policy.max_attempts - 1, wait,
        )  # fmt: skip
