"""A connection that failed because of the address configured, not an outage: told apart so
that the run stops at once with a configuration error (exit 2) naming the setting, instead of
retrying for a minute and saying "try again later".

Configuration: a host name the resolver says does not exist (EAI_NONAME, EAI_NODATA: a typo, a
made-up domain), and a TLS handshake that fails (https:// against a plain-HTTP server, a
certificate that does not verify). An outage stays retried: a timeout, a refused connection on a
name that resolves, a resolver that cannot answer now (EAI_AGAIN).
"""

from __future__ import annotations

import socket
import ssl

NO_SUCH_NAME = {socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)}


def misconfigured(exc: BaseException) -> str | None:
    """Why `exc` (an httpx.ConnectError, with the socket's own error in its chain) is the
    address's fault, or None when it may be an outage."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, socket.gaierror) and cause.errno in NO_SUCH_NAME:
            return "its host name does not resolve"
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"its TLS certificate does not verify ({cause.verify_message})"
        if isinstance(cause, ssl.SSLError):
            return f"the TLS handshake failed ({cause.reason or cause}): is it http or https?"
        cause = cause.__cause__ or cause.__context__
    return None
