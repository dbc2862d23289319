"""The terminal client, driven through its stdin like an operator or a script
would: floor commands reach the server, the floor's events come back as
readable lines, refusals are printed, and a bad command gets its usage."""

import asyncio
import unittest

from hearth_client import floor
from terminal_client import CLI_AVAILABLE, TerminalClientMixin
from hearth_testcase import HearthTestCase



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


if __name__ == "__main__":
    unittest.main()
