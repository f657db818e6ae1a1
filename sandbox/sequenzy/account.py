"""A Sequenzy account: several companies behind one account-scoped key, which picks a company
with `x-company-id` (the SDK's account docs) and lists them at `GET /companies`
(`companies.list`). Each company is a sandbox of its own (its world, clock, faults and rate
limits); a request without the header reads the key's current company, the first; a company
the key does not reach is a 403."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sandbox.common.server import Served, by_header
from sandbox.sequenzy import ALL_SCOPES, DEFAULT_API_KEY, SequenzySandbox
from sandbox.sequenzy.app import PREFIX
from sandbox.sequenzy.protocol import error_body

HEADER = b"x-company-id"


@dataclass
class SequenzyAccount(Served):
    """`with account.serve() as url: ...`; `account.companies[name]` is each company's sandbox."""

    PREFIX = PREFIX

    options: dict[str, Any]  # what every company's sandbox is created with (clock, faults, ...)
    seed: int
    companies: dict[str, SequenzySandbox] = field(default_factory=dict)  # by name
    listed: list[dict[str, Any]] = field(default_factory=list)  # what `GET /companies` says
    _by_id: dict[str, SequenzySandbox] = field(default_factory=dict)

    @classmethod
    def create(
        cls, companies: dict[str, int], *, api_key: str = DEFAULT_API_KEY, seed: int = 42,
        **options: Any,
    ) -> SequenzyAccount:  # fmt: skip
        """A company per name of `companies` (its enrollments), each its own world; `options`
        as `SequenzySandbox.create` takes them."""
        account = cls(options | {"api_keys": {api_key: ALL_SCOPES}}, seed)
        for name, enrollments in companies.items():
            account.add_company(name, enrollments)
        return account

    @property
    def app(self) -> Any:
        return self  # an ASGI app: `__call__`

    def add_company(self, name: str, enrollments: int) -> SequenzySandbox:
        seed = self.seed + len(self.companies)
        company = SequenzySandbox.create(enrollments=enrollments, seed=seed, **self.options)
        world = company.state.world
        self.listed.append(world.companies[0] | {"name": name})
        for member in [*self.companies.values(), company]:  # each lists every company
            member.state.world.companies = self.listed
        self.companies[name] = company
        self._by_id[world.company] = company
        return company

    def company_id(self, name: str) -> str:
        return str(self.companies[name].state.world.company)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """The company `x-company-id` names, else the key's current one (the first)."""

        def company(value: str) -> Any:
            found = self._by_id.get(value)
            return found.app if found is not None else None

        current = next(iter(self.companies.values())).app

        def refused(value: str) -> bytes:
            return error_body(403, f"API key has no access to company {value}")

        await by_header(scope, receive, send, HEADER, current, company, refused)
