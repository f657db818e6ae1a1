"""Which workspaces a vendor has (pipelines.workspaces: the configuration) and what the funnel
calls each loaded dataset (pipelines.funnel.workspaces)."""

from __future__ import annotations

import os

import pytest

from pipelines.funnel.workspaces import Workspace as Loaded
from pipelines.funnel.workspaces import named
from pipelines.workspaces import DEFAULT, Workspace, chosen, configured
from sources.common.errors import ConfigurationError
from sources.common.vendors import spec

UNIFY = spec("unify")


@pytest.fixture(autouse=True)
def _no_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in list(os.environ):
        if variable.startswith("SOURCES__"):
            monkeypatch.delenv(variable)


def test_without_workspaces_the_vendor_is_its_one_default_workspace(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SOURCES__UNIFY__API_KEY", "k")
    assert configured(UNIFY) == [Workspace("unify", DEFAULT)]
    assert configured(UNIFY)[0].dataset == "unify"


def test_named_workspaces_each_have_their_key_and_own_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SOURCES__UNIFY__WORKSPACES__ACME__API_KEY", "key-a")
    monkeypatch.setenv("SOURCES__UNIFY__WORKSPACES__ACME__MAX_ATTEMPTS", "9")
    monkeypatch.setenv("SOURCES__UNIFY__WORKSPACES__BETA_EU__API_KEY", "key-b")
    found = configured(UNIFY)
    assert [(w.name, w.dataset) for w in found] == [("acme", "unify_acme"),
                                                     ("beta_eu", "unify_beta_eu")]  # fmt: skip
    assert found[0].arguments == {"api_key": "key-a", "max_attempts": 9}
    assert found[1].secrets == ["key-b"] and "key-b" not in repr(found[1])
    # the vendor's own key is then one more workspace, the default
    monkeypatch.setenv("SOURCES__UNIFY__API_KEY", "key-default")
    assert [w.name for w in configured(UNIFY)] == [DEFAULT, "acme", "beta_eu"]
    assert [w.name for w in chosen(UNIFY, "beta_eu")] == ["beta_eu"]


@pytest.mark.parametrize(
    ("variable", "said"),
    [
        ("SOURCES__UNIFY__WORKSPACES__ACME__BASE_URL", "SOURCES__UNIFY__WORKSPACES__ACME__API_KEY"),
        ("SOURCES__UNIFY__WORKSPACES__9LIVES__API_KEY", "lower-case letters"),
        ("SOURCES__UNIFY__WORKSPACES__DEFAULT__API_KEY", "not 'default'"),
    ],
)
def test_a_workspace_without_a_key_or_a_usable_name_is_one_line(
    monkeypatch: pytest.MonkeyPatch, variable: str, said: str
) -> None:
    monkeypatch.setenv(variable, "x")
    with pytest.raises(ConfigurationError, match=said):
        configured(UNIFY)


def test_an_unknown_workspace_names_the_configured_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCES__UNIFY__WORKSPACES__ACME__API_KEY", "key-a")
    with pytest.raises(ConfigurationError, match=r"no workspace 'beta' \(configured: acme\)"):
        chosen(UNIFY, "beta")


def test_each_loaded_dataset_is_a_named_workspace() -> None:
    # one dataset, wherever it is: the default, as a single workspace always was
    assert named("unify", "unify", ["client_b_unify"]) == [Loaded("default", "client_b_unify")]
    assert named("unify", "unify", ["unify"]) == [Loaded("default", "unify")]
    # ... unless the configuration names workspaces: then `unify_acme` is acme, alone or not
    assert named("unify", "unify", ["unify_acme"], configured=True) == [
        Loaded("default", "unify"), Loaded("acme", "unify_acme"),
    ]  # fmt: skip
    # several: the home is the default, `<vendor>_<name>` is <name>, others as themselves
    assert named("unify", "unify", ["unify_acme", "client_b", "unify"]) == [
        Loaded("default", "unify"), Loaded("acme", "unify_acme"), Loaded("client_b", "client_b"),
    ]  # fmt: skip
    # a name taken: the dataset's own
    assert named("unify", "unify", ["acme", "unify_acme"]) == [
        Loaded("default", "unify"), Loaded("acme", "acme"), Loaded("unify_acme", "unify_acme"),
    ]  # fmt: skip
    assert [w.prefix for w in named("unify", "unify", ["unify", "unify_acme"])] == ["", "acme:"]


def test_loads_at_once_on_one_budget_split_it() -> None:
    from pipelines.workspaces import shares

    named = [Workspace("x", n, {"api_key": f"key-{n}"}) for n in ("a", "b", "c")]
    # Unify does not say whose its limit is: every workspace's loads share one
    assert shares(spec("unify"), named, parallel=2) == {"a": 0.5, "b": 0.5, "c": 0.5}
    assert shares(spec("unify"), named, parallel=1) == {"a": 1.0, "b": 1.0, "c": 1.0}
    # Instantly counts per workspace, Sequenzy per key: each its own here
    assert set(shares(spec("instantly"), named, parallel=3).values()) == {1.0}
    assert set(shares(spec("sequenzy"), named, parallel=3).values()) == {1.0}
    one_key = [Workspace("x", n, {"company_id": n}) for n in ("a", "b", "c")]
    assert shares(spec("sequenzy"), one_key, parallel=3) == {"a": 1 / 3, "b": 1 / 3, "c": 1 / 3}


def test_a_member_is_named_from_its_own_name() -> None:
    from pipelines.workspaces import member_name
    from sources.common.vendors import Member

    member = Member("019f3a2b-0000-7000-8000-000000000001", "Acme Corp. (EU)")
    assert member_name(member, set()) == "acme_corp_eu"
    assert member_name(member, {"acme_corp_eu"}) == "acme_corp_eu_019f3a2b"
    assert member_name(Member("8c1d0000-aaaa", None), set()) == "w_8c1d0000"
    assert member_name(Member("8c1d0000-aaaa", "42 Club"), set()) == "w_42_club"
    assert member_name(Member("8c1d0000-aaaa", "Default"), set()) == "default_8c1d0000"
