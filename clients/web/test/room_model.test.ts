// The room model: snapshot, events, and the announcements for screen readers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { JoinResultSchema } from "../src/gen/hearth/v1/envelope_pb";
import { EventSchema, Presence } from "../src/gen/hearth/v1/room_pb";
import { FloorChangeKind } from "../src/gen/hearth/v1/floor_pb";
import { Role } from "../src/gen/hearth/v1/role_pb";
import { RoomModel } from "../src/state/room_model";
import { Outbox } from "../src/net/outbox";

function model(): RoomModel {
  const m = new RoomModel();
  m.reset(create(JoinResultSchema, {
    memberId: 2,
    snapshot: {
      members: [
        { memberId: 1, displayName: "Dr A", role: Role.FACILITATOR, presence: Presence.PRESENT },
        { memberId: 2, displayName: "Sam", role: Role.PARTICIPANT, presence: Presence.PRESENT },
        { memberId: 3, displayName: "Kim", role: Role.PARTICIPANT, presence: Presence.PRESENT },
      ],
      recentChat: [{ fromMemberId: 1, text: "welcome", seq: 4 }],
    },
  }));
  return m;
}

const ev = (init: Record<string, unknown>) => create(EventSchema, init as never);

test("the snapshot gives the roster and the chat", () => {
  const m = model();
  assert.deepEqual(m.roster().map((x) => x.displayName), ["Dr A", "Sam", "Kim"]);
  assert.equal(m.chat[0].text, "welcome");
  assert.equal(m.staff, false);
});

test("turn changes are announced, one's own turn urgently", () => {
  const m = model();
  const mine = m.apply(ev({ seq: 5, body: { case: "floor", value: { kind: FloorChangeKind.FLOOR_CHANGE_GRANTED, state: { turn: { memberId: 2 } } } } }));
  assert.deepEqual(mine, [{ text: "It is your turn to speak.", urgent: true }]);
  const other = m.apply(ev({ seq: 6, body: { case: "floor", value: { kind: FloorChangeKind.FLOOR_CHANGE_GRANTED, state: { turn: { memberId: 3 } } } } }));
  assert.deepEqual(other, [{ text: "Kim has the floor.", urgent: false }]);
});

test("presence, leave, deletion and distress acknowledgement", () => {
  const m = model();
  m.apply(ev({ seq: 5, body: { case: "memberPresence", value: { memberId: 3, presence: Presence.RECONNECTING } } }));
  assert.equal(m.members.get(3)?.presence, Presence.RECONNECTING);
  m.apply(ev({ seq: 6, body: { case: "chatDeleted", value: { seq: 4 } } }));
  assert.equal(m.chat.length, 0);
  m.apply(ev({ seq: 7, body: { case: "memberLeft", value: { memberId: 3 } } }));
  assert.equal(m.members.has(3), false);
  m.apply(ev({ directSeq: 1, body: { case: "distressSignal", value: { signalId: 1, fromMemberId: 2 } } }));
  const said = m.apply(ev({ directSeq: 2, body: { case: "distressAcknowledged", value: { signalId: 1, byMemberId: 1 } } }));
  assert.deepEqual(said, [{ text: "Dr A saw your signal and will reach out.", urgent: true }]);
});

test("the outbox keeps ids below 2^53 and resends only what is not in flight", () => {
  let now = 1_800_000_000_000;
  const box = new Outbox(() => now++);
  const a = box.add("one", 1);
  const b = box.add("two", 1);
  assert.ok(a.clientMsgId < 2n ** 53n && b.clientMsgId > a.clientMsgId);
  assert.equal(box.takeUnsent().length, 2);
  assert.equal(box.takeUnsent().length, 0);
  box.connectionLost();
  assert.deepEqual(box.takeUnsent().map((i) => i.text), ["one", "two"]);
  box.settle(a.clientMsgId);
  assert.deepEqual(box.pending().map((i) => i.text), ["two"]);
});
