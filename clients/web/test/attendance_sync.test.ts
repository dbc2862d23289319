// When the console asks for attendance so far: at every join, about a second
// after roster changes (several close together make one query), every
// minute, again after an answer that may predate a change, sooner after a
// failure; never from a participant's client; a refusal (103) stops it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { ReplySchema, type Reply } from "../src/gen/hearth/v1/envelope_pb";
import { ErrorCode } from "../src/gen/hearth/v1/errors_pb";
import type { ClientCommand } from "../src/proto/frame";
import { Attendance } from "../src/state/attendance";
import { AttendanceSync, REFRESH_MS, RETRY_MS, SETTLE_MS } from "../src/state/attendance_sync";

const flush = () => new Promise((r) => setImmediate(r));

function harness({ staff = true } = {}) {
  const timers: { fn: () => void; ms: number }[] = [];
  const asked: { command: ClientCommand; answer: (r: Reply | Error) => void }[] = [];
  const state = { online: true, staff, redraws: 0 };
  const attendance = new Attendance();
  const sync = new AttendanceSync(attendance, {
    request: (command) => new Promise((resolve, reject) => asked.push({ command, answer: (r) => (r instanceof Error ? reject(r) : resolve(r)) })),
    mayAsk: () => state.online && state.staff,
    changed: () => state.redraws++,
    setTimer: (fn, ms) => {
      const t = { fn, ms };
      timers.push(t);
      return t;
    },
    clearTimer: (t) => {
      const i = timers.indexOf(t as never);
      if (i >= 0) timers.splice(i, 1);
    },
  });
  /** Runs the one pending timer that waits `ms`. */
  const fire = (ms: number) => {
    const i = timers.findIndex((t) => t.ms === ms);
    assert.ok(i >= 0, `a timer of ${ms} ms is pending (have ${timers.map((t) => t.ms).join(", ") || "none"})`);
    const [t] = timers.splice(i, 1);
    t.fn();
  };
  return { sync, attendance, timers, asked, state, fire };
}

const so = (asOf: number) => create(ReplySchema, { outcome: { case: "attendance", value: { asOfMs: BigInt(asOf), people: [] } } });
const refused = (code: ErrorCode, temporary = false) => create(ReplySchema, { outcome: { case: "error", value: { code, temporary } } });

test("asks at once when joined, then every minute", async () => {
  const h = harness();
  h.sync.joined();
  assert.equal(h.asked.length, 1);
  assert.deepEqual(h.asked[0].command, { case: "attendance", value: {} });
  assert.equal(h.timers.length, 0, "nothing scheduled while a query is out");
  h.asked[0].answer(so(1000));
  await flush();
  assert.equal(h.attendance.asOfMs, 1000);
  assert.equal(h.state.redraws, 1);
  h.fire(REFRESH_MS);
  assert.equal(h.asked.length, 2);
  h.asked[1].answer(so(61_000));
  await flush();
  assert.deepEqual(h.timers.map((t) => t.ms), [REFRESH_MS]);
});

test("roster changes close together make one query a second after the first", async () => {
  const h = harness();
  h.sync.joined();
  h.asked[0].answer(so(1000));
  await flush();
  h.sync.rosterChanged();
  h.sync.rosterChanged();
  h.sync.rosterChanged();
  assert.deepEqual(h.timers.map((t) => t.ms).sort(), [SETTLE_MS, REFRESH_MS]);
  h.fire(SETTLE_MS);
  assert.equal(h.asked.length, 2);
  assert.equal(h.timers.length, 0, "the minute starts again after this answer");
  h.asked[1].answer(so(2000));
  await flush();
  assert.deepEqual(h.timers.map((t) => t.ms), [REFRESH_MS]);
});

test("a change while a query is out asks again after its answer", async () => {
  const h = harness();
  h.sync.joined();
  h.sync.rosterChanged(); // the answer on its way may have been read before this
  h.sync.joined(); // a second ask while one is out waits too
  assert.equal(h.asked.length, 1);
  h.asked[0].answer(so(1000));
  await flush();
  h.fire(SETTLE_MS);
  assert.equal(h.asked.length, 2);
});

test("a failed query keeps the last answer, says why, and tries again sooner", async () => {
  const h = harness();
  h.sync.joined();
  h.asked[0].answer(so(1000));
  await flush();
  h.fire(REFRESH_MS);
  h.asked[1].answer(refused(ErrorCode.INTERNAL, true));
  await flush();
  assert.equal(h.attendance.asOfMs, 1000);
  assert.equal(h.attendance.failure, "the records could not be read just now");
  h.fire(RETRY_MS);
  // The link is down by the time the answer comes (a drop answers what was in flight).
  h.state.online = false;
  h.asked[2].answer(new Error("Not connected: try again in a moment."));
  await flush();
  assert.equal(h.attendance.failure, "not connected");
  h.fire(RETRY_MS);
  assert.equal(h.asked.length, 3, "nothing is sent while offline");
  h.state.online = true;
  h.sync.joined();
  h.asked[3].answer(so(90_000));
  await flush();
  assert.equal(h.attendance.failure, "");
});

test("going offline marks what is shown as of its time and stops the timers", async () => {
  const h = harness();
  h.sync.joined();
  h.asked[0].answer(so(1000));
  await flush();
  h.sync.rosterChanged();
  h.state.online = false;
  h.sync.offline();
  assert.equal(h.timers.length, 0);
  assert.equal(h.attendance.failure, "not connected");
  assert.equal(h.attendance.known, true);
});

test("a participant's client never asks, whatever happens in the room", () => {
  const h = harness({ staff: false });
  h.sync.joined();
  h.sync.rosterChanged();
  for (const t of [...h.timers]) t.fn();
  h.sync.offline();
  assert.equal(h.asked.length, 0);
  assert.equal(h.timers.length, 0);
  assert.equal(h.state.redraws, 0);
});

test("a refusal (no longer a facilitator) clears the answer and stops asking", async () => {
  const h = harness();
  h.sync.joined();
  h.asked[0].answer(so(1000));
  await flush();
  h.fire(REFRESH_MS);
  h.state.staff = false;
  h.asked[1].answer(refused(ErrorCode.PERMISSION_DENIED));
  await flush();
  assert.equal(h.attendance.known, false);
  assert.equal(h.timers.length, 0);
  // Made a facilitator again: the role change is a roster change, and it asks.
  h.state.staff = true;
  h.sync.rosterChanged();
  h.fire(SETTLE_MS);
  assert.equal(h.asked.length, 3);
});
