// Moves worksheet batches between the replicas and the connection: a local
// edit goes out at once when nothing is in flight, answers settle or refuse
// the batch, and after every (re)join the batch in flight is resent at once
// with its client_seq (docs/worksheets.md, "Reconnect"; Etherpad bug #5108).
import type { Reply } from "../gen/hearth/v1/envelope_pb";
import { WorksheetError, type WorksheetBatch } from "../gen/hearth/v1/worksheet_pb";
import type { ClientCommand } from "../proto/frame";
import type { Op } from "./ops";
import type { Worksheets } from "./sheets";

export interface SyncDeps {
  request(command: ClientCommand): Promise<Reply>;
  online(): boolean;
  /** A sheet's view changed outside a local edit (redraw it). */
  changed(instanceId: string): void;
  /** The server refused a batch: the sheet went back to the server's state. */
  refused(instanceId: string, error: WorksheetError | "room"): void;
  setTimer?(fn: () => void, ms: number): unknown;
}

const RETRY_MS = 1000;

export class WorksheetSync {
  constructor(private readonly sheets: Worksheets, private readonly deps: SyncDeps) {}

  /** A local edit: applied at once, sent when nothing is in flight. */
  edit(instanceId: string, op: Op): WorksheetError {
    const entry = this.sheets.sheets.get(instanceId);
    if (!entry) {
      return WorksheetError.UNKNOWN_ITEM;
    }
    const e = entry.replica.edit(op);
    if (e === WorksheetError.NONE) {
      this.flush(instanceId);
    }
    return e;
  }

  /** Sends the next batch of a sheet if nothing is in flight. */
  flush(instanceId: string): void {
    const entry = this.sheets.sheets.get(instanceId);
    if (!entry || !this.deps.online()) {
      return;
    }
    const b = entry.replica.nextBatch();
    if (b) {
      this.send(instanceId, b);
    }
  }

  /** After every join (first or resumed): resend what is in flight, then send what waits. */
  rejoined(): void {
    for (const [id, entry] of this.sheets.sheets) {
      const again = entry.replica.resend();
      if (again) {
        this.send(id, again);
      } else {
        this.flush(id);
      }
    }
  }

  private send(instanceId: string, b: WorksheetBatch): void {
    this.deps.request({ case: "worksheet", value: { kind: { case: "submit", value: b } } } as ClientCommand)
      .then((reply) => this.answered(instanceId, b.clientSeq, reply), () => this.answered(instanceId, b.clientSeq, undefined));
  }

  private answered(instanceId: string, seq: bigint, reply: Reply | undefined): void {
    const entry = this.sheets.sheets.get(instanceId);
    if (!entry || entry.replica.inFlightSeqNo !== seq) {
      return; // settled meanwhile by its commit, or the sheet is gone
    }
    const outcome = reply?.outcome;
    if (outcome?.case === "worksheet" && outcome.value.ack) {
      const result = entry.replica.receiveAck(outcome.value.ack);
      if (result === "rejected") {
        this.deps.refused(instanceId, outcome.value.ack.error);
      } else if (result === "gap") {
        entry.outOfSync = true;
      }
      this.deps.changed(instanceId);
      this.flush(instanceId);
      return;
    }
    if (outcome?.case === "error" && !outcome.value.temporary) {
      // Refused by the room (no longer allowed, no such sheet): what waits
      // was written on top of it.
      entry.replica.rollBack();
      this.deps.refused(instanceId, "room");
      this.deps.changed(instanceId);
      return;
    }
    // Temporary (a store failure, a full queue, the connection lost): the
    // same batch again. Offline, rejoined() sends it once the room is back.
    const retry = () => {
      const again = this.deps.online() && entry.replica.inFlightSeqNo === seq ? entry.replica.resend() : undefined;
      if (again) {
        this.send(instanceId, again);
      }
    };
    if (this.deps.online()) {
      (this.deps.setTimer ?? setTimeout)(retry, RETRY_MS);
    }
  }
}
