"""Join tokens from the admin API, and every malformed call, none of which
changes anything."""

import unittest

from admin_testcase import *  # noqa: F401,F403 - the shared fixture and helpers


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
        self.assertEqual(hello.role, roles.ROLE_FACILITATOR)
        self.assertEqual(hello.token_expires_at_ms, minted["expires_at_ms"])
        joined = await client.join()
        self.assertEqual(joined.room_id, self.ROOM)
        self.assertEqual([(m.display_name, m.role) for m in joined.snapshot.members],
                         [("Dr. Lee", roles.ROLE_FACILITATOR)])

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

if __name__ == "__main__":
    unittest.main()
