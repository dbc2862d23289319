// The client's side of worksheet co-editing (docs/worksheets.md, "Client
// state"; a port of replica.cpp): local edits apply at once, at most one batch
// is in flight and the rest queue, commits from the server transform what
// waits, and the batch in flight is resent after a reconnect. Pure (no
// sockets): the page and the tests drive it with messages.
import { create } from "@bufbuild/protobuf";
import {
  WorksheetBatchSchema,
  WorksheetError,
  type WorksheetAck,
  type WorksheetBatch,
  type WorksheetCommit,
  type WorksheetDocument,
  type WorksheetTemplate,
} from "../gen/hearth/v1/worksheet_pb";
import { opsFromWire, opToWire, documentFromWire } from "./codec";
import { applyOp, cloneDoc, type Doc } from "./document";
import { transformOps, type Op } from "./ops";

export type Outcome =
  | "applied" // another client's commit, merged into view
  | "own" // this client's batch in flight is committed
  | "rejected" // the batch in flight was refused: queued edits are dropped too
  | "stale" // already seen, or an answer to an earlier batch: ignored
  | "gap"; // versions were missed: resume (or reopen)

export class Replica {
  private confirmedDoc: Doc; // the server's document at version
  private viewDoc: Doc; // confirmed + in flight + pending
  private versionNo: bigint;
  private nextSeq = 1n;
  private inFlight: Op[] | undefined;
  private inFlightSeq = 0n;
  private pending: Op[] = [];

  private constructor(
    readonly clientId: string,
    private readonly self: number,
    readonly form: WorksheetTemplate,
    readonly instanceId: string,
    doc: Doc,
    version: bigint,
  ) {
    this.confirmedDoc = doc;
    this.viewDoc = cloneDoc(doc);
    this.versionNo = version;
  }

  /**
   * `clientId` must be unique per client of this instance and kept across
   * reconnects; `self` is the member id the server knows this client by.
   * Undefined when the snapshot does not decode.
   */
  static open(clientId: string, self: number, form: WorksheetTemplate, snapshot: WorksheetDocument): Replica | undefined {
    const d = documentFromWire(snapshot);
    return d ? new Replica(clientId, self, form, snapshot.instanceId, d, snapshot.version) : undefined;
  }

  /**
   * A snapshot of the sheet, after a resume that could not replay. At this
   * replica's version nothing changes (the batch in flight is resent as after
   * any rejoin). A newer one replaces the document and drops the edits not yet
   * committed: the commits in between are not in a snapshot, so those edits
   * cannot be rebased. A batch already sent may still be committed; it then
   * arrives as a commit like anyone else's. client_seq goes on from where it
   * was, so the server never takes a new batch for an earlier one.
   */
  reset(snapshot: WorksheetDocument): "unchanged" | "replaced" | "dropped" | "undecodable" {
    if (snapshot.version <= this.versionNo || snapshot.instanceId !== this.instanceId) {
      return "unchanged";
    }
    const d = documentFromWire(snapshot);
    if (!d) {
      return "undecodable";
    }
    const dropped = !this.idle;
    this.inFlight = undefined;
    this.pending = [];
    this.confirmedDoc = d;
    this.viewDoc = cloneDoc(d);
    this.versionNo = snapshot.version;
    return dropped ? "dropped" : "replaced";
  }

  get version(): bigint {
    return this.versionNo;
  }
  /** What the user sees. */
  get view(): Doc {
    return this.viewDoc;
  }
  /** The server's state at version. */
  get confirmed(): Doc {
    return this.confirmedDoc;
  }
  get idle(): boolean {
    return !this.inFlight && this.pending.length === 0;
  }
  /** The client_seq of the batch in flight, if any. */
  get inFlightSeqNo(): bigint | undefined {
    return this.inFlight ? this.inFlightSeq : undefined;
  }

  /**
   * A local edit: checked against the template (types, ranges, limits; the
   * server decides authorization) and applied to view at once, then queued.
   * On an error nothing changes.
   */
  edit(o: Op): WorksheetError {
    const e = applyOp(this.viewDoc, this.form, o, this.self, true);
    if (e === WorksheetError.NONE) {
      this.pending.push(o);
    }
    return e;
  }

  /** The next batch to send, when none is in flight and edits are queued. */
  nextBatch(): WorksheetBatch | undefined {
    if (this.inFlight || this.pending.length === 0) {
      return undefined;
    }
    this.inFlight = this.pending;
    this.pending = [];
    this.inFlightSeq = this.nextSeq++;
    return this.inFlightBatch();
  }

  /**
   * After a reconnect: the batch in flight again, same client_seq, rebased on
   * version (its ops as transformed so far). The server answers a batch it
   * already committed with its original version and applies it only once.
   */
  resend(): WorksheetBatch | undefined {
    return this.inFlight ? this.inFlightBatch() : undefined;
  }

  receiveCommit(c: WorksheetCommit): Outcome {
    if (c.version <= this.versionNo) {
      return "stale";
    }
    if (c.version !== this.versionNo + 1n) {
      return "gap";
    }
    const committed = opsFromWire(c.ops);
    if (!committed) {
      return "gap"; // the server never sends this; reopen to recover
    }
    if (this.inFlight && c.clientId === this.clientId && c.clientSeq === this.inFlightSeq) {
      this.settle(committed, c.author, c.version);
      return "own";
    }
    for (const o of committed) {
      applyOp(this.confirmedDoc, this.form, o, c.author, false);
    }
    // Our unsent work was written after everything we have; the commit was
    // not. Ours plays "left" (later in server order), as it will on the server.
    let incoming = committed;
    if (this.inFlight) {
      [this.inFlight, incoming] = transformOps(this.inFlight, incoming);
    }
    [this.pending, incoming] = transformOps(this.pending, incoming);
    for (const o of incoming) {
      applyOp(this.viewDoc, this.form, o, c.author, false);
    }
    this.versionNo = c.version;
    return "applied";
  }

  receiveAck(a: WorksheetAck): Outcome {
    if (!this.inFlight || a.clientId !== this.clientId || a.clientSeq !== this.inFlightSeq) {
      return "stale";
    }
    if (a.error !== WorksheetError.NONE) {
      this.rollBack();
      return "rejected";
    }
    if (a.version <= this.versionNo) {
      return "stale";
    }
    if (a.version !== this.versionNo + 1n) {
      return "gap";
    }
    // The answer overtook the commit (a resubmission answered after the commit
    // was lost): what is in flight is exactly what the server committed.
    this.settle(this.inFlight, this.self, a.version);
    return "own";
  }

  /**
   * The batch in flight was refused (by the sequencer, or by the room: not
   * allowed, no such sheet). Queued edits were written on top of it: drop
   * them too and show the server's state again.
   */
  rollBack(): void {
    this.inFlight = undefined;
    this.pending = [];
    this.viewDoc = cloneDoc(this.confirmedDoc);
  }

  private inFlightBatch(): WorksheetBatch {
    return create(WorksheetBatchSchema, {
      instanceId: this.instanceId,
      baseVersion: this.versionNo,
      clientId: this.clientId,
      clientSeq: this.inFlightSeq,
      ops: this.inFlight!.map(opToWire),
    });
  }

  // Our batch is committed as `committed` (the server's transform of what we
  // sent, equal to ours: both were transformed past the same commits).
  private settle(committed: readonly Op[], author: number, version: bigint): void {
    for (const o of committed) {
      applyOp(this.confirmedDoc, this.form, o, author, false);
    }
    this.versionNo = version;
    this.inFlight = undefined;
  }
}
