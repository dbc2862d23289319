"""Malformed input: each bad frame gets its documented close code or error,
and the server keeps serving a bystander in the same room."""

import asyncio
import time
import unittest

from hearth_client import encode_varint, frame_bytes
from hearth_testcase import HearthTestCase, describe, errors, pb, room

MAX_MESSAGE_BYTES = 65536


def chat_frame_of_size(size):
    """A one-message frame of exactly `size` bytes holding a SendChat."""
    for text_len in range(size, 0, -1):
        message = pb.ClientMessage(request_id=7, send_chat=pb.SendChat(text="x" * text_len))
        data = frame_bytes(message.SerializeToString())
        if len(data) == size:
            return data
    raise ValueError("no frame of %d bytes" % size)


class BadFrames(HearthTestCase):
    async def asyncSetUp(self):
        await super().asyncSetUp()
        self.watcher = await self.joined("watcher")
        self.seq = 1
        self.victims = 0

    async def victim(self):
        """A newly joined member; the watcher has seen it join."""
        self.victims += 1
        client = await self.joined("victim-%d" % self.victims)
        self.seq += 1
        await self.expect_event(self.watcher, "member_joined", seq=self.seq,
                                member=client.join_result.snapshot.members[-1])
        return client

    async def watcher_sees_drop_and_still_chats(self, victim):
        self.seq += 1
        await self.expect_event(self.watcher, "member_presence", seq=self.seq,
                                member_id=victim.member_id,
                                presence=room.PRESENCE_RECONNECTING)
        self.seq += 1
        self.assertEqual(await self.assert_chat_works(self.watcher), self.seq)

    async def check_closes(self, payload, code, disconnect=True):
        victim = await self.victim()
        await victim.send_raw(payload)
        before = await self.expect_closed(victim, code, disconnect=disconnect)
        self.assertEqual(before, [], [describe(m) for m in before])
        await self.watcher_sees_drop_and_still_chats(victim)

    async def test_garbage_bytes_close_4500(self):
        await self.check_closes(b"\xde\xad\xbe\xef" * 4, 4500)  # a varint that never ends

    async def test_framed_garbage_closes_4500(self):
        await self.check_closes(b"\x04\xff\xff\xff\xff", 4500)  # length fine, not protobuf

    async def test_length_prefix_past_the_frame_end_closes_4500(self):
        body = pb.ClientMessage(request_id=3, send_chat=pb.SendChat(text="cut")).SerializeToString()
        await self.check_closes(encode_varint(len(body) + 5) + body, 4500)

    async def test_truncated_protobuf_closes_4500(self):
        body = pb.ClientMessage(request_id=3,
                                send_chat=pb.SendChat(text="truncated text")).SerializeToString()
        await self.check_closes(frame_bytes(body[:-4]), 4500)

    async def test_bad_second_message_rejects_the_whole_frame(self):
        good = pb.ClientMessage(request_id=3,
                                send_chat=pb.SendChat(text="never")).SerializeToString()
        # The good chat in front must not be applied: the watcher sees no chat.
        await self.check_closes(frame_bytes(good) + encode_varint(40) + b"\x08", 4500)

    async def test_invalid_utf8_in_a_string_closes_4500(self):
        body = pb.ClientMessage(request_id=3, send_chat=pb.SendChat(text="ab")).SerializeToString()
        await self.check_closes(frame_bytes(body.replace(b"ab", b"\xc3\x28")), 4500)

    async def test_empty_frame_closes_4500(self):
        await self.check_closes(b"", 4500)

    async def test_more_than_16_messages_in_a_frame_close_4500(self):
        victim = await self.victim()
        chats = [victim.make(send_chat=pb.SendChat(text="n%d" % i)) for i in range(17)]
        await victim.send(*chats)
        self.assertEqual(await self.expect_closed(victim, 4500), [])
        await self.watcher_sees_drop_and_still_chats(victim)

    async def test_16_messages_in_a_frame_are_all_applied(self):
        victim = await self.victim()
        chats = [victim.make(send_chat=pb.SendChat(text="n%d" % i)) for i in range(16)]
        await victim.send(*chats)
        for i in range(16):
            await self.expect_event(self.watcher, "chat", seq=self.seq + 1 + i, text="n%d" % i)
        for i in range(16):
            await self.expect_event(victim, "chat", seq=self.seq + 1 + i)
            await victim.expect_reply(chats[i].request_id, "chat")

    async def test_text_frame_closes_4504(self):
        await self.check_closes("a text frame", 4504)

    async def test_oversize_frame_closes_1009(self):
        # docs/protocol.md: closed by the WebSocket layer, with no Disconnect.
        await self.check_closes(chat_frame_of_size(MAX_MESSAGE_BYTES + 1), 1009,
                                disconnect=False)

    async def test_frame_of_exactly_the_limit_is_read(self):
        victim = await self.victim()
        await victim.send_raw(chat_frame_of_size(MAX_MESSAGE_BYTES))
        # Read and decoded; only the chat length limit refuses it.
        await self.expect_error(victim, 7, errors.ERROR_CODE_LIMIT_EXCEEDED)
        await self.assert_chat_works(victim)

    async def test_unknown_command_is_answered_and_the_connection_stays(self):
        victim = await self.victim()
        # request_id = 5, then field 99 (varint 1): a command this server does not know.
        await victim.send_raw(frame_bytes(b"\x08\x05" + encode_varint(99 << 3) + b"\x01"))
        error = await self.expect_error(victim, 5, errors.ERROR_CODE_UNKNOWN_COMMAND)
        self.assertFalse(error.temporary)
        self.assertTrue(victim.is_open)
        self.seq += 1
        self.assertEqual(await self.assert_chat_works(victim), self.seq)
        await self.expect_event(self.watcher, "chat", seq=self.seq)
        self.seq += 1
        self.assertEqual(await self.assert_chat_works(self.watcher), self.seq)

    async def test_unknown_command_without_request_id_is_ignored(self):
        victim = await self.victim()
        await victim.send_raw(frame_bytes(encode_varint(99 << 3) + b"\x01"))
        await victim.expect_silence()
        self.seq += 1
        self.assertEqual(await self.assert_chat_works(victim), self.seq)

    async def test_message_without_any_command_is_unknown(self):
        victim = await self.victim()
        await victim.send(pb.ClientMessage(request_id=12))
        await self.expect_error(victim, 12, errors.ERROR_CODE_UNKNOWN_COMMAND)
        self.assertTrue(victim.is_open)


class BeforeHello(HearthTestCase):
    SERVER_ARGS = ("--hello-timeout-ms", "500")

    async def asyncSetUp(self):
        await super().asyncSetUp()
        self.watcher = await self.joined("watcher")

    async def test_no_hello_within_the_deadline_closes_4501(self):
        start = time.monotonic()
        silent = await self.connect("silent")
        self.assertEqual(await self.expect_closed(silent, 4501), [])
        elapsed = time.monotonic() - start
        self.assertGreaterEqual(elapsed, 0.45)
        self.assertLess(elapsed, 2.0)
        # The watcher said Hello long ago and is not affected by the deadline.
        await self.watcher.expect_silence(0.1)
        self.assertEqual(await self.assert_chat_works(self.watcher), 2)

    async def test_chat_before_hello_closes_4500(self):
        early = await self.connect("early")
        await early.send_chat("hi")
        self.assertEqual(await self.expect_closed(early, 4500), [])
        self.assertEqual(await self.assert_chat_works(self.watcher), 2)

    async def test_unknown_command_before_hello_closes_4500(self):
        early = await self.connect("early")
        await early.send_raw(frame_bytes(b"\x08\x05" + encode_varint(99 << 3) + b"\x01"))
        self.assertEqual(await self.expect_closed(early, 4500), [])
        self.assertEqual(await self.assert_chat_works(self.watcher), 2)

    async def test_garbage_before_hello_closes_4500(self):
        early = await self.connect("early")
        await early.send_raw(b"\xff" * 12)
        self.assertEqual(await self.expect_closed(early, 4500), [])
        self.assertEqual(await self.assert_chat_works(self.watcher), 2)


class RateLimit(HearthTestCase):
    SERVER_ARGS = ("--rate-per-second", "0.5", "--rate-burst", "4", "--rate-strikes", "2")

    async def test_throttled_then_closed_4005(self):
        watcher = await self.joined("watcher")  # 2 of the watcher's own 4 tokens
        flood = await self.joined("flood")      # 2 of 4
        await self.expect_event(watcher, "member_joined", seq=2)
        await flood.chat("one")
        await flood.chat("two")                 # the burst is spent
        rid = await flood.send_chat("three")
        reply, before = await flood.wait_reply(rid)
        self.assert_error(reply, errors.ERROR_CODE_TOO_MANY_REQUESTS)
        self.assertTrue(reply.error.temporary)
        self.assertEqual(before, [])
        await flood.send_chat("four")           # second strike
        await self.expect_closed(flood, 4005)
        for seq, text in ((3, "one"), (4, "two")):
            await self.expect_event(watcher, "chat", seq=seq, text=text)
        await self.expect_event(watcher, "member_presence", seq=5,
                                presence=room.PRESENCE_RECONNECTING)
        self.assertEqual(await self.assert_chat_works(watcher), 6)


class RateLimitStrikes(HearthTestCase):
    SERVER_ARGS = ("--rate-per-second", "2", "--rate-burst", "4", "--rate-strikes", "2")

    async def test_an_admitted_message_resets_the_strikes(self):
        flood = await self.joined("flood")
        await flood.chat("one")
        await flood.chat("two")  # the burst is spent
        rid = await flood.send_chat("throttled 1")
        await self.expect_error(flood, rid, errors.ERROR_CODE_TOO_MANY_REQUESTS)
        await asyncio.sleep(0.6)  # refills one token (2 per second)
        reply, _ = await flood.chat("admitted")
        self.assertEqual(reply.WhichOneof("outcome"), "chat")
        # Strikes count consecutive throttled messages: one more is not yet a close.
        rid = await flood.send_chat("throttled 2")
        await self.expect_error(flood, rid, errors.ERROR_CODE_TOO_MANY_REQUESTS)
        self.assertTrue(flood.is_open)
        rid = await flood.send_chat("throttled 3")
        # The last refusal is still written before the Disconnect.
        before = await self.expect_closed(flood, 4005)
        self.assertEqual(len(before), 1, [describe(m) for m in before])
        self.assert_error(before[0].reply, errors.ERROR_CODE_TOO_MANY_REQUESTS, request_id=rid)


if __name__ == "__main__":
    unittest.main()
