"""The terminal client, driven through its stdin like an operator or a script
would: floor commands reach the server, the floor's events come back as
readable lines, refusals are printed, and a bad command gets its usage. A
facilitator runs the lobby from the terminal, and a waiting terminal client
is admitted, stepped out and banned."""

import asyncio
import re
import unittest

from hearth_client import floor
from terminal_client import CLI_AVAILABLE, TerminalClientMixin
from hearth_testcase import HearthTestCase, errors



@unittest.skipUnless(CLI_AVAILABLE, "hearth-cli not found (set HEARTH_CLI)")
class TerminalClient(TerminalClientMixin, HearthTestCase):
    async def floor_event(self, client, kind):
        """The next FloorChanged of `kind`; replies and other events are passed over."""
        while True:
            message = await client.recv()
            event = message.event
            if message.HasField("event") and event.HasField("floor") and event.floor.kind == kind:
                return event

    async def test_a_participant_raises_a_hand_gets_the_floor_and_says_done(self):
        facilitator = await self.joined("dana", "facilitator")
        cli = await self.start_cli("sam", "participant")
        await self.read_until(cli, "joined room=")
        cli.stdin.write(b"/hand\n")
        await cli.stdin.drain()
        raised = await self.floor_event(facilitator, floor.FLOOR_CHANGE_HAND_RAISED)
        sam = raised.floor.subject_member_id
        await self.read_until(cli, "floor hand_raised Sam#%d" % sam)

        await facilitator.send_floor(grant_floor=floor.GrantFloor(member_id=0))
        lines = await self.read_until(
            cli, "floor granted Sam#%d by Dana#%d" % (sam, facilitator.member_id))
        self.assertIn("holder=Sam#%d" % sam, lines[-1])

        cli.stdin.write(b"/grant 1\n/done\n")
        await cli.stdin.drain()
        lines = await self.read_until(cli, "ERROR_CODE_PERMISSION_DENIED")
        await self.floor_event(facilitator, floor.FLOOR_CHANGE_YIELDED)
        await self.read_until(cli, "floor yielded Sam#%d" % sam)
        cli.stdin.close()
        self.assertEqual(await asyncio.wait_for(cli.wait(), 10), 0)

    async def test_a_facilitator_runs_a_round_from_the_terminal(self):
        cli = await self.start_cli("dana", "facilitator")
        await self.read_until(cli, "joined room=")
        p1 = await self.joined("pat")
        p2 = await self.joined("kim")
        cli.stdin.write(b"/round 60 10\n")
        await cli.stdin.drain()
        started = await self.floor_event(p1, floor.FLOOR_CHANGE_TURN_STARTED)
        self.assertEqual(started.floor.state.turn.member_id, p1.member_id)
        self.assertEqual(started.floor.state.turn.budget_ms, 60000)
        await p1.send_floor(pass_turn=floor.PassTurn())
        await self.floor_event(p2, floor.FLOOR_CHANGE_TURN_PASSED)
        await p2.send_floor(yield_floor=floor.YieldFloor())
        lines = await self.read_until(cli, "summary ROUND_END_REASON_COMPLETED")
        self.assertIn("Pat#%d=passed" % p1.member_id, lines[-1])
        self.assertIn("Kim#%d=spoke" % p2.member_id, lines[-1])
        cli.stdin.write(b"/round abc\n")
        cli.stdin.close()
        self.assertEqual(await asyncio.wait_for(cli.wait(), 10), 0)
        self.assertIn(b"usage:", await cli.stderr.read())


@unittest.skipUnless(CLI_AVAILABLE, "hearth-cli not found (set HEARTH_CLI)")
class TerminalClientLobby(TerminalClientMixin, HearthTestCase):
    SERVER_ARGS = ("--default-lobby-policy", "everyone_waits")

    def number(self, lines, pattern):
        """The number `pattern`'s group captures in the last of `lines`."""
        found = re.search(pattern, lines[-1])
        self.assertIsNotNone(found, "%r not in %r" % (pattern, lines[-1]))
        return int(found.group(1))

    async def test_a_facilitator_admits_steps_out_and_bans_a_waiting_terminal_client(self):
        dana = await self.start_cli("dana", "facilitator")
        await self.read_until(dana, "joined room=")
        sam = await self.start_cli("sam", "participant")
        # Request 2 is the join: it waits, as no member.
        lines = await self.read_until(sam, "reply 2 lobby room=%s waiting id=" % self.ROOM)
        self.assertIn("reason=admission", lines[-1])
        self.assertNotIn("joined", "".join(lines))
        waiting = self.number(lines, r"waiting id=(\d+)")
        await self.read_until(dana, "waiting #%d Sam role=participant reason=admission" % waiting)

        # Dana's requests: 1 hello, 2 join, then one each from 3 on.
        await self.type(dana, "/lobbymsg  We start in two minutes ")
        await self.read_until(dana, "reply 3 lobby admitted=0 denied=0")
        lines = await self.read_until(sam, "message=We start in two minutes")
        self.assertIn("waiting id=%d reason=admission" % waiting, lines[-1])

        # The events a command causes come before its reply.
        await self.type(dana, "/admit %d" % waiting)
        seen = "".join(await self.read_until(dana, "reply 4 lobby admitted=1 denied=0"))
        lines = await self.read_until(sam, "admitted; joined room=%s" % self.ROOM)
        member = self.number(lines, r" member=(\d+)")
        self.assertGreater(member, 0)
        self.assertIn("recovered=no", lines[-1])
        await self.read_until(sam, "member Sam#%d role=participant" % member)
        self.assertIn("joined Sam#%d role=participant" % member, seen)
        # In the room now: chat works from the admitted terminal.
        await self.type(sam, "hello all")
        await self.read_until(dana, "chat Sam#%d: hello all" % member)

        await self.type(dana, "/stepout %d" % member)
        seen = "".join(await self.read_until(dana, "reply 5 lobby"))
        self.assertIn("left Sam#%d reason=LEAVE_REASON_STEPPED_OUT" % member, seen)
        await self.read_until(sam, "left Sam#%d reason=LEAVE_REASON_STEPPED_OUT" % member)
        lines = await self.read_until(sam, "reason=stepped_out")
        waiting = self.number(lines, r"waiting id=(\d+)")
        self.assertIn("waiting #%d Sam role=participant reason=stepped_out" % waiting, seen)

        # Bad arguments print the usage and send nothing: the next request is 6.
        for bad in ("/admit", "/admit sam", "/stepout 1 2", "/banwaiting", "/unban x",
                    "/ban -1", "/admitall now", "/denyall 3", "/deny"):
            await self.type(dana, bad)
        await self.type(dana, "/banwaiting %d" % waiting)
        seen = "".join(await self.read_until(dana, "reply 6 lobby admitted=0 denied=1"))
        ban = self.number([seen], r"ban #(\d+) Sam role=participant")
        await self.read_until(sam, "disconnect code=%d reconnect=no" % errors.CLOSE_CODE_BANNED)
        self.assertEqual(await asyncio.wait_for(sam.wait(), 10), 0)

        await self.type(dana, "/unban %d" % ban)
        seen = "".join(await self.read_until(dana, "reply 7 moderation"))
        self.assertIn("bans=0", seen)
        dana.stdin.close()
        self.assertEqual(await asyncio.wait_for(dana.wait(), 10), 0)
        errors_text = (await dana.stderr.read()).decode()
        self.assertEqual(errors_text.count("usage:"), 9, errors_text)
        self.assertIn("/admit ID", errors_text)

    async def test_deny_admit_all_and_ban_of_a_member(self):
        dana = await self.start_cli("dana", "facilitator")
        await self.read_until(dana, "joined room=")
        pat = await self.authed("pat")
        await pat.join()
        kim = await self.authed("kim")
        await kim.join()
        await self.read_until(dana, "waiting=2")

        await self.type(dana, "/deny %d" % pat.waiting_id)
        await self.read_until(dana, "reply 3 lobby admitted=0 denied=1")
        await self.expect_closed(pat, errors.CLOSE_CODE_DENIED)
        await self.type(dana, "/admitall")
        seen = "".join(await self.read_until(dana, "reply 4 lobby admitted=1 denied=0"))
        await kim.admitted()
        self.assertIn("joined Kim#%d" % kim.member_id, seen)

        await self.type(dana, "/ban %d" % kim.member_id)
        seen = "".join(await self.read_until(dana, "reply 5 moderation"))
        self.assertIn("left Kim#%d reason=LEAVE_REASON_BANNED" % kim.member_id, seen)
        self.assertIn("ban #1 Kim role=participant", seen)
        await self.expect_closed(kim, errors.CLOSE_CODE_BANNED)

        await self.type(dana, "/denyall")
        await self.read_until(dana, "reply 6 lobby admitted=0 denied=0")
        await self.type(dana, "/lobbymsg")
        await self.read_until(dana, "reply 7 lobby")
        await self.type(dana, "/help")
        await self.read_until(dana, "/banwaiting ID")
        dana.stdin.close()
        self.assertEqual(await asyncio.wait_for(dana.wait(), 10), 0)


if __name__ == "__main__":
    unittest.main()
