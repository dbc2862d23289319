"""Reconnecting: resume from history, snapshots when history cannot help,
and presence across the reconnect grace."""

import asyncio
import time
import unittest

from hearth_testcase import HearthTestCase, describe, pb, position, room


class Resume(HearthTestCase):
    SERVER_ARGS = ("--reconnect-grace-ms", "5000")

    async def test_resume_within_history_replays_exactly_the_missed_events(self):
        fac = await self.joined("fac", "facilitator")
        pat = await self.joined("pat")
        await self.expect_event(fac, "member_joined", seq=2)
        await pat.chat("before the drop")
        await self.expect_event(fac, "chat", seq=3, text="before the drop")
        epoch = fac.join_result.epoch

        fac.drop()
        missed = [await self.expect_event(pat, "member_presence", seq=4,
                                          member_id=fac.member_id,
                                          presence=room.PRESENCE_RECONNECTING)]
        for text in ("while away 1", "while away 2"):
            _, before = await pat.chat(text)
            missed += [m.event for m in before]
        reply, before = await pat.chat("psst", room.CHAT_SCOPE_FACILITATORS)
        self.assertEqual(reply.chat.direct_seq, 1)  # pat's own echo
        self.assertEqual([m.event.direct_seq for m in before], [1])
        self.assertEqual([e.seq for e in missed], [4, 5, 6])

        back = await self.connect("fac-again")
        await back.hello(fac.token)
        result = await back.join(resume=pb.ResumePosition(epoch=epoch, last_seq=3,
                                                          last_direct_seq=0))
        self.assertTrue(result.recovered)
        self.assertFalse(result.HasField("snapshot"))
        self.assertEqual(result.epoch, epoch)
        self.assertEqual(result.member_id, fac.member_id)
        self.assertEqual(result.head_seq, 7)
        self.assertEqual(result.direct_head_seq, 1)
        present = await self.expect_event(pat, "member_presence", seq=7,
                                          member_id=fac.member_id,
                                          presence=room.PRESENCE_PRESENT)
        replayed = [await back.recv_event() for _ in range(5)]
        # The room stream 4..7 exactly as the others saw it, then the direct stream.
        self.assertEqual([describe(e) for e in replayed[:4]],
                         [describe(e) for e in missed + [present]])
        self.assert_event(replayed[4], "chat", seq=0, direct_seq=1, text="psst",
                          from_member_id=pat.member_id, scope=room.CHAT_SCOPE_FACILITATORS)
        await back.expect_silence()
        await pat.expect_silence(0.05)
        self.assertEqual(await self.assert_chat_works(back), 8)

    async def test_resume_at_the_head_replays_only_the_reconnect(self):
        a = await self.joined("a")
        b = await self.joined("b")
        await self.expect_event(a, "member_joined", seq=2)
        a.drop()
        await self.expect_event(b, "member_presence", seq=3, presence=room.PRESENCE_RECONNECTING)
        back = await self.rejoin(a, resume=position(a, 2))
        self.assertTrue(back.join_result.recovered)
        self.assertEqual(back.join_result.head_seq, 4)
        await self.expect_event(back, "member_presence", seq=3, member_id=a.member_id,
                                presence=room.PRESENCE_RECONNECTING)
        await self.expect_event(back, "member_presence", seq=4, member_id=a.member_id,
                                presence=room.PRESENCE_PRESENT)
        await back.expect_silence()

    async def _snapshot_instead(self, client, result, head_seq):
        self.assertFalse(result.recovered)
        self.assertTrue(result.HasField("snapshot"))
        self.assertEqual(result.head_seq, head_seq)
        await client.expect_silence()  # nothing replayed

    async def test_wrong_epoch_gets_a_snapshot(self):
        a = await self.joined("a")
        b = await self.joined("b")
        await self.expect_event(a, "member_joined", seq=2)
        await b.chat("hi")
        a.drop()
        back = await self.rejoin(a, resume=position(a, 2, epoch="0123456789abcdef"))
        await self._snapshot_instead(back, back.join_result, 5)
        snap = back.join_result.snapshot
        self.assertEqual(sorted((m.member_id, m.presence) for m in snap.members),
                         [(a.member_id, room.PRESENCE_PRESENT),
                          (b.member_id, room.PRESENCE_PRESENT)])
        self.assertEqual([c.text for c in snap.recent_chat], ["hi"])

    async def test_position_beyond_the_head_gets_a_snapshot(self):
        a = await self.joined("a")
        await self.joined("b")
        a.drop()
        back = await self.rejoin(a, resume=position(a, 50))
        await self._snapshot_instead(back, back.join_result, 4)

    async def test_direct_position_beyond_the_head_gets_a_snapshot(self):
        a = await self.joined("a")
        await self.joined("b")
        a.drop()
        back = await self.rejoin(a, resume=position(a, 2, last_direct_seq=3))
        await self._snapshot_instead(back, back.join_result, 4)

    async def test_room_emptied_by_leaving_restarts_with_a_new_epoch(self):
        a = await self.joined("a")
        old_epoch = a.join_result.epoch
        rid = await a.send_leave()
        await self.expect_event(a, "member_left", seq=2)
        await a.expect_reply(rid, "leave")
        b = await self.joined("b")
        # Sequence numbers start again, so the epoch must change.
        self.assertEqual(b.join_result.head_seq, 1)
        self.assertNotEqual(b.join_result.epoch, old_epoch)
        back = await self.rejoin(a, resume=pb.ResumePosition(epoch=old_epoch, last_seq=1))
        self.assertFalse(back.join_result.recovered)
        self.assertEqual(back.join_result.epoch, b.join_result.epoch)
        self.assertEqual(back.join_result.head_seq, 2)


class ShortHistory(HearthTestCase):
    SERVER_ARGS = ("--history-events", "3", "--reconnect-grace-ms", "5000")

    async def test_resume_older_than_history_gets_a_snapshot(self):
        a = await self.joined("a")
        b = await self.joined("b")
        await self.expect_event(a, "member_joined", seq=2)
        # At the edge: the ring of 3 holds 3..5 when a comes back, a needs 3..5.
        a.drop()
        await self.expect_event(b, "member_presence", seq=3)
        await b.chat("one")
        back = await self.rejoin(a, resume=position(a, 2))
        self.assertTrue(back.join_result.recovered)
        self.assertEqual([(await back.recv_event()).seq for _ in range(3)], [3, 4, 5])
        await back.expect_silence(0.1)
        await self.expect_event(b, "member_presence", seq=5, presence=room.PRESENCE_PRESENT)

        # One event too many: the ring holds 7..9, a would need 6..9.
        back.drop()
        await self.expect_event(b, "member_presence", seq=6)
        await b.chat("two")
        await b.chat("three")
        again = await self.rejoin(a, resume=position(a, 5))
        result = again.join_result
        self.assertFalse(result.recovered)
        self.assertEqual(result.head_seq, 9)
        self.assertEqual(result.member_id, a.member_id)
        self.assertEqual(sorted((m.member_id, m.presence) for m in result.snapshot.members),
                         [(a.member_id, room.PRESENCE_PRESENT),
                          (b.member_id, room.PRESENCE_PRESENT)])
        self.assertEqual([c.text for c in result.snapshot.recent_chat], ["one", "two", "three"])
        await again.expect_silence()
        self.assertEqual(await self.assert_chat_works(again), 10)


class ReplayBudget(HearthTestCase):
    SERVER_ARGS = ("--max-outbound-queue-bytes", "6000", "--reconnect-grace-ms", "5000")

    async def test_replay_larger_than_half_the_queue_gets_a_snapshot(self):
        a = await self.joined("a")
        b = await self.joined("b")
        await self.expect_event(a, "member_joined", seq=2)
        a.drop()
        await self.expect_event(b, "member_presence", seq=3)
        await b.chat("x" * 1200)  # seq 4: 3..5 fit in 3000 bytes
        back = await self.rejoin(a, resume=position(a, 2))
        self.assertTrue(back.join_result.recovered)
        self.assertEqual([(await back.recv_event()).seq for _ in range(3)], [3, 4, 5])

        back.drop()
        await self.expect_event(b, "member_presence", seq=5, presence=room.PRESENCE_PRESENT)
        await self.expect_event(b, "member_presence", seq=6)
        for _ in range(3):
            await b.chat("y" * 1200)  # seq 7..9: with 6 and 10 over 3000 bytes
        again = await self.rejoin(a, resume=position(a, 5))
        self.assertFalse(again.join_result.recovered)
        self.assertEqual(again.join_result.head_seq, 10)
        # The snapshot's recent chat gets a quarter of the 6000-byte queue:
        # the latest of the 1200-byte chats only.
        self.assertEqual([c.seq for c in again.join_result.snapshot.recent_chat], [9])
        await again.expect_silence()


class Grace(HearthTestCase):
    SERVER_ARGS = ("--reconnect-grace-ms", "700")

    async def test_reconnect_within_grace_keeps_presence(self):
        watcher = await self.joined("watcher")
        b = await self.joined("b", name="Bea")
        await self.expect_event(watcher, "member_joined", seq=2)
        dropped_at = time.monotonic()
        b.drop()
        await self.expect_event(watcher, "member_presence", seq=3, member_id=b.member_id,
                                presence=room.PRESENCE_RECONNECTING)
        back = await self.rejoin(b)  # no resume: a snapshot
        self.assertFalse(back.join_result.recovered)
        self.assertEqual(back.join_result.member_id, b.member_id)
        self.assertIn((b.member_id, "Bea", room.PRESENCE_PRESENT),
                      [(m.member_id, m.display_name, m.presence)
                       for m in back.join_result.snapshot.members])
        await self.expect_event(watcher, "member_presence", seq=4, member_id=b.member_id,
                                presence=room.PRESENCE_PRESENT)
        # Well past the original grace deadline: no MemberLeft, nothing at all.
        await watcher.expect_silence(max(0.2, 1.2 - (time.monotonic() - dropped_at)))
        self.assertEqual(await self.assert_chat_works(back), 5)
        await self.expect_event(watcher, "chat", seq=5, from_member_id=b.member_id)

    async def test_clean_close_without_leave_also_starts_the_grace(self):
        watcher = await self.joined("watcher")
        b = await self.joined("b")
        await self.expect_event(watcher, "member_joined", seq=2)
        await b.close()
        await self.expect_event(watcher, "member_presence", seq=3, member_id=b.member_id,
                                presence=room.PRESENCE_RECONNECTING)


class GraceExpiry(HearthTestCase):
    SERVER_ARGS = ("--reconnect-grace-ms", "300")

    async def test_grace_expiry_produces_member_left(self):
        watcher = await self.joined("watcher")
        b = await self.joined("b")
        await self.expect_event(watcher, "member_joined", seq=2)
        start = time.monotonic()
        b.drop()
        await self.expect_event(watcher, "member_presence", seq=3, member_id=b.member_id,
                                presence=room.PRESENCE_RECONNECTING)
        await self.expect_event(watcher, "member_left", seq=4, member_id=b.member_id,
                                reason=room.LEAVE_REASON_GRACE_EXPIRED)
        elapsed = time.monotonic() - start
        self.assertGreaterEqual(elapsed, 0.25)
        self.assertLess(elapsed, 2.0)
        await watcher.expect_silence()

        # Gone from snapshots; coming back is a new MemberJoined (same member id).
        # A resume from before the drop gets a snapshot, not a replay, even
        # though the history holds every event since: nothing was kept on the
        # direct stream of someone who was not in the room.
        back = await self.rejoin(b, position(b, b.join_result.head_seq,
                                             b.join_result.direct_head_seq))
        self.assertEqual(back.join_result.member_id, b.member_id)
        self.assertEqual(back.join_result.head_seq, 5)
        self.assertFalse(back.join_result.recovered)
        self.assertTrue(back.join_result.HasField("snapshot"))
        joined = await self.expect_event(watcher, "member_joined", seq=5)
        self.assertEqual(joined.member_joined.member.member_id, b.member_id)
        self.assertEqual(joined.member_joined.member.presence, room.PRESENCE_PRESENT)
        kim = await self.joined("kim")
        self.assertEqual(sorted(m.member_id for m in kim.join_result.snapshot.members),
                         sorted([watcher.member_id, b.member_id, kim.member_id]))

    async def test_each_dropped_member_gets_its_own_deadline(self):
        watcher = await self.joined("watcher")
        a = await self.joined("a")
        b = await self.joined("b")
        for seq in (2, 3):
            await self.expect_event(watcher, "member_joined", seq=seq)
        a.drop()
        await self.expect_event(watcher, "member_presence", seq=4, member_id=a.member_id)
        await asyncio.sleep(0.15)
        b.drop()
        await self.expect_event(watcher, "member_presence", seq=5, member_id=b.member_id)
        start = time.monotonic()
        await self.expect_event(watcher, "member_left", seq=6, member_id=a.member_id,
                                reason=room.LEAVE_REASON_GRACE_EXPIRED)
        await self.expect_event(watcher, "member_left", seq=7, member_id=b.member_id,
                                reason=room.LEAVE_REASON_GRACE_EXPIRED)
        self.assertGreaterEqual(time.monotonic() - start, 0.2)  # b's deadline is its own

    async def test_returning_member_keeps_the_other_members_deadline(self):
        watcher = await self.joined("watcher")
        a = await self.joined("a")
        b = await self.joined("b")
        for seq in (2, 3):
            await self.expect_event(watcher, "member_joined", seq=seq)
        a.drop()
        b.drop()
        for seq in (4, 5):
            await self.expect_event(watcher, "member_presence", seq=seq,
                                    presence=room.PRESENCE_RECONNECTING)
        back = await self.rejoin(a)
        await self.expect_event(watcher, "member_presence", seq=6, member_id=a.member_id,
                                presence=room.PRESENCE_PRESENT)
        await self.expect_event(watcher, "member_left", seq=7, member_id=b.member_id,
                                reason=room.LEAVE_REASON_GRACE_EXPIRED)
        await self.expect_event(back, "member_left", seq=7, member_id=b.member_id)
        await watcher.expect_silence()


if __name__ == "__main__":
    unittest.main()
