"""An Instantly workspace group: an admin workspace whose key acts on each accepted member with
the header `x-as-workspace: <sub workspace id>` (the vendor's workspace-group guide), and lists
them at `GET /api/v2/workspace-group-members`. Every workspace is a sandbox of its own (its world,
clock, faults and rate limits: the vendor counts its limits per workspace); a header naming a
workspace outside the group, or a member not yet accepted, is a 403."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sandbox.common.clock import format_rfc3339
from sandbox.common.ids import IdSpace
from sandbox.common.server import Served, by_header
from sandbox.instantly import ALL_SCOPES, DEFAULT_API_KEY, InstantlySandbox
from sandbox.instantly.app import PREFIX
from sandbox.instantly.protocol import error_body

HEADER = b"x-as-workspace"
REFUSED = "Workspace is not a member of your workspace group"


@dataclass
class InstantlyGroup(Served):
    """`with group.serve() as url: ...`; `group.members[name]` is each member's sandbox."""

    PREFIX = PREFIX

    admin: InstantlySandbox
    options: dict[str, Any]  # what every member's sandbox is created with (clock, faults, ...)
    members: dict[str, InstantlySandbox] = field(default_factory=dict)  # by name
    _by_id: dict[str, InstantlySandbox] = field(default_factory=dict)  # accepted, by workspace id

    @classmethod
    def create(
        cls, members: dict[str, int], *, admin_key: str = DEFAULT_API_KEY, admin_leads: int = 50,
        seed: int = 42, **options: Any,
    ) -> InstantlyGroup:  # fmt: skip
        """An admin workspace of `admin_leads` leads and a member per name of `members` (its
        leads), each its own world; `options` as `InstantlySandbox.create` takes them."""
        options["api_keys"] = {admin_key: ALL_SCOPES}
        admin = InstantlySandbox.create(leads=admin_leads, seed=seed, **options)
        group = cls(admin, options)
        for name, leads in members.items():
            group.add_member(name, leads)
        return group

    @property
    def app(self) -> Any:
        return self  # an ASGI app: `__call__`

    def add_member(self, name: str, leads: int, status: str = "accepted") -> InstantlySandbox:
        """A workspace joins the group (`status`: accepted, pending or rejected)."""
        seed = self.admin.state.world.seed + 1 + len(self.members)
        member = InstantlySandbox.create(leads=leads, seed=seed, **self.options)
        world, admin = member.state.world, self.admin.state.world
        now = format_rfc3339(self.admin.state.clock.now_us())
        listed = admin.group_members
        listed.append({
            "id": IdSpace(admin.seed, "member").make(len(listed)),
            "admin_workspace_id": admin.organization, "sub_workspace_id": world.organization,
            "status": status, "timestamp_created": now, "timestamp_updated": now,
            "sub_workspace_name": name, "admin_workspace_name": "Agency HQ",
        })  # fmt: skip
        listed.sort(key=lambda m: m["id"])
        self.members[name] = member
        if status == "accepted":
            self._by_id[world.organization] = member
        return member

    def workspace_id(self, name: str) -> str:
        return str(self.members[name].state.world.organization)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """The admin workspace, or with `x-as-workspace` the member it names."""

        def member(value: str) -> Any:
            found = self._by_id.get(value.lower())
            return found.app if found is not None else None

        await by_header(scope, receive, send, HEADER, self.admin.app, member,
                        lambda _: error_body(403, REFUSED))  # fmt: skip
