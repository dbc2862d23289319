// Resume bookkeeping: positions from the join, gap and duplicate detection,
// and what a recovered or fresh join does to them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { JoinResultSchema } from "../src/gen/hearth/v1/envelope_pb";
import { EventSchema } from "../src/gen/hearth/v1/room_pb";
import { ResumeTracker } from "../src/net/resume";

const room = (seq: number) => create(EventSchema, { seq });
const direct = (directSeq: number) => create(EventSchema, { directSeq });
const join = (epoch: string, headSeq: number, directHeadSeq: number, recovered = false, breakoutId = 0) =>
  create(JoinResultSchema, { epoch, headSeq, directHeadSeq, recovered, breakoutId });
const inRoom = (breakoutId: number, seq: number) => create(EventSchema, { seq, breakoutId });

test("no position before the first join", () => {
  assert.equal(new ResumeTracker().position(), undefined);
});

test("the snapshot's heads are the starting point; each stream counts on its own", () => {
  const t = new ResumeTracker();
  assert.equal(t.joined(join("e1", 6, 2)), true);
  assert.equal(t.accept(room(7)), "apply");
  assert.equal(t.accept(direct(3)), "apply");
  assert.equal(t.accept(room(8)), "apply");
  assert.equal(t.accept(create(EventSchema, {})), "ephemeral");
  assert.deepEqual(t.position(), { epoch: "e1", lastSeq: 8, lastDirectSeq: 3, breakoutId: 0 });
});

test("a repeat is a duplicate and a skipped number is a gap; neither moves the position", () => {
  const t = new ResumeTracker();
  t.joined(join("e1", 6, 0));
  assert.equal(t.accept(room(6)), "duplicate");
  assert.equal(t.accept(room(8)), "gap");
  assert.equal(t.accept(direct(2)), "gap");
  assert.deepEqual(t.position(), { epoch: "e1", lastSeq: 6, lastDirectSeq: 0, breakoutId: 0 });
});

test("a recovered join keeps the position and the replay advances it", () => {
  const t = new ResumeTracker();
  t.joined(join("e1", 6, 1));
  t.accept(room(7));
  assert.equal(t.joined(join("e1", 9, 1, true)), false);
  assert.equal(t.accept(room(8)), "apply");
  assert.equal(t.accept(room(9)), "apply");
  assert.deepEqual(t.position(), { epoch: "e1", lastSeq: 9, lastDirectSeq: 1, breakoutId: 0 });
});

test("a fresh snapshot or a new epoch starts over from the new heads", () => {
  const t = new ResumeTracker();
  t.joined(join("e1", 50, 4));
  assert.equal(t.joined(join("e1", 70, 9)), true);
  assert.deepEqual(t.position(), { epoch: "e1", lastSeq: 70, lastDirectSeq: 9, breakoutId: 0 });
  assert.equal(t.joined(join("e2", 3, 0, true)), true, "recovered in another epoch cannot be trusted");
  assert.deepEqual(t.position(), { epoch: "e2", lastSeq: 3, lastDirectSeq: 0, breakoutId: 0 });
  t.clear();
  assert.equal(t.position(), undefined);
});

test("a move starts the room stream over at the new room's head and keeps the direct stream", () => {
  const t = new ResumeTracker();
  t.joined(join("e1", 12, 4));
  t.moved(join("e1", 1, 4, false, 3));
  assert.equal(t.room, 3);
  assert.deepEqual(t.position(), { epoch: "e1", lastSeq: 1, lastDirectSeq: 4, breakoutId: 3 });
  assert.equal(t.accept(inRoom(3, 2)), "apply");
  assert.equal(t.accept(inRoom(3, 4)), "gap");
  assert.equal(t.accept(room(13)), "elsewhere", "the main room's stream no longer counts here");
  assert.equal(t.accept(direct(5)), "apply");
  t.moved(join("e1", 14, 5, false, 0));
  assert.deepEqual(t.position(), { epoch: "e1", lastSeq: 14, lastDirectSeq: 5, breakoutId: 0 });
  assert.equal(t.accept(room(15)), "apply");
});

test("a join in a breakout (resumed there) counts in that breakout", () => {
  const t = new ResumeTracker();
  t.joined(join("e1", 7, 2, false, 2));
  assert.equal(t.accept(inRoom(2, 8)), "apply");
  assert.equal(t.joined(join("e1", 9, 2, true, 2)), false);
  assert.deepEqual(t.position(), { epoch: "e1", lastSeq: 8, lastDirectSeq: 2, breakoutId: 2 });
});
