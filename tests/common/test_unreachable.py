"""An address that cannot be right stops the run at once as a configuration error (exit 2)
naming the setting; an outage is retried. Over real sockets on loopback."""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator

import pytest

from sources.common.errors import ConfigurationError, RetriesExhaustedError
from sources.common.http import ApiClient
from sources.common.retries import RetryPolicy

POLICY = RetryPolicy(max_attempts=3, backoff_initial=0.001, retry_after_floor=0.01)


def _client(base_url: str) -> ApiClient:
    return ApiClient(base_url, vendor="Unify", auth_headers={"x-api-key": "sek-ret-1"},
                     key_setting="SOURCES__UNIFY__API_KEY", policy=POLICY,
                     base_setting="SOURCES__UNIFY__BASE_URL")  # fmt: skip


class _Quiet(http.server.BaseHTTPRequestHandler):
    """Logs nothing: its thread's stderr is a CLI's run in this process (tests.support.cli)."""

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def plain_http() -> Iterator[int]:
    """A plain-HTTP server on 127.0.0.1: its port."""
    server = http.server.HTTPServer(("127.0.0.1", 0), _Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def _resolver_says(errno: int):
    def getaddrinfo(host, *args, **kwargs):
        raise socket.gaierror(errno, "resolver says no")

    return getaddrinfo


def test_a_host_name_that_does_not_exist_is_a_configuration_error_at_the_first_try(monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", _resolver_says(socket.EAI_NONAME))
    client = _client("http://api.unify.invalid/api/v1")
    with pytest.raises(ConfigurationError) as raised:
        client.get("/sequences")
    assert str(raised.value) == (
        "Unify API at http://api.unify.invalid/api/v1: its host name does not resolve;"
        " check SOURCES__UNIFY__BASE_URL"
    )
    assert raised.value.exit_code == 2 and client.stats["requests"] == 1


def test_a_resolver_that_cannot_answer_now_is_an_outage_and_retried(monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", _resolver_says(socket.EAI_AGAIN))
    client = _client("http://api.unify.example/api/v1")
    with pytest.raises(RetriesExhaustedError):
        client.get("/sequences")
    assert client.stats["requests"] == POLICY.max_attempts


def test_https_against_a_plain_http_server_is_a_configuration_error(plain_http):
    client = _client(f"https://127.0.0.1:{plain_http}/api/v1")
    with pytest.raises(ConfigurationError, match=r"TLS handshake failed .*: is it http or https\?"):
        client.get("/sequences")
    assert client.stats["requests"] == 1


def test_a_refused_connection_on_a_name_that_resolves_is_an_outage_and_retried():
    with socket.socket() as held:  # a port nothing listens on
        held.bind(("127.0.0.1", 0))
        port = held.getsockname()[1]
    client = _client(f"http://127.0.0.1:{port}/api/v1")
    with pytest.raises(RetriesExhaustedError, match="SOURCES__UNIFY__BASE_URL"):
        client.get("/sequences")
    assert client.stats["requests"] == POLICY.max_attempts


def test_the_cli_stops_at_once_with_exit_2_naming_the_base_url_setting(plain_http, tmp_path):
    from tests.support.cli import run_cli
    from tests.unify.environment import cli_env

    env = cli_env(f"https://127.0.0.1:{plain_http}/api/v1", tmp_path)  # TLS to a plain server
    result = run_cli(tmp_path, env)
    assert result.returncode == 2, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"error: Unify API at https://127.0.0.1:{plain_http}/api/v1: the TLS")
    assert "; check SOURCES__UNIFY__BASE_URL" in line  # at the first try: no retries
