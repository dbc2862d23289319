"""hearthd over wss://: a fresh self-signed certificate per test, and the TLS
policy of docs/operations.md §3 (TLS 1.2 and 1.3 only, ECDHE with AEAD ciphers)."""

import asyncio
import signal
import ssl
import unittest
import warnings

import websockets

from hearth_client import (HearthClient, http_upgrade, pb, read_server_frame,
                           upgrade_with_messages)
from hearth_testcase import HearthTestCase

# TLS 1.2 suites that are ECDHE but not AEAD (CBC with HMAC), as a client could offer them.
CBC_SUITES = ("ECDHE-ECDSA-AES128-SHA256", "ECDHE-ECDSA-AES256-SHA384", "ECDHE-ECDSA-AES128-SHA",
              "ECDHE-ECDSA-AES256-SHA")
AEAD_SUITE = "ECDHE-ECDSA-AES128-GCM-SHA256"


class Tls(HearthTestCase):
    TLS = True

    def tls12(self, ciphers):
        context = self.server.client_tls()
        context.maximum_version = ssl.TLSVersion.TLSv1_2
        context.set_ciphers(ciphers)
        return context

    async def handshake(self, context):
        """A bare TLS handshake; returns the SSLObject (the connection is closed)."""
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection("127.0.0.1", self.port, ssl=context), 3)
        del reader
        tls = writer.get_extra_info("ssl_object")
        writer.close()
        return tls

    async def test_hello_join_and_chat_fan_out_over_wss(self):
        facilitator = await self.joined("dana", role="facilitator")
        alex = await self.joined("alex")
        for client in (facilitator, alex):
            self.assertEqual(client.tls_object.version(), "TLSv1.3")
        await self.expect_event(facilitator, "member_joined", seq=2)
        reply, before = await alex.chat("hello over tls")
        self.assertEqual(reply.WhichOneof("outcome"), "chat")
        self.assertEqual([m.event.chat.text for m in before], ["hello over tls"])
        await self.expect_event(facilitator, "chat", seq=reply.chat.seq, text="hello over tls")
        await facilitator.expect_silence()

    async def test_own_https_origin_is_allowed_and_http_is_refused(self):
        for origin in (self.server.origin, "https://localhost:%d" % self.port):
            with self.subTest(origin=origin):
                status, headers, _ = await http_upgrade(self.port, {"Origin": origin},
                                                        tls=self.server.client_tls())
                self.assertEqual(status, 101)
                self.assertEqual(headers.get("sec-websocket-protocol"), "hearth.v1")
        self.assertEqual(self.server.origin, "https://127.0.0.1:%d" % self.port)
        browser = await self.connect("browser", origin=self.server.origin)
        await browser.hello(self.server.mint(self.ROOM, "participant", "b", "B"))
        await browser.join()
        for origin in ("http://127.0.0.1:%d" % self.port, "http://localhost:%d" % self.port):
            with self.subTest(origin=origin):
                status, headers, body = await http_upgrade(self.port, {"Origin": origin},
                                                           tls=self.server.client_tls())
                self.assertEqual(status, 403)
                self.assertIn("origin", body)
                self.assertNotIn("sec-websocket-accept", headers)
                with self.assertRaises(websockets.InvalidStatusCode) as cm:
                    await self.connect("http page", origin=origin)
                self.assertEqual(cm.exception.status_code, 403)
        await self.assert_chat_works(browser)

    async def test_tls_1_1_client_cannot_handshake(self):
        context = self.server.client_tls()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # exactly what is tested
            context.minimum_version = ssl.TLSVersion.TLSv1
            context.maximum_version = ssl.TLSVersion.TLSv1_1
        # OpenSSL 3 offers TLS 1.0/1.1 only at security level 0.
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
        with self.assertRaises(ssl.SSLError) as cm:
            await self.handshake(context)
        if cm.exception.reason in ("NO_PROTOCOLS_AVAILABLE", "NO_CIPHERS_AVAILABLE"):
            self.skipTest("the local OpenSSL does not offer TLS 1.1 at all")
        # The server answered the offer with a protocol_version alert.
        self.assertEqual(cm.exception.reason, "TLSV1_ALERT_PROTOCOL_VERSION", cm.exception)
        client = await self.joined("after")
        await self.assert_chat_works(client)

    async def test_tls12_cbc_suites_are_refused_and_aead_is_accepted(self):
        for suite in CBC_SUITES:
            with self.subTest(suite=suite):
                with self.assertRaises(ssl.SSLError) as cm:
                    await self.handshake(self.tls12(suite))
                self.assertEqual(cm.exception.reason, "SSLV3_ALERT_HANDSHAKE_FAILURE",
                                 cm.exception)
        tls = await self.handshake(self.tls12(AEAD_SUITE))
        self.assertEqual((tls.version(), tls.cipher()[0]), ("TLSv1.2", AEAD_SUITE))
        client = await self.connect("tls12", tls=self.tls12(AEAD_SUITE))
        self.assertEqual(client.tls_object.cipher()[0], AEAD_SUITE)
        await client.hello(self.server.mint(self.ROOM, "participant", "p", "P"))
        await client.join()
        await self.assert_chat_works(client)

    async def test_plain_ws_to_the_tls_port_fails_and_others_are_unharmed(self):
        watcher = await self.joined("watcher")
        loop = asyncio.get_running_loop()
        started = loop.time()
        with self.assertRaises((websockets.InvalidHandshake, OSError)):
            await HearthClient.connect(self.port, label="plain")
        # Refused at once with a TLS alert, not left waiting for a timeout.
        self.assertLess(loop.time() - started, 2.0)
        # A TCP peer that never speaks holds no one else up either.
        _, silent = await asyncio.open_connection("127.0.0.1", self.port)
        try:
            await self.assert_chat_works(watcher)
            late = await self.joined("late")
            joined = await self.expect_event(watcher, "member_joined")
            self.assertEqual(joined.member_joined.member.member_id, late.member_id)
        finally:
            silent.close()

    async def test_a_hello_sent_right_behind_the_upgrade_is_answered(self):
        """A client that does not wait for the 101 before its Hello, both in
        one TLS record: the HTTP reader takes the request and what fits of
        the Hello, and the rest of the record waits in OpenSSL, not in the
        socket. The session must read it without waiting for the socket to
        become readable."""
        token = self.server.mint(self.ROOM, "participant", "eager", "Eager")
        hello = pb.ClientMessage(request_id=1, hello=pb.Hello(
            token=token, client_name="hearth-pytest", client_version="0.1.0"))
        reader, writer = await upgrade_with_messages(self.port, hello,
                                                     tls=self.server.client_tls())
        try:
            messages = await read_server_frame(reader, 3)
            self.assertEqual(messages[0].reply.request_id, 1)
            self.assertEqual(messages[0].reply.WhichOneof("outcome"), "hello")
        finally:
            writer.close()

    async def test_sigterm_closes_wss_clients_with_4000_and_exits_zero(self):
        clients = [await self.joined("dana", role="facilitator"), await self.joined("alex")]
        self.server.send_signal(signal.SIGTERM)
        for client in clients:
            await self.expect_closed(client, 4000)
        self.assertEqual(await self.server.wait_exit(), 0, self.server.log_text())


if __name__ == "__main__":
    unittest.main()
