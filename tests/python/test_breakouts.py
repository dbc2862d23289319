"""Breakout rooms over real sockets: a facilitator splits the group, each
breakout has its own room stream and chat, a participant calls a facilitator
from a breakout, the timer warns and then recalls everyone, a dropped member
resumes inside their breakout, and the terminal client drives it all. The real
SQLite audit table records the privileged actions without any text."""

import asyncio
import unittest

from terminal_client import CLI_AVAILABLE, TerminalClientMixin
from hearth_testcase import HearthTestCase, describe, pb
from hearth.v1 import breakout_pb2 as bo  # noqa: E402  (on the path via hearth_client)

BROADCAST = "CANARY-breakout-7d1c wrap up"


def by_hand(*rooms, duration_ms=0, warning_ms=0):
    return bo.BreakoutCommand(open=bo.OpenBreakouts(
        split=bo.BREAKOUT_SPLIT_BY_HAND, duration_ms=duration_ms, warning_ms=warning_ms,
        rooms=[bo.BreakoutPlan(name=name, member_ids=ids) for name, ids in rooms]))


class BreakoutRooms(HearthTestCase):
    async def group(self):
        dana = await self.joined("dana", "facilitator")
        sam = await self.joined("sam")
        pat = await self.joined("pat")
        kim = await self.joined("kim")
        await self.drain(dana, sam, pat, kim)
        return dana, sam, pat, kim

    async def moved(self, client, breakout_id):
        """Reads up to ServerMessage.moved (events of the old room may come
        first); checks it lands in `breakout_id` and returns its JoinResult."""
        while True:
            message = await client.recv()
            if message.HasField("moved"):
                break
            self.assertTrue(message.HasField("event"), describe(message))
        join = message.moved.join
        self.assertEqual(join.breakout_id, breakout_id, describe(message))
        self.assertEqual(join.snapshot.breakout_id, breakout_id)
        self.assertFalse(join.recovered)
        client.join_result = join
        return join

    def audit_rows(self):
        return self.audit_query("SELECT actor, actor_role, action, target, outcome, detail FROM audit "
                                "WHERE action LIKE 'breakout%' OR action = 'facilitator_called' "
                                "ORDER BY seq")

    async def test_split_chat_call_warning_and_recall_by_the_timer(self):
        dana, sam, pat, kim = await self.group()
        rid = await dana.command(breakout=by_hand(("Room A", [sam.member_id, pat.member_id]),
                                                  ("Room B", [kim.member_id]),
                                                  duration_ms=4000, warning_ms=1500))
        reply, before = await dana.wait_reply(rid)
        self.assertEqual(reply.WhichOneof("outcome"), "breakout", describe(reply))
        opened = [m.event for m in before if m.HasField("event")]
        self.assertEqual(len(opened), 1, [describe(m) for m in before])
        self.assert_event(opened[0], "breakouts_changed", change=bo.BREAKOUT_CHANGE_OPENED)
        self.assertEqual(reply.breakout.seq, opened[0].seq)

        for client, breakout_id in ((sam, 1), (pat, 1), (kim, 2)):
            join = await self.moved(client, breakout_id)
            self.assertEqual(join.head_seq, 1)  # the breakout's own stream
            self.assertEqual([r.name for r in join.snapshot.breakouts.rooms],
                             ["Room A", "Room B"])
            self.assertEqual(join.snapshot.floor.mode, 1)  # FLOOR_MODE_OPEN

        # Chat stays in the breakout it was written in.
        reply, _ = await sam.chat("just the two of us")
        self.assertEqual(reply.chat.seq, 2)
        event = await self.expect_event(pat, "chat", text="just the two of us", seq=2)
        self.assertEqual(event.breakout_id, 1)
        await kim.expect_silence()
        await dana.expect_silence()

        # A call for a facilitator reaches the facilitator in the main room.
        rid = await sam.command(breakout=bo.BreakoutCommand(
            call_facilitator=bo.CallFacilitator()))
        reply, before = await sam.wait_reply(rid)
        self.assertEqual(reply.WhichOneof("outcome"), "breakout", describe(reply))
        self.assertEqual(reply.breakout.direct_seq, before[-1].event.direct_seq)
        await self.expect_event(dana, "facilitator_called", member_id=sam.member_id,
                                breakout_id=1)
        await pat.expect_silence()

        # The warning reaches every room; then the timer brings everyone back.
        # (The steps above must fit in the 2.5 s before the warning: 1.5 s
        # was too little on a loaded machine.)
        for client in (dana, sam, pat, kim):
            await self.expect_event(client, "breakouts_changed",
                                    change=bo.BREAKOUT_CHANGE_ENDING_SOON)
        for client in (sam, pat, kim):
            join = await self.moved(client, 0)
            self.assertEqual(len(join.snapshot.breakouts.rooms), 0)
            self.assertEqual(join.head_seq, opened[0].seq + 2)  # opened, ending soon, closed
        await self.expect_event(dana, "breakouts_changed", change=bo.BREAKOUT_CHANGE_CLOSED,
                                by_member_id=0, seq=opened[0].seq + 2)
        await self.assert_chat_works(kim, "back in the main room")
        await self.expect_event(sam, "chat", text="back in the main room")

        rows = await self.audit_eventually(3)
        self.assertEqual([(r[2], r[4]) for r in rows],
                         [("breakouts_opened", "ok"), ("facilitator_called", "ok"),
                          ("breakouts_recalled", "ok")])
        self.assertEqual(rows[0][5], "rooms=2 split=by_hand timer_ms=4000")
        self.assertEqual((rows[2][0], rows[2][1], rows[2][5]), ("", "system", "timer"))

    async def test_a_dropped_member_resumes_inside_their_breakout(self):
        dana, sam, pat, kim = await self.group()
        rid = await dana.command(breakout=by_hand(("Room A", [sam.member_id, pat.member_id])))
        await dana.wait_reply(rid)
        join = await self.moved(sam, 1)
        await self.moved(pat, 1)
        where = pb.ResumePosition(epoch=join.epoch, last_seq=join.head_seq,
                                  last_direct_seq=join.direct_head_seq, breakout_id=1)
        sam.drop()
        await self.expect_event(pat, "member_presence", member_id=sam.member_id)
        await pat.chat("are you still there?")

        back = await self.rejoin(sam, resume=where)
        self.assertTrue(back.join_result.recovered, describe(back.join_result))
        self.assertEqual(back.join_result.breakout_id, 1)
        missed = [await back.recv_event() for _ in range(3)]
        self.assertEqual([e.WhichOneof("body") for e in missed],
                         ["member_presence", "chat", "member_presence"])
        self.assertTrue(all(e.breakout_id == 1 for e in missed))

        # A resume counted in another room of the session gets a snapshot.
        back.drop()
        wrong = pb.ResumePosition(epoch=join.epoch, last_seq=join.head_seq, breakout_id=0)
        again = await self.rejoin(sam, resume=wrong)
        self.assertFalse(again.join_result.recovered)
        self.assertEqual(again.join_result.snapshot.breakout_id, 1)
        self.assertEqual([c.text for c in again.join_result.snapshot.recent_chat],
                         ["are you still there?"])

        # Recalled while they were away: back in the main room, by snapshot.
        again.drop()
        await dana.command(breakout=bo.BreakoutCommand(recall=bo.RecallBreakouts()))
        home = await self.rejoin(sam, resume=where)
        self.assertFalse(home.join_result.recovered)
        self.assertEqual(home.join_result.breakout_id, 0)

    async def test_only_facilitators_split_and_move(self):
        dana, sam, pat, kim = await self.group()
        rid = await sam.command(breakout=by_hand(("Mine", [sam.member_id])))
        await self.expect_error(sam, rid, 103)
        await dana.expect_silence()
        rid = await dana.command(breakout=bo.BreakoutCommand(
            move=bo.MoveToBreakout(member_id=sam.member_id, breakout_id=1)))
        await self.expect_error(dana, rid, 117)  # FAILED_PRECONDITION: none open
        rows = await self.audit_eventually(1)
        self.assertEqual(rows[0][2:5], ("breakouts_opened", "", "denied"))


@unittest.skipUnless(CLI_AVAILABLE, "hearth-cli not found (set HEARTH_CLI)")
class TerminalBreakouts(TerminalClientMixin, HearthTestCase):
    async def test_a_facilitator_runs_breakouts_from_the_terminal(self):
        dana = await self.start_cli("dana", "facilitator")
        await self.read_until(dana, "joined room=")
        sam = await self.joined("sam")
        pat = await self.joined("pat")
        await self.read_until(dana, "joined Pat#3")

        # Dana's requests: 1 hello, 2 join, then one each from 3 on.
        await self.type(dana, "/breakouts even 2")
        seen = "".join(await self.read_until(dana, "reply 3 breakout"))
        self.assertIn("breakouts opened by Dana#1 [1 Room 1: Sam#2] [2 Room 2: Pat#3]", seen)
        for client in (sam, pat):
            while not (await client.recv()).HasField("moved"):
                pass

        await self.type(dana, "/broadcast " + BROADCAST)
        await self.read_until(dana, "reply 4 breakout")
        for client in (sam, pat):
            await self.expect_event(client, "breakout_broadcast", text=BROADCAST)

        await self.type(dana, "/enter 2")
        seen = "".join(await self.read_until(dana, "reply 5 breakout"))
        self.assertIn("moved to breakout=2", seen)
        await pat.chat("hello dana")
        await self.read_until(dana, "chat Pat#3: hello dana")

        await self.type(dana, "/recall")
        seen = "".join(await self.read_until(dana, "reply 6 breakout"))
        # Dana comes back with everyone: a snapshot of the main room, no breakouts in it.
        self.assertIn("moved to breakout=0", seen)
        self.assertNotIn("\nbreakouts ", seen)
        for client in (sam, pat):
            while not (await client.recv()).HasField("moved"):
                pass
        for bad in ("/breakouts", "/breakouts even", "/moveto 2", "/enter x"):
            await self.type(dana, bad)
        dana.stdin.close()
        self.assertEqual(await asyncio.wait_for(dana.wait(), 10), 0)
        self.assertEqual((await dana.stderr.read()).decode().count("usage:"), 4)
        # The audit trail names the actions, never the broadcast's text.
        text = self.everything_audited()
        self.assertNotIn("CANARY", text)
        self.assertIn("breakout_broadcast", text)


if __name__ == "__main__":
    unittest.main()
