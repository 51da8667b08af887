"""One thin database seam for the stored facts and the decision log: SQLite or PostgreSQL by URL.

    sqlite:///var/deelwijzer.db      (default; `sqlite://` alone is an in-memory database)
    postgresql://user@127.0.0.1:5432/test

SQL is written once with `?` placeholders; the PostgreSQL dialect turns them into `%s`.
"""
from __future__ import annotations

import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


MAX_ID = 2**63 - 1  # the largest row id either store can hold; a larger id names no row


class Database:
    """A connection factory with a per-thread connection and a write lock for SQLite."""

    def __init__(self, url: str):
        self.url = url
        self.dialect = "postgresql" if url.startswith(("postgresql://", "postgres://")) else "sqlite"
        if self.dialect == "sqlite" and not url.startswith("sqlite://"):
            raise ValueError(f"unsupported database URL {url!r}: use sqlite:///path or postgresql://…")
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._memory = None
        if self.dialect == "sqlite":
            path = url[len("sqlite://"):].lstrip("/")
            self._path = ":memory:" if not path else "/" + path if url.startswith("sqlite:////") else path
            if self._path == ":memory:":
                # One shared connection: each new in-memory connection would be a different database.
                self._memory = sqlite3.connect(":memory:", check_same_thread=False)
            else:
                Path(self._path).parent.mkdir(parents=True, exist_ok=True)

    def _connection(self):
        if self._memory is not None:
            return self._memory
        conn = getattr(self._local, "conn", None)
        if conn is None:
            if self.dialect == "sqlite":
                conn = sqlite3.connect(self._path, timeout=30, check_same_thread=False)
                # WAL with synchronous=NORMAL: a commit survives the process crashing, and is not
                # fsynced on its own (4 ms per decision logged on this disk); a power cut can lose
                # the last commits but never breaks the file or the hash chain. PostgreSQL is the
                # store for deployments that need every commit on disk.
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
            else:
                import psycopg
                conn = psycopg.connect(self.url, autocommit=False)
            self._local.conn = conn
        return conn

    def sql(self, statement: str) -> str:
        return statement.replace("?", "%s") if self.dialect == "postgresql" else statement

    @contextmanager
    def transaction(self) -> Iterator["Cursor"]:
        """A transaction; SQLite writers are serialised in-process (it allows one writer anyway)."""
        conn = self._connection()
        lock = self._write_lock
        with lock:
            cur = conn.cursor()
            try:
                yield Cursor(self, cur)
                conn.commit()
            except BaseException:
                conn.rollback()
                raise
            finally:
                cur.close()

    def create_schema(self, statements: list[str]) -> None:
        """Run CREATE statements; `{serial}` stands for the dialect's auto-increment key type."""
        serial = "BIGSERIAL" if self.dialect == "postgresql" else "INTEGER"
        with self.transaction() as cur:
            for statement in statements:
                cur.execute(statement.format(serial=serial))

    def query(self, statement: str, params: tuple = ()) -> list[tuple]:
        with self.transaction() as cur:
            return cur.execute(statement, params).fetchall()

    def close(self) -> None:
        conn = getattr(self._local, "conn", None) or self._memory
        if conn is not None:
            conn.close()
        self._local.conn = None


class Cursor:
    def __init__(self, db: Database, cursor):
        self.db, self.cursor = db, cursor

    def execute(self, statement: str, params: tuple = ()) -> "Cursor":
        self.cursor.execute(self.db.sql(statement), params)
        return self

    def fetchall(self) -> list[tuple]:
        return self.cursor.fetchall()

    def fetchone(self):
        return self.cursor.fetchone()

    def insert(self, statement: str, params: tuple) -> int:
        """Run an INSERT and return the new row's id (the table's `id` column)."""
        if self.db.dialect == "postgresql":
            self.cursor.execute(self.db.sql(statement + " RETURNING id"), params)
            return self.cursor.fetchone()[0]
        self.cursor.execute(statement, params)
        return self.cursor.lastrowid
