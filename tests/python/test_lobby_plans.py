"""Rooms follow the session's plan from the admin API: roster_enters lets
the roster in and holds strangers, a plan's change reaches the room the next
time it opens, and the chat policy decides who writes to the room."""

import unittest

from hearth_testcase import errors
from session_testcase import *  # noqa: F401,F403 - the shared fixture and helpers


class PlannedLobby(SessionCase):
    async def roster_client(self, tokens, subject):
        client = await self.connect(subject)
        await client.hello(tokens[subject]["token"])
        await client.join()
        return client

    async def test_the_roster_enters_and_a_stranger_waits_for_a_facilitator(self):
        await self.create(valid_body(lobby_policy="roster_enters", admit_before_facilitator=True))
        tokens = {t["subject"]: t for t in (await self.tokens("iop-tue-am"))["tokens"]}
        jordan = await self.roster_client(tokens, "client-1042")
        self.assertGreater(jordan.member_id, 0)  # on the roster, no facilitator needed
        stranger = await self.connect("stranger")
        await stranger.hello((await self.mint("iop-tue-am", subject="walk-in-9"))["token"])
        result = await stranger.join()
        self.assertEqual(result.lobby.reason, lob.WAIT_REASON_ADMISSION)
        facilitator = await self.roster_client(tokens, "staff-17")
        lobby = facilitator.join_result.snapshot.lobby
        self.assertEqual([w.display_name for w in lobby.waiting], ["Pat"])
        self.assertEqual(lobby.policy, lob.LOBBY_POLICY_ROSTER_ENTERS)
        stranger.waiting_id = result.lobby.waiting_id
        await self.admit(facilitator, stranger)

    async def test_everyone_waits_and_a_changed_plan_applies_when_the_room_opens_again(self):
        await self.create(valid_body(lobby_policy="everyone_waits"))
        tokens = {t["subject"]: t for t in (await self.tokens("iop-tue-am"))["tokens"]}
        facilitator = await self.roster_client(tokens, "staff-17")
        sam = await self.roster_client(tokens, "client-2210")
        self.assertEqual(sam.join_result.lobby.reason, lob.WAIT_REASON_ADMISSION)
        await self.put("iop-tue-am", valid_body(lobby_policy="open", admit_before_facilitator=True,
                                                version=1))
        # The open room keeps the plan it opened with.
        jordan = await self.roster_client(tokens, "client-1042")
        self.assertTrue(jordan.join_result.HasField("lobby"))
        for client in (facilitator, sam, jordan):
            await self.leave(client)
        # Everyone gone (members and the waiting alike): the room closes, and
        # opens again with the new plan.
        again = await self.until(lambda: self.open_room_member(tokens, "client-1042"),
                                 lambda client: client is not None)
        self.assertGreater(again.member_id, 0)

    async def test_the_chat_policy_keeps_the_room_for_the_facilitators(self):
        await self.create(valid_body(chat_policy="facilitators_only",
                                     admit_before_facilitator=True))
        tokens = {t["subject"]: t for t in (await self.tokens("iop-tue-am"))["tokens"]}
        jordan = await self.roster_client(tokens, "client-1042")
        self.assertEqual(jordan.join_result.snapshot.chat_policy,
                         room.CHAT_POLICY_FACILITATORS_ONLY)
        reply, _ = await jordan.chat("hello everyone")
        self.assertEqual(reply.error.code, errors.ERROR_CODE_PERMISSION_DENIED, reply)
        facilitator = await self.roster_client(tokens, "staff-17")
        reply, _ = await facilitator.chat("welcome")
        self.assertEqual(reply.WhichOneof("outcome"), "chat")
        reply, _ = await jordan.chat("a word", room.CHAT_SCOPE_FACILITATORS)
        self.assertEqual(reply.WhichOneof("outcome"), "chat")

    async def open_room_member(self, tokens, subject):
        client = await self.roster_client(tokens, subject)
        if client.member_id:
            return client
        await self.leave(client)
        return None

    async def leave(self, client):
        reply, _ = await client.wait_reply(await client.send_leave())
        self.assertEqual(reply.WhichOneof("outcome"), "leave")
        await client.close()


if __name__ == "__main__":
    unittest.main()
