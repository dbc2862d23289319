// The worksheets this client reads: one replica per sheet, rebuilt from a
// snapshot and moved on by the Worksheet* events; presence of others per
// field, and (facilitators) progress per personal sheet. Pure: no DOM.
import { Role } from "../gen/hearth/v1/role_pb";
import type { Event } from "../gen/hearth/v1/room_pb";
import {
  WorksheetFieldType,
  WorksheetScope,
  WorksheetSharing,
  type WorksheetDocument,
  type WorksheetSheet,
  type WorksheetTemplate,
} from "../gen/hearth/v1/worksheet_pb";
import { findField, type Doc, type FieldState } from "./document";
import { Replica } from "./replica";

export interface SheetEntry {
  instanceId: string;
  form: WorksheetTemplate;
  meta: WorksheetDocument; // scope and owner (its fields are not kept up to date)
  sharing: WorksheetSharing;
  replica: Replica;
  outOfSync: boolean; // a commit arrived with versions missing: reload to recover
}

export interface Spot {
  field: string;
  item: string;
}

export interface Progress {
  owner: number;
  filled: string[];
  version: bigint;
}

export interface Viewer {
  id: number;
  role: Role;
  name(memberId: number): string;
}

export type Said = { text: string; urgent: boolean };

const staffRole = (r: Role) => r === Role.FACILITATOR || r === Role.CO_FACILITATOR;

// Whether a field holds something: text, a value, or an item not removed
// (the server's rule for WorksheetProgress).
function filled(f: FieldState | undefined): boolean {
  if (!f) {
    return false;
  }
  if (f.own.text !== "" || f.own.value.k !== "empty") {
    return true;
  }
  return [...f.items.values()].some((it) => !it.removed);
}

export function filledFields(form: WorksheetTemplate, d: Doc): string[] {
  return form.fields.filter((f) => filled(d.fields.get(f.id))).map((f) => f.id);
}

export class Worksheets {
  sheets = new Map<string, SheetEntry>(); // oldest first
  presence = new Map<string, Map<number, Spot>>(); // instance -> member -> where
  progress = new Map<string, Progress>();
  templates: WorksheetTemplate[] = [];

  /** `clientId`: one per page life, so that client_seq never repeats under it. */
  constructor(readonly clientId: string) {}

  /**
   * A snapshot's sheets. A replica whose version the snapshot still has keeps
   * its unsent edits; any other takes the snapshot's document and drops them
   * (Replica.reset: the commits in between are not in a snapshot, so edits
   * written before them cannot be rebased), keeping its client_seq. Returns
   * what was said to the person: the sheets whose unsent edits were dropped.
   */
  reset(sheets: readonly WorksheetSheet[], me: Viewer): Said[] {
    const before = this.sheets;
    const dropped: string[] = [];
    this.sheets = new Map();
    for (const s of sheets) {
      const kept = before.get(s.document?.instanceId ?? "");
      const result = kept && s.document ? kept.replica.reset(s.document) : "undecodable";
      if (kept && s.document && result !== "undecodable") {
        kept.sharing = s.sharing;
        kept.meta = s.document;
        if (result !== "unchanged") {
          kept.outOfSync = false;
          const progress = this.progress.get(kept.instanceId);
          if (progress && progress.version < kept.replica.version) {
            this.progress.set(kept.instanceId, { ...progress, filled: filledFields(kept.form, kept.replica.confirmed), version: kept.replica.version });
          }
        }
        if (result === "dropped") {
          dropped.push(kept.form.title);
        }
        this.sheets.set(kept.instanceId, kept);
        continue;
      }
      this.add(s, me);
    }
    for (const id of this.progress.keys()) {
      if (!this.sheets.has(id)) {
        this.progress.delete(id);
      }
    }
    this.presence.clear(); // ephemeral: never in a snapshot or a replay
    return dropped.map((title) => ({ text: `Your last changes to ${title} could not be saved after the connection came back. Please check it.`, urgent: true }));
  }

  /** Presence is never replayed: after any (re)join it starts empty. */
  clearPresence(): void {
    this.presence.clear();
  }

  apply(event: Event, me: Viewer): Said[] {
    const b = event.body;
    switch (b.case) {
      case "worksheetOpened": {
        const s = b.value.sheet;
        if (!s?.document || this.sheets.has(s.document.instanceId)) {
          if (s?.document) {
            this.sheets.get(s.document.instanceId)!.sharing = s.sharing;
          }
          return [];
        }
        const entry = this.add(s, me);
        if (!entry) {
          return [];
        }
        const by = b.value.byMemberId;
        if (by === me.id) {
          return [{ text: `Worksheet opened: ${entry.form.title}.`, urgent: false }];
        }
        const sharedWithMe = entry.meta.scope === WorksheetScope.PERSONAL && entry.meta.ownerMember === by && entry.sharing !== WorksheetSharing.UNSPECIFIED;
        return [{ text: sharedWithMe ? `${me.name(by)} shared ${entry.form.title} with you.` : `${me.name(by)} opened a worksheet for you: ${entry.form.title}.`, urgent: false }];
      }
      case "worksheetCommitted": {
        const c = b.value.commit;
        const entry = c && this.sheets.get(c.instanceId);
        if (c && entry) {
          const outcome = entry.replica.receiveCommit(c);
          if (outcome === "gap") {
            entry.outOfSync = true;
          }
          if (staffRole(me.role) && entry.meta.scope === WorksheetScope.PERSONAL && outcome !== "stale") {
            this.progress.set(entry.instanceId, { owner: entry.meta.ownerMember, filled: filledFields(entry.form, entry.replica.confirmed), version: entry.replica.version });
          }
        }
        return [];
      }
      case "worksheetSharing": {
        const entry = this.sheets.get(b.value.instanceId);
        if (!entry) {
          return [];
        }
        entry.sharing = b.value.sharing;
        if (this.mayStillRead(entry, me)) {
          return [];
        }
        this.sheets.delete(entry.instanceId);
        this.presence.delete(entry.instanceId);
        return [{ text: `${me.name(b.value.byMemberId)} stopped sharing ${entry.form.title} with you.`, urgent: false }];
      }
      case "worksheetPresence": {
        const p = b.value;
        let at = this.presence.get(p.instanceId);
        // A member is in one sheet at a time: leaving one clears it there.
        for (const [id, m] of this.presence) {
          if (id !== p.instanceId) {
            m.delete(p.memberId);
          }
        }
        if (p.fieldId === "") {
          at?.delete(p.memberId);
        } else {
          if (!at) {
            at = new Map();
            this.presence.set(p.instanceId, at);
          }
          at.set(p.memberId, { field: p.fieldId, item: p.itemId });
        }
        return [];
      }
      case "worksheetProgress": {
        const p = b.value;
        const known = this.progress.get(p.instanceId);
        if (!known || known.version <= p.version) {
          this.progress.set(p.instanceId, { owner: p.ownerMemberId, filled: [...p.filledFields], version: p.version });
        }
        return [];
      }
      case "memberLeft":
        for (const m of this.presence.values()) {
          m.delete(b.value.memberId);
        }
        return [];
      default:
        return [];
    }
  }

  /** Who besides the viewer is in a field (or an item's field) of a sheet. */
  whoIsAt(instanceId: string, field: string, item = ""): number[] {
    return [...(this.presence.get(instanceId) ?? [])].filter(([, s]) => s.field === field && s.item === item).map(([id]) => id);
  }

  /** Whether the viewer may write `field` (of item `itemAuthor`'s row); the server decides in the end. */
  mayWrite(entry: SheetEntry, me: Viewer, fieldId: string, itemAuthor?: number): boolean {
    const staff = staffRole(me.role);
    if (me.role === Role.OBSERVER || me.role === Role.UNSPECIFIED) {
      return false;
    }
    if (!staff && entry.meta.scope === WorksheetScope.PERSONAL && entry.meta.ownerMember !== me.id) {
      return false;
    }
    const f = findField(entry.form.fields, fieldId);
    if (!f || (f.facilitatorOnly && !staff)) {
      return false;
    }
    if (f.type === WorksheetFieldType.LIST && f.ownRows && !staff && entry.meta.scope !== WorksheetScope.PERSONAL && itemAuthor !== undefined) {
      return itemAuthor === me.id;
    }
    return true;
  }

  private add(s: WorksheetSheet, me: Viewer): SheetEntry | undefined {
    const doc = s.document;
    const form = s.form;
    if (!doc || !form) {
      return undefined;
    }
    const replica = Replica.open(this.clientId, me.id, form, doc);
    if (!replica) {
      return undefined;
    }
    const entry: SheetEntry = { instanceId: doc.instanceId, form, meta: doc, sharing: s.sharing, replica, outOfSync: false };
    this.sheets.set(entry.instanceId, entry);
    if (staffRole(me.role) && doc.scope === WorksheetScope.PERSONAL) {
      this.progress.set(entry.instanceId, { owner: doc.ownerMember, filled: filledFields(form, replica.confirmed), version: replica.version });
    }
    return entry;
  }

  // After WorksheetSharingChanged (sent to those who read the sheet before):
  // the owner and facilitators always keep it; others keep it under GROUP
  // sharing, and under FAMILY sharing when they are of the owner's family as
  // far as this client can tell (the family a participant heads is "f" and
  // their member id; a family member learns theirs from a family sheet).
  private mayStillRead(entry: SheetEntry, me: Viewer): boolean {
    if (staffRole(me.role) || entry.meta.ownerMember === me.id) {
      return true;
    }
    if (entry.sharing === WorksheetSharing.GROUP) {
      return true;
    }
    if (entry.sharing === WorksheetSharing.FAMILY) {
      const ownerFamily = `f${entry.meta.ownerMember}`;
      const mine = me.role === Role.PARTICIPANT ? `f${me.id}` : [...this.sheets.values()].find((s) => s.meta.scope === WorksheetScope.FAMILY)?.meta.ownerFamily;
      return mine === ownerFamily;
    }
    return false;
  }
}
