// Attendance so far in the console: stretches from the snapshot's
// joined_at_ms and the roster events, a reconnect within the grace period
// merged, a drop that never came back ending at the drop (as the server
// counts it), leave and return summed, what this client could not see
// marked, a move keeping everything and a new epoch starting over.
import { test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { JoinResultSchema, type JoinResult } from "../src/gen/hearth/v1/envelope_pb";
import { EventSchema, LeaveReason, Presence, type Event } from "../src/gen/hearth/v1/room_pb";
import { Role } from "../src/gen/hearth/v1/role_pb";
import { Attendance } from "../src/state/attendance";
import { minutesText } from "../src/ui/attendance_view";

const MIN = 60_000;
const T0 = 1_800_000_000_000; // server time of the facilitator's join

type M = { id: number; name: string; role?: Role; at: number; presence?: Presence };
const member = (m: M) => ({ memberId: m.id, displayName: m.name, role: m.role ?? Role.PARTICIPANT, presence: m.presence ?? Presence.PRESENT, joinedAtMs: BigInt(m.at) });
const join = (me: number, members: M[], epoch = "e1"): JoinResult =>
  create(JoinResultSchema, { epoch, memberId: me, snapshot: { members: members.map(member) } });
const ev = (at: number, body: Record<string, unknown>): Event => create(EventSchema, { serverTimeMs: BigInt(at), seq: 1, body } as never);
const joined = (at: number, m: M) => ev(at, { case: "memberJoined", value: { member: member(m) } });
const presence = (at: number, id: number, p: Presence) => ev(at, { case: "memberPresence", value: { memberId: id, presence: p } });
const left = (at: number, id: number, reason = LeaveReason.LEFT) => ev(at, { case: "memberLeft", value: { memberId: id, reason } });

function started(): Attendance {
  const a = new Attendance();
  // Sam was here 5 minutes before the facilitator.
  a.snapshot(join(2, [{ id: 1, name: "Sam", at: T0 - 5 * MIN }, { id: 2, name: "Dr Rivera", role: Role.FACILITATOR, at: T0 }]));
  return a;
}
const row = (a: Attendance, id: number, now: number) => a.rows(now).find((r) => r.memberId === id)!;

test("the snapshot's joined_at is where each present member's time starts; newcomers are seen whole", () => {
  const a = started();
  assert.equal(a.watchingSinceMs, T0);
  a.apply(joined(T0 + 2 * MIN, { id: 3, name: "Kim", at: T0 + 2 * MIN }));
  const rows = a.rows(T0 + 10 * MIN);
  assert.deepEqual(rows.map((r) => [r.name, r.presentMs / MIN, r.state, r.earlierUnseen]), [
    ["Sam", 15, "here", true], ["Dr Rivera", 10, "here", true], ["Kim", 8, "here", false],
  ]);
  assert.equal(rows[0].firstSeenMs, T0 - 5 * MIN);
});

test("a reconnect within the grace period is one stretch; a drop that never comes back ends at the drop", () => {
  const a = started();
  a.apply(joined(T0 + MIN, { id: 3, name: "Kim", at: T0 + MIN }));
  a.apply(presence(T0 + 4 * MIN, 3, Presence.RECONNECTING));
  assert.equal(row(a, 3, T0 + 4 * MIN + 5000).state, "reconnecting");
  a.apply(presence(T0 + 4 * MIN + 9000, 3, Presence.PRESENT));
  assert.equal(row(a, 3, T0 + 11 * MIN).presentMs, 10 * MIN);
  assert.equal(row(a, 3, T0 + 11 * MIN).state, "here");

  a.apply(presence(T0 + 12 * MIN, 1, Presence.RECONNECTING));
  a.apply(left(T0 + 12 * MIN + 15_000, 1, LeaveReason.GRACE_EXPIRED));
  const sam = row(a, 1, T0 + 30 * MIN);
  assert.equal(sam.state, "left");
  assert.equal(sam.leftAtMs, T0 + 12 * MIN);
  assert.equal(sam.presentMs, 17 * MIN);
  assert.equal(sam.approximate, false);
});

test("leaving and coming back adds the stretches; the time away does not count", () => {
  const a = started();
  a.apply(joined(T0 + MIN, { id: 3, name: "Kim", at: T0 + MIN }));
  a.apply(left(T0 + 6 * MIN, 3));
  assert.equal(row(a, 3, T0 + 20 * MIN).presentMs, 5 * MIN);
  a.apply(joined(T0 + 20 * MIN, { id: 3, name: "Kim", at: T0 + 20 * MIN }));
  const kim = row(a, 3, T0 + 23 * MIN);
  assert.deepEqual([kim.presentMs / MIN, kim.state, kim.firstSeenMs], [8, "here", T0 + MIN]);
});

test("a fresh snapshot after time away: who left meanwhile ends no earlier than last seen and is marked", () => {
  const a = started();
  a.apply(joined(T0 + MIN, { id: 3, name: "Kim", at: T0 + MIN }));
  a.seen(T0 + 10 * MIN); // a ping, then this client was away
  // Back at T0 + 30: Sam is gone, Kim left and came back at T0 + 25.
  a.snapshot(join(2, [{ id: 2, name: "Dr Rivera", role: Role.FACILITATOR, at: T0 }, { id: 3, name: "Kim", at: T0 + 25 * MIN }]));
  const now = T0 + 30 * MIN;
  const sam = row(a, 1, now);
  assert.deepEqual([sam.state, sam.leftAtMs, sam.presentMs / MIN, sam.approximate], ["left", T0 + 10 * MIN, 15, true]);
  const kim = row(a, 3, now);
  assert.deepEqual([kim.state, kim.presentMs / MIN, kim.approximate], ["here", 9 + 5, true]);
  assert.equal(row(a, 2, now).approximate, false);
});

test("a move's snapshot keeps every stretch; a new epoch starts over", () => {
  const a = started();
  a.apply(joined(T0 + MIN, { id: 3, name: "Kim", at: T0 + MIN }));
  a.apply(left(T0 + 2 * MIN, 3));
  a.snapshot(join(2, [{ id: 1, name: "Sam", at: T0 - 5 * MIN }, { id: 2, name: "Dr Rivera", role: Role.FACILITATOR, at: T0 }]));
  assert.deepEqual(a.rows(T0 + 5 * MIN).map((r) => [r.name, r.presentMs / MIN, r.state]), [
    ["Sam", 10, "here"], ["Dr Rivera", 5, "here"], ["Kim", 1, "left"],
  ]);
  a.snapshot(join(1, [{ id: 1, name: "Dr Rivera", role: Role.FACILITATOR, at: T0 + 60 * MIN }], "e2"));
  assert.deepEqual(a.rows(T0 + 61 * MIN).map((r) => [r.name, r.presentMs / MIN]), [["Dr Rivera", 1]]);
  assert.equal(a.watchingSinceMs, T0 + 60 * MIN);
});

test("a role change follows the member", () => {
  const a = started();
  a.apply(ev(T0 + MIN, { case: "memberRoleChanged", value: { memberId: 1, role: Role.CO_FACILITATOR } }));
  assert.equal(row(a, 1, T0 + 2 * MIN).role, Role.CO_FACILITATOR);
});

test("minutes read as people say them", () => {
  assert.deepEqual([59_999, MIN, 23 * MIN + 59_000, 60 * MIN, 125 * MIN].map(minutesText),
    ["under a minute", "1 min", "23 min", "1 h 00 min", "2 h 05 min"]);
});
