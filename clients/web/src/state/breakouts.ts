// Breakout rooms as this client knows them: which room of the session it is
// in, the open rooms with their members and timer, broadcasts to every room,
// and calls for a facilitator (direct events, so they outlive a move).
// Pure, like the room model it belongs to.
import { BreakoutChange, type BreakoutState } from "../gen/hearth/v1/breakout_pb";
import type { Event, Member, RoomSnapshot } from "../gen/hearth/v1/room_pb";

export type Say = { text: string; urgent: boolean };

export interface Broadcast {
  key: string;
  from: number;
  text: string;
  atMs: number;
}

export interface Call {
  key: string; // "d<direct_seq>"
  memberId: number;
  breakoutId: number;
  roomName: string; // as it was called when the call came (rooms close)
  atMs: number;
}

export interface BreakoutHost {
  myId: number;
  staff: boolean;
  members: Map<number, Member>;
  name(memberId: number): string;
}

const KEEP = 5;

export class Breakouts {
  here = 0; // the room of the session this client is in (0: the main room)
  state: BreakoutState | undefined; // the open rooms; undefined when none are open
  broadcasts: Broadcast[] = [];
  calls: Call[] = []; // staff: calls not dismissed yet; others: their own

  get open(): boolean {
    return this.state !== undefined;
  }

  /** The name of a room of the session, as people read it. */
  roomName(breakoutId: number): string {
    if (breakoutId === 0) {
      return "the main room";
    }
    return this.state?.rooms.find((r) => r.breakoutId === breakoutId)?.name || `Breakout ${breakoutId}`;
  }

  /** Where this client is, for the status line: "Main room" or the breakout's name. */
  whereText(): string {
    return this.here === 0 ? "Main room" : `Breakout: ${this.roomName(this.here)}`;
  }

  /** From a snapshot (a join or a move); calls and broadcasts are kept. */
  reset(snapshot: RoomSnapshot | undefined, breakoutId: number): void {
    this.here = snapshot?.breakoutId ?? breakoutId;
    this.state = snapshot?.breakouts?.rooms.length ? snapshot.breakouts : undefined;
    if (!this.state) {
      this.calls = [];
    }
  }

  /** Dismisses a call (staff), or every call from one room (on entering it). */
  dismiss(key: string, breakoutId = -1): void {
    this.calls = this.calls.filter((c) => c.key !== key && c.breakoutId !== breakoutId);
  }

  /** Breakout events; returns what to announce. Updates Member.breakout_id. */
  apply(event: Event, host: BreakoutHost): Say[] {
    const b = event.body;
    const at = Number(event.serverTimeMs);
    switch (b.case) {
      case "breakoutsChanged": {
        const state = b.value.state;
        this.state = state?.rooms.length ? state : undefined;
        const where = new Map<number, number>();
        for (const r of this.state?.rooms ?? []) {
          for (const id of r.memberIds) {
            where.set(id, r.breakoutId);
          }
        }
        for (const m of host.members.values()) {
          m.breakoutId = where.get(m.memberId) ?? 0;
        }
        return this.changeWords(b.value.change, state);
      }
      case "breakoutBroadcast":
        this.broadcasts.push({ key: event.seq ? `b${event.breakoutId}-${event.seq}` : `b${at}`, from: b.value.fromMemberId, text: b.value.text, atMs: at });
        this.broadcasts.splice(0, Math.max(0, this.broadcasts.length - KEEP));
        return [{ text: `Message to every room from ${host.name(b.value.fromMemberId)}: ${b.value.text}`, urgent: true }];
      case "facilitatorCalled": {
        const call: Call = {
          key: `d${event.directSeq}`, memberId: b.value.memberId, breakoutId: b.value.breakoutId,
          roomName: this.roomName(b.value.breakoutId), atMs: at,
        };
        this.calls = [...this.calls.filter((c) => c.key !== call.key), call].slice(-KEEP * 4);
        if (b.value.memberId === host.myId) {
          return [{ text: "A facilitator has been called and will join you.", urgent: false }];
        }
        return host.staff ? [{ text: `${host.name(b.value.memberId)} asks for a facilitator in ${call.roomName}.`, urgent: true }] : [];
      }
      default:
        return [];
    }
  }

  /** This client's own call, if it made one in the current breakouts. */
  myCall(myId: number): Call | undefined {
    return this.calls.filter((c) => c.memberId === myId).pop();
  }

  private changeWords(change: BreakoutChange, state: BreakoutState | undefined): Say[] {
    switch (change) {
      case BreakoutChange.OPENED:
        return [{ text: "Breakout rooms are open.", urgent: false }];
      case BreakoutChange.ENDING_SOON: {
        const ms = Number(state?.endsAtMs ?? 0n) - Number(state?.warningAtMs ?? 0n);
        const minutes = Math.max(1, Math.round(ms / 60_000));
        const words = ms >= 60_000 ? `${minutes} minute${minutes > 1 ? "s" : ""}` : `${Math.max(1, Math.round(ms / 1000))} seconds`;
        return [{ text: `Breakout rooms end in ${words}.`, urgent: true }];
      }
      case BreakoutChange.CLOSED:
        this.calls = [];
        return [{ text: "The breakout rooms have closed.", urgent: false }];
      default:
        return [];
    }
  }
}
