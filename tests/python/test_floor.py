"""The floor (turn-taking) through the independent Python client: the hand
queue in server arrival order, identical for every client, the same absolute
deadlines everywhere, a round that reaches its summary through a pass and an
expiry, hands that survive a reconnect, and airtime for facilitators only.

No assertion depends on how fast the machine is: waits are event waits with
generous timeouts, and times are compared as the server stamped them."""

import asyncio
import collections
import unittest

from hearth_client import floor
from hearth_testcase import HearthTestCase, describe, errors, position, room

WAIT = 5.0  # seconds for anything that must arrive


def kind_name(kind):
    return floor.FloorChangeKind.Name(kind)


def hands(state):
    return [h.member_id for h in state.hands]


def outcomes(state):
    return [(e.member_id, floor.TurnOutcome.Name(e.outcome)) for e in state.round.entries]


class FloorCase(HearthTestCase):
    """Each member's client keeps a backlog (messages read while waiting for a
    reply), a log of every event it read and the last room seq it read."""

    async def member(self, subject, role="participant", name=None):
        client = await self.joined(subject, role, name)
        self._track(client)
        return client

    async def rejoin_member(self, old, resume=None):
        client = await self.rejoin(old, resume=resume)
        self._track(client)
        return client

    @staticmethod
    def _track(client):
        client.backlog = collections.deque()
        client.log = []
        client.seen = client.join_result.head_seq

    async def next_room_event(self, client, timeout=WAIT):
        """The next room-stream event; direct events on the way are logged and skipped."""
        while True:
            message = client.backlog.popleft() if client.backlog else await client.recv(timeout)
            if not message.HasField("event"):
                raise AssertionError("%s: expected an event, got %s"
                                     % (client.label, describe(message)))
            client.log.append(message.event)
            if message.event.seq:
                client.seen = message.event.seq
                return message.event

    async def settle(self, clients):
        """Reads the arrivals so that every stream stands at the last join."""
        head = max(c.join_result.head_seq for c in clients)
        for c in clients:
            while c.seen < head:
                event = await self.next_room_event(c)
                self.assertEqual(event.WhichOneof("body"), "member_joined", describe(event))

    async def floor_command(self, client, **action):
        rid = await client.send_floor(**action)
        reply, before = await client.wait_reply(rid, WAIT)
        client.backlog.extend(before)
        return reply

    async def ok(self, client, **action):
        reply = await self.floor_command(client, **action)
        self.assertEqual(reply.WhichOneof("outcome"), "floor",
                         "%s: %s" % (client.label, describe(reply)))
        return reply.floor

    async def next_floor(self, client, kind):
        event = await self.next_room_event(client)
        self.assertEqual(event.WhichOneof("body"), "floor",
                         "%s expected %s, got %s" % (client.label, kind_name(kind),
                                                     describe(event)))
        self.assertEqual(kind_name(event.floor.kind), kind_name(kind),
                         "%s: %s" % (client.label, describe(event)))
        return event

    async def everyone_sees(self, clients, kind):
        """Every client's next room event is the same FloorChanged of `kind`
        (same seq, same state, same deadlines); returns it."""
        first = None
        for client in clients:
            event = await self.next_floor(client, kind)
            if first is None:
                first = event
            else:
                self.assertEqual(describe(event), describe(first),
                                 "%s saw a different %s than %s"
                                 % (client.label, kind_name(kind), clients[0].label))
        return first

    async def marker(self, sender, clients, text):
        """A room chat; every client's next room event must be it, right after
        the last seq it read: nothing happened in between."""
        before = sender.seen
        rid = await sender.send_chat(text)
        reply, earlier = await sender.wait_reply(rid, WAIT)
        sender.backlog.extend(earlier)
        self.assertEqual(reply.WhichOneof("outcome"), "chat", describe(reply))
        for client in clients:
            self.assertEqual(client.seen, before, "%s is behind" % client.label)
            event = await self.next_room_event(client)
            self.assert_event(event, "chat", seq=before + 1, text=text)

    def direct_events(self, client):
        return [e for e in client.log if e.direct_seq]

    def assert_nothing_direct(self, clients):
        for client in clients:
            for event in client.log:
                self.assertNotIn(event.WhichOneof("body"), ("round_summary", "airtime"),
                                 "%s: %s" % (client.label, describe(event)))
                self.assertEqual(event.direct_seq, 0, "%s: %s" % (client.label, describe(event)))

    async def cast(self, *names):
        """A facilitator and participants, joined in this order, streams settled."""
        fac = await self.member("dana", "facilitator")
        people = [await self.member(n) for n in names]
        await self.settle([fac] + people)
        return fac, people


class Hands(FloorCase):

    async def test_hands_queue_in_arrival_order_and_everyone_sees_the_same_deadline(self):
        fac, (alex, sam, kim) = await self.cast("alex", "sam", "kim")
        everyone = [fac, alex, sam, kim]
        await self.ok(fac, set_settings=floor.FloorSettings(timing=floor.TurnTiming(
            budget_ms=5000, warning_before_ms=1000, on_expiry=floor.EXPIRY_ACTION_ADVANCE)))
        settings = await self.everyone_sees(everyone, floor.FLOOR_CHANGE_SETTINGS)
        self.assertEqual(settings.floor.state.mode, floor.FLOOR_MODE_MODERATED)

        # Kim, then Alex, then Sam, each after its own delay and its reply, so the
        # arrival order is known: neither join order nor member-id order.
        expected = []
        seq = settings.seq
        for client, delay in ((kim, 0.0), (alex, 0.03), (sam, 0.06)):
            await asyncio.sleep(delay)
            result = await self.ok(client, raise_hand=floor.RaiseHand())
            self.assertEqual(result.seq, seq + 1, "one event per raised hand")
            seq = result.seq
            expected.append(client.member_id)

        # A participant may not grant the floor; nothing changes.
        reply = await self.floor_command(alex, grant_floor=floor.GrantFloor(
            member_id=sam.member_id))
        self.assert_error(reply, errors.ERROR_CODE_PERMISSION_DENIED)

        for n in range(3):
            raised = await self.everyone_sees(everyone, floor.FLOOR_CHANGE_HAND_RAISED)
            self.assertEqual(raised.floor.subject_member_id, expected[n])
            self.assertEqual(raised.floor.actor_member_id, expected[n])
            self.assertEqual(hands(raised.floor.state), expected[:n + 1])
            self.assertEqual(raised.floor.state.hands[n].raised_at_ms, raised.server_time_ms)
            stamps = [h.raised_at_ms for h in raised.floor.state.hands]
            self.assertEqual(stamps, sorted(stamps))
        self.assertEqual(fac.seen, seq)
        await self.marker(fac, everyone, "after the hands")  # the refused grant left no event
        self.assertEqual(self.direct_events(fac), [])

        # The first hand gets the floor; everyone sees the same absolute deadline.
        await self.ok(fac, grant_floor=floor.GrantFloor(member_id=0))
        granted = await self.everyone_sees(everyone, floor.FLOOR_CHANGE_GRANTED)
        turn = granted.floor.state.turn
        self.assertEqual(granted.floor.subject_member_id, kim.member_id)
        self.assertEqual(turn.member_id, kim.member_id)
        self.assertEqual(turn.budget_ms, 5000)
        self.assertEqual(turn.started_at_ms, granted.server_time_ms)
        self.assertEqual(turn.deadline_ms, granted.server_time_ms + 5000)
        self.assertEqual(turn.warning_at_ms, turn.deadline_ms - 1000)
        self.assertEqual(hands(granted.floor.state), expected[1:])

        # Kim says done; the facilitator's airtime report (and only theirs) counts it.
        await self.ok(kim, yield_floor=floor.YieldFloor())
        yielded = await self.everyone_sees(everyone, floor.FLOOR_CHANGE_YIELDED)
        self.assertFalse(yielded.floor.state.HasField("turn"))
        self.assertEqual(hands(yielded.floor.state), expected[1:])
        await self.marker(fac, everyone, "after the turn")
        direct = self.direct_events(fac)
        self.assertTrue(direct, "no airtime report after the turn")
        self.assertEqual({e.WhichOneof("body") for e in direct}, {"airtime"})
        turns = {a.member_id: a.turns for a in direct[-1].airtime.members}
        self.assertEqual(turns[kim.member_id], 1)
        self.assertEqual(turns[alex.member_id], 0)
        self.assert_nothing_direct([alex, sam, kim])

    async def test_hands_raised_at_once_queue_in_the_servers_order_for_everyone(self):
        fac, people = await self.cast("alex", "sam", "kim")
        everyone = [fac] + people

        async def raise_after(client, delay):
            await asyncio.sleep(delay)
            result = await self.ok(client, raise_hand=floor.RaiseHand())
            return result.seq, client.member_id

        # Different delays, no waiting for one another: the replies tell the
        # order in which the server took the hands, and every client must agree.
        arrivals = sorted(await asyncio.gather(
            *(raise_after(c, d) for c, d in zip(people, (0.02, 0.0, 0.01)))))
        self.assertEqual(len({seq for seq, _ in arrivals}), 3)
        order = [member for _, member in arrivals]
        for n, (seq, member) in enumerate(arrivals):
            raised = await self.everyone_sees(everyone, floor.FLOOR_CHANGE_HAND_RAISED)
            self.assertEqual(raised.seq, seq)
            self.assertEqual(raised.floor.subject_member_id, member)
            self.assertEqual(hands(raised.floor.state), order[:n + 1])
        await self.marker(fac, everyone, "after the hands")


class Round(FloorCase):

    async def test_round_with_a_pass_and_an_expiry_reaches_the_summary(self):
        fac, (alex, sam) = await self.cast("alex", "sam")
        everyone = [fac, alex, sam]
        budget = 800  # a pass always comes in time; the expiry is waited for
        await self.ok(fac, start_round=floor.StartRound(
            order=floor.ROUND_ORDER_ROSTER, label="Check-in",
            timing=floor.TurnTiming(budget_ms=budget, on_expiry=floor.EXPIRY_ACTION_ADVANCE)))
        started = await self.everyone_sees(everyone, floor.FLOOR_CHANGE_ROUND_STARTED)
        state = started.floor.state
        self.assertEqual(state.mode, floor.FLOOR_MODE_ROUND)
        self.assertEqual(state.round.label, "Check-in")
        self.assertEqual(outcomes(state), [(alex.member_id, "TURN_OUTCOME_PENDING"),
                                           (sam.member_id, "TURN_OUTCOME_PENDING")])

        async def turn_of(client):
            event = await self.everyone_sees(everyone, floor.FLOOR_CHANGE_TURN_STARTED)
            turn = event.floor.state.turn
            self.assertEqual(turn.member_id, client.member_id)
            self.assertEqual(turn.deadline_ms, event.server_time_ms + budget)
            return event

        await turn_of(alex)
        await self.ok(alex, pass_turn=floor.PassTurn())
        passed = await self.everyone_sees(everyone, floor.FLOOR_CHANGE_TURN_PASSED)
        self.assertEqual(passed.floor.actor_member_id, alex.member_id)
        self.assertEqual(outcomes(passed.floor.state)[0],
                         (alex.member_id, "TURN_OUTCOME_PASSED"))

        sams_turn = await turn_of(sam)
        expired = await self.everyone_sees(everyone, floor.FLOOR_CHANGE_TURN_EXPIRED)
        self.assertEqual(expired.floor.actor_member_id, 0)
        self.assertEqual(expired.floor.subject_member_id, sam.member_id)
        self.assertGreaterEqual(expired.server_time_ms, sams_turn.floor.state.turn.deadline_ms)
        ended = await self.everyone_sees(everyone, floor.FLOOR_CHANGE_ROUND_ENDED)
        self.assertEqual(ended.floor.state.mode, floor.FLOOR_MODE_MODERATED)
        self.assertFalse(ended.floor.state.HasField("round"))
        self.assertFalse(ended.floor.state.HasField("turn"))

        await self.marker(fac, everyone, "after the round")
        direct = self.direct_events(fac)
        self.assertEqual([e.direct_seq for e in direct], list(range(1, len(direct) + 1)))
        summaries = [e.round_summary for e in direct if e.HasField("round_summary")]
        self.assertEqual(len(summaries), 1, [describe(e) for e in direct])
        summary = summaries[0]
        self.assertEqual(summary.round_id, 1)
        self.assertEqual(summary.label, "Check-in")
        self.assertEqual(summary.order, floor.ROUND_ORDER_ROSTER)
        self.assertEqual(floor.RoundEndReason.Name(summary.reason), "ROUND_END_REASON_COMPLETED")
        self.assertEqual(summary.started_at_ms, started.server_time_ms)
        self.assertEqual(summary.ended_at_ms, ended.server_time_ms)
        self.assertEqual([(e.member_id, floor.TurnOutcome.Name(e.outcome))
                          for e in summary.entries],
                         [(alex.member_id, "TURN_OUTCOME_PASSED"),
                          (sam.member_id, "TURN_OUTCOME_SPOKE")])
        self.assertGreaterEqual(summary.entries[1].duration_ms, budget)
        self.assert_nothing_direct([alex, sam])


class Reconnect(FloorCase):
    SERVER_ARGS = ("--reconnect-grace-ms", "5000")

    async def test_reconnect_within_grace_keeps_the_hand_position(self):
        fac, (alex, sam, kim) = await self.cast("alex", "sam", "kim")
        for client in (alex, sam, kim):
            await self.ok(client, raise_hand=floor.RaiseHand())
        for _ in range(3):
            raised = await self.everyone_sees([fac, alex, sam, kim],
                                              floor.FLOOR_CHANGE_HAND_RAISED)
        queue = [describe(h) for h in raised.floor.state.hands]
        self.assertEqual(hands(raised.floor.state),
                         [alex.member_id, sam.member_id, kim.member_id])
        others = [fac, alex, kim]

        # Sam drops and comes back with a fresh join: the snapshot keeps the hand.
        sam_id = sam.member_id
        sam.drop()
        for client in others:
            self.assert_event(await self.next_room_event(client), "member_presence",
                              member_id=sam.member_id, presence=room.PRESENCE_RECONNECTING)
        sam = await self.rejoin_member(sam)
        self.assertFalse(sam.join_result.recovered)
        self.assertEqual(sam.join_result.member_id, sam_id)
        self.assertEqual([describe(h) for h in sam.join_result.snapshot.floor.hands], queue)
        for client in others:
            self.assert_event(await self.next_room_event(client), "member_presence",
                              member_id=sam.member_id, presence=room.PRESENCE_PRESENT)
        # Raising again is a retry: the first arrival keeps its place, no event.
        result = await self.ok(sam, raise_hand=floor.RaiseHand())
        self.assertEqual(result.seq, sam.join_result.head_seq)

        # Sam drops again; while Sam is away the first hand gets the floor.
        sam.drop()
        for client in others:
            self.assert_event(await self.next_room_event(client), "member_presence",
                              member_id=sam.member_id, presence=room.PRESENCE_RECONNECTING)
        await self.ok(fac, grant_floor=floor.GrantFloor(member_id=0))
        granted = await self.everyone_sees(others, floor.FLOOR_CHANGE_GRANTED)
        self.assertEqual(granted.floor.subject_member_id, alex.member_id)
        self.assertEqual(hands(granted.floor.state), [sam.member_id, kim.member_id])
        self.assertEqual([describe(h) for h in granted.floor.state.hands], queue[1:])

        # Back with resume: the replay shows the same grant, Sam's hand now first.
        back = await self.rejoin_member(sam, resume=position(sam, sam.seen))
        self.assertTrue(back.join_result.recovered)
        self.assert_event(await self.next_room_event(back), "member_presence",
                          member_id=sam.member_id, presence=room.PRESENCE_RECONNECTING)
        self.assertEqual(describe(await self.next_room_event(back)), describe(granted))
        self.assert_event(await self.next_room_event(back), "member_presence",
                          member_id=sam.member_id, presence=room.PRESENCE_PRESENT)
        for client in others:
            self.assert_event(await self.next_room_event(client), "member_presence",
                              member_id=sam.member_id, presence=room.PRESENCE_PRESENT)

        # The next grant reaches Sam, first in the queue.
        everyone = [fac, alex, back, kim]
        await self.ok(fac, grant_floor=floor.GrantFloor(member_id=0))
        regranted = await self.everyone_sees(everyone, floor.FLOOR_CHANGE_GRANTED)
        self.assertEqual(regranted.floor.subject_member_id, sam.member_id)
        self.assertEqual(hands(regranted.floor.state), [kim.member_id])
        await self.marker(fac, everyone, "after the reconnects")


class Airtime(FloorCase):

    async def test_snapshot_airtime_for_facilitators_only(self):
        fac = await self.member("dana", "facilitator")
        self.assertTrue(fac.join_result.snapshot.HasField("airtime"))
        self.assertEqual([a.member_id for a in fac.join_result.snapshot.airtime.members],
                         [fac.member_id])
        pat = await self.member("pat")
        snap = pat.join_result.snapshot
        self.assertTrue(snap.HasField("floor"))
        self.assertEqual(snap.floor.mode, floor.FLOOR_MODE_MODERATED)
        self.assertFalse(snap.HasField("airtime"), describe(snap))
        await self.settle([fac, pat])

        # Pat takes one turn.
        await self.ok(pat, raise_hand=floor.RaiseHand())
        await self.everyone_sees([fac, pat], floor.FLOOR_CHANGE_HAND_RAISED)
        await self.ok(fac, grant_floor=floor.GrantFloor())
        await self.everyone_sees([fac, pat], floor.FLOOR_CHANGE_GRANTED)
        await self.ok(pat, yield_floor=floor.YieldFloor())
        await self.everyone_sees([fac, pat], floor.FLOOR_CHANGE_YIELDED)

        late = await self.member("kim")
        snap = late.join_result.snapshot
        self.assertFalse(snap.HasField("airtime"), describe(snap))
        self.assertFalse(snap.floor.HasField("turn"))
        reply = await self.floor_command(late, get_airtime=floor.GetAirtime())
        self.assert_error(reply, errors.ERROR_CODE_PERMISSION_DENIED)

        co = await self.member("cole", "co_facilitator")
        snap = co.join_result.snapshot
        self.assertTrue(snap.HasField("airtime"), describe(snap))
        turns = {a.member_id: a.turns for a in snap.airtime.members}
        self.assertEqual(turns, {fac.member_id: 0, pat.member_id: 1, late.member_id: 0,
                                 co.member_id: 0})
        result = await self.ok(fac, get_airtime=floor.GetAirtime())
        self.assertEqual({a.member_id: a.turns for a in result.airtime.members}, turns)
        await self.settle([fac, pat, late, co])
        await self.marker(fac, [fac, pat, late, co], "after the airtime")
        self.assertIn("airtime", [e.WhichOneof("body") for e in self.direct_events(fac)])
        self.assert_nothing_direct([pat, late])


if __name__ == "__main__":
    unittest.main()
