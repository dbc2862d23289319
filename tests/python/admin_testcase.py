"""Shared by the admin API tests (test_admin_*.py): a real hearthd with the
admin API enabled by a fresh key file, HTTP calls, and a connection of the
test's own to the server's real SQLite file."""

import asyncio
import base64
import contextlib
import csv
import datetime
import hashlib
import io
import json
import os
import secrets
import shutil
import sqlite3
import tempfile
import time
import unittest

from hearth_client import HearthServer, http_request, key_id
from hearth_testcase import HearthTestCase, lob, roles, room

MINUTE = 60_000
HOUR = 60 * MINUTE
DAY = 24 * HOUR
GENESIS = "0" * 64

AUDIT_FIELDS = {"seq", "at_ms", "actor", "actor_role", "action", "target", "session", "outcome",
                "detail", "prev_hash", "hash"}
PERSON_FIELDS = {"subject", "role", "present_ms", "present_minutes", "segments",
                 "first_joined_ms", "last_left_ms", "present_now"}
CSV_HEADER = ("subject,role,present_minutes,present_ms,segments,first_joined_ms,last_left_ms,"
              "present_now")


def utc_ms(year, month, day, hour=0, minute=0):
    return int(datetime.datetime(year, month, day, hour, minute,
                                 tzinfo=datetime.timezone.utc).timestamp() * 1000)


def audit_hash(record):
    """The chain hash, recomputed independently: SHA-256 over each field's
    UTF-8 bytes, each preceded by its length as 4 bytes big-endian."""
    fields = [str(record["seq"]), str(record["at_ms"]), record["actor"], record["actor_role"],
              record["action"], record["target"], record["session"], record["outcome"],
              record["detail"], record["prev_hash"]]
    data = b"".join(len(f.encode()).to_bytes(4, "big") + f.encode() for f in fields)
    return hashlib.sha256(data).hexdigest()


def token_parts(token):
    """(header, claims) of a compact JWS, decoded without checking it."""
    def part(text):
        return json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    header, claims, _ = token.split(".")
    return part(header), part(claims)


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def text(self):
        return self.body.decode()

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return "<%d %s>" % (self.status, self.body[:300])


class AdminCase(HearthTestCase):
    """A server with the admin API enabled by a fresh key file; SERVER_ARGS
    adds to it. `call()` sends one HTTP request, by default with the key."""

    ADMIN_KEY = True
    ROOM = "group-1"

    async def asyncSetUp(self):
        if self.ADMIN_KEY:
            key_dir = tempfile.mkdtemp(prefix="hearth-admin-key-")
            self.addCleanup(shutil.rmtree, key_dir, True)
            self.admin_key = secrets.token_urlsafe(32)  # 43 characters
            path = os.path.join(key_dir, "admin.key")
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(self.admin_key + "\n")
            self.SERVER_ARGS = tuple(type(self).SERVER_ARGS) + ("--admin-key-file", path)
        else:
            self.admin_key = None
        await super().asyncSetUp()

    # ---- HTTP

    async def call(self, method, target, body=None, authorization=None, headers=None):
        """`authorization`: None sends "Bearer <the key>", "" sends no
        Authorization header, anything else is sent as the header's value."""
        h = dict(headers or {})
        if authorization is None:
            h["Authorization"] = "Bearer " + self.admin_key
        elif authorization:
            h["Authorization"] = authorization
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        elif isinstance(body, str):
            body = body.encode()
        status, response_headers, data = await asyncio.to_thread(
            http_request, self.port, method, target, h, body)
        return Reply(status, response_headers, data)

    async def get_json(self, target, status=200):
        reply = await self.call("GET", target)
        self.assertEqual(reply.status, status, reply)
        self.assertEqual(reply.headers.get("content-type"), "application/json", reply)
        return reply.json()

    async def mint(self, room_id=None, role="participant", subject="pat-1", name="Pat",
                   **extra):
        body = {"room": room_id or self.ROOM, "role": role, "subject": subject, "name": name}
        body.update(extra)
        reply = await self.call("POST", "/admin/v1/tokens", body)
        self.assertEqual(reply.status, 201, reply)
        return reply.json()

    def assert_error(self, reply, status, code):
        self.assertEqual(reply.status, status, reply)
        self.assertEqual(reply.headers.get("content-type"), "application/json", reply)
        body = reply.json()
        self.assertEqual(set(body), {"error"}, reply)
        self.assertEqual(set(body["error"]), {"code", "message"}, reply)
        self.assertEqual(body["error"]["code"], code, reply)
        self.assertIsInstance(body["error"]["message"], str)
        self.assertTrue(body["error"]["message"], reply)
        return body["error"]["message"]

    async def until(self, fetch, predicate, timeout=5.0):
        """Polls the coroutine function `fetch` until `predicate` holds for its
        result (the server commits attendance in the background)."""
        deadline = time.monotonic() + timeout
        while True:
            value = await fetch()
            if predicate(value):
                return value
            if time.monotonic() > deadline:
                raise AssertionError("condition not met; last value: %r" % (value,))
            await asyncio.sleep(0.05)

    # ---- the database, through a connection of the test's own

    @property
    def db_path(self):
        return os.path.join(self.server.data_dir, "hearth.db")

    def db_rows(self, sql, *params):
        with contextlib.closing(sqlite3.connect("file:%s?mode=ro" % self.db_path, uri=True,
                                                timeout=5)) as db:
            return db.execute(sql, params).fetchall()

    def db_write(self, sql, *params):
        with contextlib.closing(sqlite3.connect(self.db_path, timeout=5)) as db:
            with db:
                db.execute(sql, params)

    def insert_segment(self, session, subject, joined, left, role="participant"):
        self.db_write("INSERT INTO attendance (session, subject, role, joined_at_ms, left_at_ms, "
                      "closed_by) VALUES (?, ?, ?, ?, ?, ?)",
                      session, subject, role, joined, left, "left" if left is not None else "")

    def count(self, action):
        return self.db_rows("SELECT COUNT(*) FROM audit WHERE action = ?", action)[0][0]

    def last_audit(self):
        """The newest audit row: (actor, actor_role, action, target, session, outcome, detail)."""
        return self.db_rows("SELECT actor, actor_role, action, target, session, outcome, detail "
                            "FROM audit ORDER BY seq DESC LIMIT 1")[0]
