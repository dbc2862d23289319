// Resume bookkeeping (docs/protocol.md, sections 6 and 7): the epoch, the
// last room-stream and direct-stream numbers processed, and the room of the
// session (main or a breakout) the room-stream number counts in, so that a
// reconnect asks for exactly the events it missed.
import type { Event } from "../gen/hearth/v1/room_pb";
import type { JoinResult } from "../gen/hearth/v1/envelope_pb";

export type Verdict = "apply" | "duplicate" | "gap" | "ephemeral" | "elsewhere";

export interface Position {
  epoch: string;
  lastSeq: number;
  lastDirectSeq: number;
  breakoutId: number; // the room lastSeq counts in (0: the main room)
}

export class ResumeTracker {
  private epoch = "";
  private lastSeq = 0;
  private lastDirectSeq = 0;
  private breakoutId = 0;

  /** Where to resume from, or undefined before the first join. */
  position(): Position | undefined {
    return this.epoch
      ? { epoch: this.epoch, lastSeq: this.lastSeq, lastDirectSeq: this.lastDirectSeq, breakoutId: this.breakoutId }
      : undefined;
  }

  /** The room of the session this client is in (0: the main room). */
  get room(): number {
    return this.breakoutId;
  }

  /**
   * Takes a join's (or admission's) result. Returns true when the state must
   * be rebuilt from its snapshot: not recovered, or a new epoch.
   */
  joined(result: JoinResult): boolean {
    const fresh = !result.recovered || result.epoch !== this.epoch;
    this.epoch = result.epoch;
    this.breakoutId = result.breakoutId;
    if (fresh) {
      this.lastSeq = result.headSeq;
      this.lastDirectSeq = result.directHeadSeq;
    }
    // Recovered: the replay that follows advances the positions one by one.
    return fresh;
  }

  /**
   * Takes ServerMessage.moved: the member is in another room of the session
   * now. Its room stream starts over after the new room's head; the direct
   * stream is the session's and goes on where it was.
   */
  moved(result: JoinResult): void {
    this.epoch = result.epoch || this.epoch;
    this.breakoutId = result.breakoutId;
    this.lastSeq = result.headSeq;
  }

  /** Classifies an event and advances past it when it is the next one. */
  accept(event: Event): Verdict {
    if (event.seq !== 0) {
      if (event.breakoutId !== this.breakoutId) {
        return "elsewhere"; // another room's stream: not ours to count or show
      }
      return this.step(event.seq, this.lastSeq, (n) => (this.lastSeq = n));
    }
    if (event.directSeq !== 0) {
      return this.step(event.directSeq, this.lastDirectSeq, (n) => (this.lastDirectSeq = n));
    }
    return "ephemeral";
  }

  /** Forget everything (a new room, or a session that ended). */
  clear(): void {
    this.epoch = "";
    this.lastSeq = 0;
    this.lastDirectSeq = 0;
    this.breakoutId = 0;
  }

  private step(n: number, last: number, set: (n: number) => void): Verdict {
    if (n <= last) {
      return "duplicate";
    }
    if (n !== last + 1) {
      return "gap";
    }
    set(n);
    return "apply";
  }
}
