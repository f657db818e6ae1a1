"""The scopes the source names on a 403 are the vendor document's, for every operation the
source and the actions make (the sandbox serves exactly those)."""

from __future__ import annotations

import re

import pytest

from sandbox.common.openapi import load_document
from sandbox.instantly import app
from sandbox.instantly.validation import DOCUMENT
from sources.common.scopes import OperationScopes, refusal
from sources.instantly.settings import SCOPES


def test_every_operation_names_the_scopes_the_vendors_document_requires():
    document = load_document(DOCUMENT)
    served = {f"{method.upper()} {path}" for method, path in app.SERVED}
    # the sandbox serves the source's and the actions' operations, and reads (a lead, an email,
    # an account, a block list entry, ...) that only other clients make
    client_only = {
        "GET /leads/{id}",
        "GET /emails/{id}",
        "GET /accounts/{email}",
        "GET /campaigns/count-launched",
        "GET /campaigns/search-by-contact",
        "GET /block-lists-entries/{id}",
        "GET /webhooks/{id}",
        "POST /webhooks/{id}/resume",
    }
    assert set(SCOPES.scopes) == served - client_only
    for operation, scopes in SCOPES.scopes.items():
        method, path = operation.split(" ")
        text = document["paths"]["/api/v2" + path][method.lower()].get("description", "")
        found = re.search(r"Requires one of the following scopes: (.*)", text)
        assert scopes == (tuple(re.findall(r"`([^`]+)`", found.group(1))) if found else ()), (
            operation
        )


@pytest.mark.parametrize(
    ("method", "path", "first"),
    [
        ("GET", "/campaigns/0b4f-9a", "campaigns:read"),
        ("GET", "/campaigns/analytics", None),  # the literal path, not /campaigns/{id}
        ("POST", "/campaigns/0b4f-9a/pause", "campaigns:update"),
        ("GET", "/campaigns/0b4f-9a/other", None),  # no such operation
    ],
)
def test_a_refusal_names_the_operation_and_what_its_key_needs(method, path, first):
    assert SCOPES.needed(method, path)[:1] == ((first,) if first else ())
    line = refusal("Instantly", 403, method, path, "Forbidden", SCOPES)
    assert f"refused {method} {path} with this API key (HTTP 403: Forbidden)" in line
    assert ("needs one of the scopes " + str(first)) in line if first else "scopes" not in line
    assert "scopes" not in refusal("Instantly", 401, method, path, "", SCOPES)
    assert OperationScopes({}).needed(method, path) == ()
