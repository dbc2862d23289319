// The sheets a client reads and the batch traffic: snapshot and events,
// sharing gained and lost, presence per field, progress for facilitators,
// what a viewer may write; and the sync layer against a scripted server
// (one batch in flight, resend with the same sequence after a rejoin,
// refusals roll back).
import { test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { EventSchema, type Event } from "../src/gen/hearth/v1/room_pb";
import { ReplySchema, type Reply } from "../src/gen/hearth/v1/envelope_pb";
import { Role } from "../src/gen/hearth/v1/role_pb";
import { ErrorCode } from "../src/gen/hearth/v1/errors_pb";
import {
  WorksheetError,
  WorksheetFieldType as T,
  WorksheetScope,
  WorksheetSharing,
  WorksheetSheetSchema,
  WorksheetTemplateSchema,
  type WorksheetBatch,
} from "../src/gen/hearth/v1/worksheet_pb";
import { Worksheets, type Viewer } from "../src/worksheets/sheets";
import { WorksheetSync } from "../src/worksheets/sync";
import type { ClientCommand } from "../src/proto/frame";
import { pushInsert, pushRetain, trim, type TextOp } from "../src/worksheets/text_op";
import type { Op } from "../src/worksheets/ops";
import { TestServer } from "./worksheets_server";

const form = create(WorksheetTemplateSchema, {
  id: "f", version: 1, title: "Plan", defaultScope: WorksheetScope.PERSONAL,
  fields: [
    { id: "notes", type: T.LONG_TEXT, label: "Notes" },
    { id: "coach", type: T.LONG_TEXT, label: "Coach", facilitatorOnly: true },
    { id: "rows", type: T.LIST, label: "Rows", ownRows: true, itemFields: [{ id: "text", type: T.SHORT_TEXT, label: "Text" }] },
  ],
});

const names: Record<number, string> = { 1: "Dr A", 2: "Sam", 3: "Kim", 4: "Lee" };
const who = (id: number, role: Role): Viewer => ({ id, role, name: (m) => names[m] ?? `Member ${m}` });
const fac = who(1, Role.FACILITATOR);
const sam = who(2, Role.PARTICIPANT);
const kim = who(3, Role.PARTICIPANT);

function sheet(instanceId: string, scope: WorksheetScope, owner = 0, sharing = WorksheetSharing.UNSPECIFIED, ownerFamily = "") {
  const server = new TestServer(form, instanceId);
  const document = server.snapshot();
  document.scope = scope;
  document.ownerMember = owner;
  document.ownerFamily = ownerFamily;
  return create(WorksheetSheetSchema, { document, form, sharing });
}

const ev = (body: Record<string, unknown>, directSeq = 1): Event => create(EventSchema, { directSeq, body } as never);

function typed(at: number, s: string, field = "notes"): Op {
  const edit: TextOp = [];
  pushRetain(edit, at);
  pushInsert(edit, s);
  return { where: { field, item: "", sub: "" }, what: { k: "text", edit: trim(edit) } };
}

test("sheets come from the snapshot and WorksheetOpened, and a new one is announced", () => {
  const w = new Worksheets("c1");
  w.reset([sheet("s1", WorksheetScope.SESSION)], sam);
  assert.deepEqual([...w.sheets.keys()], ["s1"]);
  const said = w.apply(ev({ case: "worksheetOpened", value: { sheet: sheet("p1", WorksheetScope.PERSONAL, 2), byMemberId: 1 } }), sam);
  assert.deepEqual(said, [{ text: "Dr A opened a worksheet for you: Plan.", urgent: false }]);
  assert.deepEqual([...w.sheets.keys()], ["s1", "p1"], "oldest first");
  assert.deepEqual(w.apply(ev({ case: "worksheetOpened", value: { sheet: sheet("p1", WorksheetScope.PERSONAL, 2), byMemberId: 1 } }), sam), [], "known: not twice");
});

test("losing a shared sheet: readers who lose it forget it, the owner and facilitators keep it", () => {
  const shared = () => sheet("p1", WorksheetScope.PERSONAL, 2, WorksheetSharing.GROUP);
  const stop = ev({ case: "worksheetSharing", value: { instanceId: "p1", sharing: WorksheetSharing.UNSPECIFIED, byMemberId: 2 } });
  const kims = new Worksheets("k");
  kims.reset([shared()], kim);
  assert.deepEqual(kims.apply(stop, kim), [{ text: "Sam stopped sharing Plan with you.", urgent: false }]);
  const again = new Worksheets("k3");
  again.reset([], kim);
  assert.deepEqual(again.apply(ev({ case: "worksheetOpened", value: { sheet: shared(), byMemberId: 2 } }), kim), [{ text: "Sam shared Plan with you.", urgent: false }]);
  assert.equal(kims.sheets.size, 0);
  for (const viewer of [sam, fac]) {
    const w = new Worksheets("x");
    w.reset([shared()], viewer);
    assert.deepEqual(w.apply(stop, viewer), []);
    assert.equal(w.sheets.get("p1")?.sharing, WorksheetSharing.UNSPECIFIED);
  }
  // Group to family: another participant heads another family and loses it;
  // a family member who reads the owner's family sheet keeps it.
  const toFamily = ev({ case: "worksheetSharing", value: { instanceId: "p1", sharing: WorksheetSharing.FAMILY, byMemberId: 2 } });
  const other = new Worksheets("k2");
  other.reset([shared()], kim);
  other.apply(toFamily, kim);
  assert.equal(other.sheets.size, 0);
  const lee = who(4, Role.FAMILY_MEMBER);
  const relative = new Worksheets("l");
  relative.reset([shared(), sheet("fam", WorksheetScope.FAMILY, 0, WorksheetSharing.UNSPECIFIED, "f2")], lee);
  relative.apply(toFamily, lee);
  assert.ok(relative.sheets.has("p1"));
});

test("presence: one sheet and field per member, cleared by an empty field, a leave or a rejoin", () => {
  const w = new Worksheets("c");
  w.reset([sheet("s1", WorksheetScope.SESSION), sheet("s2", WorksheetScope.SESSION)], sam);
  w.apply(ev({ case: "worksheetPresence", value: { instanceId: "s1", fieldId: "notes", memberId: 3 } }, 0), sam);
  w.apply(ev({ case: "worksheetPresence", value: { instanceId: "s1", fieldId: "rows", itemId: "i1", memberId: 4 } }, 0), sam);
  assert.deepEqual(w.whoIsAt("s1", "notes"), [3]);
  assert.deepEqual(w.whoIsAt("s1", "rows", "i1"), [4]);
  w.apply(ev({ case: "worksheetPresence", value: { instanceId: "s2", fieldId: "notes", memberId: 3 } }, 0), sam);
  assert.deepEqual(w.whoIsAt("s1", "notes"), [], "moving to another sheet leaves the first");
  assert.deepEqual(w.whoIsAt("s2", "notes"), [3]);
  w.apply(ev({ case: "worksheetPresence", value: { instanceId: "s2", fieldId: "", memberId: 3 } }, 0), sam);
  assert.deepEqual(w.whoIsAt("s2", "notes"), []);
  w.apply(ev({ case: "memberLeft", value: { memberId: 4 } }, 5), sam);
  assert.deepEqual(w.whoIsAt("s1", "rows", "i1"), []);
  w.apply(ev({ case: "worksheetPresence", value: { instanceId: "s1", fieldId: "notes", memberId: 3 } }, 0), sam);
  w.clearPresence();
  assert.deepEqual(w.whoIsAt("s1", "notes"), []);
});

test("progress for facilitators: from the sheet at first, then from WorksheetProgress, never going back", () => {
  const w = new Worksheets("c");
  w.reset([sheet("p1", WorksheetScope.PERSONAL, 2), sheet("s1", WorksheetScope.SESSION)], fac);
  assert.deepEqual([...w.progress.keys()], ["p1"], "personal sheets only");
  assert.deepEqual(w.progress.get("p1")?.filled, []);
  w.apply(ev({ case: "worksheetProgress", value: { instanceId: "p1", ownerMemberId: 2, filledFields: ["notes", "rows"], version: 3n } }), fac);
  assert.deepEqual(w.progress.get("p1")?.filled, ["notes", "rows"]);
  w.apply(ev({ case: "worksheetProgress", value: { instanceId: "p1", ownerMemberId: 2, filledFields: ["notes"], version: 2n } }, 2), fac);
  assert.deepEqual(w.progress.get("p1")?.filled, ["notes", "rows"], "an older report does not replace a newer one");
});

test("who may write what: the owner, facilitator-only fields, own rows in shared sheets", () => {
  const w = new Worksheets("c");
  w.reset([sheet("p1", WorksheetScope.PERSONAL, 2), sheet("s1", WorksheetScope.SESSION)], kim);
  const personal = w.sheets.get("p1")!;
  const session = w.sheets.get("s1")!;
  assert.equal(w.mayWrite(personal, sam, "notes"), true);
  assert.equal(w.mayWrite(personal, kim, "notes"), false, "another participant's personal sheet");
  assert.equal(w.mayWrite(personal, fac, "notes"), true);
  assert.equal(w.mayWrite(session, kim, "coach"), false);
  assert.equal(w.mayWrite(session, fac, "coach"), true);
  assert.equal(w.mayWrite(session, kim, "rows", 3), true, "one's own row");
  assert.equal(w.mayWrite(session, kim, "rows", 2), false, "someone else's row");
  assert.equal(w.mayWrite(session, who(9, Role.OBSERVER), "notes"), false);
});

test("a new snapshot keeps unsent edits when its version is the replica's, else starts over", () => {
  const w = new Worksheets("c");
  w.reset([sheet("s1", WorksheetScope.SESSION)], sam);
  assert.equal(w.sheets.get("s1")!.replica.edit(typed(0, "kept")), WorksheetError.NONE);
  w.reset([sheet("s1", WorksheetScope.SESSION)], sam);
  assert.equal(w.sheets.get("s1")!.replica.view.fields.get("notes")!.own.text, "kept");
  const newer = sheet("s1", WorksheetScope.SESSION);
  newer.document!.version = 4n;
  const said = w.reset([newer], sam);
  assert.equal(w.sheets.get("s1")!.replica.view.fields.get("notes")!.own.text, "");
  assert.deepEqual(said, [{ text: "Your last changes to Plan could not be saved after the connection came back. Please check it.", urgent: true }], "said, not lost silently");
  assert.deepEqual(w.reset([newer], sam), [], "nothing was waiting");
});

test("a newer snapshot goes on with the replica's client_seq, so the server never takes a new batch for an old one", () => {
  const w = new Worksheets("c");
  w.reset([sheet("s1", WorksheetScope.SESSION)], sam);
  const before = w.sheets.get("s1")!.replica;
  before.edit(typed(0, "a"));
  assert.equal(before.nextBatch()!.clientSeq, 1n);
  const newer = sheet("s1", WorksheetScope.SESSION);
  newer.document!.version = 3n;
  w.reset([newer], sam);
  const after = w.sheets.get("s1")!.replica;
  assert.equal(after, before, "the same replica, at the snapshot's version");
  assert.equal(after.version, 3n);
  assert.equal(after.resend(), undefined, "nothing in flight any more");
  after.edit(typed(0, "b"));
  const next = after.nextBatch()!;
  assert.equal(next.clientSeq, 2n);
  assert.equal(next.baseVersion, 3n);
});

// A scripted server for the sync layer: requests wait until the test answers them.
function syncHarness() {
  const server = new TestServer(form, "s1");
  const w = new Worksheets("tab-1");
  w.reset([sheet("s1", WorksheetScope.SESSION)], sam);
  const sent: { batch: WorksheetBatch; answer: (r: Reply) => void }[] = [];
  const refused: (WorksheetError | "room")[] = [];
  const timers: (() => void)[] = [];
  let online = true;
  const sync = new WorksheetSync(w, {
    request: (c: ClientCommand) => new Promise<Reply>((resolve) => {
      const v = c.value as { kind: { case: string; value: WorksheetBatch } };
      assert.equal(v.kind.case, "submit");
      sent.push({ batch: v.kind.value, answer: resolve });
    }),
    online: () => online,
    changed: () => {},
    refused: (_id, e) => refused.push(e),
    setTimer: (fn) => timers.push(fn),
  });
  const replica = w.sheets.get("s1")!.replica;
  const ack = (b: WorksheetBatch) => {
    const { ack: a } = server.submit(b, 2);
    return create(ReplySchema, { outcome: { case: "worksheet", value: { ack: a } } });
  };
  const error = (code: ErrorCode, temporary: boolean) => create(ReplySchema, { outcome: { case: "error", value: { code, temporary } } });
  return { server, w, sync, sent, refused, timers, replica, ack, error, setOnline: (v: boolean) => (online = v) };
}

const settle = () => new Promise((r) => setImmediate(r));

test("sync: one batch in flight; the answer sends what queued meanwhile", async () => {
  const h = syncHarness();
  assert.equal(h.sync.edit("s1", typed(0, "a")), WorksheetError.NONE);
  assert.equal(h.sync.edit("s1", typed(1, "b")), WorksheetError.NONE);
  assert.equal(h.sent.length, 1, "the second edit waits");
  assert.equal(h.sent[0].batch.clientId, "tab-1");
  assert.equal(h.sent[0].batch.clientSeq, 1n);
  h.sent[0].answer(h.ack(h.sent[0].batch));
  await settle();
  assert.equal(h.sent.length, 2);
  assert.equal(h.sent[1].batch.clientSeq, 2n);
  assert.equal(h.sent[1].batch.baseVersion, 1n);
});

test("sync: a drop leaves the batch in flight; the rejoin resends it at once with the same sequence", async () => {
  const h = syncHarness();
  h.sync.edit("s1", typed(0, "hi"));
  h.setOnline(false);
  h.sent[0].answer(h.error(ErrorCode.INTERNAL, true)); // the connection dropped
  await settle();
  h.sync.edit("s1", typed(2, "!")); // typed while disconnected
  assert.equal(h.sent.length, 1);
  assert.equal(h.timers.length, 0, "no retry while offline");
  h.setOnline(true);
  h.sync.rejoined();
  assert.equal(h.sent.length, 2);
  assert.equal(h.sent[1].batch.clientSeq, 1n, "the same batch");
  assert.equal(h.sent[1].batch.ops.length, 1);
  h.sent[1].answer(h.ack(h.sent[1].batch));
  await settle();
  assert.equal(h.sent.length, 3, "then what was typed offline");
  h.sent[2].answer(h.ack(h.sent[2].batch));
  await settle();
  assert.equal(h.server.doc.fields.get("notes")!.own.text, "hi!");
  assert.ok(h.replica.idle);
});

test("sync: a temporary refusal while connected sends the same batch again", async () => {
  const h = syncHarness();
  h.sync.edit("s1", typed(0, "x"));
  h.sent[0].answer(h.error(ErrorCode.INTERNAL, true)); // a store failure
  await settle();
  assert.equal(h.timers.length, 1);
  h.timers[0]();
  assert.equal(h.sent.length, 2);
  assert.equal(h.sent[1].batch.clientSeq, 1n);
});

test("sync: refusals roll the sheet back to the server's state and say so", async () => {
  const h = syncHarness();
  h.sync.edit("s1", typed(0, "x"));
  h.sync.edit("s1", typed(1, "y"));
  h.sent[0].answer(h.error(ErrorCode.PERMISSION_DENIED, false));
  await settle();
  assert.deepEqual(h.refused, ["room"]);
  assert.ok(h.replica.idle);
  assert.equal(h.replica.view.fields.get("notes")!.own.text, "");
  h.sync.edit("s1", typed(0, "z"));
  const b = h.sent[1].batch;
  h.sent[1].answer(create(ReplySchema, { outcome: { case: "worksheet", value: { ack: { instanceId: "s1", clientId: b.clientId, clientSeq: b.clientSeq, error: WorksheetError.TOO_LONG } } } }));
  await settle();
  assert.deepEqual(h.refused, ["room", WorksheetError.TOO_LONG]);
  assert.equal(h.replica.view.fields.get("notes")!.own.text, "");
});
