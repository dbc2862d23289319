"""Observers and consent over real sockets (42 CFR Part 2): no admission
without consent, consent recorded through the admin API or attested by the
facilitator, and a revocation or expiry that takes the observer out of a
running session within seconds."""

import time
import unittest

from hearth_testcase import errors
from session_testcase import *  # noqa: F401,F403 - the shared fixture and helpers

CONSENTS = SESSIONS + "/iop-tue-am/consents"


class ObserverConsent(SessionCase):
    async def asyncSetUp(self):
        await super().asyncSetUp()
        await self.create(valid_body(admit_before_facilitator=True))
        self.facilitator = await self.joined("staff-17", "facilitator", room_id="iop-tue-am")

    async def observer_waits(self, subject="sup-1"):
        client = await self.authed(subject, "observer", "Dr. Sup", room_id="iop-tue-am")
        result = await client.join()
        self.assertEqual(result.lobby.reason, lob.WAIT_REASON_ADMISSION)
        return client

    async def consent_seen(self):
        """The observer's consent state in the facilitator's next LobbyChanged."""
        while True:
            event = await self.facilitator.recv_event()
            if event.HasField("lobby_changed"):
                waiting = event.lobby_changed.lobby.waiting
                return waiting[0].consent if waiting else None

    async def admit(self, client, attest=False):
        reply, _ = await self.facilitator.lobby(
            admit=lob.Admit(waiting_id=client.waiting_id, attest_consent=attest))
        return reply

    async def test_no_consent_no_admission_then_the_admin_api_grants_and_revokes(self):
        sup = await self.observer_waits()
        self.assertEqual(await self.consent_seen(), lob.CONSENT_STATE_NONE)
        reply = await self.admit(sup)
        self.assertEqual(reply.error.code, errors.ERROR_CODE_FAILED_PRECONDITION, reply)

        granted = await self.call("POST", CONSENTS, {"subject": "sup-1"})
        self.assertEqual(granted.status, 201, granted)
        self.assertEqual(await self.consent_seen(), lob.CONSENT_STATE_VALID)
        reply = await self.admit(sup)
        self.assertEqual(reply.lobby.admitted, 1, reply)
        await sup.admitted()

        started = time.monotonic()
        revoked = await self.call("DELETE", CONSENTS + "/sup-1")
        self.assertEqual(revoked.status, 200, revoked)
        await self.expect_closed(sup, errors.CLOSE_CODE_CONSENT_WITHDRAWN)
        self.assertLess(time.monotonic() - started, 3.0)
        while True:
            event = await self.facilitator.recv_event()
            if event.HasField("member_left"):
                break
        self.assertEqual(event.member_left.reason, room.LEAVE_REASON_CONSENT_WITHDRAWN)
        rows = await self.until_rows(
            "SELECT actor, actor_role, action, target, outcome, detail FROM audit "
            "WHERE action = 'observer_removed'")
        self.assertEqual(rows, [("", "system", "observer_removed", "sup-1", "ok",
                                 "consent_revoked")])

    async def test_a_facilitator_attests_and_the_consent_is_kept(self):
        sup = await self.observer_waits()
        reply = await self.admit(sup, attest=True)
        self.assertEqual(reply.lobby.admitted, 1, reply)
        await sup.admitted()
        listed = await self.until(lambda: self.get_json(CONSENTS),
                                  lambda body: len(body["consents"]) == 1)
        consent = listed["consents"][0]
        self.assertEqual((consent["subject"], consent["method"], consent["recorded_by"]),
                         ("sup-1", "attested", "staff-17"))
        rows = self.db_rows("SELECT actor, action, target FROM audit "
                            "WHERE action IN ('consent_attested', 'admit') ORDER BY seq")
        self.assertEqual(rows, [("staff-17", "consent_attested", "sup-1"),
                                ("staff-17", "admit", "sup-1")])

    async def test_an_expiring_consent_ends_the_observers_presence(self):
        sup = await self.observer_waits()
        self.assertEqual(await self.consent_seen(), lob.CONSENT_STATE_NONE)
        expires = int(time.time() * 1000) + 1500
        granted = await self.call("POST", CONSENTS,
                                  {"subject": "sup-1", "expires_at_ms": expires})
        self.assertEqual(granted.status, 201, granted)
        self.assertEqual(await self.consent_seen(), lob.CONSENT_STATE_VALID)
        self.assertEqual((await self.admit(sup)).lobby.admitted, 1)
        await sup.admitted()
        await self.expect_closed(sup, errors.CLOSE_CODE_CONSENT_WITHDRAWN, timeout=5)
        self.assertGreaterEqual(int(time.time() * 1000), expires)

    async def until_rows(self, sql, timeout=5.0):
        deadline = time.monotonic() + timeout
        while True:
            rows = self.db_rows(sql)
            if rows or time.monotonic() > deadline:
                return rows
            await asyncio.sleep(0.05)


if __name__ == "__main__":
    unittest.main()
