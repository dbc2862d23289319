// The client replica (as tests/worksheets/replica_test.cpp) against a stand-in
// sequencer: a batch in flight meets an incoming commit, the pending queue is
// rebased, a resend after a reconnect is answered and not reapplied, a
// duplicate answer is ignored, a refusal rolls back; and a randomized run of
// three replicas with drops and resends that must converge.
import { test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { WorksheetFieldType as T, WorksheetScope, WorksheetTemplateSchema, type WorksheetBatch } from "../src/gen/hearth/v1/worksheet_pb";
import { docKey, type Doc } from "../src/worksheets/document";
import type { Op } from "../src/worksheets/ops";
import { Replica } from "../src/worksheets/replica";
import { pushInsert, pushRetain, trim, type TextOp } from "../src/worksheets/text_op";
import { RandomOps, sampleTemplate, testSeed } from "./worksheets_random";
import { TestServer } from "./worksheets_server";

const form = create(WorksheetTemplateSchema, {
  id: "f", version: 1, title: "F", defaultScope: WorksheetScope.SESSION,
  fields: [{ id: "notes", type: T.SHORT_TEXT, label: "Notes", maxLength: 10 }],
});

function typed(at: number, s: string): Op {
  const edit: TextOp = [];
  pushRetain(edit, at);
  pushInsert(edit, s);
  return { where: { field: "notes", item: "", sub: "" }, what: { k: "text", edit: trim(edit) } };
}

function fixture() {
  const server = new TestServer(form);
  return {
    server,
    ann: Replica.open("a", 1, form, server.snapshot())!,
    bob: Replica.open("b", 2, form, server.snapshot())!,
  };
}

const textOf = (d: Doc) => d.fields.get("notes")!.own.text;

test("a batch in flight meets another's commit: both edits survive, in server order", () => {
  const { server, ann, bob } = fixture();
  assert.equal(ann.edit(typed(0, "ab")), 0);
  assert.equal(bob.edit(typed(0, "xy")), 0);
  const a = server.submit(ann.nextBatch()!, 1);
  const b = server.submit(bob.nextBatch()!, 2);
  assert.equal(bob.receiveCommit(a.commit!), "applied");
  assert.equal(textOf(bob.view), "abxy", "the earlier commit lands first");
  assert.equal(textOf(bob.confirmed), "ab");
  assert.equal(bob.receiveCommit(b.commit!), "own");
  assert.equal(bob.receiveAck(b.ack), "stale", "the answer after its commit changes nothing");
  assert.equal(ann.receiveCommit(a.commit!), "own");
  assert.equal(ann.receiveCommit(b.commit!), "applied");
  assert.equal(docKey(ann.view), docKey(server.doc));
  assert.equal(docKey(bob.view), docKey(server.doc));
  assert.ok(ann.idle && bob.idle);
});

test("pending edits are rebased on incoming commits and go out as the next batch", () => {
  const { server, ann, bob } = fixture();
  assert.equal(bob.edit(typed(0, "1")), 0);
  const first = server.submit(bob.nextBatch()!, 2);
  assert.equal(bob.edit(typed(1, "2")), 0);
  assert.equal(bob.nextBatch(), undefined, "one batch in flight at a time");
  assert.equal(ann.edit(typed(0, "z")), 0);
  const annB = server.submit(ann.nextBatch()!, 1);
  assert.equal(bob.receiveCommit(first.commit!), "own");
  assert.equal(bob.receiveCommit(annB.commit!), "applied");
  assert.equal(textOf(bob.view), "1z2");
  const next = bob.nextBatch()!;
  assert.equal(next.clientSeq, 2n);
  assert.equal(next.baseVersion, 2n);
  const second = server.submit(next, 2);
  assert.equal(bob.receiveCommit(second.commit!), "own");
  assert.equal(textOf(server.doc), "1z2");
  assert.equal(docKey(bob.view), docKey(server.doc));
});

test("a refused batch falls back to the server's state, queued edits included", () => {
  const { server, ann, bob } = fixture();
  assert.equal(ann.edit(typed(0, "12345678")), 0);
  assert.equal(bob.edit(typed(0, "abcd")), 0);
  const a = server.submit(ann.nextBatch()!, 1);
  const b = server.submit(bob.nextBatch()!, 2);
  assert.equal(b.ack.error, 5, "12 code points together are over the limit");
  assert.equal(bob.edit(typed(4, "!")), 0);
  assert.equal(bob.receiveCommit(a.commit!), "applied");
  assert.equal(bob.receiveAck(b.ack), "rejected");
  assert.ok(bob.idle);
  assert.equal(textOf(bob.view), "12345678");
  assert.equal(docKey(bob.view), docKey(server.doc));
  assert.equal(bob.receiveAck(b.ack), "stale", "a second copy of the refusal is ignored");
});

test("an answer without its commit settles the batch; the late commit is then stale", () => {
  const { server, ann } = fixture();
  assert.equal(ann.edit(typed(0, "\u{1F600}")), 0);
  const a = server.submit(ann.nextBatch()!, 1);
  assert.equal(ann.receiveAck(a.ack), "own");
  assert.ok(ann.idle);
  assert.equal(ann.version, 1n);
  assert.equal(docKey(ann.confirmed), docKey(server.doc));
  assert.equal(ann.receiveCommit(a.commit!), "stale");
  assert.equal(ann.receiveAck(a.ack), "stale", "a duplicate answer is ignored");
});

test("after a reconnect the batch in flight is resent with its sequence and answered once", () => {
  const { server, ann, bob } = fixture();
  assert.equal(ann.edit(typed(0, "hi")), 0);
  const first = server.submit(ann.nextBatch()!, 1); // committed, then the line drops
  assert.equal(bob.edit(typed(0, "yo")), 0);
  server.submit(bob.nextBatch()!, 2);
  const resent = ann.resend()!;
  assert.equal(resent.clientSeq, first.ack.clientSeq);
  assert.equal(resent.clientId, "a");
  // The resume replays the commits, then the resend is answered with the original version.
  for (const c of server.commitsSince(ann.version)) {
    ann.receiveCommit(c);
  }
  const again = server.submit(resent, 1);
  assert.equal(again.commit, undefined);
  assert.equal(again.ack.version, 1n);
  assert.equal(ann.receiveAck(again.ack), "stale");
  assert.equal(server.version, 2n);
  assert.equal(textOf(server.doc), "hiyo");
  assert.equal(docKey(ann.view), docKey(server.doc));
});

test("a resend that the server never received is committed after the others' commits", () => {
  const { server, ann, bob } = fixture();
  assert.equal(ann.edit(typed(0, "hi")), 0);
  ann.nextBatch(); // lost with the connection
  assert.equal(ann.edit(typed(2, "!")), 0); // typed while offline: pending
  assert.equal(bob.edit(typed(0, "yo")), 0);
  const b = server.submit(bob.nextBatch()!, 2);
  const resent = ann.resend()!;
  assert.equal(resent.clientSeq, 1n);
  const r = server.submit(resent, 1);
  assert.equal(ann.receiveCommit(b.commit!), "applied");
  assert.equal(ann.receiveCommit(r.commit!), "own");
  assert.equal(ann.receiveAck(r.ack), "stale");
  const rest = server.submit(ann.nextBatch()!, 1);
  ann.receiveCommit(rest.commit!);
  bob.receiveCommit(b.commit!);
  bob.receiveCommit(r.commit!);
  bob.receiveCommit(rest.commit!);
  assert.equal(textOf(server.doc), "yohi!");
  assert.equal(docKey(ann.view), docKey(server.doc));
  assert.equal(docKey(bob.view), docKey(server.doc));
});

test("missed versions are reported as a gap", () => {
  const { server, ann, bob } = fixture();
  assert.equal(ann.edit(typed(0, "a")), 0);
  server.submit(ann.nextBatch()!, 1);
  assert.equal(bob.edit(typed(0, "c")), 0);
  server.submit(bob.nextBatch()!, 2);
  assert.equal(ann.receiveCommit(server.commit(2n)), "gap");
});

test("three replicas with random edits, random delivery, drops and resends converge", () => {
  const seed = testSeed("replica simulation");
  for (let run = 0; run < 60; run++) {
    const server = new TestServer(sampleTemplate);
    const gens = [0, 1, 2].map((i) => new RandomOps(seed + run * 7 + i, `c${i}-`));
    const clients = [0, 1, 2].map((i) => ({
      replica: Replica.open(`c${i}`, i + 1, sampleTemplate, server.snapshot())!,
      inbox: [] as (() => void)[], // what the server sent, delivered in order
      online: true,
    }));
    const deliver = (c: (typeof clients)[number], b: WorksheetBatch, i: number) => {
      const { ack, commit } = server.submit(b, i + 1);
      if (commit) {
        for (const other of clients) {
          if (other.online) {
            other.inbox.push(() => other.replica.receiveCommit(commit));
          }
        }
      }
      if (c.online && gens[i].below(4) !== 0) {
        c.inbox.push(() => c.replica.receiveAck(ack)); // answers are lost now and then
      }
    };
    const g = gens[0];
    for (let step = 0; step < 150; step++) {
      const i = g.below(3);
      const c = clients[i];
      switch (g.below(5)) {
        case 0:
        case 1: {
          const o = gens[i].any(c.replica.view);
          if (o) {
            c.replica.edit(o);
          }
          break;
        }
        case 2: {
          const b = c.replica.nextBatch();
          if (b && c.online) {
            deliver(c, b, i);
          }
          break;
        }
        case 3:
          c.inbox.shift()?.();
          break;
        default:
          if (c.online && g.below(3) === 0) {
            c.online = false; // the line drops: what was on its way is lost
            c.inbox = [];
          } else if (!c.online) {
            c.online = true; // resume from its version, then resend at once
            for (const commit of server.commitsSince(c.replica.version)) {
              c.inbox.push(() => c.replica.receiveCommit(commit));
            }
            while (c.inbox.length) {
              c.inbox.shift()!();
            }
            const again = c.replica.resend();
            if (again) {
              deliver(c, again, i);
            }
          }
      }
    }
    // Quiesce: everyone online, everything delivered and sent.
    for (let round = 0; round < 50; round++) {
      clients.forEach((c, i) => {
        if (!c.online) {
          c.online = true;
          for (const commit of server.commitsSince(c.replica.version)) {
            c.inbox.push(() => c.replica.receiveCommit(commit));
          }
          while (c.inbox.length) {
            c.inbox.shift()!();
          }
          const again = c.replica.resend();
          if (again) {
            deliver(c, again, i);
          }
        }
        while (c.inbox.length) {
          c.inbox.shift()!();
        }
        const b = c.replica.nextBatch();
        if (b) {
          deliver(c, b, i);
        }
      });
    }
    const keys = new Set(server.log.map((e) => `${e.clientId}/${e.clientSeq}`));
    assert.equal(keys.size, server.log.length, `run ${run}: each batch committed once`);
    for (const c of clients) {
      assert.ok(c.replica.idle, `run ${run}: nothing left to send`);
      assert.equal(docKey(c.replica.view), docKey(server.doc), `run ${run}: the replica equals the server`);
    }
  }
});
