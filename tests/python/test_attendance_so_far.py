"""The session's attendance so far, over real sockets: a facilitator asks and
gets every stay from the clinic's records (people who already left included,
and stays from before a server restart), named by member id and display name,
never by token subject; anyone else is refused and the refusal is on record;
the terminal client asks with /attendance."""

import asyncio
import signal
import unittest

from terminal_client import CLI_AVAILABLE, TerminalClientMixin
from hearth_testcase import HearthTestCase, describe, pb
from hearth.v1 import attendance_pb2 as att  # noqa: E402  (on the path via hearth_client)
from hearth.v1 import errors_pb2 as errors  # noqa: E402
from hearth.v1 import role_pb2 as roles  # noqa: E402


class AttendanceSoFar(TerminalClientMixin, HearthTestCase):
    async def ask(self, client):
        rid = await client.command(attendance=att.AttendanceQuery())
        reply, _ = await client.wait_reply(rid)
        return reply

    async def people_when(self, client, predicate, timeout=5.0):
        """Asks until the answer satisfies `predicate` (attendance is written
        by the store's thread in the background)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            reply = await self.ask(client)
            self.assertEqual(reply.WhichOneof("outcome"), "attendance", describe(reply))
            if predicate(reply.attendance):
                return reply.attendance
            if loop.time() > deadline:
                self.fail("attendance never matched: %s" % describe(reply))
            await asyncio.sleep(0.05)

    async def test_facilitators_see_everyone_who_came_including_who_left(self):
        dana = await self.joined("dana", "facilitator", name="Dana")
        sam = await self.joined("sam", name="Sam")
        pat = await self.joined("pat", name="Pat")
        kim = await self.joined("kim", "family_member", name="Kim")
        await self.drain(dana, sam, pat, kim)
        rid = await pat.send_leave()
        await pat.wait_reply(rid)

        so_far = await self.people_when(
            dana, lambda a: len(a.people) == 4 and not a.people[2].present_now)
        self.assertEqual([p.display_name for p in so_far.people], ["Dana", "Sam", "Pat", "Kim"])
        self.assertEqual([p.member_id for p in so_far.people],
                         [dana.member_id, sam.member_id, pat.member_id, kim.member_id])
        self.assertEqual([p.present_now for p in so_far.people], [True, True, False, True])
        self.assertEqual([p.role for p in so_far.people],
                         [roles.ROLE_FACILITATOR, roles.ROLE_PARTICIPANT, roles.ROLE_PARTICIPANT,
                          roles.ROLE_FAMILY_MEMBER])
        self.assertEqual(so_far.participants, 2)
        self.assertEqual(so_far.family_members, 1)
        for person in so_far.people:
            self.assertEqual(person.stays, 1)
            self.assertLessEqual(person.first_joined_ms, person.last_left_ms)
            self.assertLessEqual(person.last_left_ms, so_far.as_of_ms)
        self.assertNotIn("sam", describe(so_far))  # subjects never leave the server

        for client in (sam, kim):
            rid = await client.command(attendance=att.AttendanceQuery())
            reply, _ = await client.wait_reply(rid)
            self.assertEqual(reply.error.code, errors.ERROR_CODE_PERMISSION_DENIED, describe(reply))
        rows = await self.audit_eventually(3)
        self.assertEqual(rows[0], ("dana", "facilitator", "record_viewed", "", "ok", "attendance"))
        self.assertEqual({r[0] for r in rows[1:]}, {"sam", "kim"})
        self.assertEqual({(r[2], r[4]) for r in rows[1:]}, {("attendance_viewed", "denied")})

    def audit_rows(self):
        return self.audit_query("SELECT actor, actor_role, action, target, outcome, detail "
                                "FROM audit WHERE action IN ('record_viewed', "
                                "'attendance_viewed') ORDER BY seq")

    async def test_stays_before_a_restart_still_count(self):
        dana = await self.joined("dana", "facilitator", name="Dana")
        sam = await self.joined("sam", name="Sam")
        await self.drain(dana, sam)
        await self.people_when(dana, lambda a: len(a.people) == 2)
        self.server.send_signal(signal.SIGKILL)
        self.server.proc.wait()
        for client in (dana, sam):
            self.clients.remove(client)
        self.server.start()
        self.port = self.server.port
        dana = await self.joined("dana", "facilitator", name="Dana")
        so_far = await self.people_when(dana, lambda a: len(a.people) == 2)
        by_name = {p.display_name: p for p in so_far.people}
        self.assertEqual(set(by_name), {"Dana", ""})  # Sam has not come back since
        self.assertTrue(by_name["Dana"].present_now)
        self.assertEqual(by_name["Dana"].stays, 2)
        self.assertFalse(by_name[""].present_now)
        self.assertEqual(by_name[""].member_id, 0)
        self.assertEqual(so_far.participants, 1)

    @unittest.skipUnless(CLI_AVAILABLE, "hearth-cli not built (set HEARTH_CLI)")
    async def test_the_terminal_client_asks_with_attendance(self):
        sam = await self.joined("sam", name="Sam")
        dana = await self.start_cli("dana", "facilitator")
        await self.read_until(dana, "joined room=")
        await self.type(dana, "/attendance")
        seen = "".join(await self.read_until(dana, "facilitator here"))
        self.assertIn("attendance participants=1 family=0", seen)
        self.assertIn("Sam#%d participant here" % sam.member_id, seen)
        self.assertNotIn("sam ", seen)  # the subject never reaches a client

if __name__ == "__main__":
    unittest.main()
