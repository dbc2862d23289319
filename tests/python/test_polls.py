"""Check-in polls over real sockets: a facilitator at the terminal asks the
group, a terminal participant and a protocol client answer, each answer
reaches the facilitator and its author only, the close shows the group the
anonymous counts and the facilitator every answer, and the real SQLite audit
table records the start and the close without the question or any answer."""

import asyncio
import unittest

from terminal_client import CLI_AVAILABLE, TerminalClientMixin
from hearth_testcase import HearthTestCase, describe
from hearth.v1 import poll_pb2 as polls  # noqa: E402  (on the path via hearth_client)

QUESTION = "CANARY-poll-5e2b how do you feel"


@unittest.skipUnless(CLI_AVAILABLE, "hearth-cli not found (set HEARTH_CLI)")
class TerminalPolls(TerminalClientMixin, HearthTestCase):
    def audit_rows(self):
        return self.audit_query("SELECT actor, action, target, outcome, detail FROM audit "
                                "WHERE action LIKE 'poll_%' ORDER BY seq")

    async def test_a_facilitator_polls_the_group_from_the_terminal(self):
        dana = await self.start_cli("dana", "facilitator")
        await self.read_until(dana, "joined room=")
        sam = await self.start_cli("sam", "participant")
        await self.read_until(sam, "joined room=")
        pat = await self.joined("pat")
        await self.read_until(dana, "joined Pat#3")
        await self.read_until(sam, "joined Pat#3")

        # Dana's requests: 1 hello, 2 join, then one each from 3 on.
        await self.type(dana, "/poll group choices calm|tense|tired " + QUESTION)
        seen = "".join(await self.read_until(dana, "reply 3 poll id=1"))
        self.assertIn("poll 1 started by Dana#1: %s choices=0:calm|1:tense|2:tired "
                      "visibility=group_aggregate (/closepoll 1)" % QUESTION, seen)
        await self.read_until(sam, "poll 1 started by Dana#1: %s" % QUESTION)
        started = await self.expect_event(pat, "poll_started", poll_id=1, question=QUESTION)
        self.assertEqual(list(started.poll_started.choices.choices), ["calm", "tense", "tired"])

        # Sam answers by the choice's number; only Sam and Dana see it.
        await self.type(sam, "/answer 1 2")
        await self.read_until(sam, "poll 1 your answer 2:tired")
        await self.read_until(sam, "reply 3 poll id=1")
        await self.read_until(dana, "poll 1 answer Sam#2 2:tired")

        rid = await pat.command(poll=polls.PollCommand(
            answer=polls.AnswerPoll(poll_id=1, choice=1)))
        reply, before = await pat.wait_reply(rid)
        self.assertEqual(reply.WhichOneof("outcome"), "poll", describe(reply))
        answers = [m.event.poll_answer for m in before if m.HasField("event")]
        self.assertEqual([(a.member_id, a.choice) for a in answers], [(3, 1)])
        self.assertEqual(reply.poll.direct_seq, before[-1].event.direct_seq)
        await self.read_until(dana, "poll 1 answer Pat#3 1:tense")

        await self.type(dana, "/closepoll 1")
        seen = "".join(await self.read_until(dana, "reply 4 poll id=1"))
        self.assertIn("poll 1 closed by Dana#1 answered=2 counts=calm=0,tense=1,tired=1", seen)
        self.assertIn("poll 1 results answered=2 counts=calm=0,tense=1,tired=1 "
                      "answers=Sam#2:2:tired,Pat#3:1:tense", seen)
        seen = "".join(await self.read_until(sam, "poll 1 closed by Dana#1"))
        self.assertIn("answered=2 counts=calm=0,tense=1,tired=1", seen)
        self.assertNotIn("Pat#3:", seen)
        closed = await self.expect_event(pat, "poll_closed", poll_id=1, answered=2)
        self.assertEqual(list(closed.poll_closed.counts), [0, 1, 1])
        self.assertEqual(len(closed.poll_closed.answers), 0)
        await pat.expect_silence()  # never another's answer, never the results copy

        # A participant cannot close; bad arguments print the usage and send nothing.
        await self.type(sam, "/closepoll 1")
        await self.read_until(sam, "reply 4 error code=103")
        for bad in ("/poll", "/poll scale 0 10", "/poll choices a|b", "/answer 1",
                    "/closepoll x"):
            await self.type(dana, bad)
        await self.type(dana, "/help")
        await self.read_until(dana, "/closepoll ID")
        for cli in (dana, sam):
            cli.stdin.close()
            self.assertEqual(await asyncio.wait_for(cli.wait(), 10), 0)
        self.assertEqual((await dana.stderr.read()).decode().count("usage:"), 5)

        rows = await self.audit_eventually(3)
        self.assertEqual(rows, [
            ("dana", "poll_started", "", "ok", "poll=1 kind=choices visibility=group_aggregate"),
            ("dana", "poll_closed", "", "ok", "poll=1 answers=2 visibility=group_aggregate"),
            ("sam", "poll_closed", "", "denied", "not_staff"),
        ])
        everything = self.everything_audited()
        for secret in ["CANARY", "calm", "tense", "tired"]:
            self.assertNotIn(secret, everything)
        self.assertNotIn("CANARY", self.server.log_text(tail=1_000_000))


if __name__ == "__main__":
    unittest.main()
