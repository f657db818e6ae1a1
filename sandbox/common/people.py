"""People several vendors' worlds share: a team enrolls its best prospects in more than one tool,
and the cross-vendor funnel knows them as one person by their address. A world given
`shared_people=n` renders its first n people with these addresses (Unify in mixed case, as
CRMs hand them over: the funnel lower-cases every address)."""

from __future__ import annotations

_FIRST = ("maya", "jonas", "aiko", "lucas", "amara", "noor", "felix", "ines", "kofi", "sofia",
          "mateo", "yuki", "elena", "omar", "chloe", "arjun")  # fmt: skip
_LAST = ("okafor", "lindqvist", "tanaka", "moreau", "haddad", "schmidt", "silva", "kowalski",
         "nakamura", "ferreira", "osei", "rossi", "novak")  # fmt: skip
_COMPANIES = ("northwind", "globex", "initech", "umbrella", "hooli", "vandelay", "wonka")


def shared_address(k: int) -> str:
    """The k-th shared person's address: the same k is the same person in every world."""
    first, last = _FIRST[k % len(_FIRST)], _LAST[(k // len(_FIRST)) % len(_LAST)]
    return f"{first}.{last}.{k}@{_COMPANIES[k % len(_COMPANIES)]}.example.net"


def mixed_case(address: str) -> str:
    """`maya.okafor.0@northwind.example.net` -> `Maya.Okafor.0@Northwind.example.net`."""
    local, domain = address.split("@")
    host, rest = domain.split(".", 1)
    return ".".join(p.capitalize() for p in local.split(".")) + "@" + host.capitalize() + "." + rest
