"""The HTTP upgrade: subprotocol and Origin checks."""

import unittest

import websockets

from hearth_client import (HearthClient, http_upgrade, pb, read_server_frame,
                           upgrade_with_messages)
from hearth_testcase import HearthTestCase

EXTRA_ORIGIN = "https://app.example.test"


class Handshake(HearthTestCase):
    SERVER_ARGS = ("--allowed-origin", EXTRA_ORIGIN)

    async def asyncSetUp(self):
        await super().asyncSetUp()
        self.watcher = await self.joined("watcher")
        self.chats = 1

    async def still_serving(self):
        self.chats += 1
        self.assertEqual(await self.assert_chat_works(self.watcher), self.chats)

    async def test_missing_subprotocol_is_400_naming_hearth_v1(self):
        status, headers, body = await http_upgrade(self.port, {"Sec-WebSocket-Protocol": None})
        self.assertEqual(status, 400)
        self.assertIn("hearth.v1", body)
        self.assertEqual(headers.get("connection", "").lower(), "close")
        await self.still_serving()

    async def test_other_subprotocols_only_is_400(self):
        status, _, body = await http_upgrade(self.port,
                                             {"Sec-WebSocket-Protocol": "chat, hearth.v2"})
        self.assertEqual(status, 400)
        self.assertIn("hearth.v1", body)
        await self.still_serving()

    async def test_subprotocol_among_others_is_accepted(self):
        status, headers, _ = await http_upgrade(
            self.port, {"Sec-WebSocket-Protocol": "chat,  hearth.v1 , x"})
        self.assertEqual(status, 101)
        self.assertEqual(headers.get("sec-websocket-protocol"), "hearth.v1")
        await self.still_serving()

    async def test_library_client_without_subprotocol_is_refused(self):
        with self.assertRaises(websockets.InvalidStatusCode) as cm:
            await HearthClient.connect(self.port, subprotocols=())
        self.assertEqual(cm.exception.status_code, 400)
        await self.still_serving()

    async def test_allowed_origins_are_accepted(self):
        for origin in (None, "http://127.0.0.1:%d" % self.port,
                       "http://localhost:%d" % self.port, EXTRA_ORIGIN):
            with self.subTest(origin=origin):
                status, headers, _ = await http_upgrade(self.port, {"Origin": origin})
                self.assertEqual(status, 101)
                self.assertEqual(headers.get("sec-websocket-protocol"), "hearth.v1")
        client = await self.connect("browser", origin=self.server.origin)
        await client.hello(self.server.mint(self.ROOM, "participant", "b", "B"))
        await client.join()
        await self.expect_event(self.watcher, "member_joined", seq=2)
        self.chats += 1
        await self.still_serving()

    async def test_foreign_origins_are_403(self):
        port = self.port
        for origin in ("http://evil.test", "null", "http://127.0.0.1:%d.evil.test" % port,
                       "http://127.0.0.1:%d/" % port, "https://127.0.0.1:%d" % port,
                       "http://127.0.0.1:%d" % (port + 1 if port < 65535 else port - 1),
                       "http://127.0.0.1", "HTTP://127.0.0.1:%d" % port,
                       "http://localhost.evil.test:%d" % port, EXTRA_ORIGIN + ".evil",
                       ""):
            with self.subTest(origin=origin):
                status, headers, body = await http_upgrade(self.port, {"Origin": origin})
                self.assertEqual(status, 403)
                self.assertIn("origin", body)
                self.assertNotIn("sec-websocket-accept", headers)
        await self.still_serving()

    async def test_library_client_with_foreign_origin_is_refused(self):
        with self.assertRaises(websockets.InvalidStatusCode) as cm:
            await HearthClient.connect(self.port, origin="http://evil.test")
        self.assertEqual(cm.exception.status_code, 403)
        await self.still_serving()

    async def test_origin_is_checked_before_the_subprotocol(self):
        status, _, _ = await http_upgrade(self.port, {"Origin": "null",
                                                      "Sec-WebSocket-Protocol": None})
        self.assertEqual(status, 403)

    async def test_upgrade_elsewhere_is_404(self):
        for path in ("/v1/other", "/v1/ws?x=1", "/v1/ws/"):
            with self.subTest(path=path):
                status, _, _ = await http_upgrade(self.port, path=path)
                self.assertEqual(status, 404)
        await self.still_serving()

    async def test_plain_get_of_the_endpoint_is_426(self):
        status, _, body = await http_upgrade(self.port, {"Upgrade": None, "Connection": None})
        self.assertEqual(status, 426)
        self.assertIn("hearth.v1", body)
        await self.still_serving()

    async def test_messages_sent_right_behind_the_upgrade_are_all_answered(self):
        """A client that sends its Hello and Join with the upgrade request,
        without waiting for the 101: the server reads them with the request
        and must answer both, one turn each, with nothing more from the socket."""
        token = self.server.mint(self.ROOM, "participant", "eager", "Eager")
        hello = pb.ClientMessage(request_id=1, hello=pb.Hello(
            token=token, client_name="hearth-pytest", client_version="0.1.0"))
        join = pb.ClientMessage(request_id=2, join_room=pb.JoinRoom(room_id=""))
        reader, writer = await upgrade_with_messages(self.port, hello, join)
        try:
            replies = {}
            while len(replies) < 2:
                for message in await read_server_frame(reader, 3):
                    if message.HasField("reply"):
                        replies[message.reply.request_id] = message.reply.WhichOneof("outcome")
            self.assertEqual(replies, {1: "hello", 2: "join"})
        finally:
            writer.close()


if __name__ == "__main__":
    unittest.main()
