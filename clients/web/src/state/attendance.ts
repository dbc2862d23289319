// Attendance so far, as this console has seen it: each member's stretches of
// presence, from the snapshot's joined_at_ms (the start of each present
// member's current stretch) and the roster events since. The protocol has no
// attendance query, so what happened before this client's first join, and
// while it was away without a replay, is not known here; rows say so. The
// clinic's record is the server's attendance report (admin API).
import type { JoinResult } from "../gen/hearth/v1/envelope_pb";
import { Presence, type Event, type Member } from "../gen/hearth/v1/room_pb";
import type { Role } from "../gen/hearth/v1/role_pb";

interface Stretch {
  start: number;
  end?: number; // unset while the stretch goes on
  droppedAt?: number; // the connection dropped then; a grace expiry ends the stretch there
}

interface Person {
  memberId: number;
  name: string;
  role: Role;
  presence: Presence;
  stretches: Stretch[];
  /** Some end was not seen (left while this client was away): a lower bound. */
  approximate: boolean;
}

export interface AttendanceRow {
  memberId: number;
  name: string;
  role: Role;
  firstSeenMs: number; // start of the earliest stretch seen
  presentMs: number; // the union of the stretches seen, up to now
  state: "here" | "reconnecting" | "left";
  leftAtMs: number; // when state is "left"
  /** Was in the room before this client came: earlier visits are not counted. */
  earlierUnseen: boolean;
  approximate: boolean;
}

export class Attendance {
  private epoch = "";
  /** Member ids are given in join order: anyone above this one came after us. */
  private baselineMaxId = 0;
  /** The server time this client started watching (its own join). */
  watchingSinceMs = 0;
  /** The latest server time known while connected: a lower bound for unseen ends. */
  private lastSeenMs = 0;
  private readonly people = new Map<number, Person>();

  /** A join's snapshot (fresh or after a move). A new epoch starts over. */
  snapshot(join: JoinResult): void {
    const members = join.snapshot?.members ?? [];
    if (join.epoch !== this.epoch) {
      this.epoch = join.epoch;
      this.people.clear();
      this.baselineMaxId = Math.max(0, ...members.map((m) => m.memberId));
      const me = members.find((m) => m.memberId === join.memberId);
      this.watchingSinceMs = me ? Number(me.joinedAtMs) : 0;
      this.lastSeenMs = Math.max(this.lastSeenMs, this.watchingSinceMs);
    }
    const listed = new Set<number>();
    for (const m of members) {
      listed.add(m.memberId);
      const p = this.person(m);
      const start = Number(m.joinedAtMs);
      let open = openStretch(p);
      if (open && open.start !== start) {
        // Left and came back while this client was away: the end is unknown.
        open.end = Math.max(open.start, Math.min(open.droppedAt ?? this.lastSeenMs, start));
        p.approximate = true;
        open = undefined;
      }
      if (!open) {
        p.stretches.push({ start });
      } else if (m.presence === Presence.PRESENT) {
        open.droppedAt = undefined;
      }
    }
    for (const p of this.people.values()) {
      const open = openStretch(p);
      if (!listed.has(p.memberId) && open) {
        // Gone while this client was away (the snapshot lists present members only).
        open.end = Math.max(open.start, open.droppedAt ?? this.lastSeenMs);
        p.approximate = p.approximate || open.droppedAt === undefined;
        p.presence = Presence.LEFT;
      }
    }
  }

  /** The server's clock, from pings and events, while connected. */
  seen(serverMs: number): void {
    this.lastSeenMs = Math.max(this.lastSeenMs, serverMs);
  }

  apply(event: Event): void {
    const t = Number(event.serverTimeMs);
    this.seen(t);
    const b = event.body;
    switch (b.case) {
      case "memberJoined": {
        const m = b.value.member;
        if (m) {
          const p = this.person(m);
          if (!openStretch(p)) {
            p.stretches.push({ start: Number(m.joinedAtMs) || t });
          }
        }
        break;
      }
      case "memberPresence": {
        const p = this.people.get(b.value.memberId);
        const open = p && openStretch(p);
        if (p && open) {
          p.presence = b.value.presence;
          open.droppedAt = b.value.presence === Presence.RECONNECTING ? t : undefined;
        }
        break;
      }
      case "memberLeft": {
        const p = this.people.get(b.value.memberId);
        const open = p && openStretch(p);
        if (p && open) {
          // As the server counts it: a member who never came back left when they dropped.
          if (p.presence === Presence.RECONNECTING && open.droppedAt === undefined) {
            p.approximate = true; // dropped before this client saw it
          }
          open.end = Math.max(open.start, open.droppedAt ?? t);
          p.presence = Presence.LEFT;
        }
        break;
      }
      case "memberRoleChanged": {
        const p = this.people.get(b.value.memberId);
        if (p) {
          p.role = b.value.role;
        }
        break;
      }
      default:
        break;
    }
  }

  /** Everyone seen, in order of first arrival, with time present up to `nowMs`. */
  rows(nowMs: number): AttendanceRow[] {
    const out: AttendanceRow[] = [];
    for (const p of this.people.values()) {
      const last = p.stretches[p.stretches.length - 1];
      out.push({
        memberId: p.memberId,
        name: p.name,
        role: p.role,
        firstSeenMs: Math.min(...p.stretches.map((s) => s.start)),
        presentMs: unionLength(p.stretches, nowMs),
        state: p.presence === Presence.LEFT ? "left" : p.presence === Presence.RECONNECTING ? "reconnecting" : "here",
        leftAtMs: last?.end ?? 0,
        earlierUnseen: p.memberId <= this.baselineMaxId,
        approximate: p.approximate,
      });
    }
    return out.sort((a, b) => a.firstSeenMs - b.firstSeenMs || a.memberId - b.memberId);
  }

  private person(m: Member): Person {
    let p = this.people.get(m.memberId);
    if (!p) {
      p = { memberId: m.memberId, name: m.displayName, role: m.role, presence: m.presence, stretches: [], approximate: false };
      this.people.set(m.memberId, p);
    }
    p.name = m.displayName;
    p.role = m.role;
    p.presence = m.presence;
    return p;
  }
}

function openStretch(p: Person): Stretch | undefined {
  const last = p.stretches[p.stretches.length - 1];
  return last && last.end === undefined ? last : undefined;
}

// Overlaps are counted once (a stretch cut at an unseen moment may overlap the next).
function unionLength(stretches: Stretch[], nowMs: number): number {
  const spans = stretches.map((s) => [s.start, Math.max(s.start, s.end ?? nowMs)] as const).sort((a, b) => a[0] - b[0]);
  let total = 0;
  let coveredTo = -Infinity;
  for (const [start, end] of spans) {
    const from = Math.max(start, coveredTo);
    if (end > from) {
      total += end - from;
      coveredTo = end;
    }
  }
  return total;
}
