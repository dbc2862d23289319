// A test stand-in for the server's sequencer (server/worksheets/worksheet.cpp):
// resubmissions answered with their original version, batches transformed
// past every commit after their base one commit at a time, checked, and
// numbered. No authorization: the replica tests need only the ordering.
import { create } from "@bufbuild/protobuf";
import {
  WorksheetAckSchema,
  WorksheetCommitSchema,
  WorksheetError,
  type WorksheetAck,
  type WorksheetBatch,
  type WorksheetCommit,
  type WorksheetDocument,
  type WorksheetTemplate,
} from "../src/gen/hearth/v1/worksheet_pb";
import { documentToWire, opsFromWire, opToWire } from "../src/worksheets/codec";
import { applyOp, cloneDoc, emptyDocument, type Doc } from "../src/worksheets/document";
import { transformOps, type Op } from "../src/worksheets/ops";

export class TestServer {
  doc: Doc;
  readonly log: { author: number; clientId: string; clientSeq: bigint; ops: Op[] }[] = [];
  private readonly seen = new Map<string, bigint>(); // "member/client/seq" -> version

  constructor(readonly form: WorksheetTemplate, readonly instanceId = "ws1") {
    this.doc = emptyDocument(form);
  }

  get version(): bigint {
    return BigInt(this.log.length);
  }

  snapshot(): WorksheetDocument {
    const d = documentToWire(this.doc);
    d.instanceId = this.instanceId;
    d.version = this.version;
    return d;
  }

  submit(b: WorksheetBatch, member: number): { ack: WorksheetAck; commit?: WorksheetCommit } {
    const answer = (version: bigint, error = WorksheetError.NONE) =>
      create(WorksheetAckSchema, { instanceId: this.instanceId, clientId: b.clientId, clientSeq: b.clientSeq, version, error });
    const key = `${member}/${b.clientId}/${b.clientSeq}`;
    const before = this.seen.get(key);
    if (before !== undefined) {
      return { ack: answer(before) };
    }
    if (b.baseVersion > this.version) {
      return { ack: answer(0n, WorksheetError.BAD_VERSION) };
    }
    let changes = opsFromWire(b.ops)!;
    for (let v = Number(b.baseVersion); v < this.log.length; v++) {
      changes = transformOps(changes, this.log[v].ops)[0];
    }
    const next = cloneDoc(this.doc);
    for (const o of changes) {
      const e = applyOp(next, this.form, o, member, true);
      if (e !== WorksheetError.NONE) {
        return { ack: answer(0n, e) };
      }
    }
    this.doc = next;
    this.log.push({ author: member, clientId: b.clientId, clientSeq: b.clientSeq, ops: changes });
    this.seen.set(key, this.version);
    return { ack: answer(this.version), commit: this.commit(this.version) };
  }

  commit(version: bigint): WorksheetCommit {
    const e = this.log[Number(version) - 1];
    return create(WorksheetCommitSchema, {
      instanceId: this.instanceId, version, author: e.author, clientId: e.clientId, clientSeq: e.clientSeq, ops: e.ops.map(opToWire),
    });
  }

  commitsSince(version: bigint): WorksheetCommit[] {
    const out: WorksheetCommit[] = [];
    for (let v = version + 1n; v <= this.version; v++) {
      out.push(this.commit(v));
    }
    return out;
  }
}
