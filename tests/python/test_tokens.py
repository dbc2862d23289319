"""Hello with bad tokens: every kind is refused with a typed error and the
documented close code, while an authenticated bystander keeps working."""

import time
import unittest

from hearth_client import b64url, b64url_json
from hearth_testcase import HearthTestCase, describe, errors, roles, room

UNAUTHENTICATED = errors.ERROR_CODE_UNAUTHENTICATED
TOKEN_EXPIRED = errors.ERROR_CODE_TOKEN_EXPIRED


class BadTokens(HearthTestCase):
    async def asyncSetUp(self):
        await super().asyncSetUp()
        self.watcher = await self.joined("watcher")
        self.chats = 1

    async def refused(self, token, reason, close_code=4502, request_id=None):
        """Hello with `token` must be refused: an Error reply, then Disconnect
        and close `close_code`, and the watcher unaffected. The Error's message
        names the verifier's `reason` (e.g. "bad_signature"), which proves the
        token was refused for the defect under test. Returns the Error."""
        client = await self.connect("bad")
        rid = await client.send_hello(token, request_id)
        messages = await self.expect_closed(client, close_code)
        # The Error reply is the only message before the Disconnect.
        self.assertEqual(len(messages), 1, messages)
        reply = messages[0].reply
        expected = TOKEN_EXPIRED if reason == "expired" else UNAUTHENTICATED
        self.assert_error(reply, expected, request_id=rid or 1)
        self.assertFalse(reply.error.temporary)
        self.assertEqual(reply.error.message, reason)
        self.chats += 1
        self.assertEqual(await self.assert_chat_works(self.watcher), self.chats)
        return reply.error

    def token_parts(self, token):
        header, payload, signature = token.split(".")
        return header, payload, signature

    async def test_crafted_token_is_accepted(self):
        # Proves the crafting below is right, so each refusal is for its one defect.
        client = await self.connect("ok")
        hello = await client.hello(self.server.craft(self.server.claims(self.ROOM, "observer")))
        self.assertEqual(hello.role, roles.ROLE_OBSERVER)
        await client.join()

    async def test_tampered_payload(self):
        token = self.server.mint(self.ROOM, "participant", "p", "Pat")
        header, _, signature = self.token_parts(token)
        claims = self.server.claims(self.ROOM, "facilitator", "p", "Pat")
        await self.refused(header + "." + b64url_json(claims) + "." + signature, "bad_signature")

    async def test_tampered_signature(self):
        header, payload, signature = self.token_parts(
            self.server.mint(self.ROOM, "participant", "p", "Pat"))
        flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
        await self.refused(header + "." + payload + "." + flipped, "bad_signature")

    async def test_signed_with_another_key(self):
        await self.refused(self.server.craft(key=b"\x01" * 32), "bad_signature")

    async def test_alg_none(self):
        header = {"alg": "none", "typ": "JWT", "kid": self.server.header()["kid"]}
        await self.refused(self.server.craft(header=header, signature=""), "bad_algorithm")

    async def test_alg_hs512(self):
        await self.refused(self.server.craft(header=self.server.header(alg="HS512")),
                           "bad_algorithm")

    async def test_unknown_kid(self):
        await self.refused(self.server.craft(header=self.server.header(kid="00000000")),
                           "unknown_key")

    async def test_wrong_audience(self):
        await self.refused(self.server.mint(self.ROOM, "participant", "p", "P",
                                            audience="someone-else"), "wrong_audience")

    async def test_wrong_issuer(self):
        await self.refused(self.server.craft(self.server.claims(iss="not-hearthd")),
                           "wrong_issuer")

    async def test_expired_closes_4003_and_may_reconnect(self):
        now = int(time.time())
        claims = self.server.claims(iat=now - 3600, nbf=now - 3600, exp=now - 120)
        await self.refused(self.server.craft(claims), "expired", close_code=4003)

    async def test_expired_within_leeway_is_accepted(self):
        now = int(time.time())
        client = await self.connect("skewed")
        await client.hello(self.server.craft(self.server.claims(self.ROOM, exp=now - 5)))
        await client.join()

    async def test_not_yet_valid_closes_4502(self):
        now = int(time.time())
        await self.refused(self.server.craft(self.server.claims(nbf=now + 600)),
                           "not_yet_valid")

    async def test_oversize_token(self):
        claims = self.server.claims(self.ROOM, name="N" * 5000)
        await self.refused(self.server.craft(claims), "oversize")

    async def test_garbage_tokens(self):
        for token, reason in (("", "malformed"), ("garbage", "malformed"), ("a.b", "malformed"),
                              ("a.b.c.d", "malformed"), ("!!!.###.$$$", "malformed"),
                              (b64url("[1]") + "." + b64url("{}") + "." + b64url("x"),
                               "malformed"),
                              (b64url("{}") + "." + b64url("{}") + ".", "bad_algorithm")):
            with self.subTest(token=token):
                await self.refused(token, reason)

    async def test_missing_or_bad_claims(self):
        for overrides, reason in (({"room": None}, "missing_claim"), ({"sub": ""}, "missing_claim"),
                                  ({"role": "admin"}, "bad_role"), ({"exp": "soon"}, "malformed"),
                                  ({"exp": 1.5e9}, "malformed")):
            with self.subTest(claims=overrides):
                await self.refused(self.server.craft(self.server.claims(self.ROOM, **overrides)),
                                   reason)

    async def test_refusal_of_a_hello_without_request_id(self):
        await self.refused("garbage", "malformed", request_id=0)

    async def test_token_for_another_room_cannot_join_this_one(self):
        client = await self.connect("elsewhere")
        hello = await client.hello(self.server.mint("other-room", "participant", "x", "X"))
        self.assertEqual(hello.room_id, "other-room")
        rid = await client.send_join(self.ROOM)
        await self.expect_error(client, rid, errors.ERROR_CODE_PERMISSION_DENIED)
        # Its own room works, and the watcher's room never heard of it.
        await client.join()
        await self.watcher.expect_silence()


class TokenLifetime(HearthTestCase):
    SERVER_ARGS = ("--token-leeway-seconds", "0")

    async def test_session_closes_4003_when_the_token_expires(self):
        watcher = await self.joined("watcher")
        client = await self.connect("short")
        now = int(time.time())
        hello = await client.hello(self.server.craft(self.server.claims(self.ROOM, "participant",
                                                                        exp=now + 2)))
        self.assertEqual(hello.token_expires_at_ms, (now + 2) * 1000)
        await client.join()
        await self.expect_event(watcher, "member_joined", seq=2)
        await self.expect_closed(client, 4003, timeout=4)
        self.assertTrue(client.disconnect.reconnect)
        self.assertGreaterEqual(time.time(), now + 1.9)
        await self.expect_event(watcher, "member_presence", seq=3,
                                presence=room.PRESENCE_RECONNECTING)
        self.assertEqual(await self.assert_chat_works(watcher), 4)


class AuthErrorReply(HearthTestCase):
    """A refused Hello is answered with an Error (even with request_id 0) that
    arrives before the Disconnect. (Until 425daa5 begin_close_raw() cleared the
    outbound queue and the reply was lost.)"""

    async def hello_refusal(self, token, request_id=None):
        client = await self.connect("bad")
        rid = await client.send_hello(token, request_id)
        message = await client.recv()
        self.assertTrue(message.HasField("reply"), describe(message))
        return rid, message.reply, client

    async def test_invalid_token_is_answered_unauthenticated_before_the_close(self):
        rid, reply, client = await self.hello_refusal("garbage")
        self.assert_error(reply, UNAUTHENTICATED, request_id=rid)
        await self.expect_closed(client, 4502)

    async def test_hello_without_request_id_is_answered_as_request_1(self):
        _, reply, client = await self.hello_refusal("garbage", request_id=0)
        self.assert_error(reply, UNAUTHENTICATED, request_id=1)
        await self.expect_closed(client, 4502)

    async def test_expired_token_is_answered_token_expired_before_the_close(self):
        now = int(time.time())
        token = self.server.craft(self.server.claims(exp=now - 120))
        rid, reply, client = await self.hello_refusal(token)
        self.assert_error(reply, TOKEN_EXPIRED, request_id=rid)
        await self.expect_closed(client, 4003)

    async def test_not_yet_valid_token_is_answered_unauthenticated(self):
        # errors.proto: TOKEN_EXPIRED is "expired (a not-yet-valid token is UNAUTHENTICATED)".
        now = int(time.time())
        rid, reply, client = await self.hello_refusal(
            self.server.craft(self.server.claims(nbf=now + 600)))
        self.assert_error(reply, UNAUTHENTICATED, request_id=rid)
        await self.expect_closed(client, 4502)


if __name__ == "__main__":
    unittest.main()
