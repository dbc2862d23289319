"""Core protocol flow: hello, join snapshot, chat fan-out, private chat,
typing, leave, and frames carrying several messages."""

import asyncio
import time
import unittest

from hearth_client import decode_varint, encode_varint, frame_bytes, split_frame
from hearth_testcase import HearthTestCase, describe, errors, pb, roles, room


class HelloAndJoin(HearthTestCase):
    async def test_hello_reports_the_token_and_server_limits(self):
        client = await self.connect("c")
        before = int(time.time())
        token = self.server.mint(self.ROOM, "co_facilitator", "s-1", "Sam", ttl=600)
        hello = await client.hello(token)
        self.assertEqual(hello.room_id, self.ROOM)
        self.assertEqual(hello.role, roles.ROLE_CO_FACILITATOR)
        self.assertTrue(hello.server_version)
        self.assertEqual(hello.max_message_bytes, 65536)
        self.assertEqual(hello.ping_interval_ms, 25000)
        self.assertEqual(hello.pong_timeout_ms, 10000)
        self.assertGreaterEqual(hello.token_expires_at_ms, (before + 600) * 1000)
        self.assertLessEqual(hello.token_expires_at_ms, (int(time.time()) + 600) * 1000)

    async def test_join_snapshot_lists_members_roles_and_presence(self):
        fran = await self.joined("fran", "facilitator", "Fran")
        j = fran.join_result
        self.assertFalse(j.recovered)
        self.assertEqual(j.room_id, self.ROOM)
        self.assertTrue(j.epoch)
        self.assertEqual(j.head_seq, 1)  # fran's own MemberJoined
        self.assertEqual(j.snapshot.room_id, self.ROOM)
        self.assertEqual([(m.member_id, m.display_name, m.role, m.presence)
                          for m in j.snapshot.members],
                         [(j.member_id, "Fran", roles.ROLE_FACILITATOR, room.PRESENCE_PRESENT)])
        self.assertGreater(j.snapshot.members[0].joined_at_ms, 0)

        pat = await self.joined("pat", "participant", "Pat")
        self.assertEqual(pat.join_result.head_seq, 2)
        self.assertNotEqual(pat.member_id, fran.member_id)
        joined = await self.expect_event(fran, "member_joined", seq=2)
        self.assertEqual((joined.member_joined.member.member_id,
                          joined.member_joined.member.display_name,
                          joined.member_joined.member.role,
                          joined.member_joined.member.presence),
                         (pat.member_id, "Pat", roles.ROLE_PARTICIPANT, room.PRESENCE_PRESENT))
        self.assertEqual(joined.room_id, self.ROOM)
        self.assertEqual(joined.direct_seq, 0)

        olga = await self.joined("olga", "observer", "Olga", admit_by=fran)  # observers wait
        self.assertEqual(olga.join_result.head_seq, 3)
        olga.drop()
        await self.expect_event(fran, "member_presence", seq=4, member_id=olga.member_id,
                                presence=room.PRESENCE_RECONNECTING)
        reply, before = await fran.chat("welcome")
        self.assertEqual(reply.chat.seq, 5)

        kim = await self.joined("kim", "family_member", "Kim")
        snap = kim.join_result.snapshot
        self.assertEqual(kim.join_result.head_seq, 6)
        # Present and reconnecting members, in join order (ids 1, 2, ...).
        self.assertEqual([(m.member_id, m.display_name, m.role, m.presence)
                          for m in snap.members],
                         [(1, "Fran", roles.ROLE_FACILITATOR, room.PRESENCE_PRESENT),
                          (2, "Pat", roles.ROLE_PARTICIPANT, room.PRESENCE_PRESENT),
                          (3, "Olga", roles.ROLE_OBSERVER, room.PRESENCE_RECONNECTING),
                          (4, "Kim", roles.ROLE_FAMILY_MEMBER, room.PRESENCE_PRESENT)])
        self.assertEqual([fran.member_id, pat.member_id, olga.member_id, kim.member_id],
                         [1, 2, 3, 4])
        self.assertEqual([(c.from_member_id, c.text, c.scope) for c in snap.recent_chat],
                         [(fran.member_id, "welcome", room.CHAT_SCOPE_ROOM)])

    async def test_join_with_explicit_room_id_and_a_foreign_room(self):
        pat = await self.authed("pat")
        rid = await pat.send_join("other-room")
        await self.expect_error(pat, rid, errors.ERROR_CODE_PERMISSION_DENIED)
        result = await pat.join(self.ROOM)
        self.assertEqual(result.room_id, self.ROOM)
        await self.assert_chat_works(pat)
        # Once joined, another room is refused and the first one stays joined.
        rid = await pat.send_join("other-room")
        await self.expect_error(pat, rid, errors.ERROR_CODE_PERMISSION_DENIED)
        self.assertEqual(await self.assert_chat_works(pat), 3)


class ChatFanOut(HearthTestCase):
    async def test_every_member_gets_every_chat_once_in_seq_order(self):
        members = [await self.joined("m%d" % i) for i in range(3)]
        # Drain the joins: m0 sees m1 and m2 join, m1 sees m2.
        await self.expect_event(members[0], "member_joined", seq=2)
        await self.expect_event(members[0], "member_joined", seq=3)
        await self.expect_event(members[1], "member_joined", seq=3)
        base = 3
        per_member = 6
        sent = {}  # (member index, request id) -> text
        for round_ in range(per_member):
            rids = await asyncio.gather(*(
                m.send_chat("m%d says %d" % (i, round_)) for i, m in enumerate(members)))
            for i, rid in enumerate(rids):
                sent[(i, rid)] = "m%d says %d" % (i, round_)
        total = per_member * len(members)

        streams = []
        for i, member in enumerate(members):
            chats, replies = [], {}
            while len(chats) < total or len(replies) < per_member:
                message = await member.recv()
                if message.HasField("event"):
                    self.assert_event(message.event, "chat")
                    chats.append(message.event)
                else:
                    self.assertTrue(message.HasField("reply"), describe(message))
                    reply = message.reply
                    self.assertEqual(reply.WhichOneof("outcome"), "chat", describe(reply))
                    self.assertNotIn(reply.request_id, replies)
                    text = sent[(i, reply.request_id)]
                    # The reply follows its own event.
                    events = [e for e in chats if e.chat.text == text]
                    self.assertEqual(len(events), 1, "reply %s before its event" % text)
                    self.assertEqual(reply.chat.seq, events[0].seq)
                    self.assertFalse(reply.chat.duplicate)
                    replies[reply.request_id] = reply
            await member.expect_silence()
            # Gap-free, increasing, each chat exactly once.
            self.assertEqual([e.seq for e in chats], list(range(base + 1, base + 1 + total)))
            self.assertEqual(sorted(e.chat.text for e in chats), sorted(sent.values()))
            for e in chats:
                self.assertEqual(e.direct_seq, 0)
                self.assertEqual(e.chat.scope, room.CHAT_SCOPE_ROOM)
                sender = int(e.chat.text[1])
                self.assertEqual(e.chat.from_member_id, members[sender].member_id)
            # Each sender's own messages keep their order.
            for j in range(len(members)):
                own = [e.chat.text for e in chats if e.chat.text.startswith("m%d " % j)]
                self.assertEqual(own, ["m%d says %d" % (j, r) for r in range(per_member)])
            streams.append([(e.seq, e.chat.text, e.chat.from_member_id) for e in chats])
        self.assertEqual(streams[0], streams[1])
        self.assertEqual(streams[0], streams[2])

    async def test_retried_client_msg_id_is_applied_once(self):
        a = await self.joined("a")
        b = await self.joined("b")
        await self.expect_event(a, "member_joined", seq=2)
        reply1, before = await a.chat("once", client_msg_id=77)
        self.assertEqual(len(before), 1)
        self.assertEqual(reply1.chat.seq, 3)
        await self.expect_event(b, "chat", seq=3, text="once")
        rid = await a.send_chat("once", client_msg_id=77)
        reply2 = await a.expect_reply(rid, "chat")
        self.assertEqual(reply2.chat.seq, 3)
        self.assertTrue(reply2.chat.duplicate)
        await b.expect_silence()
        # A different id is a new message.
        reply3, _ = await a.chat("once", client_msg_id=78)
        self.assertEqual(reply3.chat.seq, 4)
        self.assertFalse(reply3.chat.duplicate)


class PrivateChat(HearthTestCase):
    async def _room(self):
        fac = await self.joined("fac", "facilitator")
        cof = await self.joined("cof", "co_facilitator")
        p1 = await self.joined("p1")
        p2 = await self.joined("p2")
        for client, n in ((fac, 3), (cof, 2), (p1, 1)):
            for _ in range(n):
                await self.expect_event(client, "member_joined")
        return fac, cof, p1, p2

    async def test_private_chat_reaches_facilitators_only(self):
        fac, cof, p1, p2 = await self._room()
        reply, before = await p1.chat("just for staff", room.CHAT_SCOPE_FACILITATORS)
        self.assertEqual(reply.chat.seq, 0)
        self.assertEqual(reply.chat.direct_seq, 1)
        self.assertEqual(len(before), 1, [describe(m) for m in before])
        self.assert_event(before[0].event, "chat", seq=0, direct_seq=1,
                          from_member_id=p1.member_id, text="just for staff",
                          scope=room.CHAT_SCOPE_FACILITATORS)
        for staff in (fac, cof):
            await self.expect_event(staff, "chat", seq=0, direct_seq=1,
                                    from_member_id=p1.member_id, text="just for staff",
                                    scope=room.CHAT_SCOPE_FACILITATORS)
        await p2.expect_silence()
        await fac.expect_silence(0.05)

        # A facilitator writing privately reaches the other facilitator only.
        reply, _ = await fac.chat("staff note", room.CHAT_SCOPE_FACILITATORS)
        self.assertEqual(reply.chat.direct_seq, 2)  # fac's own direct stream
        await self.expect_event(cof, "chat", seq=0, direct_seq=2, text="staff note")
        await p1.expect_silence(0.1)
        await p2.expect_silence(0.1)

        # The room stream did not move: the next room chat is seq 5.
        self.assertEqual(await self.assert_chat_works(p2, "public"), 5)
        for other in (fac, cof, p1):
            await self.expect_event(other, "chat", seq=5, text="public")
        # Private chat is never in a snapshot.
        late = await self.joined("late")
        self.assertEqual([c.text for c in late.join_result.snapshot.recent_chat], ["public"])
        self.assertEqual(late.join_result.direct_head_seq, 0)

    async def test_private_chat_without_another_facilitator_is_not_found(self):
        pat = await self.joined("pat")
        rid = await pat.send_chat("anyone?", room.CHAT_SCOPE_FACILITATORS)
        err = await self.expect_error(pat, rid, errors.ERROR_CODE_NOT_FOUND)
        self.assertTrue(err.temporary)
        fac = await self.joined("fac", "facilitator")
        await self.expect_event(pat, "member_joined", seq=2)
        rid = await fac.send_chat("alone", room.CHAT_SCOPE_FACILITATORS)
        await self.expect_error(fac, rid, errors.ERROR_CODE_NOT_FOUND)
        await pat.expect_silence()

    async def test_observer_writes_to_facilitators_but_not_to_the_room(self):
        fac = await self.joined("fac", "facilitator")
        obs = await self.joined("obs", "observer", admit_by=fac)
        self.assertEqual(obs.join_result.head_seq, 2)
        rid = await obs.send_chat("hi all")
        await self.expect_error(obs, rid, errors.ERROR_CODE_PERMISSION_DENIED)
        await fac.expect_silence()
        reply, _ = await obs.chat("hi staff", room.CHAT_SCOPE_FACILITATORS)
        self.assertEqual(reply.chat.direct_seq, 1)
        # fac's direct stream: the observer waiting (1), then admitted (2).
        await self.expect_event(fac, "chat", seq=0, direct_seq=3, text="hi staff")


class TypingAndLeave(HearthTestCase):
    async def test_typing_is_ephemeral_and_not_echoed(self):
        a = await self.joined("a")
        b = await self.joined("b")
        await self.expect_event(a, "member_joined", seq=2)
        await a.send_typing(True)
        event = await self.expect_event(b, "typing", seq=0, direct_seq=0,
                                        member_id=a.member_id, active=True)
        self.assertEqual(event.room_id, self.ROOM)
        await a.expect_silence()
        await a.send_typing(False, request_id=5)  # a successful Typing is never answered
        await self.expect_event(b, "typing", member_id=a.member_id, active=False)
        await a.expect_silence(0.1)
        # Typing used no room seq.
        self.assertEqual(await self.assert_chat_works(b), 3)

    async def test_leave_announces_member_left_and_ends_room_commands(self):
        a = await self.joined("a")
        b = await self.joined("b")
        await self.expect_event(a, "member_joined", seq=2)
        rid = await b.send_leave()
        # Like a chat, the event goes out before the reply, the leaver included.
        await self.expect_event(b, "member_left", seq=3, member_id=b.member_id,
                                reason=room.LEAVE_REASON_LEFT)
        await b.expect_reply(rid, "leave")
        await self.expect_event(a, "member_left", seq=3, member_id=b.member_id,
                                reason=room.LEAVE_REASON_LEFT)
        rid = await b.send_chat("after leaving")
        await self.expect_error(b, rid, errors.ERROR_CODE_NOT_JOINED)
        await a.expect_silence(0.1)
        # Joining again is a fresh MemberJoined with a new snapshot.
        again = await b.join()
        self.assertFalse(again.recovered)
        self.assertEqual(again.member_id, b.member_id)
        await self.expect_event(a, "member_joined", seq=4)
        await self.assert_chat_works(b)


class Framing(HearthTestCase):
    async def hello_join_and_chat_in_one_frame(self, subject, head_seq):
        """A new connection sends Hello, JoinRoom and a chat in one frame, as
        the web client sends the first two; returns it once all are answered."""
        client = await self.connect(subject)
        token = self.server.mint(self.ROOM, "participant", subject, subject.title())
        hello = client.make(hello=pb.Hello(token=token))
        join = client.make(join_room=pb.JoinRoom())
        chat = client.make(send_chat=pb.SendChat(text="all at once"))
        await client.send(hello, join, chat)
        await client.expect_reply(hello.request_id, "hello")
        result = (await client.expect_reply(join.request_id, "join")).join
        self.assertEqual(result.head_seq, head_seq)
        await self.expect_event(client, "chat", seq=head_seq + 1, text="all at once")
        reply = await client.expect_reply(chat.request_id, "chat")
        self.assertEqual(reply.chat.seq, head_seq + 1)
        return client

    async def test_one_frame_may_carry_hello_join_and_chat(self):
        await self.hello_join_and_chat_in_one_frame("p", head_seq=1)

    # To a room that is open already the answers come in one frame too: one
    # round trip from the upgrade to the room.
    async def test_hello_and_join_to_an_open_room_are_answered_in_one_frame(self):
        a = await self.joined("a")
        b = await self.hello_join_and_chat_in_one_frame("b", head_seq=2)
        self.assertEqual(b.frames, 1)
        await self.expect_event(a, "member_joined", seq=2)
        await self.expect_event(a, "chat", seq=3, text="all at once")

    async def test_request_id_zero_gets_no_reply(self):
        a = await self.joined("a")
        b = await self.joined("b")
        await self.expect_event(a, "member_joined", seq=2)
        await a.send(a.make(0, send_chat=pb.SendChat(text="fire and forget")))
        await self.expect_event(a, "chat", seq=3, text="fire and forget")
        await self.expect_event(b, "chat", seq=3, text="fire and forget")
        await a.expect_silence()

    async def test_successful_hello_with_request_id_zero_gets_no_reply(self):
        client = await self.connect("quiet")
        await client.send_hello(self.server.mint(self.ROOM, "participant", "q", "Q"),
                                request_id=0)
        await client.expect_silence()
        result = await client.join()
        self.assertEqual(result.head_seq, 1)

    async def test_second_hello_is_already_authenticated(self):
        a = await self.authed("a")
        rid = await a.send_hello(a.token)
        await self.expect_error(a, rid, errors.ERROR_CODE_ALREADY_AUTHENTICATED)
        await a.join()
        await self.assert_chat_works(a)

    async def test_room_commands_before_join_are_not_joined(self):
        a = await self.authed("a")
        for send in (a.send_chat("early"), a.send_leave(), a.send_typing(True, request_id=9)):
            rid = await send
            await self.expect_error(a, rid, errors.ERROR_CODE_NOT_JOINED)
        await a.join()
        await self.assert_chat_works(a)

    async def test_invalid_chats_are_rejected_with_typed_errors(self):
        a = await self.joined("a")
        rid = await a.send_chat("")
        await self.expect_error(a, rid, errors.ERROR_CODE_BAD_REQUEST)
        rid = await a.send_chat("x" * 4001)
        await self.expect_error(a, rid, errors.ERROR_CODE_LIMIT_EXCEEDED)
        rid = await a.send_chat("odd scope", scope=7)
        await self.expect_error(a, rid, errors.ERROR_CODE_BAD_REQUEST)
        rid = await a.send_join("r" * 129)
        await self.expect_error(a, rid, errors.ERROR_CODE_BAD_REQUEST)
        self.assertEqual(await self.assert_chat_works(a, "x" * 4000), 2)


class ClientFraming(unittest.TestCase):
    """The test client's own framing, so a server bug is never a client bug."""

    def test_varints_round_trip(self):
        for value in (0, 1, 127, 128, 300, 16383, 16384, 2 ** 32 - 1, 2 ** 64 - 1):
            data = encode_varint(value)
            self.assertEqual(decode_varint(data + b"\x00", 0), (value, len(data)))
        self.assertEqual(encode_varint(300), b"\xac\x02")

    def test_frames_split_into_their_messages(self):
        parts = [b"", b"a", b"x" * 200]
        self.assertEqual(split_frame(frame_bytes(*parts)), parts)
        with self.assertRaises(ValueError):
            split_frame(frame_bytes(b"abc")[:-1])
        with self.assertRaises(ValueError):
            split_frame(b"\x80")


if __name__ == "__main__":
    unittest.main()
