"""The emulator's state: plain dicts in memory, written through to SQLite.

One implementation for both modes: without `--db` the SQLite side is `:memory:`. Records are
JSON documents keyed by (kind, id); dict order is creation order, which is also list order.
Changes collect in a dirty set and `commit()` writes them in one transaction; the HTTP
middleware commits before a response leaves, so an answered write survives `kill -9`.
"""

from __future__ import annotations

import json
import sqlite3
from collections import deque
from typing import Any, Iterable

Record = dict[str, Any]

PERSISTED_KINDS = (
    "account",
    "access_token",
    "refresh_token",
    "login_key",
    "product",
    "devicegroup",
    "device",
    "deployment",
    "webhook",
    "agent_data",
)
_LOG_TRIM_EVERY = 5000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (kind TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL,
                                    PRIMARY KEY (kind, id));
CREATE TABLE IF NOT EXISTS logs (seq INTEGER PRIMARY KEY AUTOINCREMENT, device_id TEXT NOT NULL,
                                 entry TEXT NOT NULL);
"""


LOG_HISTORY_BYTES = 4 * 1024 * 1024  # log text a device's history holds in memory; the oldest lines go first


class Store:
    def __init__(self, path: str | None = None, log_limit: int = 1000) -> None:
        self.log_limit = log_limit
        self.tables: dict[str, dict[str, Record]] = {kind: {} for kind in PERSISTED_KINDS}
        self.logs: dict[str, deque[Record]] = {}
        self._log_bytes: dict[str, int] = {}
        self._dirty: dict[tuple[str, str], Record | None] = {}
        self._pending_logs: list[tuple[str, str]] = []
        self._logs_since_trim = 0
        self.conn = sqlite3.connect(path or ":memory:", isolation_level=None, check_same_thread=False)
        if path:
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.executescript(_SCHEMA)
        self._load()

    # -- reading -------------------------------------------------------------------------
    def get(self, kind: str, ident: str) -> Record | None:
        return self.tables[kind].get(ident)

    def values(self, kind: str) -> Iterable[Record]:
        return self.tables[kind].values()

    def position(self, kind: str, ident: str | None) -> int:
        """Creation order of a record (-1 when absent): "older"/"newer" for deployments."""
        if ident is None or ident not in self.tables[kind]:
            return -1
        return list(self.tables[kind]).index(ident)

    def is_empty(self) -> bool:
        return not self.tables["account"]

    def device_logs(self, device_id: str) -> deque[Record]:
        return self.logs.get(device_id) or deque()

    # -- writing -------------------------------------------------------------------------
    def put(self, kind: str, record: Record) -> Record:
        """Insert or mark as changed (call again after mutating a record in place)."""
        self.tables[kind][record["id"]] = record
        self._dirty[(kind, record["id"])] = record
        return record

    def delete(self, kind: str, ident: str) -> None:
        if self.tables[kind].pop(ident, None) is not None:
            self._dirty[(kind, ident)] = None
            if kind == "device":
                self.logs.pop(ident, None)
                self._log_bytes.pop(ident, None)
                self._dirty[("logs", ident)] = None

    def append_log(self, device_id: str, entry: Record) -> None:
        self._remember(device_id, entry)
        self._pending_logs.append((device_id, json.dumps(entry, separators=(",", ":"))))

    def _remember(self, device_id: str, entry: Record) -> None:
        """Keep `entry` in the device's history: the last `log_limit` lines, at most `LOG_HISTORY_BYTES` of text."""
        history = self.logs.get(device_id)
        if history is None:
            history = self.logs[device_id] = deque()
        history.append(entry)
        used = self._log_bytes.get(device_id, 0) + len(entry["msg"])
        while len(history) > 1 and (len(history) > self.log_limit or used > LOG_HISTORY_BYTES):
            used -= len(history.popleft()["msg"])
        self._log_bytes[device_id] = used

    def commit(self) -> None:
        if not self._dirty and not self._pending_logs:
            return
        upserts, deletes, log_deletes = [], [], []
        for (kind, ident), record in self._dirty.items():
            if kind == "logs":
                log_deletes.append((ident,))
            elif record is None:
                deletes.append((kind, ident))
            else:
                upserts.append((kind, ident, json.dumps(record, separators=(",", ":"))))
        conn = self.conn
        conn.execute("BEGIN")
        try:
            if upserts:
                conn.executemany(
                    "INSERT INTO records(kind, id, data) VALUES (?, ?, ?) "
                    "ON CONFLICT(kind, id) DO UPDATE SET data = excluded.data",
                    upserts,
                )
            if deletes:
                conn.executemany("DELETE FROM records WHERE kind = ? AND id = ?", deletes)
            if log_deletes:
                conn.executemany("DELETE FROM logs WHERE device_id = ?", log_deletes)
            if self._pending_logs:
                conn.executemany("INSERT INTO logs(device_id, entry) VALUES (?, ?)", self._pending_logs)
                self._logs_since_trim += len(self._pending_logs)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        self._dirty.clear()
        self._pending_logs.clear()
        if self._logs_since_trim >= _LOG_TRIM_EVERY:
            self._trim_logs()

    def clear(self) -> None:
        """Forget everything (used by reset before a seed is loaded again)."""
        for table in self.tables.values():
            table.clear()
        self.logs.clear()
        self._log_bytes.clear()
        self._dirty.clear()
        self._pending_logs.clear()
        self.conn.execute("BEGIN")
        self.conn.execute("DELETE FROM records")
        self.conn.execute("DELETE FROM logs")
        self.conn.execute("COMMIT")

    def close(self) -> None:
        self.commit()
        self.conn.close()

    # -- internals -----------------------------------------------------------------------
    def _load(self) -> None:
        for kind, ident, data in self.conn.execute("SELECT kind, id, data FROM records ORDER BY rowid"):
            if kind in self.tables:
                self.tables[kind][ident] = json.loads(data)
        for device_id, entry in self.conn.execute("SELECT device_id, entry FROM logs ORDER BY seq"):
            self._remember(device_id, json.loads(entry))

    def _trim_logs(self) -> None:
        self._logs_since_trim = 0
        self.conn.execute(
            "DELETE FROM logs WHERE seq IN (SELECT seq FROM (SELECT seq, ROW_NUMBER() OVER "
            "(PARTITION BY device_id ORDER BY seq DESC) AS rn FROM logs) WHERE rn > ?)",
            (self.log_limit,),
        )
