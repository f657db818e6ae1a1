"""What a vendor's document says each operation needs of a key, so that a bare 401 or 403 can
say what to fix: Instantly answers a key without a scope with a generic 403, while its
document lists each operation's scopes ("Requires one of the following scopes: ...")."""

from __future__ import annotations

import re
from collections.abc import Mapping


class OperationScopes:
    """The scopes (any one will do) of each operation, by method and path template relative to
    the base URL (`GET /campaigns/{id}`)."""

    def __init__(self, scopes: Mapping[str, tuple[str, ...]]) -> None:
        self.scopes = dict(scopes)
        self._patterns = [
            (re.compile("^" + re.sub(r"\\\{[^}/]+\\\}", "[^/]+", re.escape(op)) + "$"), needed)
            for op, needed in self.scopes.items()
        ]

    def needed(self, method: str, path: str) -> tuple[str, ...]:
        """The scopes for `method path` (a concrete path), or none when the document names none.
        A literal path wins over a template that also matches it (`/campaigns/analytics`
        before `/campaigns/{id}`)."""
        operation = f"{method.upper()} {path.split('?')[0]}"
        if operation in self.scopes:
            return self.scopes[operation]
        return next((needed for pattern, needed in self._patterns if pattern.match(operation)), ())


def refusal(
    vendor: str, status: int, method: str, path: str, reason: str, scopes: OperationScopes | None
) -> str:
    """What a 401 or 403 means for the user: the operation refused, and what its key needs."""
    if status == 401:
        what = f"{vendor} rejected the API key (HTTP 401) on {method} {path}"
    else:
        what = f"{vendor} refused {method} {path} with this API key (HTTP 403: {reason})"
    needed = scopes.needed(method, path) if scopes is not None and status == 403 else ()
    if needed:
        what += f"; the vendor's document says it needs one of the scopes {', '.join(needed)}"
    return what
