"""Moderation over real sockets: a removal closes the connection with 4505 and
the person can join again; a locked room refuses a newcomer with 118 but lets
a dropped member back within the grace period; ending the session closes
everyone with 4506 and refuses every join with 119; a chat mute refuses room
chat but not a private message to the facilitator; a deleted chat message
leaves the snapshot; the real SQLite audit table records every action, and a
refused one, without any content; the terminal client's commands."""

import asyncio
import unittest

from terminal_client import CLI_AVAILABLE, TerminalClientMixin
from hearth_testcase import HearthTestCase, describe, errors, lob, pb, roles, room
from hearth.v1 import moderation_pb2 as mod  # noqa: E402  (on the path via hearth_client)

CANARY = "CANARY-moderation-5d2a"
ACTIONS = ("mute", "unmute", "mute_all", "unmute_all", "remove", "lock", "unlock",
           "end_session", "delete_chat", "role_change")


class ModerationCase(HearthTestCase):
    async def moderate(self, client, **action):
        """One Moderation action; returns (ModerationResult, messages before the reply)."""
        rid = await client.command(moderation=mod.Moderation(**action))
        reply, before = await client.wait_reply(rid)
        self.assertEqual(reply.WhichOneof("outcome"), "moderation", describe(reply))
        return reply.moderation, before

    async def refused(self, client, code, **action):
        """A refused action (events queued before the reply are skipped)."""
        rid = await client.command(moderation=mod.Moderation(**action))
        reply, _ = await client.wait_reply(rid)
        self.assert_error(reply, code)

    def assert_deleted(self, event, seq):
        # ChatDeleted.seq, not the envelope's (which assert_event would check).
        self.assertEqual(event.WhichOneof("body"), "chat_deleted", describe(event))
        self.assertEqual(event.chat_deleted.seq, seq, describe(event))

    async def join_refused(self, subject, role, code):
        """A new connection whose JoinRoom is refused with `code`; it stays open."""
        client = await self.authed(subject, role)
        rid = await client.send_join()
        await self.expect_error(client, rid, code)
        return client

    def audit_rows(self):
        return self.audit_query(
            "SELECT actor, actor_role, action, target, session, outcome, detail FROM audit "
            "WHERE action IN (%s) ORDER BY seq" % ",".join("?" * len(ACTIONS)), *ACTIONS)


class Removal(ModerationCase):
    async def test_a_removed_member_is_closed_with_4505_and_may_join_again(self):
        dana = await self.joined("dana", "facilitator")
        sam = await self.joined("sam", "participant")
        pat = await self.joined("pat", "participant")
        await self.drain(dana, sam, pat)

        result, before = await self.moderate(dana, remove=mod.RemoveMember(
            member_id=sam.member_id))
        self.assert_event(before[0].event, "member_left", member_id=sam.member_id,
                          reason=room.LEAVE_REASON_REMOVED)
        self.assertEqual(result.seq, before[0].event.seq)
        await self.expect_event(pat, "member_left", member_id=sam.member_id,
                                reason=room.LEAVE_REASON_REMOVED)
        # The removed member sees why, then the Disconnect (reconnect: false).
        messages = await self.expect_closed(sam, errors.CLOSE_CODE_REMOVED)
        self.assertEqual([m.event.WhichOneof("body") for m in messages], ["member_left"],
                         [describe(m) for m in messages])
        self.assertFalse(sam.disconnect.reconnect)

        # The same token still works, through the lobby: back as the same member.
        back = await self.rejoin(sam)
        self.assertEqual(back.join_result.lobby.reason, lob.WAIT_REASON_REMOVED)
        lobby = await self.expect_event(dana, "lobby_changed")
        self.assertEqual([(w.member_id, w.display_name) for w in lobby.lobby_changed.lobby.waiting],
                         [(sam.member_id, "Sam")])
        await self.admit(dana, back)
        self.assertEqual(back.member_id, sam.member_id)
        self.assertIn(sam.member_id, [m.member_id for m in back.join_result.snapshot.members])
        await self.expect_event(pat, "member_joined")
        self.assertEqual(await self.assert_chat_works(back), result.seq + 2)


class Break(ModerationCase):
    async def test_a_break_with_a_countdown_ends_by_itself_for_everyone(self):
        dana = await self.joined("dana", "facilitator")
        pat = await self.joined("pat", "participant")
        # Sam says Hello before the break, so only the join itself runs
        # inside it: minting a token runs a process, slow on a loaded machine.
        late = await self.authed("sam", "participant")
        await self.drain(dana, pat)
        result, before = await self.moderate(dana, start_break=mod.StartBreak(duration_ms=1500))
        started = await self.expect_event(pat, "break_changed")
        self.assertTrue(started.break_changed.break_state.active)
        self.assertEqual(started.break_changed.by_member_id, dana.member_id)
        ends = started.break_changed.break_state.ends_at_ms
        self.assertEqual(ends - started.server_time_ms, 1500)
        paused = await self.expect_event(pat, "floor")  # the turn clock stands still
        self.assertTrue(paused.floor.state.paused)
        await late.join("")
        self.assertEqual(late.join_result.snapshot.break_state.ends_at_ms, ends)
        await self.expect_event(pat, "member_joined")
        over = await self.expect_event(pat, "break_changed")
        self.assertFalse(over.break_changed.break_state.active)
        self.assertEqual(over.break_changed.by_member_id, 0)
        self.assertGreaterEqual(over.server_time_ms, ends)
        resumed = await self.expect_event(pat, "floor")
        self.assertFalse(resumed.floor.state.paused)


class Lock(ModerationCase):
    async def test_a_locked_room_refuses_newcomers_with_118_but_not_a_returning_member(self):
        dana = await self.joined("dana", "facilitator")
        pat = await self.joined("pat", "participant")
        await self.drain(dana, pat)

        await self.moderate(dana, lock=mod.LockRoom())
        await self.expect_event(pat, "room_locked", locked=True)
        quinn = await self.join_refused("quinn", "participant", errors.ERROR_CODE_ROOM_LOCKED)
        await pat.expect_silence()  # nothing happened in the room

        cora = await self.joined("cora", "co_facilitator")  # staff always get in
        self.assertTrue(cora.join_result.snapshot.locked)
        await self.drain(dana, pat)

        # Dropped, back within the grace period: still a member, so let in.
        pat.drop()
        await self.expect_event(dana, "member_presence", member_id=pat.member_id,
                                presence=room.PRESENCE_RECONNECTING)
        pat_again = await self.rejoin(pat)
        self.assertEqual(pat_again.member_id, pat.member_id)
        self.assertTrue(pat_again.join_result.snapshot.locked)
        await self.expect_event(dana, "member_presence", member_id=pat.member_id,
                                presence=room.PRESENCE_PRESENT)

        await self.moderate(dana, unlock=mod.UnlockRoom())
        await self.expect_event(pat_again, "room_locked", locked=False)
        await quinn.join()  # the same connection, now let in
        self.assertFalse(quinn.join_result.snapshot.locked)


class EndSession(ModerationCase):
    async def test_ending_closes_everyone_with_4506_and_refuses_joins_with_119(self):
        dana = await self.joined("dana", "facilitator")
        cora = await self.joined("cora", "co_facilitator")
        sam = await self.joined("sam", "participant")
        await self.drain(dana, cora, sam)

        # A co-facilitator may not end the session while a facilitator is here.
        await self.refused(cora, errors.ERROR_CODE_PERMISSION_DENIED, end_session=mod.EndSession())

        rid = await dana.command(moderation=mod.Moderation(end_session=mod.EndSession()))
        messages = await self.expect_closed(dana, errors.CLOSE_CODE_SESSION_ENDED)
        replies = [m.reply for m in messages if m.HasField("reply")]
        self.assertEqual([r.request_id for r in replies], [rid])
        self.assertEqual(replies[0].WhichOneof("outcome"), "moderation", describe(replies[0]))
        for client in (cora, sam):
            messages = await self.expect_closed(client, errors.CLOSE_CODE_SESSION_ENDED)
            left = [m.event.member_left for m in messages if m.HasField("event")
                    and m.event.HasField("member_left")]
            self.assertEqual(len(left), 3, [describe(m) for m in messages])
            self.assertTrue(all(e.reason == room.LEAVE_REASON_SESSION_ENDED for e in left))

        # Nobody gets back in, facilitators included, also once the room has
        # been retired; the refused connection stays open.
        await self.join_refused("sam", "participant", errors.ERROR_CODE_SESSION_ENDED)
        await asyncio.sleep(0.2)
        await self.join_refused("dana", "facilitator", errors.ERROR_CODE_SESSION_ENDED)
        newcomer = await self.join_refused("quinn", "participant",
                                           errors.ERROR_CODE_SESSION_ENDED)
        self.assertTrue(newcomer.is_open)


class Mutes(ModerationCase):
    async def test_a_chat_mute_refuses_room_chat_but_not_a_private_word_to_the_facilitator(self):
        dana = await self.joined("dana", "facilitator")
        sam = await self.joined("sam", "participant")
        pat = await self.joined("pat", "participant")
        await self.drain(dana, sam, pat)

        _, before = await self.moderate(dana, mute=mod.MuteMember(
            member_id=sam.member_id, chat=True))
        self.assert_event(before[0].event, "member_moderation", member_id=sam.member_id,
                          chat_muted=True, floor_muted=False)
        for client in (sam, pat):
            await self.expect_event(client, "member_moderation", member_id=sam.member_id,
                                    chat_muted=True)

        rid = await sam.send_chat("can anyone hear me")
        await self.expect_error(sam, rid, errors.ERROR_CODE_PERMISSION_DENIED)
        rid = await sam.command(send_chat=pb.SendChat(
            text="may I talk to you after", scope=room.CHAT_SCOPE_PRIVATE,
            to_member_id=dana.member_id))
        reply, _ = await sam.wait_reply(rid)
        self.assertEqual(reply.WhichOneof("outcome"), "chat", describe(reply))
        await self.expect_event(dana, "chat", text="may I talk to you after",
                                from_member_id=sam.member_id)
        await pat.expect_silence()

        # Everyone arriving sees the mute in the snapshot.
        quinn = await self.joined("quinn", "participant")
        muted = [m for m in quinn.join_result.snapshot.members if m.member_id == sam.member_id]
        self.assertTrue(muted[0].chat_muted, describe(quinn.join_result.snapshot))

        await self.moderate(dana, unmute=mod.UnmuteMember(member_id=sam.member_id, chat=True))
        await self.drain(sam)
        await self.assert_chat_works(sam)

    async def test_mute_all_with_self_unmute(self):
        dana = await self.joined("dana", "facilitator")
        sam = await self.joined("sam", "participant")
        await self.drain(dana, sam)
        await self.moderate(dana, mute_all=mod.MuteAll(chat=True, floor=True,
                                                       allow_self_unmute=True))
        await self.expect_event(sam, "member_moderation", member_id=sam.member_id,
                                chat_muted=True, floor_muted=True, may_unmute_self=True)
        await self.moderate(sam, unmute_self=mod.UnmuteSelf())
        await self.expect_event(dana, "member_moderation", member_id=sam.member_id,
                                chat_muted=False, floor_muted=False)
        await self.drain(sam)
        await self.assert_chat_works(sam)


class Audit(ModerationCase):
    async def test_every_action_and_refusal_is_audited_without_content(self):
        dana = await self.joined("dana", "facilitator", name="Dana Whitfield")
        sam = await self.joined("sam", "participant", name="Samantha Quill")
        pat = await self.joined("pat", "participant", name="Patrick Ordway")
        await self.drain(dana, sam, pat)
        seq = await self.assert_chat_works(sam, CANARY)
        await self.drain(dana, pat)

        await self.moderate(dana, mute=mod.MuteMember(member_id=sam.member_id, chat=True))
        await self.moderate(dana, unmute=mod.UnmuteMember(member_id=sam.member_id, chat=True))
        await self.refused(pat, errors.ERROR_CODE_PERMISSION_DENIED,
                           remove=mod.RemoveMember(member_id=dana.member_id))
        _, before = await self.moderate(dana, delete_chat=mod.DeleteChat(seq=seq))
        self.assert_deleted(before[0].event, seq)
        await self.refused(dana, errors.ERROR_CODE_NOT_FOUND,
                           delete_chat=mod.DeleteChat(seq=seq + 1000))  # not audited
        await self.moderate(dana, lock=mod.LockRoom())
        await self.moderate(dana, unlock=mod.UnlockRoom())
        _, before = await self.moderate(dana, set_role=mod.SetRole(
            member_id=pat.member_id, role=roles.ROLE_CO_FACILITATOR))
        self.assert_event(before[0].event, "member_role_changed", member_id=pat.member_id,
                          role=roles.ROLE_CO_FACILITATOR)
        await self.drain(sam)
        late = await self.joined("quinn", "participant")
        self.assertEqual([c.text for c in late.join_result.snapshot.recent_chat], [])
        await self.moderate(dana, remove=mod.RemoveMember(member_id=sam.member_id))
        await self.moderate(dana, end_session=mod.EndSession())

        rows = await self.audit_eventually(9)
        room_id = self.ROOM
        self.assertEqual(rows, [
            ("dana", "facilitator", "mute", "sam", room_id, "ok", "chat"),
            ("dana", "facilitator", "unmute", "sam", room_id, "ok", "chat"),
            ("pat", "participant", "remove", "dana", room_id, "denied", "not_staff"),
            ("dana", "facilitator", "delete_chat", "sam", room_id, "ok", "seq=%d" % seq),
            ("dana", "facilitator", "lock", "", room_id, "ok", ""),
            ("dana", "facilitator", "unlock", "", room_id, "ok", ""),
            ("dana", "facilitator", "role_change", "pat", room_id, "ok", "role=co_facilitator"),
            ("dana", "facilitator", "remove", "sam", room_id, "ok", ""),
            ("dana", "facilitator", "end_session", "", room_id, "ok", "members=3"),
        ])
        everything = self.everything_audited()
        for secret in [CANARY, "Dana", "Whitfield", "Samantha", "Quill", "Patrick", "Ordway"]:
            self.assertNotIn(secret, everything)


@unittest.skipUnless(CLI_AVAILABLE, "hearth-cli not found (set HEARTH_CLI)")
class TerminalClient(TerminalClientMixin, ModerationCase):
    async def test_moderation_from_the_terminal(self):
        sam = await self.joined("sam", "participant")
        dana_cli = await self.start_cli("dana", "facilitator")
        await self.read_until(dana_cli, "joined room=")
        dana = (await self.expect_event(sam, "member_joined")).member_joined.member.member_id
        seq = await self.assert_chat_works(sam, "a message to delete")
        await self.read_until(dana_cli, "[%d] chat Sam#%d" % (seq, sam.member_id))

        await self.type(dana_cli, "/mute %d chat" % sam.member_id)
        await self.expect_event(sam, "member_moderation", member_id=sam.member_id,
                                chat_muted=True, floor_muted=False)
        await self.read_until(dana_cli, "moderation Sam#%d muted=chat" % sam.member_id)
        await self.type(dana_cli, "/unmute %d" % sam.member_id)
        await self.expect_event(sam, "member_moderation", chat_muted=False)
        await self.type(dana_cli, "/delete %d" % seq)
        self.assert_deleted(await sam.recv_event(), seq)
        await self.read_until(dana_cli, "chat [%d] deleted" % seq)
        await self.type(dana_cli, "/lock")
        await self.expect_event(sam, "room_locked", locked=True)
        await self.type(dana_cli, "/promote %d" % sam.member_id)
        await self.expect_event(sam, "member_role_changed", member_id=sam.member_id,
                                role=roles.ROLE_CO_FACILITATOR)
        await self.type(dana_cli, "/demote %d" % sam.member_id)
        await self.expect_event(sam, "member_role_changed", role=roles.ROLE_PARTICIPANT)
        await self.type(dana_cli, "/mute x")
        err = await asyncio.wait_for(dana_cli.stderr.readline(), 5)
        self.assertIn(b"usage", err)
        await self.type(dana_cli, "/remove %d" % sam.member_id)
        await self.expect_closed(sam, errors.CLOSE_CODE_REMOVED)
        await self.read_until(dana_cli, "left Sam#%d reason=LEAVE_REASON_REMOVED" % sam.member_id)
        await self.type(dana_cli, "/end")
        await self.read_until(dana_cli, "disconnect code=4506 reconnect=no")
        self.assertNotEqual(dana, 0)


if __name__ == "__main__":
    unittest.main()
