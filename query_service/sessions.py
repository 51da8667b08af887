"""Page logins kept on the server, so that logging out ends them.

The pages' cookie (Flask's signed session, pages/access.py) holds a random session id and the form
token, nothing derived from the bearer token. The store keeps per session only the SHA-256 of that
id (whoever reads the table cannot present it), when the session ends, and the token's HMAC under a
salt of the session's own, so each request can check that the token is still configured (removing
it from TOKENS ends its sessions) while the table alone cannot be searched for a token. Logging out
deletes the row: the cookie, even replayed, opens nothing any more. Sessions end after
SESSION_HOURS whatever happens; ended rows are removed at the next login.

The table lives in the service's store, so every worker and replica sharing it sees the same logins.
"""
from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets

from flask import Flask, current_app

from kb.store.db import Database

EXTENSION = "deelwijzer.sessions"
SCHEMA = """CREATE TABLE IF NOT EXISTS page_sessions (
    id_hash TEXT PRIMARY KEY,
    salt TEXT NOT NULL,
    token_mac TEXT NOT NULL,
    expires_at TEXT NOT NULL
)"""


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _id_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def _token_mac(salt: str, token: str) -> str:
    return hmac.new(salt.encode("ascii"), token.encode("utf-8"), hashlib.sha256).hexdigest()


class SessionStore:
    """Logins of the pages, by session id."""

    def __init__(self, db: Database, hours: float):
        self.db, self.lifetime = db, datetime.timedelta(hours=hours)
        db.create_schema([SCHEMA])

    def start(self, token: str) -> str:
        """A new session for a (checked) token; its id, to keep in the cookie."""
        session_id, salt, now = secrets.token_urlsafe(32), secrets.token_hex(16), _now()
        with self.db.transaction() as cur:
            cur.execute("DELETE FROM page_sessions WHERE expires_at < ?", (now.isoformat(),))
            cur.execute("INSERT INTO page_sessions (id_hash, salt, token_mac, expires_at) VALUES (?, ?, ?, ?)",
                        (_id_hash(session_id), salt, _token_mac(salt, token), (now + self.lifetime).isoformat()))
        return session_id

    def scopes(self, session_id: str, tokens: dict[str, tuple[str, ...]]) -> tuple[str, ...] | None:
        """The scopes of the session's token while the session lasts and the token is configured."""
        token = self.token(session_id, tokens)
        return None if token is None else tokens[token]

    def token(self, session_id: str, tokens: dict[str, tuple[str, ...]]) -> str | None:
        """The configured token the session logged in with, while the session lasts (what belongs to
        a token — an interview — belongs to its logins too)."""
        rows = self.db.query("SELECT salt, token_mac, expires_at FROM page_sessions WHERE id_hash = ?",
                             (_id_hash(session_id),))
        if not rows or rows[0][2] < _now().isoformat():
            return None
        salt, token_mac, _ = rows[0]
        found = None
        for token in tokens:  # every token compared, in constant time
            if hmac.compare_digest(_token_mac(salt, token), token_mac):
                found = token
        return found

    def end(self, session_id: str) -> None:
        with self.db.transaction() as cur:
            cur.execute("DELETE FROM page_sessions WHERE id_hash = ?", (_id_hash(session_id),))


def init_app(app: Flask, db: Database) -> None:
    app.extensions[EXTENSION] = SessionStore(db, app.config["SESSION_HOURS"])


def sessions() -> SessionStore:
    return current_app.extensions[EXTENSION]
