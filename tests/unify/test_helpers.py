"""Unify's own parts of the HTTP layer: its error envelope (zod issues) and NDJSON page counts."""

from __future__ import annotations

import httpx
import pytest

from sources.common.errors import BadRequestError, HttpStatusError
from sources.common.retries import TransientError
from sources.unify.helpers import UnifyErrors, ndjson_page_check
from tests.support.http import client_for


def test_a_bad_request_shows_the_api_errors_and_is_not_retried():
    body = {"status": "bad_request", "errors": [{"code": "too_big", "path": ["limit"]}]}
    client, seen = client_for([httpx.Response(400, json=body)], errors=UnifyErrors())
    with pytest.raises(BadRequestError, match="limit: too_big") as caught:
        client.get("/things")
    assert caught.value.errors == body["errors"] and len(seen) == 1


def test_the_status_field_is_the_error_code():
    body = {"status": "results_expired", "message": "gone"}
    client, _ = client_for([httpx.Response(410, json=body)], errors=UnifyErrors())
    with pytest.raises(HttpStatusError, match="HTTP 410: gone") as caught:
        client.get("/things")
    assert caught.value.code == "results_expired"


@pytest.mark.parametrize(("rows", "ok"), [(3, True), (2, False), (4, False)])
def test_an_ndjson_page_must_hold_the_rows_its_headers_promise(rows, ok):
    headers = httpx.Headers({"x-total": "23", "x-page": "3", "x-page-size": "10"})
    if ok:
        ndjson_page_check([{}] * rows, headers)
    else:
        with pytest.raises(TransientError):
            ndjson_page_check([{}] * rows, headers)
