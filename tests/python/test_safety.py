"""Safety over real sockets: a participant's distress signal reaches the
facilitators (and the sender's confirmation) and nobody else, its
acknowledgement closes it for all of them, a facilitator who arrives later
finds it in the snapshot, private messages go both ways only where allowed,
a participant's resume replay holds nothing of another's distress, and the
real SQLite audit table records both actions without any content."""

import asyncio
import unittest

from terminal_client import CLI_AVAILABLE, TerminalClientMixin
from hearth_testcase import HearthTestCase, describe, errors, pb, position, room
from hearth.v1 import safety_pb2 as safety  # noqa: E402  (on the path via hearth_client)

CANARY = "CANARY-distress-9c1e"
PRIVATE_BODIES = ("distress_signal", "distress_acknowledged")


def is_private(event):
    return (event.WhichOneof("body") in PRIVATE_BODIES
            or (event.HasField("chat") and event.chat.scope != room.CHAT_SCOPE_ROOM))


class SafetyCase(HearthTestCase):
    async def signal(self, client):
        """SignalDistress; returns (DistressResult, messages before the reply)."""
        rid = await client.command(signal_distress=safety.SignalDistress())
        reply, before = await client.wait_reply(rid)
        self.assertEqual(reply.WhichOneof("outcome"), "distress", describe(reply))
        return reply.distress, before

    async def acknowledge(self, client, signal_id):
        rid = await client.command(acknowledge_distress=safety.AcknowledgeDistress(
            signal_id=signal_id))
        reply, before = await client.wait_reply(rid)
        self.assertEqual(reply.WhichOneof("outcome"), "distress", describe(reply))
        return reply.distress, before

    async def private(self, client, to, text, client_msg_id=0):
        """A private chat; returns (reply, messages before it)."""
        rid = await client.command(send_chat=pb.SendChat(
            text=text, scope=room.CHAT_SCOPE_PRIVATE, to_member_id=to,
            client_msg_id=client_msg_id))
        return await client.wait_reply(rid)

    async def refused(self, client, code, **command):
        rid = await client.command(**command)
        await self.expect_error(client, rid, code)

    def audit_rows(self):
        return self.audit_query("SELECT actor, actor_role, action, target, session, outcome, "
                                "detail FROM audit WHERE action LIKE 'distress_%' ORDER BY seq")


class Distress(SafetyCase):
    async def test_a_signal_reaches_the_facilitators_only_and_is_acknowledged(self):
        dana = await self.joined("dana", "facilitator", name="Dana Whitfield")
        cora = await self.joined("cora", "co_facilitator", name="Cora Lindqvist")
        sam = await self.joined("sam", "participant", name="Samantha Quill")
        pat = await self.joined("pat", "participant", name="Patrick Ordway")
        olive = await self.joined("olive", "observer", name="Olive Branwen", admit_by=dana)
        await self.drain(dana, cora, sam, pat, olive)
        lobby = 2  # the staff's direct streams: the observer waiting, then admitted

        result, before = await self.signal(sam)
        self.assertEqual(result.signal_id, 1)
        self.assertFalse(result.duplicate)
        self.assertEqual(len(before), 1, [describe(m) for m in before])
        self.assert_event(before[0].event, "distress_signal", seq=0, direct_seq=1, signal_id=1,
                          from_member_id=sam.member_id)
        for staff in (dana, cora):
            event = await self.expect_event(staff, "distress_signal", seq=0, direct_seq=lobby + 1,
                                            signal_id=1, from_member_id=sam.member_id)
            self.assertEqual(event.distress_signal.raised_at_ms,
                             before[0].event.distress_signal.raised_at_ms)
        await pat.expect_silence()
        await olive.expect_silence(0.05)

        # A repeat while open: the same signal, nothing sent.
        again, before = await self.signal(sam)
        self.assertEqual((again.signal_id, again.duplicate), (1, True))
        self.assertEqual(before, [])
        await dana.expect_silence()

        # Who may not.
        await self.refused(pat, errors.ERROR_CODE_PERMISSION_DENIED,
                           acknowledge_distress=safety.AcknowledgeDistress(signal_id=1))
        await self.refused(olive, errors.ERROR_CODE_PERMISSION_DENIED,
                           signal_distress=safety.SignalDistress())
        await self.refused(dana, errors.ERROR_CODE_PERMISSION_DENIED,
                           signal_distress=safety.SignalDistress())
        await self.refused(dana, errors.ERROR_CODE_NOT_FOUND,
                           acknowledge_distress=safety.AcknowledgeDistress(signal_id=99))

        ack, before = await self.acknowledge(dana, 1)
        self.assertEqual((ack.signal_id, ack.duplicate), (1, False))
        self.assertEqual(len(before), 1, [describe(m) for m in before])
        self.assert_event(before[0].event, "distress_acknowledged", seq=0, direct_seq=lobby + 2,
                          signal_id=1, by_member_id=dana.member_id)
        await self.expect_event(sam, "distress_acknowledged", seq=0, direct_seq=2, signal_id=1,
                                by_member_id=dana.member_id)
        await self.expect_event(cora, "distress_acknowledged", seq=0, direct_seq=lobby + 2,
                                signal_id=1, by_member_id=dana.member_id)
        twice, before = await self.acknowledge(cora, 1)
        self.assertEqual((twice.signal_id, twice.duplicate), (1, True))
        self.assertEqual(before, [])
        await pat.expect_silence()
        await olive.expect_silence(0.05)
        await sam.expect_silence(0.05)

        # The room stream never moved: the next room event follows the last join.
        self.assertEqual(await self.assert_chat_works(pat, CANARY), 6)

        # The refusals are on record too, without anything they carried.
        rows = await self.audit_eventually(5)
        self.assertEqual(rows, [
            ("sam", "participant", "distress_signaled", "sam", self.ROOM, "ok", "signal=1"),
            ("pat", "participant", "distress_acknowledged", "", self.ROOM, "denied",
             "not_allowed"),
            ("olive", "observer", "distress_signaled", "", self.ROOM, "denied", "not_allowed"),
            ("dana", "facilitator", "distress_signaled", "", self.ROOM, "denied", "not_allowed"),
            ("dana", "facilitator", "distress_acknowledged", "sam", self.ROOM, "ok", "signal=1"),
        ])
        everything = self.everything_audited()
        for secret in [CANARY, "Dana", "Whitfield", "Samantha", "Quill", "Cora", "Patrick"]:
            self.assertNotIn(secret, everything)

    async def test_a_facilitator_who_joins_later_finds_the_open_signal(self):
        sam = await self.joined("sam", "participant")
        result, before = await self.signal(sam)
        self.assertEqual(result.signal_id, 1)
        self.assert_event(before[0].event, "distress_signal", direct_seq=1, signal_id=1)

        dana = await self.joined("dana", "facilitator")
        snapshot = dana.join_result.snapshot
        self.assertEqual([(s.signal_id, s.from_member_id) for s in snapshot.open_distress],
                         [(1, sam.member_id)], describe(snapshot))
        self.assertEqual(dana.join_result.direct_head_seq, 1)  # the alert is covered
        # A participant arriving sees nothing of it.
        pat = await self.joined("pat", "participant")
        self.assertEqual(len(pat.join_result.snapshot.open_distress), 0)
        self.assertEqual(pat.join_result.direct_head_seq, 0)

        await self.acknowledge(dana, 1)
        await self.drain(sam)
        rows = await self.audit_eventually(2)
        self.assertEqual(rows[0][6], "signal=1 no_facilitator")

    async def test_a_resume_replay_holds_no_distress_of_another_participant(self):
        dana = await self.joined("dana", "facilitator")
        sam = await self.joined("sam", "participant")
        pat = await self.joined("pat", "participant")
        await self.drain(dana, sam, pat)
        seen = pat.join_result.head_seq
        pat.drop()
        await self.expect_event(dana, "member_presence", presence=room.PRESENCE_RECONNECTING)
        await self.drain(sam)

        await self.signal(sam)
        await self.expect_event(dana, "distress_signal", signal_id=1)
        reply, _ = await self.private(dana, sam.member_id, "are you ok?")
        self.assertEqual(reply.WhichOneof("outcome"), "chat", describe(reply))
        reply, _ = await self.private(sam, dana.member_id, "not really")
        self.assertEqual(reply.WhichOneof("outcome"), "chat", describe(reply))
        await self.drain(dana, sam)

        # A fresh join while the signal is open: others' snapshots hold nothing,
        # the sender's own holds it.
        quinn = await self.joined("quinn", "participant")
        self.assertEqual(len(quinn.join_result.snapshot.open_distress), 0)
        sam_again = await self.rejoin(sam)
        self.assertEqual([s.signal_id for s in sam_again.join_result.snapshot.open_distress], [1])
        await self.acknowledge(dana, 1)

        back = await self.rejoin(pat, resume=position(pat, seen, 0))
        self.assertTrue(back.join_result.recovered)
        self.assertEqual(back.join_result.direct_head_seq, 0)
        replayed = await self.drain(back)
        self.assertTrue(replayed)
        for event in replayed:
            self.assertFalse(is_private(event), describe(event))
            self.assertEqual(event.direct_seq, 0, describe(event))
        self.assertEqual([e.WhichOneof("body") for e in replayed],
                         ["member_presence", "member_joined", "member_presence"],
                         [describe(e) for e in replayed])


class PrivateMessages(SafetyCase):
    async def test_private_messages_go_both_ways_only_where_allowed(self):
        dana = await self.joined("dana", "facilitator")
        sam = await self.joined("sam", "participant")
        pat = await self.joined("pat", "participant")
        olive = await self.joined("olive", "observer", admit_by=dana)
        await self.drain(dana, sam, pat, olive)
        lobby = 2  # dana's direct stream: the observer waiting, then admitted

        reply, before = await self.private(dana, sam.member_id, "just for you")
        self.assertEqual(reply.chat.direct_seq, lobby + 1, describe(reply))
        self.assert_event(before[0].event, "chat", seq=0, direct_seq=lobby + 1, text="just for you",
                          scope=room.CHAT_SCOPE_PRIVATE, from_member_id=dana.member_id,
                          to_member_id=sam.member_id)
        await self.expect_event(sam, "chat", seq=0, direct_seq=1, text="just for you",
                                from_member_id=dana.member_id, to_member_id=sam.member_id)

        reply, _ = await self.private(sam, dana.member_id, "thank you", client_msg_id=5)
        self.assertEqual(reply.chat.direct_seq, 2, describe(reply))
        await self.expect_event(dana, "chat", direct_seq=lobby + 2, text="thank you",
                                scope=room.CHAT_SCOPE_PRIVATE, from_member_id=sam.member_id,
                                to_member_id=dana.member_id)
        retry, before = await self.private(sam, dana.member_id, "thank you", client_msg_id=5)
        self.assertTrue(retry.chat.duplicate)
        self.assertEqual(retry.chat.direct_seq, 2)
        self.assertEqual(before, [])

        reply, _ = await self.private(olive, dana.member_id, "a note")
        self.assertEqual(reply.WhichOneof("outcome"), "chat", describe(reply))
        await self.expect_event(dana, "chat", direct_seq=lobby + 3, from_member_id=olive.member_id)

        for client, to, code in [
                (sam, pat.member_id, errors.ERROR_CODE_PERMISSION_DENIED),
                (olive, sam.member_id, errors.ERROR_CODE_PERMISSION_DENIED),
                (sam, sam.member_id, errors.ERROR_CODE_BAD_REQUEST),
                (sam, 99, errors.ERROR_CODE_NOT_FOUND)]:
            await self.refused(client, code, send_chat=pb.SendChat(
                text="x", scope=room.CHAT_SCOPE_PRIVATE, to_member_id=to))
        await pat.expect_silence()
        await dana.expect_silence(0.05)
        self.assertEqual(await self.assert_chat_works(pat), 5)


@unittest.skipUnless(CLI_AVAILABLE, "hearth-cli not found (set HEARTH_CLI)")
class TerminalClient(TerminalClientMixin, SafetyCase):
    async def test_distress_ack_and_private_messages_from_the_terminal(self):
        dana = await self.joined("dana", "facilitator")
        sam_cli = await self.start_cli("sam", "participant")
        await self.read_until(sam_cli, "joined room=")
        joined = await self.expect_event(dana, "member_joined")
        sam = joined.member_joined.member.member_id

        await self.type(sam_cli, "/distress")
        await self.expect_event(dana, "distress_signal", signal_id=1, from_member_id=sam)
        await self.read_until(sam_cli, "distress signal=1 open")
        await self.read_until(sam_cli, "distress signal=1")  # the reply

        await self.acknowledge(dana, 1)
        await self.read_until(sam_cli, "distress signal=1 acknowledged by Dana#%d"
                              % dana.member_id)

        await self.type(sam_cli, "/pm %d can we talk after?" % dana.member_id)
        event = await self.expect_event(dana, "chat", text="can we talk after?",
                                        scope=room.CHAT_SCOPE_PRIVATE, from_member_id=sam)
        self.assertEqual(event.chat.to_member_id, dana.member_id)
        await self.read_until(sam_cli, "private Sam#%d -> Dana#%d: can we talk after?"
                              % (sam, dana.member_id))

        reply, _ = await self.private(dana, sam, "of course")
        self.assertEqual(reply.WhichOneof("outcome"), "chat", describe(reply))
        await self.read_until(sam_cli, "private Dana#%d -> Sam#%d: of course"
                              % (dana.member_id, sam))

        # A facilitator's terminal: the alert and /ack.
        dana_cli = await self.start_cli("dana2", "co_facilitator")
        await self.read_until(dana_cli, "joined room=")
        await self.type(sam_cli, "/distress")
        await self.read_until(dana_cli, "!!! DISTRESS signal=2 from Sam#%d" % sam)
        await self.type(dana_cli, "/ack 2")
        await self.read_until(sam_cli, "distress signal=2 acknowledged by Dana2#")
        await self.type(dana_cli, "/ack x")
        err = await asyncio.wait_for(dana_cli.stderr.readline(), 5)
        self.assertIn(b"usage", err)


if __name__ == "__main__":
    unittest.main()
