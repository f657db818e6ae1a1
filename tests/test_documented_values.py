"""The values each vendor's document lists for the fields the models interpret are the source's
own list, and a value outside it loads with exit 0 and a warning naming it."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from sources.common.vendors import spec
from tests.support.cli import run_cli
from tests.unify.environment import cli_env

SANDBOX = Path(__file__).resolve().parents[1] / "sandbox"


def listed(document: dict[str, Any], where: str) -> list[Any]:
    """The enum at `Schema` or `Schema.property` of the document's components (in an anyOf
    beside null, as Sequenzy's SDK writes its optional fields)."""
    name, _, field = where.partition(".")
    node = document["components"]["schemas"][name]
    if field:
        node = node["properties"][field]
    for option in [node, *node.get("anyOf", [])]:
        if "enum" in option:
            return list(option["enum"])
    raise AssertionError(f"no enum at {where}")


@pytest.mark.parametrize("name", ["unify", "instantly", "sequenzy"])
def test_each_vendors_declared_values_are_its_documents(name):
    document = json.loads((SANDBOX / name / "openapi.json").read_text())
    declared = spec(name).documented_values
    assert declared
    for field in declared:
        assert sorted(map(str, field.values)) == sorted(map(str, listed(document, field.schema)))


def test_a_value_unifys_document_does_not_list_loads_and_the_summary_names_it(unify, tmp_path):
    server = unify(enrollments=300)
    state = server.state
    replied = next(i for i in range(300) if state.render_enrollment(i)["reply_email_message"])
    reply = copy.deepcopy(state.render_enrollment(replied)["reply_email_message"])
    for classification in reply["classifications"]:
        classification["category"] = "OUT_OF_OFFICE"  # one Unify may add
    state.new_fields[replied] = {"reply_email_message": reply}
    summary = tmp_path / "s.json"
    result = run_cli(tmp_path, cli_env(server.base_url, tmp_path), "--json-summary", str(summary))
    assert result.returncode == 0, result.stderr
    warnings = json.loads(summary.read_text())["warnings"]
    named = [w for w in warnings if "'OUT_OF_OFFICE'" in w]
    assert len(named) == 1 and "reply_email_classifications.category" in named[0], warnings
    assert "not counted as a positive reply" in named[0] and named[0] in result.stdout
