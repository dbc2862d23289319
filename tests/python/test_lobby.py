"""The lobby and bans over real sockets: waiting, the lobby message,
admission and denial, stepping out and back, and bans that refuse the old
token, a new token and survive a restart. Every privileged action is in the
audit trail, without names or the lobby message."""

import asyncio
import unittest

from hearth_testcase import HearthTestCase, describe, errors, lob, roles, room
from hearth.v1 import moderation_pb2 as mod  # noqa: E402  (on the path via hearth_client)

CANARY = "CANARY-lobby-7f31"
ACTIONS = ("admit", "admit_all", "deny", "deny_all", "ban", "unban", "step_out",
           "lobby_message")


class LobbyCase(HearthTestCase):
    SERVER_ARGS = ("--default-lobby-policy", "everyone_waits")

    async def waiting(self, subject, role="participant", name=None):
        """A client whose join waits in the lobby."""
        client = await self.authed(subject, role, name)
        result = await client.join()
        self.assertTrue(result.HasField("lobby"), describe(result))
        self.assertEqual(result.member_id, 0)
        self.assertFalse(result.HasField("snapshot"))
        return client

    async def lobby_update(self, facilitator):
        """The next LobbyChanged on `facilitator`'s direct stream."""
        event = await self.expect_event(facilitator, "lobby_changed")
        self.assertEqual(event.seq, 0)
        self.assertGreater(event.direct_seq, 0)
        return event.lobby_changed.lobby

    async def moderate(self, client, **action):
        rid = await client.command(moderation=mod.Moderation(**action))
        return await client.wait_reply(rid)

    def audit_rows(self):
        return self.audit_query(
            "SELECT actor, actor_role, action, target, session, outcome, detail FROM audit "
            "WHERE action IN (%s) ORDER BY seq" % ",".join("?" * len(ACTIONS)), *ACTIONS)


class Admission(LobbyCase):
    async def test_a_waiting_person_hears_from_the_lobby_and_is_admitted_with_a_snapshot(self):
        dana = await self.joined("dana", "facilitator", name="Dana Whitfield")
        sam = await self.waiting("sam", name="Samantha Quill")
        lobby = await self.lobby_update(dana)
        self.assertEqual([(w.display_name, w.role, w.reason, w.connected) for w in lobby.waiting],
                         [("Samantha Quill", roles.ROLE_PARTICIPANT, lob.WAIT_REASON_ADMISSION,
                           True)])
        self.assertEqual(lobby.policy, lob.LOBBY_POLICY_EVERYONE_WAITS)

        # Nothing from the room reaches someone waiting.
        await dana.chat("welcome, everyone")
        rid = await sam.send_chat("hello?")
        await self.expect_error(sam, rid, errors.ERROR_CODE_NOT_JOINED)
        await sam.expect_silence()

        reply, _ = await dana.lobby(set_message=lob.SetLobbyMessage(text=CANARY))
        self.assertEqual(reply.WhichOneof("outcome"), "lobby", describe(reply))
        notice = await sam.recv()
        self.assertTrue(notice.HasField("lobby"), describe(notice))
        self.assertEqual(notice.lobby.message, CANARY)
        self.assertEqual(notice.lobby.waiting_id, sam.waiting_id)

        await self.admit(dana, sam)
        snapshot = sam.join_result.snapshot
        self.assertEqual([m.display_name for m in snapshot.members],
                         ["Dana Whitfield", "Samantha Quill"])
        self.assertEqual([c.text for c in snapshot.recent_chat], ["welcome, everyone"])
        self.assertFalse(snapshot.HasField("lobby"))  # participants never see the lobby
        self.assertTrue(sam.join_result.epoch)
        self.assertEqual(sam.join_result.head_seq, 3)
        seq = await self.assert_chat_works(sam)
        self.assertEqual(seq, 4)

        rows = await self.audit_eventually(2)
        self.assertEqual([r[2:4] for r in rows], [("lobby_message", ""), ("admit", "sam")])
        self.assertEqual(rows[0][6], "set")
        self.assertEqual(rows[1][:2], ("dana", "facilitator"))
        everything = self.everything_audited()
        for secret in (CANARY, "Samantha", "Dana Whitfield"):
            self.assertNotIn(secret, everything)

    async def test_a_denied_person_is_closed_for_good_and_may_knock_again(self):
        dana = await self.joined("dana", "facilitator")
        sam = await self.waiting("sam")
        await self.lobby_update(dana)
        reply, _ = await dana.lobby(deny=lob.Deny(waiting_id=sam.waiting_id))
        self.assertEqual(reply.lobby.denied, 1)
        await self.expect_closed(sam, errors.CLOSE_CODE_DENIED)
        self.assertFalse(sam.disconnect.reconnect)
        again = await self.waiting("sam")
        self.assertNotEqual(again.waiting_id, sam.waiting_id)
        rows = await self.audit_eventually(1)
        self.assertEqual(rows[0][2:6], ("deny", "sam", self.ROOM, "ok"))

    async def test_a_dropped_waiting_person_keeps_their_place(self):
        dana = await self.joined("dana", "facilitator")
        sam = await self.waiting("sam")
        since = sam.join_result.lobby.since_ms
        await self.lobby_update(dana)
        sam.drop()
        lobby = await self.lobby_update(dana)
        self.assertFalse(lobby.waiting[0].connected)
        back = await self.rejoin(sam)
        self.assertEqual(back.join_result.lobby.waiting_id, sam.join_result.lobby.waiting_id)
        self.assertEqual(back.join_result.lobby.since_ms, since)
        lobby = await self.lobby_update(dana)
        self.assertTrue(lobby.waiting[0].connected)
        back.waiting_id = back.join_result.lobby.waiting_id
        await self.admit(dana, back)

    async def test_a_member_steps_out_and_comes_back_on_the_same_connection(self):
        dana = await self.joined("dana", "facilitator")
        fam = await self.waiting("fam", "family_member")
        await self.lobby_update(dana)
        await self.admit(dana, fam)
        pat = await self.waiting("pat")
        await self.admit(dana, pat)
        await self.drain(dana, fam, pat)

        reply, before = await dana.lobby(step_out=lob.StepOut(member_id=fam.member_id))
        self.assertEqual(reply.WhichOneof("outcome"), "lobby", describe(reply))
        left = await self.expect_event(pat, "member_left", member_id=fam.member_id,
                                       reason=room.LEAVE_REASON_STEPPED_OUT)
        # They see themselves leave, then that they wait; the connection stays.
        own = await fam.recv_event()
        self.assertEqual(own.seq, left.seq)
        status = await fam.recv()
        self.assertEqual(status.lobby.reason, lob.WAIT_REASON_STEPPED_OUT, describe(status))
        await dana.chat("while you are out")
        await fam.expect_silence()

        fam.waiting_id = status.lobby.waiting_id
        member = fam.member_id
        await self.admit(dana, fam)
        self.assertEqual(fam.member_id, member)
        self.assertEqual(fam.join_result.snapshot.recent_chat[-1].text, "while you are out")
        await self.assert_chat_works(fam)

    async def test_ending_the_session_closes_the_lobby_too(self):
        dana = await self.joined("dana", "facilitator")
        sam = await self.waiting("sam")
        await self.lobby_update(dana)
        reply, _ = await self.moderate(dana, end_session=mod.EndSession())
        self.assertEqual(reply.WhichOneof("outcome"), "moderation", describe(reply))
        await self.expect_closed(sam, errors.CLOSE_CODE_SESSION_ENDED)
        again = await self.authed("sam", label="sam-again")
        await self.expect_error(again, await again.send_join(), errors.ERROR_CODE_SESSION_ENDED)


class OpenRoomsByDefault(HearthTestCase):
    async def test_without_a_plan_participants_enter_but_observers_wait(self):
        dana = await self.joined("dana", "facilitator")
        pat = await self.joined("pat")
        self.assertGreater(pat.member_id, 0)
        olga = await self.authed("olga", "observer")
        result = await olga.join()
        self.assertEqual(result.lobby.reason, lob.WAIT_REASON_ADMISSION)
        await self.admit(dana, olga)
        self.assertEqual(olga.join_result.snapshot.members[-1].display_name, "Olga")


class Bans(LobbyCase):
    SERVER_ARGS = ()  # open: people enter directly

    async def test_a_ban_refuses_the_old_token_a_new_one_and_survives_a_restart(self):
        dana = await self.joined("dana", "facilitator")
        sam = await self.joined("sam")
        await self.expect_event(dana, "member_joined")
        reply, before = await self.moderate(dana, ban=mod.BanMember(member_id=sam.member_id))
        self.assertEqual(reply.WhichOneof("outcome"), "moderation", describe(reply))
        kinds = [m.event.WhichOneof("body") for m in before if m.HasField("event")]
        self.assertIn("member_left", kinds)
        self.assertIn("bans_changed", kinds)
        messages = await self.expect_closed(sam, errors.CLOSE_CODE_BANNED)
        self.assertEqual(messages[-1].event.member_left.reason, room.LEAVE_REASON_BANNED)

        # The token they already have, and a fresh one for the same identity.
        old = await self.connect("sam-old")
        await old.hello(sam.token)
        await self.expect_error(old, await old.send_join(), errors.ERROR_CODE_BANNED)
        fresh = await self.authed("sam", label="sam-new")
        await self.expect_error(fresh, await fresh.send_join(), errors.ERROR_CODE_BANNED)

        # After a restart the room reads the ban back from the store.
        await self.server.astop()
        self.server.start()
        self.port = self.server.port
        after = await self.authed("sam", label="sam-after")
        await self.expect_error(after, await after.send_join(), errors.ERROR_CODE_BANNED)
        dana = await self.joined("dana", "facilitator", name="Dana")
        bans = dana.join_result.snapshot.bans
        self.assertEqual([(b.display_name, b.role) for b in bans], [("Sam", roles.ROLE_PARTICIPANT)])

        reply, _ = await self.moderate(dana, unban=mod.UnbanMember(ban_id=bans[0].ban_id))
        self.assertEqual(reply.WhichOneof("outcome"), "moderation", describe(reply))
        back = await self.joined("sam")
        self.assertGreater(back.member_id, 0)

        rows = await self.audit_eventually(2)
        self.assertEqual([r[2:6] for r in rows],
                         [("ban", "sam", self.ROOM, "ok"), ("unban", "sam", self.ROOM, "ok")])
        self.assertEqual(self.audit_query(
            "SELECT session, subject FROM bans"), [])  # lifted means gone

    async def test_banning_from_the_lobby_and_who_may_ban(self):
        dana = await self.joined("dana", "facilitator")
        pat = await self.joined("pat")
        olga = await self.authed("olga", "observer")
        await olga.join()
        waiting = olga.join_result.lobby.waiting_id
        reply, _ = await dana.lobby(deny=lob.Deny(waiting_id=waiting, ban=True))
        self.assertEqual(reply.lobby.denied, 1)
        await self.expect_closed(olga, errors.CLOSE_CODE_BANNED)
        self.assertEqual(
            await self.eventually_rows("SELECT session, subject, role FROM bans"),
            [(self.ROOM, "olga", "observer")])
        # A participant cannot ban, nor unban; nobody bans a facilitator.
        reply, _ = await self.moderate(pat, ban=mod.BanMember(member_id=dana.member_id))
        self.assert_error(reply, errors.ERROR_CODE_PERMISSION_DENIED)
        reply, _ = await self.moderate(pat, unban=mod.UnbanMember(ban_id=1))
        self.assert_error(reply, errors.ERROR_CODE_PERMISSION_DENIED)
        cora = await self.joined("cora", "co_facilitator")
        reply, _ = await self.moderate(cora, ban=mod.BanMember(member_id=dana.member_id))
        self.assert_error(reply, errors.ERROR_CODE_PERMISSION_DENIED)
        rows = await self.audit_eventually(4)
        self.assertEqual([(r[0], r[2], r[5]) for r in rows],
                         [("dana", "ban", "ok"), ("pat", "ban", "denied"),
                          ("pat", "unban", "denied"), ("cora", "ban", "denied")])

    async def eventually_rows(self, sql, timeout=5.0):
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            rows = self.audit_query(sql)
            if rows or loop.time() > deadline:
                return rows
            await asyncio.sleep(0.05)


if __name__ == "__main__":
    unittest.main()
