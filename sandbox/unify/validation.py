"""Request validation with the vendor's 400 shape: every problem reported, zod-style codes.

Unify answers `{"status": "bad_request", "errors": [{"code", "path", ...}]}`. The document does
not list the codes; the sandbox uses zod's issue codes (`invalid_type`, `too_small`, `too_big`,
`invalid_string`, `invalid_enum_value`, `custom`), which the `path` arrays suggest.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from starlette.datastructures import QueryParams
from starlette.requests import Request

from sandbox.common.cursors import InvalidCursor, QueryCursor

UUID_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
RFC3339_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$"
)


class BadRequest(Exception):
    def __init__(self, errors: list[dict[str, Any]], message: str = "Invalid request") -> None:
        super().__init__(message)
        self.errors = errors
        self.message = message


def issue(code: str, path: Sequence[str | int], message: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "path": list(path), "message": message, **extra}


def _days_from_civil(y: int, m: int, d: int) -> int:
    """Days since 1970-01-01 for any proleptic Gregorian date (H. Hinnant's algorithm)."""
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def parse_rfc3339(text: str) -> int | None:
    """Microseconds since the epoch, or None when `text` is not an RFC 3339 date-time."""
    m = RFC3339_RE.match(text)
    if not m:
        return None
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    month_days = (31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
    if not (1 <= month <= 12 and 1 <= day <= month_days[month - 1]):
        return None
    if hour > 23 or minute > 59 or second > 60:  # 60: a leap second, counted as :59
        return None
    fraction = int((m.group(7) or "0")[:6].ljust(6, "0"))
    offset = 0
    if m.group(9):
        oh, om = int(m.group(10)), int(m.group(11))
        if oh > 23 or om > 59:
            return None
        offset = (1 if m.group(9) == "+" else -1) * (oh * 3600 + om * 60)
    seconds = _days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60
    return (seconds + min(second, 59) - offset) * 1_000_000 + fraction


class QueryReader:
    """Reads query parameters, collecting every problem before raising one BadRequest."""

    def __init__(self, params: QueryParams) -> None:
        self.params = params
        self.errors: list[dict[str, Any]] = []

    def _single(self, name: str) -> str | None:
        values = self.params.getlist(name)
        if len(values) > 1:
            self.errors.append(issue("invalid_type", [name], "Expected a single value"))
            return None
        return values[0] if values else None

    def string(self, name: str) -> str | None:
        return self._single(name)

    def integer(self, name: str, low: int, high: int) -> int | None:
        raw = self._single(name)
        if raw is None:
            return None
        if not re.fullmatch(r"[+-]?\d+", raw.strip()):
            self.errors.append(issue("invalid_type", [name], "Expected integer"))
            return None
        value = int(raw)
        if value < low:
            self.errors.append(issue("too_small", [name], f"Must be at least {low}", minimum=low))
        elif value > high:
            self.errors.append(issue("too_big", [name], f"Must be at most {high}", maximum=high))
        return value

    def uuid(self, name: str) -> str | None:
        raw = self._single(name)
        if raw is not None and not UUID_RE.match(raw):
            self.errors.append(issue("invalid_string", [name], "Invalid uuid", validation="uuid"))
            return None
        return raw.lower() if raw else raw

    def datetime(self, name: str) -> int | None:
        raw = self._single(name)
        if raw is None:
            return None
        value = parse_rfc3339(raw)
        if value is None:
            msg = "Invalid RFC 3339 datetime"
            self.errors.append(issue("invalid_string", [name], msg, validation="datetime"))
        return value

    def enum_list(self, name: str, allowed: tuple[str, ...]) -> list[str] | None:
        values = self.params.getlist(name)
        for k, value in enumerate(values):
            if value not in allowed:
                msg = f"Expected one of {', '.join(allowed)}"
                self.errors.append(issue("invalid_enum_value", [name, k], msg, options=allowed))
        return values or None

    def check(self) -> None:
        if self.errors:
            raise BadRequest(self.errors)


def listing_cursor(
    request: Request, kind: str, token: str | None
) -> tuple[QueryCursor, int | None]:
    """The listing's cursors for this query and the position `token` names (None: the first
    page); a 400 for a token issued for another query, or none at all."""
    cursor = QueryCursor.of(kind, request, ("cursor", "limit"))
    try:
        return cursor, cursor.position(token)
    except InvalidCursor:
        msg = "Invalid cursor: pass next_cursor from the previous page with the same filters"
        raise BadRequest([issue("invalid_cursor", ["cursor"], msg)]) from None


def path_uuid(value: str, name: str = "id") -> str:
    if not UUID_RE.match(value):
        raise BadRequest([issue("invalid_string", [name], "Invalid uuid", validation="uuid")])
    return value.lower()


def create_enrollment_body(body: Any) -> tuple[str, str, list[str]]:
    """Validate a CreateEnrollmentRequest; returns (sequence_id, person_id, mailbox_emails)."""
    if not isinstance(body, dict):
        raise BadRequest([issue("invalid_type", [], "Expected object")])
    errors = []
    ids = []
    for name in ("sequence_id", "person_id"):
        value = body.get(name)
        if not isinstance(value, str):
            errors.append(
                issue("invalid_type", [name], "Required" if value is None else "Expected string")
            )
        elif not UUID_RE.match(value):
            errors.append(issue("invalid_string", [name], "Invalid uuid", validation="uuid"))
        ids.append(value.lower() if isinstance(value, str) else "")
    emails = body.get("mailbox_emails")
    if not isinstance(emails, list):
        errors.append(issue("invalid_type", ["mailbox_emails"], "Expected array"))
        emails = []
    elif len(emails) < 1:
        errors.append(issue("too_small", ["mailbox_emails"], "At least 1 address", minimum=1))
    elif len(emails) > 10:
        errors.append(issue("too_big", ["mailbox_emails"], "At most 10 addresses", maximum=10))
    for k, email in enumerate(emails):
        if not isinstance(email, str) or not EMAIL_RE.match(email):
            path: list[str | int] = ["mailbox_emails", k]
            errors.append(issue("invalid_string", path, "Invalid email", validation="email"))
    if errors:
        raise BadRequest(errors)
    return ids[0], ids[1], [e.lower() for e in emails]
