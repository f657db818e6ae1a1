"""The `filter` of a query job (BulkApiCommonQueryFilter and its two extensions), validated with
the vendor's 400 shape and evaluated on a snapshot of the enrollment columns.

Unknown filter keys are refused (the document lists every key; a typo silently exporting
everything would be worse), as is a range with no bound or with both `gt` and `gte`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sandbox.unify import bulk_render
from sandbox.unify.enrollments import NULL, STATUSES
from sandbox.unify.validation import BadRequest, issue, parse_rfc3339
from sandbox.unify.world import World

FLAGS = dict(bulk_render.BULK_FLAGS)
RANGES = ("updated_at", "started_at", "ended_at")
STEP_STATUSES = ("NOT_STARTED", "SCHEDULED", "PENDING", "FINISHED", "CANCELED", "ERRORED",
                 "UNREACHABLE")  # fmt: skip
STEP_TYPES = ("AUTOMATIC_EMAIL", "MANUAL_EMAIL", "ACTION_ITEM", "ZAPIER", "PHONE_CALL",
              "MANUAL_LINKEDIN_PROFILE_VIEW", "MANUAL_LINKEDIN_CONNECTION",
              "MANUAL_LINKEDIN_MESSAGE")  # fmt: skip
COMMON = {*RANGES, "sequence", "person", "company", "mailbox", "id", *FLAGS}
EXTRA = {
    "enrollments": {"status", "enrolled_by_play"},
    "enrollment-steps": {"status", "enrollment", "type", "step_number"},
}


@dataclass
class JobFilter:
    ranges: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)  # [lo, hi]
    eq: dict[str, int] = field(default_factory=dict)  # sequence/person/mailbox/enrollment index
    company: str | None = None
    ids: tuple[str, set[str]] | None = None  # ("in" | "not_in", values)
    flags: dict[str, bool] = field(default_factory=dict)
    sets: dict[str, tuple[str, set[str]]] = field(default_factory=dict)  # status, type, play
    step_number: int | None = None

    def enrollment_mask(self, cols: dict[str, np.ndarray], kind: str) -> np.ndarray:
        """Enrollments that can match: every enrollment-level condition."""
        mask = np.ones(len(cols["updated_at"]), bool)
        for name, column in (("sequence", "sequence"), ("person", "person"),
                             ("mailbox", "mailbox"), ("enrollment", None)):  # fmt: skip
            if name in self.eq:
                values = cols[column] if column else np.arange(len(mask))
                mask &= values == self.eq[name]
        if kind == "enrollments":
            for name, (lo, hi) in self.ranges.items():
                values = cols[name]
                mask &= values != NULL
                if lo is not None:
                    mask &= values >= lo
                if hi is not None:
                    mask &= values <= hi
            for name, wanted in self.flags.items():
                mask &= ((cols["flags"] & FLAGS[name]) != 0) == wanted
            if "status" in self.sets:
                op, chosen = self.sets["status"]
                hit = np.isin(cols["status"], [STATUSES.index(v) for v in chosen])
                mask &= hit if op == "in" else ~hit
            if "enrollment_ids" in self.sets:
                op, chosen = self.sets["enrollment_ids"]
                hit = np.isin(np.arange(len(mask)), sorted(int(v) for v in chosen))
                mask &= hit if op == "in" else ~hit
            if "enrolled_by_play" in self.sets:
                op, chosen = self.sets["enrolled_by_play"]
                hit = np.isin(cols["play"], sorted(int(v) for v in chosen))
                mask &= hit if op == "in" else ~hit
        return mask

    def company_matches(self, world: World, person: int) -> bool:
        firm = bulk_render.company(world, person)
        return self.company is None or (firm is not None and firm["id"] == self.company)

    def step_matches(self, world: World, cols: dict, i: int, plan: tuple) -> bool:
        j, status, number, started, updated, bits, _ = plan
        seq = int(cols["sequence"][i])
        times = {"updated_at": updated, "started_at": started,
                 "ended_at": started if status == "FINISHED" else None}  # fmt: skip
        for name, (lo, hi) in self.ranges.items():
            t = times[name]
            if t is None or (lo is not None and t < lo) or (hi is not None and t > hi):
                return False
        if any(bool(bits & FLAGS[n]) != wanted for n, wanted in self.flags.items()):
            return False
        kind = world.sequences[seq].steps[j]["type"]
        for name, value in (("status", status), ("type", kind)):
            if name in self.sets:
                op, values = self.sets[name]
                if (value in values) != (op == "in"):
                    return False
        if self.step_number is not None and number != self.step_number:
            return False
        if self.ids is not None:
            op, values = self.ids
            if (world.ids["estep"].make(i * 16 + j) in values) != (op == "in"):
                return False
        return self.company_matches(world, int(cols["person"][i]))


def parse_filter(kind: str, body: Any, world: World) -> JobFilter:
    """The job body's filter, or a 400 listing every problem in it."""
    if not isinstance(body, dict):
        raise BadRequest([issue("invalid_type", [], "Expected object")])
    raw = body.get("filter", {})
    if not isinstance(raw, dict):
        raise BadRequest([issue("invalid_type", ["filter"], "Expected object")])
    allowed = COMMON | EXTRA[kind]
    errors = [issue("unrecognized_keys", ["filter"], f"Unrecognized key: '{key}'")
              for key in sorted(set(raw) - allowed)]  # fmt: skip
    flt = JobFilter()
    _read_values(flt, raw, allowed, world, errors)
    _read_sets(flt, kind, raw, allowed, world, errors)
    if errors:
        raise BadRequest(errors)
    return flt


def _read_values(
    flt: JobFilter, raw: dict[str, Any], allowed: set[str], world: World, errors: list
) -> None:
    """The filter's ranges, single ids, flags and step number."""
    for name in RANGES:
        if name in raw:
            flt.ranges[name] = _range(raw[name], ["filter", name], errors)
    spaces = {"sequence": "seq", "person": "person", "enrollment": "enroll"}
    for name, space in spaces.items():
        if name in raw and name in allowed:
            flt.eq[name] = _uuid_index(raw[name], ["filter", name], world, space, errors)
    if "company" in raw:
        flt.company = _object_id(raw["company"], ["filter", "company"], errors)
    if "mailbox" in raw:
        flt.eq["mailbox"] = _mailbox(raw["mailbox"], world, errors)
    for name in FLAGS:
        if name in raw and not isinstance(raw[name], bool):
            errors.append(issue("invalid_type", ["filter", name], "Expected boolean"))
        elif name in raw:
            flt.flags[name] = raw[name]
    if "step_number" in raw and "step_number" in allowed:
        value = raw["step_number"]
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            flt.step_number = value
        else:
            errors.append(issue("invalid_type", ["filter", "step_number"], "Expected integer ≥ 1"))


def _read_sets(
    flt: JobFilter, kind: str, raw: dict[str, Any], allowed: set[str], world: World, errors: list
) -> None:
    """The filter's `in`/`not_in` sets: ids, statuses, types, plays."""
    if "id" in raw:
        flt.ids = _set(raw["id"], ["filter", "id"], None, errors)
    enums = {"status": STATUSES if kind == "enrollments" else STEP_STATUSES, "type": STEP_TYPES,
             "enrolled_by_play": None}  # fmt: skip
    for name, choices in enums.items():
        if name in raw and name in allowed:
            flt.sets[name] = _set(raw[name], ["filter", name], choices, errors)
    if "enrolled_by_play" in flt.sets:
        op, values = flt.sets["enrolled_by_play"]
        found = {world.ids["play"].index_of(v) for v in values}
        flt.sets["enrolled_by_play"] = (op, {str(i) for i in found if i is not None} or {"-2"})
    if kind == "enrollments" and flt.ids is not None:
        op, values = flt.ids
        indices = [world.ids["enroll"].index_of(v) for v in values]
        flt.sets["enrollment_ids"] = (op, {str(i) for i in indices if i is not None})


def _range(value: Any, path: list, errors: list) -> tuple[int | None, int | None]:
    if not isinstance(value, dict) or not value or set(value) - {"gt", "gte", "lt", "lte"}:
        errors.append(issue("custom", path, "Expected at least one of gt, gte, lt, lte"))
        return None, None
    for a, b in (("gt", "gte"), ("lt", "lte")):
        if a in value and b in value:
            errors.append(issue("custom", path, f"{a} and {b} are mutually exclusive"))
    bounds: dict[str, int] = {}
    for key, text in value.items():
        parsed = parse_rfc3339(text) if isinstance(text, str) else None
        if parsed is None:
            errors.append(issue("invalid_string", [*path, key], "Invalid datetime",
                                validation="datetime"))  # fmt: skip
        else:
            bounds[key] = parsed
    lo = bounds["gte"] if "gte" in bounds else bounds["gt"] + 1 if "gt" in bounds else None
    hi = bounds["lte"] if "lte" in bounds else bounds["lt"] - 1 if "lt" in bounds else None
    return lo, hi


def _object_id(value: Any, path: list, errors: list) -> str | None:
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return value["id"]
    errors.append(issue("invalid_type", [*path, "id"], "Required"))
    return None


def _uuid_index(value: Any, path: list, world: World, space: str, errors: list) -> int:
    found = _object_id(value, path, errors)
    index = world.ids[space].index_of(found) if found else None
    return -2 if index is None else index  # -2 matches nothing


def _mailbox(value: Any, world: World, errors: list) -> int:
    """`{id}` or `{email_address}` (either may carry the other too); every field a string."""
    path = ["filter", "mailbox"]
    fields = value if isinstance(value, dict) else {}
    bad = [k for k in ("id", "email_address") if k in fields and not isinstance(fields[k], str)]
    for key in bad:
        errors.append(issue("invalid_type", [*path, key], "Expected string"))
    if not ({"id", "email_address"} & set(fields)):
        errors.append(issue("invalid_union", path, "Expected {id} or {email_address}"))
    if bad or not fields:
        return -2
    if isinstance(fields.get("id"), str):
        found = world.ids["mailbox"].index_of(fields["id"])
        return -2 if found is None else found
    emails = [m["email"] for m in world.mailboxes]
    return emails.index(fields["email_address"]) if fields["email_address"] in emails else -2


def _set(value: Any, path: list, choices: tuple | None, errors: list) -> tuple[str, set[str]]:
    ok = isinstance(value, dict) and len(value) == 1 and set(value) <= {"in", "not_in"}
    op = next(iter(value)) if ok else "in"
    items = value.get(op) if ok else None
    if not isinstance(items, list) or not items or not all(isinstance(v, str) for v in items):
        errors.append(issue("invalid_type", path, "Expected {in: [...]} or {not_in: [...]}"))
        return "in", set()
    for k, v in enumerate(items):
        if choices is not None and v not in choices:
            errors.append(issue("invalid_enum_value", [*path, op, k], f"Invalid enum value '{v}'",
                                options=list(choices)))  # fmt: skip
    return op, set(items)
