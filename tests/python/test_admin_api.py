"""The admin API (/admin/v1/...) against a real hearthd and its real SQLite
file: bearer-key authentication and its audit records, every endpoint's
answer (JSON shapes, CSV), attendance from real WebSocket clients, weekly
hours from rows written into the database (week edges, midnight, overlaps,
program minimums, a zone with DST), audit queries and verification, minted
tokens that admit to a room, and the errors for everything malformed, none of
which changes anything."""

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
from hearth_testcase import HearthTestCase, room

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


# --------------------------------------------------------------------------- authentication

class Authentication(AdminCase):

    async def test_a_call_without_a_key_is_refused_and_audited_as_no_key(self):
        reply = await self.call("GET", "/admin/v1/audit", authorization="")
        self.assert_error(reply, 401, "unauthorized")
        self.assertEqual(self.last_audit(),
                         ("", "unauthenticated", "admin_auth_failed", "", "", "denied", "no_key"))

    async def test_a_wrong_key_is_refused_and_audited_as_wrong_key(self):
        wrong = [
            "Bearer " + secrets.token_urlsafe(32),      # same length, other key
            "Bearer " + self.admin_key[:-1],             # one character short
            "Bearer " + self.admin_key + "x",            # one character more
            "Basic " + self.admin_key,                   # another scheme
            self.admin_key,                              # no scheme
            "Bearer",
        ]
        for header in wrong:
            with self.subTest(header=header[:12]):
                before = self.count("admin_auth_failed")
                reply = await self.call("GET", "/admin/v1/audit/verify", authorization=header)
                self.assert_error(reply, 401, "unauthorized")
                self.assertEqual(self.count("admin_auth_failed"), before + 1)
                self.assertEqual(self.last_audit(), ("", "unauthenticated", "admin_auth_failed",
                                                     "", "", "denied", "wrong_key"))
        # The key itself never reaches the audit trail.
        for row in self.db_rows("SELECT * FROM audit"):
            self.assertNotIn(self.admin_key[:16], " ".join(str(v) for v in row))

    async def test_authentication_comes_before_routing_and_a_refused_call_changes_nothing(self):
        reply = await self.call("POST", "/admin/v1/tokens",
                                {"room": self.ROOM, "role": "facilitator", "subject": "x",
                                 "name": "X"}, authorization="Bearer nope")
        self.assert_error(reply, 401, "unauthorized")
        reply = await self.call("GET", "/admin/v1/no-such-endpoint", authorization="")
        self.assert_error(reply, 401, "unauthorized")
        self.assertEqual(self.count("token_minted"), 0)
        self.assertEqual(self.count("admin_auth_failed"), 2)
        self.assertEqual(await self.get_json("/admin/v1/audit/verify"),
                         {"ok": True, "records": 2})

    async def test_the_right_key_is_accepted(self):
        self.assertEqual(await self.get_json("/admin/v1/audit/verify"), {"ok": True, "records": 0})


class Disabled(AdminCase):
    ADMIN_KEY = False

    async def test_without_a_key_file_every_admin_path_is_404_and_nothing_is_recorded(self):
        for method, target, body in [("GET", "/admin/v1/audit", None),
                                     ("GET", "/admin/v1/audit/verify", None),
                                     ("GET", "/admin/v1/sessions/%s/attendance" % self.ROOM, None),
                                     ("POST", "/admin/v1/tokens",
                                      {"room": self.ROOM, "role": "participant", "subject": "p",
                                       "name": "P"})]:
            for authorization in ("", "Bearer " + "k" * 40):
                with self.subTest(method=method, target=target, auth=bool(authorization)):
                    reply = await self.call(method, target, body, authorization=authorization)
                    self.assertEqual(reply.status, 404, reply)
        self.assertEqual(self.db_rows("SELECT COUNT(*) FROM audit"), [(0,)])
        # The rest of the listener is unaffected.
        status, _, body = await asyncio.to_thread(http_request, self.port, "GET", "/healthz")
        self.assertEqual((status, body), (200, b"ok\n"))


class KeyFile(unittest.TestCase):
    """A key file that is missing or too short stops start-up."""

    def start_with(self, key_text):
        key_dir = tempfile.mkdtemp(prefix="hearth-admin-key-")
        self.addCleanup(shutil.rmtree, key_dir, True)
        path = os.path.join(key_dir, "admin.key")
        if key_text is not None:
            with open(path, "w") as f:
                f.write(key_text)
        server = HearthServer("--admin-key-file", path)
        self.addCleanup(server.cleanup)
        with self.assertRaises(RuntimeError) as failure:
            server.start()
        self.assertEqual(server.proc.wait(10), 1)
        return str(failure.exception)

    def test_a_key_under_32_characters_stops_start_up(self):
        self.assertIn("at least 32 characters", self.start_with("k" * 31 + "\n"))

    def test_a_missing_key_file_stops_start_up(self):
        self.assertIn("cannot read the admin key file", self.start_with(None))


# --------------------------------------------------------------------------- tokens

class Tokens(AdminCase):

    async def test_mint_answers_201_with_a_token_for_the_room_and_role(self):
        before_s = int(time.time())
        reply = await self.call("POST", "/admin/v1/tokens",
                                {"room": self.ROOM, "role": "participant", "subject": "pat-7",
                                 "name": "Pat Q"})
        after_s = int(time.time())
        self.assertEqual(reply.status, 201, reply)
        self.assertEqual(reply.headers["content-type"], "application/json")
        body = reply.json()
        self.assertEqual(set(body), {"token", "token_id", "expires_at_ms"}, "no join_link "
                         "without --join-url")
        header, claims = token_parts(body["token"])
        self.assertEqual(header, {"alg": "HS256", "typ": "JWT", "kid": key_id(self.server.key)})
        self.assertEqual(set(claims), {"sub", "name", "room", "role", "iss", "aud", "jti", "iat",
                                       "nbf", "exp"})
        self.assertEqual((claims["sub"], claims["name"], claims["room"], claims["role"]),
                         ("pat-7", "Pat Q", self.ROOM, "participant"))
        self.assertEqual((claims["iss"], claims["aud"]), ("hearthd", "hearth"))
        self.assertEqual(claims["jti"], body["token_id"])
        self.assertRegex(body["token_id"], "^[0-9a-f]{24}$")
        self.assertTrue(before_s <= claims["iat"] <= after_s)
        self.assertEqual(claims["nbf"], claims["iat"])
        self.assertEqual(claims["exp"] - claims["iat"], 21600, "default TTL: 6 hours")
        self.assertEqual(body["expires_at_ms"], claims["exp"] * 1000)
        # Audited before it is handed out; no name, no token text in the record.
        self.assertEqual(self.last_audit(), ("admin", "admin", "token_minted", "pat-7", self.ROOM,
                                             "ok", "participant jti=" + body["token_id"]))
        for row in self.db_rows("SELECT * FROM audit"):
            text = " ".join(str(v) for v in row)
            self.assertNotIn("Pat Q", text)
            self.assertNotIn(body["token"].split(".")[2], text)

    async def test_a_minted_token_admits_to_its_room_over_websocket(self):
        minted = await self.mint(role="facilitator", subject="fac-1", name="Dr. Lee",
                                 ttl_seconds=600)
        _, claims = token_parts(minted["token"])
        self.assertEqual(claims["exp"] - claims["iat"], 600)
        client = await self.connect("fac-1")
        hello = await client.hello(minted["token"])
        self.assertEqual(hello.room_id, self.ROOM)
        self.assertEqual(hello.role, room.ROLE_FACILITATOR)
        self.assertEqual(hello.token_expires_at_ms, minted["expires_at_ms"])
        joined = await client.join()
        self.assertEqual(joined.room_id, self.ROOM)
        self.assertEqual([(m.display_name, m.role) for m in joined.snapshot.members],
                         [("Dr. Lee", room.ROLE_FACILITATOR)])

    async def test_the_longest_room_id_a_client_can_join_is_the_longest_accepted(self):
        longest = "r" * 128
        minted = await self.mint(room_id=longest, subject="pat-9")
        client = await self.connect("pat-9")
        self.assertEqual((await client.hello(minted["token"])).room_id, longest)
        self.assertEqual((await client.join()).room_id, longest)
        reply = await self.call("POST", "/admin/v1/tokens",
                                {"room": longest + "r", "role": "participant", "subject": "pat-9",
                                 "name": "Pat"})
        self.assertEqual(self.assert_error(reply, 400, "bad_request"), "room is at most 128 bytes")
        self.assertEqual(self.count("token_minted"), 1)

    async def test_every_role_and_the_longest_ttl_are_accepted(self):
        for role in ("facilitator", "co_facilitator", "participant", "family_member", "observer"):
            with self.subTest(role=role):
                minted = await self.mint(role=role, subject="s-" + role, ttl_seconds=86400)
                _, claims = token_parts(minted["token"])
                self.assertEqual(claims["role"], role)
                self.assertEqual(claims["exp"] - claims["iat"], 86400)
        self.assertEqual(self.count("token_minted"), 5)


class TokensWithJoinUrl(AdminCase):
    SERVER_ARGS = ("--join-url", "https://clinic.example/join")

    async def test_the_join_link_carries_the_token_in_its_fragment(self):
        body = await self.mint(subject="pat-2")
        self.assertEqual(set(body), {"token", "token_id", "expires_at_ms", "join_link"})
        self.assertEqual(body["join_link"], "https://clinic.example/join#token=" + body["token"])
        # The link's token is the one that works.
        token = body["join_link"].split("#token=", 1)[1]
        client = await self.connect("pat-2")
        self.assertEqual((await client.hello(token)).room_id, self.ROOM)
        await client.join()


# --------------------------------------------------------------------------- malformed calls

class BadRequests(AdminCase):
    SERVER_ARGS = ("--admin-max-body-bytes", "1024")

    VALID = {"room": "group-1", "role": "participant", "subject": "pat-1", "name": "Pat"}

    def with_(self, **changes):
        body = dict(self.VALID)
        for k, v in changes.items():
            if v is KeyError:
                body.pop(k)
            else:
                body[k] = v
        return body

    def cases(self):
        tokens = "/admin/v1/tokens"
        weekly = "/admin/v1/people/pat-1/weekly?"
        attendance = "/admin/v1/sessions/group-1/attendance"
        return [
            # bodies that are not a JSON object
            ("POST", tokens, b'{"room":', 400, "bad_request"),
            ("POST", tokens, b"room=group-1", 400, "bad_request"),
            ("POST", tokens, b"", 400, "bad_request"),
            ("POST", tokens, b"[]", 400, "bad_request"),
            ("POST", tokens, b'"group-1"', 400, "bad_request"),
            ("POST", tokens, b"null", 400, "bad_request"),
            ("POST", tokens, b"42", 400, "bad_request"),
            ("POST", tokens, json.dumps([self.VALID]).encode(), 400, "bad_request"),
            ("POST", tokens, json.dumps(self.VALID).encode() + b" {}", 400, "bad_request"),
            # fields
            ("POST", tokens, self.with_(admin=True), 400, "bad_request"),
            ("POST", tokens, self.with_(ttl_seconds="600"), 400, "bad_request"),
            ("POST", tokens, self.with_(role=3), 400, "bad_request"),
            ("POST", tokens, self.with_(subject=123), 400, "bad_request"),
            ("POST", tokens, self.with_(name=None), 400, "bad_request"),
            ("POST", tokens, self.with_(room=""), 400, "bad_request"),
            ("POST", tokens, self.with_(name=""), 400, "bad_request"),
            ("POST", tokens, self.with_(subject=KeyError), 400, "bad_request"),
            ("POST", tokens, self.with_(room=KeyError), 400, "bad_request"),
            ("POST", tokens, self.with_(room="r" * 129), 400, "bad_request"),
            ("POST", tokens, self.with_(room="r" * 257), 400, "bad_request"),
            ("POST", tokens, self.with_(subject="s" * 257), 400, "bad_request"),
            ("POST", tokens, self.with_(role="therapist"), 400, "bad_request"),
            ("POST", tokens, self.with_(role="Participant"), 400, "bad_request"),
            ("POST", tokens, self.with_(role=""), 400, "bad_request"),
            ("POST", tokens, self.with_(ttl_seconds=86401), 400, "bad_request"),
            ("POST", tokens, self.with_(ttl_seconds=0), 400, "bad_request"),
            ("POST", tokens, self.with_(ttl_seconds=-60), 400, "bad_request"),
            ("POST", tokens, self.with_(ttl_seconds=600.5), 400, "bad_request"),
            ("POST", tokens, self.with_(ttl_seconds=True), 400, "bad_request"),
            ("POST", tokens, self.with_(ttl_seconds=None), 400, "bad_request"),
            ("POST", tokens, {"pad": "x" * 1100}, 413, "too_large"),
            ("POST", tokens + "?dry_run=1", self.VALID, 400, "bad_request"),
            # query parameters
            ("GET", "/admin/v1/audit?foo=1", None, 400, "bad_request"),
            ("GET", "/admin/v1/audit?limit=ten", None, 400, "bad_request"),
            ("GET", "/admin/v1/audit?since=-1", None, 400, "bad_request"),
            ("GET", "/admin/v1/audit?after=1.5", None, 400, "bad_request"),
            ("GET", "/admin/v1/audit?limit=1&limit=2", None, 400, "bad_request"),
            ("GET", "/admin/v1/audit/verify?full=1", None, 400, "bad_request"),
            ("GET", attendance + "?format=xml", None, 400, "bad_request"),
            ("GET", attendance + "?format=csv&page=2", None, 400, "bad_request"),
            ("GET", attendance + "?page=2", None, 400, "bad_request"),
            ("GET", weekly + "week=2026-11-23&foo=1", None, 400, "bad_request"),
            ("GET", weekly + "week=2026-11-23&program=child", None, 400, "bad_request"),
            # percent escapes
            ("GET", "/admin/v1/audit?session=%zz", None, 400, "bad_request"),
            ("GET", "/admin/v1/audit?session=%4", None, 400, "bad_request"),
            ("GET", "/admin/v1/audit?session=ab%", None, 400, "bad_request"),
            ("GET", "/admin/v1/people/%G1/weekly?week=2026-11-23", None, 400, "bad_request"),
            ("GET", "/admin/v1/sessions/group%2/attendance", None, 400, "bad_request"),
            # weeks
            ("GET", weekly + "week=2026-02-30", None, 400, "bad_request"),
            ("GET", weekly + "week=2026-1-5", None, 400, "bad_request"),
            ("GET", weekly + "week=2026-13-01", None, 400, "bad_request"),
            ("GET", weekly + "week=2026-00-10", None, 400, "bad_request"),
            ("GET", weekly + "week=2026-11-2x", None, 400, "bad_request"),
            ("GET", weekly + "week=2026-11-23x", None, 400, "bad_request"),
            ("GET", weekly + "week=2026%2F11%2F23", None, 400, "bad_request"),
            ("GET", weekly + "week=2026-%2B1-05", None, 400, "bad_request"),
            ("GET", weekly + "week=+2026-1-05", None, 400, "bad_request"),
            ("GET", weekly + "week=", None, 400, "bad_request"),
            ("GET", weekly + "program=adult", None, 400, "bad_request"),
            ("GET", "/admin/v1/people/pat-1/weekly", None, 400, "bad_request"),
            # endpoints and methods
            ("GET", "/admin/v1/nothing", None, 404, "not_found"),
            ("GET", "/admin/v2/audit", None, 404, "not_found"),
            ("GET", "/admin/v1", None, 404, "not_found"),
            ("GET", "/admin/v1/sessions/group-1", None, 404, "not_found"),
            ("GET", attendance + "/extra", None, 404, "not_found"),
            ("GET", "/admin/v1/people/pat-1/monthly", None, 404, "not_found"),
            ("POST", "/admin/v1/audit", b"{}", 405, "method_not_allowed"),
            ("PUT", "/admin/v1/audit/verify", b"", 405, "method_not_allowed"),
            ("DELETE", attendance, None, 405, "method_not_allowed"),
            ("POST", weekly + "week=2026-11-23", b"{}", 405, "method_not_allowed"),
            ("GET", tokens, None, 405, "method_not_allowed"),
            ("PUT", tokens, self.VALID, 405, "method_not_allowed"),
        ]

    async def test_each_malformed_call_gets_a_json_error_and_changes_nothing(self):
        # Something to change: a person present in the room.
        self.insert_segment(self.ROOM, "pat-1", utc_ms(2026, 11, 24, 10), utc_ms(2026, 11, 24, 11))
        attendance_before = self.db_rows("SELECT * FROM attendance ORDER BY id")
        for method, target, body, status, code in self.cases():
            with self.subTest(method=method, target=target, body=str(body)[:60]):
                reply = await self.call(method, target, body)
                self.assert_error(reply, status, code)
        self.assertEqual(self.count("token_minted"), 0)
        self.assertEqual(self.db_rows("SELECT * FROM attendance ORDER BY id"), attendance_before)
        verified = await self.get_json("/admin/v1/audit/verify")
        self.assertTrue(verified["ok"], verified)

    async def test_the_messages_say_what_is_wrong(self):
        reply = await self.call("POST", "/admin/v1/tokens", self.with_(admin=True))
        self.assertEqual(self.assert_error(reply, 400, "bad_request"), "unknown field: admin")
        reply = await self.call("GET", "/admin/v1/audit?foo=1")
        self.assertEqual(self.assert_error(reply, 400, "bad_request"), "unknown parameter: foo")
        reply = await self.call("POST", "/admin/v1/tokens", self.with_(ttl_seconds=86401))
        self.assertIn("86400", self.assert_error(reply, 400, "bad_request"))

    async def test_a_body_of_exactly_the_limit_is_accepted(self):
        body = json.dumps(self.VALID).encode()
        body += b" " * (1024 - len(body))
        self.assertEqual(len(body), 1024)
        reply = await self.call("POST", "/admin/v1/tokens", body)
        self.assertEqual(reply.status, 201, reply)
        reply = await self.call("POST", "/admin/v1/tokens", body + b" ")
        self.assert_error(reply, 413, "too_large")
        self.assertEqual(self.count("token_minted"), 1)


# --------------------------------------------------------------------------- attendance

class Attendance(AdminCase):

    async def attendance(self, room_id=None):
        return await self.get_json("/admin/v1/sessions/%s/attendance" % (room_id or self.ROOM))

    async def join_with_minted(self, subject, role):
        minted = await self.mint(role=role, subject=subject, name=subject.title())
        client = await self.connect(subject)
        await client.hello(minted["token"])
        await client.join()
        client.token = minted["token"]
        return client

    def person(self, report, subject):
        return next(p for p in report["people"] if p["subject"] == subject)

    async def test_joins_and_leaves_of_real_clients(self):
        started = int(time.time() * 1000)
        order = [("fac-1", "facilitator"), ("pat-1", "participant"), ("pat-2", "participant"),
                 ("fam-1", "family_member")]
        clients = {}
        for subject, role in order:
            clients[subject] = await self.join_with_minted(subject, role)
        report = await self.until(self.attendance, lambda r: len(r["people"]) == 4)
        self.assertEqual(set(report), {"session", "as_of_ms", "participants", "family_members",
                                       "people"})
        self.assertEqual(report["session"], self.ROOM)
        self.assertLess(abs(report["as_of_ms"] - time.time() * 1000), 5000)
        self.assertEqual((report["participants"], report["family_members"]), (2, 1))
        self.assertEqual([(p["subject"], p["role"]) for p in report["people"]], order,
                         "people in order of arrival")
        for p in report["people"]:
            self.assertEqual(set(p), PERSON_FIELDS)
            self.assertTrue(p["present_now"], p)
            self.assertEqual(p["segments"], 1)
            self.assertGreaterEqual(p["first_joined_ms"], started - 1000)
            self.assertEqual(p["last_left_ms"], report["as_of_ms"], "still present: up to now")
            self.assertEqual(p["present_ms"], p["last_left_ms"] - p["first_joined_ms"])
            self.assertEqual(p["present_minutes"], p["present_ms"] // MINUTE)
        self.assertEqual(self.last_audit(), ("admin", "admin", "record_viewed", "attendance",
                                             self.ROOM, "ok", "json"))

        # pat-1 leaves: no longer present, a closed segment of positive length.
        await asyncio.sleep(0.05)
        await clients["pat-1"].send_leave()
        report = await self.until(self.attendance,
                                  lambda r: not self.person(r, "pat-1")["present_now"])
        pat = self.person(report, "pat-1")
        self.assertEqual(pat["segments"], 1)
        self.assertGreater(pat["present_ms"], 0)
        self.assertLess(pat["last_left_ms"], report["as_of_ms"] + 1)
        self.assertEqual(pat["present_ms"], pat["last_left_ms"] - pat["first_joined_ms"])
        self.assertTrue(self.person(report, "pat-2")["present_now"])
        first_stretch = pat["present_ms"]

        # ... and comes back: a second segment, present again, time adds up.
        await asyncio.sleep(0.05)
        back = await self.connect("pat-1 again")
        await back.hello(clients["pat-1"].token)
        await back.join()
        report = await self.until(self.attendance,
                                  lambda r: self.person(r, "pat-1")["segments"] == 2)
        pat = self.person(report, "pat-1")
        self.assertTrue(pat["present_now"])
        self.assertEqual(pat["last_left_ms"], report["as_of_ms"])
        self.assertGreater(pat["present_ms"], first_stretch)
        self.assertLess(pat["present_ms"], pat["last_left_ms"] - pat["first_joined_ms"],
                        "the time away does not count")
        self.assertEqual((report["participants"], report["family_members"]), (2, 1))

    async def test_a_session_nobody_attended_is_empty(self):
        report = await self.attendance("never-held")
        self.assertEqual(set(report), {"session", "as_of_ms", "participants", "family_members",
                                       "people"})
        self.assertEqual((report["session"], report["participants"], report["family_members"],
                          report["people"]), ("never-held", 0, 0, []))

    async def test_overlapping_segments_count_once(self):
        t = utc_ms(2026, 11, 24, 10)
        self.insert_segment("s-1", "pat-1", t, t + 2 * HOUR)
        self.insert_segment("s-1", "pat-1", t + HOUR, t + 3 * HOUR)
        self.insert_segment("s-1", "fam-1", t + 4 * HOUR, t + 5 * HOUR, role="family_member")
        report = await self.attendance("s-1")
        self.assertEqual(report["people"], [
            {"subject": "pat-1", "role": "participant", "present_ms": 3 * HOUR,
             "present_minutes": 180, "segments": 2, "first_joined_ms": t,
             "last_left_ms": t + 3 * HOUR, "present_now": False},
            {"subject": "fam-1", "role": "family_member", "present_ms": HOUR,
             "present_minutes": 60, "segments": 1, "first_joined_ms": t + 4 * HOUR,
             "last_left_ms": t + 5 * HOUR, "present_now": False},
        ])
        self.assertEqual((report["participants"], report["family_members"]), (1, 1))

    async def test_csv_one_row_per_person_crlf_and_formulas_defused(self):
        t = utc_ms(2026, 11, 24, 10)
        rows = [("alice", "participant", t, t + HOUR),
                ("alice", "participant", t + 2 * HOUR, t + 2 * HOUR + 30 * MINUTE),
                ('=HYPERLINK("http://x")', "participant", t + 1, t + 1 + MINUTE),
                ("+1", "participant", t + 2, t + 2 + 90_000),
                ("-2", "participant", t + 3, t + 3 + 1),
                ("@SUM(A1)", "family_member", t + 4, t + 4 + MINUTE),
                ("\t=1+2", "observer", t + 5, t + 5 + MINUTE),
                ("smith, jo", "family_member", t + 6, t + 6 + MINUTE)]
        for subject, role, joined, left in rows:
            self.insert_segment("csv-1", subject, joined, left, role)
        now_joined = int(time.time() * 1000) - 5000
        self.insert_segment("csv-1", "bob", now_joined, None)  # still present
        reply = await self.call("GET", "/admin/v1/sessions/csv-1/attendance?format=csv")
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(reply.headers["content-type"], "text/csv; charset=utf-8")
        text = reply.text
        self.assertTrue(text.endswith("\r\n"))
        self.assertEqual(text.count("\n"), text.count("\r\n"), "every line ends in CRLF")
        lines = text[:-2].split("\r\n")
        self.assertEqual(lines[0], CSV_HEADER)
        self.assertEqual(len(lines), 1 + 8, "a header and one row per person")
        self.assertEqual(lines[1:8], [
            "alice,participant,90,5400000,2,%d,%d,false" % (t, t + 2 * HOUR + 30 * MINUTE),
            "\"'=HYPERLINK(\"\"http://x\"\")\",participant,1,60000,1,%d,%d,false"
            % (t + 1, t + 1 + MINUTE),
            "'+1,participant,1,90000,1,%d,%d,false" % (t + 2, t + 2 + 90_000),
            "'-2,participant,0,1,1,%d,%d,false" % (t + 3, t + 4),
            "'@SUM(A1),family_member,1,60000,1,%d,%d,false" % (t + 4, t + 4 + MINUTE),
            "'\t=1+2,observer,1,60000,1,%d,%d,false" % (t + 5, t + 5 + MINUTE),
            "\"smith, jo\",family_member,1,60000,1,%d,%d,false" % (t + 6, t + 6 + MINUTE),
        ])
        bob = next(csv.reader(io.StringIO(lines[8])))
        self.assertEqual(bob[:2], ["bob", "participant"])
        self.assertEqual(bob[4:6], ["1", str(now_joined)])
        self.assertEqual(bob[7], "true")
        self.assertEqual(int(bob[3]), int(bob[6]) - now_joined)
        self.assertGreaterEqual(int(bob[3]), 5000)
        self.assertEqual(self.last_audit(), ("admin", "admin", "record_viewed", "attendance",
                                             "csv-1", "ok", "csv"))
        # The JSON form holds the subjects as they are.
        report = await self.get_json("/admin/v1/sessions/csv-1/attendance?format=json")
        self.assertEqual([p["subject"] for p in report["people"]],
                         ["alice", '=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\t=1+2",
                          "smith, jo", "bob"])
        self.assertEqual((report["participants"], report["family_members"]), (5, 2))

    async def test_a_session_id_is_percent_decoded(self):
        self.insert_segment("room/7 b", "pat-1", 1000, 2000)
        report = await self.get_json("/admin/v1/sessions/room%2F7%20b/attendance")
        self.assertEqual(report["session"], "room/7 b")
        self.assertEqual([p["present_ms"] for p in report["people"]], [1000])


# --------------------------------------------------------------------------- weekly hours

class WeeklyUtc(AdminCase):
    SERVER_ARGS = ("--clinic-timezone", "UTC")

    W = utc_ms(2026, 11, 23)  # Monday 2026-11-23 00:00 UTC
    E = W + 7 * DAY

    async def weekly(self, subject, query="week=2026-11-23"):
        return await self.get_json("/admin/v1/people/%s/weekly?%s" % (subject, query))

    async def test_only_the_part_inside_the_week_counts(self):
        W, E = self.W, self.E
        self.insert_segment("s-a", "edge-1", W - HOUR, W + HOUR)        # crosses the start
        self.insert_segment("s-b", "edge-1", E - HOUR, E + 2 * HOUR)    # crosses the end
        self.insert_segment("s-old", "edge-1", W - 3 * HOUR, W - 2 * HOUR)
        self.insert_segment("s-old", "edge-1", W - HOUR, W)             # ends at the start
        self.insert_segment("s-new", "edge-1", E, E + HOUR)             # starts at the end
        self.insert_segment("s-a", "someone-else", W, W + 5 * HOUR)
        self.assertEqual(await self.weekly("edge-1"), {
            "subject": "edge-1", "week_start_ms": W, "week_end_ms": E,
            "present_ms": 2 * HOUR, "present_minutes": 120, "program": "adult",
            "minimum_minutes": 540, "meets_minimum": False,
            "sessions": [{"session": "s-a", "present_ms": HOUR},
                         {"session": "s-b", "present_ms": HOUR}]})
        self.assertEqual(self.last_audit(), ("admin", "admin", "record_viewed", "edge-1", "",
                                             "ok", "weekly_hours"))

    async def test_a_segment_crossing_midnight_inside_the_week_counts_whole(self):
        start = utc_ms(2026, 11, 24, 22)
        self.insert_segment("s-n", "night-1", start, start + 4 * HOUR)
        body = await self.weekly("night-1")
        self.assertEqual((body["present_ms"], body["present_minutes"]), (4 * HOUR, 240))
        self.assertEqual(body["sessions"], [{"session": "s-n", "present_ms": 4 * HOUR}])

    async def test_two_sessions_sum_against_the_program_minimums(self):
        self.insert_segment("s-tue", "two-1", utc_ms(2026, 11, 24, 10), utc_ms(2026, 11, 24, 13))
        self.insert_segment("s-thu", "two-1", utc_ms(2026, 11, 26, 10), utc_ms(2026, 11, 26, 13))
        adult = await self.weekly("two-1")
        self.assertEqual((adult["present_ms"], adult["present_minutes"]), (6 * HOUR, 360))
        self.assertEqual((adult["program"], adult["minimum_minutes"], adult["meets_minimum"]),
                         ("adult", 540, False))
        self.assertEqual(adult["sessions"], [{"session": "s-thu", "present_ms": 3 * HOUR},
                                             {"session": "s-tue", "present_ms": 3 * HOUR}])
        self.assertEqual(adult, await self.weekly("two-1", "week=2026-11-23&program=adult"))
        teen = await self.weekly("two-1", "week=2026-11-23&program=adolescent")
        self.assertEqual((teen["program"], teen["minimum_minutes"], teen["meets_minimum"]),
                         ("adolescent", 360, True), "exactly the minimum meets it")
        self.assertEqual(teen["present_ms"], 6 * HOUR)

    async def test_a_millisecond_short_does_not_meet_the_minimum(self):
        start = utc_ms(2026, 11, 25, 9)
        self.insert_segment("s-1", "short-1", start, start + 6 * HOUR - 1)
        body = await self.weekly("short-1", "program=adolescent&week=2026-11-23")
        self.assertEqual((body["present_ms"], body["present_minutes"], body["meets_minimum"]),
                         (6 * HOUR - 1, 359, False))
        for day in (23, 25, 27):
            self.insert_segment("s-%d" % day, "nine-1", utc_ms(2026, 11, day, 9),
                                utc_ms(2026, 11, day, 12))
        body = await self.weekly("nine-1")
        self.assertEqual((body["present_minutes"], body["minimum_minutes"],
                          body["meets_minimum"]), (540, 540, True))

    async def test_overlapping_segments_are_counted_once(self):
        self.insert_segment("s-a", "overlap-1", utc_ms(2026, 11, 24, 10), utc_ms(2026, 11, 24, 12))
        self.insert_segment("s-a", "overlap-1", utc_ms(2026, 11, 24, 11), utc_ms(2026, 11, 24, 13))
        self.insert_segment("s-b", "overlap-1", utc_ms(2026, 11, 24, 12, 30),
                            utc_ms(2026, 11, 24, 14))
        body = await self.weekly("overlap-1")
        self.assertEqual(body["sessions"], [{"session": "s-a", "present_ms": 3 * HOUR},
                                            {"session": "s-b", "present_ms": 90 * MINUTE}])
        self.assertEqual(body["present_ms"], 4 * HOUR, "10:00 to 14:00, not 3 h + 1.5 h")

    async def test_someone_still_present_counts_up_to_now(self):
        now = int(time.time() * 1000)
        self.insert_segment("s-live", "open-1", now - 10 * MINUTE, None)
        yesterday = datetime.datetime.fromtimestamp(now / 1000 - 86400, datetime.timezone.utc)
        body = await self.weekly("open-1", "week=" + yesterday.strftime("%Y-%m-%d"))
        self.assertGreaterEqual(body["present_ms"], 10 * MINUTE)
        self.assertLess(body["present_ms"], 10 * MINUTE + 30_000)
        self.assertEqual([s["session"] for s in body["sessions"]], ["s-live"])

    async def test_nobody_and_an_encoded_subject(self):
        self.assertEqual(await self.weekly("nobody"), {
            "subject": "nobody", "week_start_ms": self.W, "week_end_ms": self.E,
            "present_ms": 0, "present_minutes": 0, "program": "adult", "minimum_minutes": 540,
            "meets_minimum": False, "sessions": []})
        self.insert_segment("s-1", "a/b c", self.W + HOUR, self.W + 2 * HOUR)
        body = await self.weekly("a%2Fb%20c")
        self.assertEqual((body["subject"], body["present_ms"]), ("a/b c", HOUR))

    async def test_any_day_can_start_a_week(self):
        body = await self.weekly("nobody", "week=2026-11-26")
        self.assertEqual((body["week_start_ms"], body["week_end_ms"]),
                         (utc_ms(2026, 11, 26), utc_ms(2026, 12, 3)))
        body = await self.weekly("nobody", "week=2028-02-29")  # a leap day
        self.assertEqual(body["week_start_ms"], utc_ms(2028, 2, 29))


class WeeklyChicago(AdminCase):
    SERVER_ARGS = ("--clinic-timezone", "America/Chicago", "--adult-minimum-hours", "7.5",
                   "--adolescent-minimum-hours", "4")

    async def week(self, date, subject="nobody", program="adult"):
        return await self.get_json("/admin/v1/people/%s/weekly?week=%s&program=%s"
                                   % (subject, date, program))

    async def test_weeks_start_at_the_clinics_midnight(self):
        body = await self.week("2026-11-23")
        self.assertEqual(body["week_start_ms"], utc_ms(2026, 11, 23, 6))  # CST, UTC-6
        self.assertEqual(body["week_end_ms"], utc_ms(2026, 11, 30, 6))

    async def test_a_week_with_a_dst_change_is_an_hour_longer_or_shorter(self):
        fall = await self.week("2026-10-26")  # DST ends Sunday 2026-11-01
        self.assertEqual(fall["week_start_ms"], utc_ms(2026, 10, 26, 5))  # CDT, UTC-5
        self.assertEqual(fall["week_end_ms"], utc_ms(2026, 11, 2, 6))
        self.assertEqual(fall["week_end_ms"] - fall["week_start_ms"], 7 * DAY + HOUR)
        spring = await self.week("2026-03-02")  # DST starts Sunday 2026-03-08
        self.assertEqual(spring["week_start_ms"], utc_ms(2026, 3, 2, 6))
        self.assertEqual(spring["week_end_ms"], utc_ms(2026, 3, 9, 5))
        self.assertEqual(spring["week_end_ms"] - spring["week_start_ms"], 7 * DAY - HOUR)

    async def test_segments_are_clipped_at_local_midnight(self):
        # 23:00-01:00 local on both edges of the week: one hour each counts.
        self.insert_segment("s-1", "chi-1", utc_ms(2026, 11, 23, 5), utc_ms(2026, 11, 23, 7))
        self.insert_segment("s-2", "chi-1", utc_ms(2026, 11, 30, 5), utc_ms(2026, 11, 30, 7))
        body = await self.week("2026-11-23", "chi-1")
        self.assertEqual(body["present_ms"], 2 * HOUR)
        self.assertEqual(body["sessions"], [{"session": "s-1", "present_ms": HOUR},
                                            {"session": "s-2", "present_ms": HOUR}])

    async def test_configured_minimums(self):
        self.assertEqual((await self.week("2026-11-23"))["minimum_minutes"], 450)
        self.assertEqual((await self.week("2026-11-23", program="adolescent"))["minimum_minutes"],
                         240)


# --------------------------------------------------------------------------- audit trail

class AuditTrail(AdminCase):

    async def audit(self, query=""):
        return await self.get_json("/admin/v1/audit" + ("?" + query if query else ""))

    async def make_records(self):
        """Records from three actors in two sessions, a few ms apart."""
        await self.mint(room_id="r1", subject="p1")
        await asyncio.sleep(0.005)
        await self.mint(room_id="r2", subject="p2")
        await asyncio.sleep(0.005)
        await asyncio.to_thread(self.server.mint, "r2", "participant", "p4", "P")  # operator
        await asyncio.sleep(0.005)
        bad = await self.connect("bad")
        await bad.wait_reply(await bad.send_hello("not.a.token"))
        await self.until(lambda: asyncio.to_thread(self.count, "auth_failed"), lambda n: n == 1)
        await asyncio.sleep(0.005)
        await self.mint(room_id="r1", subject="p3")

    async def test_records_have_every_field_and_form_a_hash_chain(self):
        await self.make_records()
        body = await self.audit()
        self.assertEqual(set(body), {"records", "next_after"})
        records = body["records"]
        self.assertEqual([r["seq"] for r in records], [1, 2, 3, 4, 5])
        self.assertEqual(body["next_after"], 5)
        prev = GENESIS
        for r in records:
            self.assertEqual(set(r), AUDIT_FIELDS)
            self.assertEqual(r["prev_hash"], prev)
            self.assertEqual(r["hash"], audit_hash(r))
            prev = r["hash"]
        self.assertEqual(
            [(r["actor"], r["actor_role"], r["action"], r["target"], r["session"], r["outcome"])
             for r in records],
            [("admin", "admin", "token_minted", "p1", "r1", "ok"),
             ("admin", "admin", "token_minted", "p2", "r2", "ok"),
             ("operator", "operator", "token_minted", "p4", "r2", "ok"),
             ("", "unauthenticated", "auth_failed", "", "", "denied"),
             ("admin", "admin", "token_minted", "p3", "r1", "ok")])
        self.assertEqual(records[3]["detail"], "malformed")
        # The listing itself is recorded, after the records it returned.
        self.assertEqual(self.last_audit(), ("admin", "admin", "record_viewed", "audit", "", "ok",
                                             ""))

    async def test_filters_by_session_actor_and_time(self):
        await self.make_records()
        full = (await self.audit())["records"]
        last = full[-1]["seq"]

        def expected(keep):
            return [r for r in full if keep(r)]

        by_session = (await self.audit("session=r1"))["records"]
        self.assertEqual([r for r in by_session if r["seq"] <= last],
                         expected(lambda r: r["session"] == "r1"))
        self.assertTrue(all(r["session"] == "r1" for r in by_session))
        self.assertEqual(self.last_audit(), ("admin", "admin", "record_viewed", "audit", "r1",
                                             "ok", ""))

        operator = (await self.audit("actor=operator"))["records"]
        self.assertEqual(operator, expected(lambda r: r["actor"] == "operator"))
        server = (await self.audit("actor="))["records"]
        self.assertEqual(server, expected(lambda r: r["actor"] == ""))
        admin = (await self.audit("actor=admin"))["records"]
        self.assertEqual([r["seq"] for r in admin if r["seq"] <= last],
                         [r["seq"] for r in expected(lambda r: r["actor"] == "admin")])
        both = (await self.audit("actor=admin&session=r2"))["records"]
        self.assertEqual(both, expected(lambda r: r["actor"] == "admin" and r["session"] == "r2"))

        # Times need not rise with seq (hearthd mint-token records whole seconds),
        # so the expectations filter the full list rather than slice it.
        since, until = full[1]["at_ms"], full[-1]["at_ms"]
        self.assertLess(since, until)
        window = (await self.audit("since=%d&until=%d" % (since, until)))["records"]
        self.assertEqual(window, expected(lambda r: since <= r["at_ms"] < until),
                         "since is inclusive, until exclusive")
        self.assertIn(full[1], window)
        self.assertNotIn(full[-1], window)
        early = (await self.audit("until=%d" % full[0]["at_ms"]))["records"]
        self.assertEqual(early, expected(lambda r: r["at_ms"] < full[0]["at_ms"]))
        later = (await self.audit("since=%d" % until))["records"]
        self.assertTrue(all(r["at_ms"] >= until for r in later))
        self.assertIn(full[-1], later)

    async def test_paging_with_after_limit_and_next_after(self):
        await self.make_records()
        seen = []
        after = 0
        for _ in range(50):
            body = await self.audit("after=%d&limit=2" % after)
            self.assertLessEqual(len(body["records"]), 2)
            seen += [r["seq"] for r in body["records"]]
            if body["records"]:
                self.assertEqual(body["next_after"], body["records"][-1]["seq"])
            after = body["next_after"]
            # Each listing adds a record of its own, so a short page is the end.
            if len(body["records"]) < 2:
                break
        else:
            self.fail("paging did not end")
        self.assertEqual(seen, list(range(1, len(seen) + 1)), "every record once, in order")
        self.assertGreater(len(seen), 5, "the listings' own records included")
        self.assertEqual(self.db_rows("SELECT MAX(seq) FROM audit")[0][0], len(seen) + 1)
        empty = await self.audit("after=1000")
        self.assertEqual(empty, {"records": [], "next_after": 1000})
        page = await self.audit("session=r1&limit=1")
        self.assertEqual([r["target"] for r in page["records"]], ["p1"])
        page = await self.audit("session=r1&limit=1&after=%d" % page["next_after"])
        self.assertEqual([r["target"] for r in page["records"]], ["p3"])

    async def test_verify_reports_an_intact_chain_then_the_altered_record(self):
        await self.make_records()
        rows = self.db_rows("SELECT COUNT(*) FROM audit")[0][0]
        self.assertEqual(await self.get_json("/admin/v1/audit/verify"),
                         {"ok": True, "records": rows})
        self.assertEqual(self.last_audit(), ("admin", "admin", "audit_verified", "audit", "", "ok",
                                             ""))
        self.db_write("UPDATE audit SET target = 'someone-else' WHERE seq = 2")
        self.assertEqual(await self.get_json("/admin/v1/audit/verify"), {
            "ok": False, "records": 2, "first_broken": 2,
            "reason": "its contents do not match its hash (altered record)"})
        self.assertEqual(self.last_audit(), ("admin", "admin", "audit_verified", "audit", "",
                                             "failed", "2"))

    async def test_verify_finds_a_removed_record(self):
        await self.make_records()
        self.db_write("DELETE FROM audit WHERE seq = 3")
        self.assertEqual(await self.get_json("/admin/v1/audit/verify"), {
            "ok": False, "records": 3, "first_broken": 4,
            "reason": "a record is missing before it"})

    async def test_every_admin_call_leaves_an_audit_record(self):
        calls = [
            (("GET", "/admin/v1/sessions/r9/attendance", None),
             ("admin", "admin", "record_viewed", "attendance", "r9", "ok", "json")),
            (("GET", "/admin/v1/sessions/r9/attendance?format=csv", None),
             ("admin", "admin", "record_viewed", "attendance", "r9", "ok", "csv")),
            (("GET", "/admin/v1/people/p9/weekly?week=2026-11-23", None),
             ("admin", "admin", "record_viewed", "p9", "", "ok", "weekly_hours")),
            (("GET", "/admin/v1/audit?session=r9", None),
             ("admin", "admin", "record_viewed", "audit", "r9", "ok", "")),
            (("GET", "/admin/v1/audit/verify", None),
             ("admin", "admin", "audit_verified", "audit", "", "ok", "")),
            (("POST", "/admin/v1/tokens",
              {"room": "r9", "role": "observer", "subject": "o9", "name": "O"}),
             ("admin", "admin", "token_minted", "o9", "r9", "ok", None)),
        ]
        for (method, target, body), record in calls:
            with self.subTest(target=target):
                before = self.db_rows("SELECT COUNT(*) FROM audit")[0][0]
                reply = await self.call(method, target, body)
                self.assertIn(reply.status, (200, 201), reply)
                self.assertEqual(self.db_rows("SELECT COUNT(*) FROM audit")[0][0], before + 1)
                last = self.last_audit()
                if record[-1] is None:
                    self.assertEqual(last[:-1], record[:-1])
                    self.assertEqual(last[-1], "observer jti=" + reply.json()["token_id"])
                else:
                    self.assertEqual(last, record)
        self.assertEqual((await self.get_json("/admin/v1/audit/verify"))["ok"], True)


if __name__ == "__main__":
    unittest.main()
