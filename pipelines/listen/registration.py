"""`listen --register URL` and `--unregister URL`: the listener's webhooks made and removed
through each vendor's API, with its key (`sources.<vendor>.api_key`), at
`URL/webhooks/<vendor>`. Registering twice makes nothing new.

A secret a registration needs is kept in `.dlt/secrets.toml` (mode 600), where the listener
reads it, and never printed: Instantly's header value, made here when none is configured;
Sequenzy's signing secret, which its API shows once, at creation.
"""

from __future__ import annotations

import os
import secrets as tokens
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import tomlkit

from pipelines.summary import OK
from sources.common.errors import ConfigurationError
from sources.common.http import ApiClient
from sources.common.vendors import VendorSpec, specs
from sources.common.webhooks import Webhooks

SECRETS_FILE = Path(".dlt") / "secrets.toml"


def secrets_of(hooks: Webhooks) -> list[str]:
    """The configured secrets of a vendor's webhooks (a comma-separated text, or a list)."""
    import dlt

    value: Any
    try:
        value = dlt.secrets.get(hooks.secret_setting)
    except Exception:
        value = None
    items = value.split(",") if isinstance(value, str) else list(value or [])
    return [str(item).strip() for item in items if str(item).strip()]


def keep(hooks: Webhooks, secret: str, path: Path = SECRETS_FILE) -> None:
    """Add `secret` to the setting in the secrets file (beside the others during a rotation),
    written whole to a temporary file first and moved over, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    document = tomlkit.parse(path.read_text()) if path.is_file() else tomlkit.document()
    *sections, name = hooks.secret_setting.split(".")
    table = document
    for section in sections:
        table = table.setdefault(section, tomlkit.table())
    if hooks.secret_is_list:
        current = list(table.get(name) or [])
        table[name] = [*current, secret] if secret not in current else current
    else:
        table[name] = secret
    temporary = path.with_suffix(".toml.tmp")
    temporary.write_text(tomlkit.dumps(document))
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


def reached(url: str, skipped: Callable[[VendorSpec, Exception], None]
            ) -> Iterator[tuple[VendorSpec, Webhooks, str, ApiClient]]:  # fmt: skip
    """Each vendor with webhooks whose API key is set: its spec, webhooks, the URL its
    deliveries go to under `url`, and a client (closed after); `skipped` hears the others."""
    for chosen in specs().values():
        if chosen.webhooks is None or chosen.actions_client is None:
            continue
        try:
            client = chosen.actions_client()
        except ConfigurationError as exc:
            skipped(chosen, exc)
            continue
        with client:
            yield chosen, chosen.webhooks, f"{url.rstrip('/')}/webhooks/{chosen.name}", client


def register(url: str, say: Callable[[str], None]) -> int:
    done = 0
    for chosen, hooks, target, client in reached(
        url, lambda chosen, exc: say(f"{chosen.title}: not registered ({exc})")
    ):
        known = secrets_of(hooks)
        if not hooks.secret_is_list and not known:  # ours to choose: made here
            known = [tokens.token_urlsafe(32)]
            keep(hooks, known[0])
        made = hooks.register(client, target, known)
        if made.new_secret:
            keep(hooks, made.new_secret)
        verb = "registered" if made.made else "already registered"
        say(f"{chosen.title}: {verb} {target} (webhook {made.webhook_id})")
        done += 1
    if not done:
        raise ConfigurationError("no vendor's webhooks registered: set a vendor's API key"
                                 " (SOURCES__<VENDOR>__API_KEY)")  # fmt: skip
    return OK


def unregister(url: str, say: Callable[[str], None]) -> int:
    for chosen, hooks, target, client in reached(url, lambda chosen, exc: None):
        removed = hooks.unregister(client, target)
        say(f"{chosen.title}: removed {len(removed)} webhook(s) of {target}")
    return OK
