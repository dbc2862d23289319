// Attendance so far in the console, from the clinic's record: the query on
// the wire (ClientMessage field 24) and its answer (Reply field 21) through
// a real Connection; an answer turned into rows and sentences (order of first
// arrival, who left and when, several stays, "you"); the minutes of people
// here counting on from as_of_ms; a dropped connection from the roster;
// member 0 as someone from before a restart; a failed query keeping the last
// answer, frozen at its time.
import { test } from "node:test";
import assert from "node:assert/strict";
import { create, toBinary } from "@bufbuild/protobuf";
import { AttendanceSoFarSchema, type AttendanceSoFar } from "../src/gen/hearth/v1/attendance_pb";
import { ServerMessageSchema, type ServerMessage } from "../src/gen/hearth/v1/envelope_pb";
import { Presence } from "../src/gen/hearth/v1/room_pb";
import { Role } from "../src/gen/hearth/v1/role_pb";
import { Backoff } from "../src/net/backoff";
import { Connection, type SocketLike } from "../src/net/connection";
import { Attendance } from "../src/state/attendance";
import { AttendanceSync } from "../src/state/attendance_sync";
import { attendanceSentence, BEFORE_RESTART, clockOf, minutesText, sourceText } from "../src/ui/attendance_view";
import { frameOf } from "./wire";

const MIN = 60_000;
const T0 = 1_800_000_000_000; // when the room first opened

type P = { id: number; name: string; role?: Role; present: number; first: number; left?: number; now?: boolean; stays?: number };
function answer(asOf: number, people: P[]): AttendanceSoFar {
  return create(AttendanceSoFarSchema, {
    asOfMs: BigInt(asOf),
    participants: people.filter((p) => (p.role ?? Role.PARTICIPANT) === Role.PARTICIPANT).length,
    familyMembers: people.filter((p) => p.role === Role.FAMILY_MEMBER).length,
    people: people.map((p) => ({
      memberId: p.id, displayName: p.name, role: p.role ?? Role.PARTICIPANT, presentMs: BigInt(p.present),
      firstJoinedMs: BigInt(p.first), lastLeftMs: BigInt(p.left ?? asOf), presentNow: p.now ?? p.left === undefined, stays: p.stays ?? 1,
    })),
  });
}

// At T0 + 30: Jo came first and left at T0 + 12 (before any console opened);
// Dr Rivera came at T0 + 10; Sam at T0 + 15, left and came back; a family
// member from before a restart is member 0.
const AS_OF = T0 + 30 * MIN;
const SESSION: P[] = [
  { id: 0, name: "", present: 20 * MIN, first: T0 - 20 * MIN, left: T0 },
  { id: 4, name: "Jo", present: 12 * MIN, first: T0, left: T0 + 12 * MIN },
  { id: 1, name: "Dr Rivera", role: Role.FACILITATOR, present: 20 * MIN, first: T0 + 10 * MIN },
  { id: 2, name: "Sam", present: 11 * MIN, first: T0 + 15 * MIN, stays: 2 },
];
const everyonePresent = () => Presence.PRESENT;

test("an answer becomes one row per person in order of first arrival, people who left included", () => {
  const a = new Attendance();
  assert.deepEqual(a.rows(AS_OF, everyonePresent), []);
  a.accept(answer(AS_OF, SESSION));
  const rows = a.rows(AS_OF, everyonePresent);
  assert.deepEqual(rows.map((r) => [r.memberId, r.name, r.state, r.presentMs / MIN, r.stays]), [
    [0, "", "left", 20, 1], [4, "Jo", "left", 12, 1], [1, "Dr Rivera", "here", 20, 1], [2, "Sam", "here", 11, 2],
  ]);
  assert.equal(rows[1].lastLeftMs, T0 + 12 * MIN);
  assert.equal(rows[1].firstJoinedMs, T0);
  assert.equal(a.participants, 3);
  assert.equal(a.asOfMs, AS_OF);

  const jo = attendanceSentence(rows[1], 1);
  assert.deepEqual(jo, { who: "Jo", role: "participant", state: `left at ${clockOf(T0 + 12 * MIN)}`, rest: `12 min present so far, first came at ${clockOf(T0)}.` });
  const me = attendanceSentence(rows[2], 1);
  assert.deepEqual([me.who, me.role, me.state], ["Dr Rivera", "you, facilitator", "here now"]);
  assert.equal(attendanceSentence(rows[3], 1).rest, `11 min present so far, first came at ${clockOf(T0 + 15 * MIN)}, in 2 separate stays.`);
});

test("between answers the minutes of people here count on from as_of; people who left stay as they were", () => {
  const a = new Attendance();
  a.accept(answer(AS_OF, SESSION));
  const later = a.rows(AS_OF + 7 * MIN + 30_000, everyonePresent);
  assert.deepEqual(later.map((r) => Math.floor(r.presentMs / MIN)), [20, 12, 27, 18]);
  // A clock a little behind the answer never counts backwards.
  assert.equal(a.rows(AS_OF - 5_000, everyonePresent)[2].presentMs, 20 * MIN);
  // The next answer replaces the count.
  a.accept(answer(AS_OF + 8 * MIN, SESSION.map((p) => (p.id === 1 ? { ...p, present: 28 * MIN } : p))));
  assert.equal(a.rows(AS_OF + 9 * MIN, everyonePresent)[2].presentMs, 29 * MIN);
});

test("someone here whose roster presence is reconnecting shows as a dropped connection, minutes waiting", () => {
  const a = new Attendance();
  a.accept(answer(AS_OF, SESSION));
  const roster = new Map([[1, Presence.PRESENT], [2, Presence.RECONNECTING], [4, Presence.RECONNECTING]]);
  const rows = a.rows(AS_OF + 2 * MIN, (id) => roster.get(id));
  const sam = rows.find((r) => r.memberId === 2)!;
  assert.equal(sam.state, "reconnecting");
  assert.equal(sam.presentMs, 11 * MIN, "the record cuts a drop that never returns back to the drop");
  assert.equal(attendanceSentence(sam, 1).state, "connection dropped, may come back");
  // The record says who left: a roster entry does not bring them back.
  assert.equal(rows.find((r) => r.memberId === 4)!.state, "left");
  roster.set(2, Presence.PRESENT);
  assert.equal(a.rows(AS_OF + 2 * MIN, (id) => roster.get(id)).find((r) => r.memberId === 2)!.state, "here");
});

test("member 0 reads as someone who was here before the server restarted, never as 'you'", () => {
  const a = new Attendance();
  a.accept(answer(AS_OF, SESSION));
  const s = attendanceSentence(a.rows(AS_OF, everyonePresent)[0], 0);
  assert.equal(s.who, "Someone who was here before the server restarted");
  assert.equal(BEFORE_RESTART, "someone who was here before the server restarted");
  assert.equal(s.role, "participant");
  assert.equal(s.state, `left at ${clockOf(T0)}`);
  // After a restart the room may keep an id, without a name, for the owner of
  // a sheet who has not come back yet: the same words.
  const reserved = { ...a.rows(AS_OF, everyonePresent)[1], memberId: 7, name: "" };
  assert.equal(attendanceSentence(reserved, 7).who, "Someone who was here before the server restarted");
  assert.equal(attendanceSentence(reserved, 7).role, "participant");
});

test("a failed query keeps the last answer, frozen at its time, and says when it is from", () => {
  const a = new Attendance();
  assert.equal(sourceText(a), "Reading the clinic's attendance record…");
  a.failed("not connected");
  assert.match(sourceText(a), /could not be read \(not connected\)/);
  a.accept(answer(AS_OF, SESSION));
  assert.match(sourceText(a), new RegExp(`^From the clinic's attendance record: .*people who already left included\\. Read at ${clockOf(AS_OF)}`));
  a.failed("the records could not be read just now");
  assert.equal(sourceText(a), `Could not update (the records could not be read just now): this is the clinic's attendance record as it was at ${clockOf(AS_OF)}.`);
  assert.deepEqual(a.rows(AS_OF + 10 * MIN, everyonePresent).map((r) => r.presentMs / MIN), [20, 12, 20, 11]);
  a.accept(answer(AS_OF + 11 * MIN, SESSION));
  assert.equal(a.failure, "");
});

test("minutes read as people say them", () => {
  assert.deepEqual([59_999, MIN, 23 * MIN + 59_000, 60 * MIN, 125 * MIN].map(minutesText),
    ["under a minute", "1 min", "23 min", "1 h 00 min", "2 h 05 min"]);
});

// A socket that keeps every frame the client sends, byte for byte.
class WireSocket implements SocketLike {
  binaryType = "";
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  frames: Uint8Array[] = [];
  send(data: Uint8Array): void {
    this.frames.push(Uint8Array.from(data));
  }
  close(): void {}
  deliver(...messages: ServerMessage[]): void {
    this.onmessage?.({ data: frameOf(...messages.map((m) => toBinary(ServerMessageSchema, m))).buffer });
  }
}
const reply = (requestId: number, outcome: Record<string, unknown>) =>
  create(ServerMessageSchema, { kind: { case: "reply", value: { requestId, outcome } } } as never);

test("on the wire: the query is ClientMessage field 24, empty; the answer, Reply field 21, becomes the rows", async () => {
  const socket = new WireSocket();
  let redraws = 0;
  const conn = new Connection({
    url: "ws://test/v1/ws", token: "tok", socket: () => socket, backoff: new Backoff({ random: () => 0 }),
    setTimer: () => 0, clearTimer: () => {},
    handlers: { state: () => {}, hello: () => {}, joined: () => {}, moved: () => {}, lobby: () => {}, event: () => {}, serverTime: () => {}, outboxChanged: () => {}, chatRefused: () => {} },
  });
  const attendance = new Attendance();
  const sync = new AttendanceSync(attendance, {
    request: (c) => conn.request(c), mayAsk: () => conn.linkState === "online", changed: () => redraws++,
    setTimer: () => 0, clearTimer: () => {},
  });
  conn.start();
  socket.onopen?.({});
  socket.deliver(reply(1, { case: "hello", value: { pingIntervalMs: 25000, pongTimeoutMs: 10000 } }),
    reply(2, { case: "join", value: { epoch: "e1", memberId: 1, snapshot: {} } }));
  assert.equal(conn.linkState, "online");
  sync.joined();
  // One record of 5 bytes: request_id (field 1) = 3, then field 24 (tag 0xC2 0x01), length 0.
  assert.deepEqual([...socket.frames.at(-1)!], [5, 0x08, 3, 0xc2, 0x01, 0x00]);

  const body = toBinary(ServerMessageSchema, reply(3, { case: "attendance", value: answer(AS_OF, SESSION) }));
  // ServerMessage.reply (field 1) holds request_id 3 and then field 21 (tag 0xAA 0x01).
  assert.equal(body[0], 0x0a);
  let at = 1;
  while (body[at] & 0x80) at++; // the reply's length
  at++;
  assert.deepEqual([...body.subarray(at, at + 4)], [0x08, 3, 0xaa, 0x01]);
  socket.onmessage?.({ data: frameOf(body).buffer });
  await new Promise((r) => setImmediate(r));
  assert.equal(redraws, 1);
  assert.deepEqual(attendance.rows(AS_OF, everyonePresent).map((r) => r.name), ["", "Jo", "Dr Rivera", "Sam"]);
});
