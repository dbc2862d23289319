"""Membership on one connection: the replaced older connection, joining
twice, leaving and joining again, and the member limit."""

import unittest

from hearth_testcase import HearthTestCase, errors, pb, position, roles, room


class DuplicateIdentity(HearthTestCase):
    async def test_newer_connection_replaces_the_older(self):
        watcher = await self.joined("watcher")
        old = await self.joined("dup")
        await self.expect_event(watcher, "member_joined", seq=2)
        new = await self.rejoin(old)
        self.assertEqual(new.join_result.member_id, old.member_id)
        self.assertFalse(new.join_result.recovered)
        await self.expect_closed(old, 4503)
        self.assertFalse(old.disconnect.reconnect)
        # No presence flapping for the others.
        await watcher.expect_silence()
        self.assertEqual(await self.assert_chat_works(new), 3)
        await self.expect_event(watcher, "chat", seq=3, from_member_id=old.member_id)
        snap = (await self.joined("late")).join_result.snapshot
        self.assertEqual(sorted((m.member_id, m.presence) for m in snap.members)[:2],
                         [(watcher.member_id, room.PRESENCE_PRESENT),
                          (old.member_id, room.PRESENCE_PRESENT)])

    async def test_hello_alone_does_not_replace(self):
        old = await self.joined("dup")
        other = await self.authed("dup")
        await old.expect_silence()
        self.assertTrue(old.is_open)
        await self.assert_chat_works(old)
        self.assertTrue(other.is_open)

    async def test_replacing_join_keeps_the_first_name_and_role(self):
        watcher = await self.joined("watcher")
        old = await self.joined("dup", "participant", "Pat")
        await self.expect_event(watcher, "member_joined", seq=2)
        new = await self.connect("dup-2")
        hello = await new.hello(self.server.mint(self.ROOM, "facilitator", "dup", "Dr Pat"))
        self.assertEqual(hello.role, roles.ROLE_FACILITATOR)  # what the token says
        result = await new.join()
        await self.expect_closed(old, 4503)
        self.assertIn((old.member_id, "Pat", roles.ROLE_PARTICIPANT),
                      [(m.member_id, m.display_name, m.role) for m in result.snapshot.members])

    async def test_replacing_connection_may_resume(self):
        watcher = await self.joined("watcher")
        old = await self.joined("dup")
        await self.expect_event(watcher, "member_joined", seq=2)
        await watcher.chat("missed by the new one")
        new = await self.rejoin(old, resume=position(old, 2))
        self.assertTrue(new.join_result.recovered)
        self.assertEqual(new.join_result.head_seq, 3)
        await self.expect_event(new, "chat", seq=3, text="missed by the new one")
        await new.expect_silence()
        closing = await self.expect_closed(old, 4503)
        self.assertEqual([m.event.seq for m in closing], [3])


class Rejoin(HearthTestCase):
    async def test_second_join_on_a_joined_connection_keeps_it_joined(self):
        a = await self.joined("a")
        b = await self.joined("b")
        await self.expect_event(a, "member_joined", seq=2)
        rid = await b.send_join()
        await self.expect_error(b, rid, errors.ERROR_CODE_ALREADY_JOINED)
        # The refused second join must not detach the first one.
        await self.assert_chat_works(b)

    async def test_drop_after_a_refused_second_join_starts_the_grace(self):
        a = await self.joined("a")
        b = await self.joined("b")
        await self.expect_event(a, "member_joined", seq=2)
        rid = await b.send_join()
        await self.expect_error(b, rid, errors.ERROR_CODE_ALREADY_JOINED)
        b.drop()
        event = await a.recv_event(timeout=1.0)
        self.assert_event(event, "member_presence", seq=3, member_id=b.member_id,
                          presence=room.PRESENCE_RECONNECTING)

    async def leave_and_join_in_one_frame(self):
        """docs/protocol.md: records in one frame are handled in order, as if
        sent one by one, and a connection that has left may join again."""
        a = await self.joined("a")
        b = await self.joined("b")
        await self.expect_event(a, "member_joined", seq=2)
        leave = b.make(leave_room=pb.LeaveRoom())
        join = b.make(join_room=pb.JoinRoom())
        await b.send(leave, join)
        await self.expect_event(b, "member_left", seq=3, member_id=b.member_id)
        await b.expect_reply(leave.request_id, "leave")
        result = (await b.expect_reply(join.request_id, "join")).join
        self.assertEqual(result.head_seq, 4)
        self.assertEqual(result.member_id, b.member_id)
        await self.expect_event(a, "member_left", seq=3)
        await self.expect_event(a, "member_joined", seq=4)
        return a, b

    # Leave then join in one frame: the connection must end up joined.
    async def test_leave_then_join_in_one_frame_leaves_the_connection_joined(self):
        _, b = await self.leave_and_join_in_one_frame()
        await self.assert_chat_works(b)

    # ... and its later drop must start the grace period like any other.
    async def test_drop_after_leave_then_join_in_one_frame_starts_the_grace(self):
        a, b = await self.leave_and_join_in_one_frame()
        b.drop()
        event = await a.recv_event(timeout=1.0)
        self.assert_event(event, "member_presence", seq=5, member_id=b.member_id,
                          presence=room.PRESENCE_RECONNECTING)

    async def test_leave_then_join_after_the_reply_works(self):
        a = await self.joined("a")
        b = await self.joined("b")
        await self.expect_event(a, "member_joined", seq=2)
        rid = await b.send_leave()
        await self.expect_event(b, "member_left", seq=3)
        await b.expect_reply(rid, "leave")
        await b.join()
        self.assertEqual(await self.assert_chat_works(b), 5)


class RoomLimits(HearthTestCase):
    SERVER_ARGS = ("--max-members", "2")

    async def test_full_room_refuses_a_third_member(self):
        a = await self.joined("a")
        await self.joined("b")
        c = await self.authed("c")
        rid = await c.send_join()
        await self.expect_error(c, rid, errors.ERROR_CODE_LIMIT_EXCEEDED)
        rid = await c.send_chat("let me in")
        await self.expect_error(c, rid, errors.ERROR_CODE_NOT_JOINED)
        await self.expect_event(a, "member_joined", seq=2)
        await a.expect_silence()

    async def test_reconnecting_members_still_count(self):
        a = await self.joined("a")
        b = await self.joined("b")
        b.drop()
        await self.expect_event(a, "member_joined", seq=2)
        await self.expect_event(a, "member_presence", seq=3, presence=room.PRESENCE_RECONNECTING)
        c = await self.authed("c")
        rid = await c.send_join()
        await self.expect_error(c, rid, errors.ERROR_CODE_LIMIT_EXCEEDED)
        back = await self.rejoin(b)  # its own seat is kept
        self.assertEqual(back.member_id, b.member_id)


if __name__ == "__main__":
    unittest.main()
