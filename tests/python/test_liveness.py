"""Liveness and life cycle: application pings, slow consumers, SIGTERM."""

import asyncio
import signal
import time
import unittest

from hearth_testcase import HearthTestCase, describe, room


class Pings(HearthTestCase):
    SERVER_ARGS = ("--ping-interval-ms", "150", "--pong-timeout-ms", "400")

    async def test_answered_pings_keep_the_connection(self):
        client = await self.joined("a")
        self.assertEqual(client.hello_result.ping_interval_ms, 150)
        self.assertEqual(client.hello_result.pong_timeout_ms, 400)
        await client.expect_silence(1.2)  # answers every Ping meanwhile
        self.assertGreaterEqual(len(client.pings), 5)
        self.assertEqual([p.nonce for p in client.pings], list(range(1, len(client.pings) + 1)))
        times = [p.server_time_ms for p in client.pings]
        self.assertEqual(times, sorted(times))
        self.assertGreater(times[0], 0)
        self.assertTrue(client.is_open)
        await self.assert_chat_works(client)

    async def check_ping_timeout(self, auto_pong):
        # The watcher answers Pings only while it reads: nothing may hold it
        # up for a Pong deadline (400 ms) before the test reads it. So the
        # second token is minted first, and the watcher reads during the join.
        mute_token = self.server.mint(self.ROOM, "participant", "mute", "Mute")
        watcher = await self.joined("watcher")
        mute, _ = await asyncio.gather(self.joined("mute", token=mute_token),
                                       self.expect_event(watcher, "member_joined", seq=2))
        mute.auto_pong = auto_pong
        start = time.monotonic()
        # The watcher must keep reading (and answering its own Pings) meanwhile.
        closing, event = await asyncio.gather(self.expect_closed(mute, 4002),
                                              watcher.recv_event())
        elapsed = time.monotonic() - start
        self.assertEqual(closing, [])
        self.assertTrue(mute.disconnect.reconnect)
        self.assertGreaterEqual(len(mute.pings), 1)
        self.assertGreaterEqual(elapsed, 0.25)  # ping after >= 75 ms, then 400 ms
        self.assertLess(elapsed, 2.0)
        self.assert_event(event, "member_presence", seq=3, member_id=mute.member_id,
                          presence=room.PRESENCE_RECONNECTING)
        self.assertEqual(await self.assert_chat_works(watcher), 4)

    async def test_unanswered_ping_closes_4002(self):
        await self.check_ping_timeout(False)

    async def test_pong_with_the_wrong_nonce_does_not_count(self):
        await self.check_ping_timeout(lambda nonce: nonce + 1000)


class SlowConsumer(HearthTestCase):
    SERVER_ARGS = ("--max-outbound-queue-bytes", "1000")

    async def test_event_larger_than_the_outbound_queue_closes_4001(self):
        a = await self.joined("a")
        b = await self.joined("b")
        await self.expect_event(a, "member_joined", seq=2)
        await a.send_chat("y" * 1500)
        for client in (a, b):
            self.assertEqual(await self.expect_closed(client, 4001), [])
            self.assertTrue(client.disconnect.reconnect)
        # The server itself is fine, and so is the room: the recent chat a
        # newcomer's snapshot carries gets a quarter of the queue, so the big
        # chat is not in it and the snapshot fits.
        c = await self.joined("c", room_id="room-2")
        self.assertEqual(await self.assert_chat_works(c, "small"), 2)
        d = await self.joined("d")
        self.assertEqual(list(d.join_result.snapshot.recent_chat), [])
        # After the chat (3): a and b reconnecting (4, 5), d joining (6).
        self.assertEqual(await self.assert_chat_works(d, "small"), 7)


class Shutdown(HearthTestCase):
    async def test_sigterm_closes_every_client_4000_and_exits_0(self):
        a = await self.joined("a")
        b = await self.joined("b", "facilitator")
        await self.expect_event(a, "member_joined", seq=2)
        authed_only = await self.authed("c")
        silent = await self.connect("silent")
        clients = [a, b, authed_only, silent]
        start = time.monotonic()
        self.server.send_signal(signal.SIGTERM)
        results = await asyncio.gather(*(self.expect_closed(c, 4000) for c in clients))
        for client, before in zip(clients, results):
            self.assertEqual(before, [], "%s: %s" % (client.label, [describe(m) for m in before]))
            self.assertTrue(client.disconnect.reconnect)
        code = await self.server.wait_exit(5)
        self.assertEqual(code, 0, self.server.log_text())
        # Every close handshake finished, so it did not wait out the 5 s grace.
        self.assertLess(time.monotonic() - start, 2.0)

    async def test_sigterm_with_no_clients_exits_0(self):
        self.assertEqual(await self.server.astop(5), 0)

    async def test_sigint_is_handled_like_sigterm(self):
        a = await self.joined("a")
        self.server.send_signal(signal.SIGINT)
        self.assertEqual(await self.expect_closed(a, 4000), [])
        self.assertEqual(await self.server.wait_exit(5), 0)


if __name__ == "__main__":
    unittest.main()
