// Breakout rooms in the room model: where the client is, member rooms from
// BreakoutsChanged, a move that keeps private chat, broadcasts, calls for a
// facilitator, and what screen readers hear.
import { test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { JoinResultSchema } from "../src/gen/hearth/v1/envelope_pb";
import { BreakoutChange } from "../src/gen/hearth/v1/breakout_pb";
import { ChatScope, EventSchema, Presence } from "../src/gen/hearth/v1/room_pb";
import { Role } from "../src/gen/hearth/v1/role_pb";
import { RoomModel } from "../src/state/room_model";

const members = [
  { memberId: 1, displayName: "Dr A", role: Role.FACILITATOR, presence: Presence.PRESENT },
  { memberId: 2, displayName: "Sam", role: Role.PARTICIPANT, presence: Presence.PRESENT },
  { memberId: 3, displayName: "Kim", role: Role.PARTICIPANT, presence: Presence.PRESENT },
];
const rooms = [{ breakoutId: 1, name: "Garden", memberIds: [2] }, { breakoutId: 2, name: "Porch", memberIds: [3] }];
const ev = (init: Record<string, unknown>) => create(EventSchema, init as never);
const join = (memberId: number, breakoutId: number, extra: Record<string, unknown> = {}) => create(JoinResultSchema, {
  memberId, breakoutId, snapshot: { members, breakoutId, ...extra },
} as never);

function model(memberId: number): RoomModel {
  const m = new RoomModel();
  m.reset(join(memberId, 0));
  return m;
}

test("opening moves members between rooms; the move replaces the room but keeps private chat", () => {
  const m = model(2);
  assert.equal(m.breakouts.whereText(), "Main room");
  m.apply(ev({ directSeq: 1, body: { case: "chat", value: { fromMemberId: 1, toMemberId: 2, text: "hi", scope: ChatScope.PRIVATE, sentAtMs: 5n } } }));
  m.apply(ev({ seq: 3, body: { case: "chat", value: { fromMemberId: 3, text: "main room talk", scope: ChatScope.ROOM } } }));
  const said = m.apply(ev({ seq: 4, body: { case: "breakoutsChanged", value: { change: BreakoutChange.OPENED, byMemberId: 1, state: { rooms, endsAtMs: 100_000n, warningAtMs: 40_000n } } } }));
  assert.deepEqual(said, [{ text: "Breakout rooms are open.", urgent: false }]);
  assert.deepEqual([...m.members.values()].map((x) => x.breakoutId), [0, 1, 2]);
  m.moved(join(2, 1, { breakouts: { rooms, endsAtMs: 100_000n }, recentChat: [{ fromMemberId: 2, text: "garden chat", seq: 1, sentAtMs: 6n }] }));
  assert.equal(m.breakouts.here, 1);
  assert.equal(m.breakouts.whereText(), "Breakout: Garden");
  assert.deepEqual(m.chat.map((c) => c.text), ["hi", "garden chat"], "room chat from the snapshot, private chat kept");
});

test("the warning is urgent and says how long is left; closing clears the rooms", () => {
  const m = model(2);
  m.moved(join(2, 1, { breakouts: { rooms } }));
  const soon = m.apply(ev({ seq: 2, breakoutId: 1, body: { case: "breakoutsChanged", value: { change: BreakoutChange.ENDING_SOON, state: { rooms, endsAtMs: 300_000n, warningAtMs: 180_000n } } } }));
  assert.deepEqual(soon, [{ text: "Breakout rooms end in 2 minutes.", urgent: true }]);
  m.apply(ev({ seq: 3, breakoutId: 1, body: { case: "breakoutsChanged", value: { change: BreakoutChange.CLOSED, state: {} } } }));
  assert.equal(m.breakouts.open, false);
  assert.equal(m.members.get(2)?.breakoutId, 0);
});

test("a broadcast is kept and announced; a call confirms to the caller and alerts facilitators", () => {
  const sam = model(2);
  sam.moved(join(2, 1, { breakouts: { rooms } }));
  const heard = sam.apply(ev({ seq: 2, breakoutId: 1, serverTimeMs: 9n, body: { case: "breakoutBroadcast", value: { fromMemberId: 1, text: "Two minutes left" } } }));
  assert.deepEqual(heard, [{ text: "Message to every room from Dr A: Two minutes left", urgent: true }]);
  assert.equal(sam.breakouts.broadcasts.at(-1)?.text, "Two minutes left");
  const mine = sam.apply(ev({ directSeq: 1, body: { case: "facilitatorCalled", value: { memberId: 2, breakoutId: 1 } } }));
  assert.deepEqual(mine, [{ text: "A facilitator has been called and will join you.", urgent: false }]);
  assert.equal(sam.breakouts.myCall(2)?.roomName, "Garden");

  const dr = model(1);
  dr.apply(ev({ seq: 4, body: { case: "breakoutsChanged", value: { change: BreakoutChange.OPENED, state: { rooms } } } }));
  const alert = dr.apply(ev({ directSeq: 3, body: { case: "facilitatorCalled", value: { memberId: 2, breakoutId: 1 } } }));
  assert.deepEqual(alert, [{ text: "Sam asks for a facilitator in Garden.", urgent: true }]);
  assert.equal(dr.breakouts.calls.length, 1);
  dr.breakouts.dismiss("", 1);
  assert.equal(dr.breakouts.calls.length, 0, "entering the room answers its calls");
});
