"""Bearer tokens: who may write, and who may read when reads are private.

Tokens are configured as ``name=secret`` pairs. Only SHA-256 digests of the secrets are
kept, and a presented token is compared with every configured digest in constant time, so
neither timing nor memory reveals them. The token's *name* is what the history records;
the secret never appears in logs or responses.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from flask import request

from service.problems import ApiError

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="geocheck"'}


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode("utf-8")).digest()


def parse_tokens(spec: str, variable: str) -> list[tuple[str, bytes]]:
    """``"alice=s3cret,bob=…"`` → ``[(name, digest), …]``; raises ``ValueError`` naming the
    variable (never the secret) when malformed."""
    tokens = []
    for index, item in enumerate(p for p in spec.split(",") if p.strip()):
        name, sep, secret = item.strip().partition("=")
        if not sep or not name.strip() or len(secret.strip()) < 8:
            raise ValueError(
                f"{variable}: entry {index + 1} must be name=secret with a secret of at "
                "least 8 characters"
            )
        tokens.append((name.strip(), _digest(secret.strip())))
    return tokens


@dataclass
class Tokens:
    write: list[tuple[str, bytes]]
    read: list[tuple[str, bytes]]
    reads_private: bool

    def identify(self) -> tuple[str, str] | None:
        """``(name, "write" | "read")`` for the request's bearer token; ``None`` if absent.

        Raises a 403 problem for a token that matches nothing.
        """
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if not header:
            return None
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(
                401,
                "Send the token as 'Authorization: Bearer <token>'.",
                {"Authorization": ["Must be a Bearer token."]},
                headers=CHALLENGE,
            )
        presented = _digest(token.strip())
        found: tuple[str, str] | None = None
        # Compare with every digest, without stopping early: constant time.
        for role, table in (("write", self.write), ("read", self.read)):
            for name, digest in table:
                if hmac.compare_digest(presented, digest) and found is None:
                    found = (name, role)
        if found is None:
            raise ApiError(403, "The token is not valid.", {"Authorization": ["Unknown token."]})
        return found

    def require_writer(self) -> str:
        """The writer's name, or a 401/403 problem."""
        who = self.identify()
        if who is None:
            raise ApiError(
                401,
                "Writes need 'Authorization: Bearer <token>' with a write token.",
                {"Authorization": ["Missing."]},
                headers=CHALLENGE,
            )
        if who[1] != "write":
            raise ApiError(
                403, "This token may only read.", {"Authorization": ["Read-only token."]}
            )
        return who[0]

    def require_reader(self) -> None:
        if self.reads_private and self.identify() is None:
            raise ApiError(
                401,
                "Reads need 'Authorization: Bearer <token>' on this server.",
                {"Authorization": ["Missing."]},
                headers=CHALLENGE,
            )
