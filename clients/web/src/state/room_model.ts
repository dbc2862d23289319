// The room as this client knows it, rebuilt from a snapshot and moved on by
// events only (never by replies), as docs/protocol.md asks. Pure: no DOM, so
// it is unit-tested in Node. apply() returns what a screen reader should hear.
import type { JoinResult } from "../gen/hearth/v1/envelope_pb";
import type { AirtimeReport, FloorState, RoundSummary } from "../gen/hearth/v1/floor_pb";
import { FloorChangeKind } from "../gen/hearth/v1/floor_pb";
import type { BannedPerson, LobbyState } from "../gen/hearth/v1/lobby_pb";
import type { PollAnswer, PollState } from "../gen/hearth/v1/poll_pb";
import { Presence, type Break, type ChatPolicy, type ChatScope, type Event, type Member } from "../gen/hearth/v1/room_pb";
import { Role } from "../gen/hearth/v1/role_pb";
import { Breakouts } from "./breakouts";

export interface ChatLine {
  key: string; // stable per message: "r<seq>" or "d<direct_seq>"
  seq: number; // room-stream seq (room scope), else 0
  from: number;
  to: number;
  text: string;
  scope: ChatScope;
  sentAtMs: number;
}

export interface Alert {
  signalId: number;
  from: number;
  raisedAtMs: number;
  acknowledgedBy: number; // 0 while open
}

export interface PollView {
  pollId: number;
  question: string;
  scale?: { min: number; max: number };
  choices?: string[];
  open: boolean;
  answered: number;
  counts: number[];
  answers: Map<number, number>; // member id -> value or choice index
}

export type Announcement = { text: string; urgent: boolean };

const MAX_CHAT = 200;

export function isStaff(role: Role): boolean {
  return role === Role.FACILITATOR || role === Role.CO_FACILITATOR;
}

export class RoomModel {
  myId = 0;
  members = new Map<number, Member>();
  chat: ChatLine[] = [];
  floor: FloorState | undefined;
  alerts = new Map<number, Alert>();
  lobby: LobbyState | undefined;
  bans: BannedPerson[] = [];
  polls = new Map<number, PollView>();
  summaries: RoundSummary[] = [];
  airtime: AirtimeReport | undefined;
  typing = new Set<number>();
  locked = false;
  chatPolicy: ChatPolicy = 0;
  breakState: Break | undefined;
  readonly breakouts = new Breakouts();

  get me(): Member | undefined {
    return this.members.get(this.myId);
  }

  get staff(): boolean {
    const me = this.me;
    return me !== undefined && isStaff(me.role);
  }

  name(memberId: number): string {
    if (memberId === this.myId) {
      return "You";
    }
    return this.members.get(memberId)?.displayName ?? `Member ${memberId}`;
  }

  /** Replaces everything with a join's snapshot. */
  reset(join: JoinResult): void {
    const s = join.snapshot;
    this.myId = join.memberId;
    this.members = new Map((s?.members ?? []).map((m) => [m.memberId, m]));
    this.chat = (s?.recentChat ?? []).map((c) => ({
      key: `r${c.seq}`, seq: c.seq, from: c.fromMemberId, to: c.toMemberId, text: c.text, scope: c.scope, sentAtMs: Number(c.sentAtMs),
    }));
    this.floor = s?.floor;
    this.alerts = new Map((s?.openDistress ?? []).map((d) => [d.signalId, { signalId: d.signalId, from: d.fromMemberId, raisedAtMs: Number(d.raisedAtMs), acknowledgedBy: 0 }]));
    this.lobby = s?.lobby;
    this.bans = s?.bans ?? [];
    this.polls = new Map((s?.polls ?? []).map((p) => [p.pollId, pollFromState(p)]));
    this.airtime = s?.airtime;
    this.locked = s?.locked ?? false;
    this.chatPolicy = s?.chatPolicy ?? 0;
    this.breakState = s?.breakState?.active ? s.breakState : undefined;
    this.breakouts.reset(s, join.breakoutId);
    this.typing.clear();
  }

  /**
   * ServerMessage.moved: another room of the session. The room's state comes
   * from the snapshot; what arrived on the direct stream (private chat) stays,
   * since that stream goes on across the move.
   */
  moved(join: JoinResult): void {
    const direct = this.chat.filter((c) => c.key.startsWith("d"));
    this.reset(join);
    if (direct.length > 0) {
      this.chat = [...this.chat, ...direct].sort((a, b) => a.sentAtMs - b.sentAtMs).slice(-MAX_CHAT);
    }
  }

  apply(event: Event): Announcement[] {
    const b = event.body;
    const say: Announcement[] = [];
    switch (b.case) {
      case "memberJoined":
        if (b.value.member) {
          this.members.set(b.value.member.memberId, b.value.member);
        }
        break;
      case "memberPresence": {
        const m = this.members.get(b.value.memberId);
        if (m) {
          m.presence = b.value.presence;
        }
        break;
      }
      case "memberLeft":
        this.members.delete(b.value.memberId);
        this.typing.delete(b.value.memberId);
        break;
      case "chat": {
        const c = b.value;
        const key = event.seq ? `r${event.seq}` : `d${event.directSeq}`;
        this.chat.push({ key, seq: event.seq, from: c.fromMemberId, to: c.toMemberId, text: c.text, scope: c.scope, sentAtMs: Number(c.sentAtMs) });
        if (this.chat.length > MAX_CHAT) {
          this.chat.splice(0, this.chat.length - MAX_CHAT);
        }
        this.typing.delete(c.fromMemberId);
        break;
      }
      case "typing":
        if (b.value.active) {
          this.typing.add(b.value.memberId);
        } else {
          this.typing.delete(b.value.memberId);
        }
        break;
      case "floor":
        say.push(...this.floorAnnouncements(b.value.kind, b.value.subjectMemberId, b.value.state));
        this.floor = b.value.state;
        break;
      case "roundSummary":
        this.summaries.push(b.value);
        break;
      case "airtime":
        this.airtime = b.value;
        break;
      case "distressSignal": {
        const d = b.value;
        if (!this.alerts.has(d.signalId)) {
          say.push(d.fromMemberId === this.myId
            ? { text: "Your signal reached the facilitators privately.", urgent: false }
            : { text: `Distress signal from ${this.name(d.fromMemberId)}.`, urgent: true });
        }
        this.alerts.set(d.signalId, { signalId: d.signalId, from: d.fromMemberId, raisedAtMs: Number(d.raisedAtMs), acknowledgedBy: 0 });
        break;
      }
      case "distressAcknowledged": {
        const a = this.alerts.get(b.value.signalId);
        if (a) {
          a.acknowledgedBy = b.value.byMemberId;
          if (a.from === this.myId) {
            say.push({ text: `${this.name(b.value.byMemberId)} saw your signal and will reach out.`, urgent: true });
          }
        }
        break;
      }
      case "memberModeration": {
        const m = this.members.get(b.value.memberId);
        if (m) {
          m.chatMuted = b.value.chatMuted;
          m.floorMuted = b.value.floorMuted;
          m.mayUnmuteSelf = b.value.mayUnmuteSelf;
        }
        break;
      }
      case "roomLocked":
        this.locked = b.value.locked;
        break;
      case "chatDeleted":
        this.chat = this.chat.filter((c) => c.seq !== b.value.seq);
        break;
      case "memberRoleChanged": {
        const m = this.members.get(b.value.memberId);
        if (m) {
          m.role = b.value.role;
        }
        break;
      }
      case "lobbyChanged":
        this.lobby = b.value.lobby;
        break;
      case "bansChanged":
        this.bans = b.value.bans;
        break;
      case "pollStarted": {
        const p = b.value;
        this.polls.set(p.pollId, {
          pollId: p.pollId, question: p.question, open: true, answered: 0, counts: [], answers: new Map(),
          scale: p.kind.case === "scale" ? { min: p.kind.value.min, max: p.kind.value.max } : undefined,
          choices: p.kind.case === "choices" ? p.kind.value.choices : undefined,
        });
        say.push({ text: `New check-in: ${p.question}`, urgent: false });
        break;
      }
      case "pollAnswer":
        this.polls.get(b.value.pollId)?.answers.set(b.value.memberId, answerValue(b.value));
        break;
      case "pollClosed": {
        const p = this.polls.get(b.value.pollId);
        if (p) {
          p.open = false;
          p.answered = b.value.answered;
          if (b.value.counts.length > 0) {
            p.counts = b.value.counts;
          }
          for (const a of b.value.answers) {
            p.answers.set(a.memberId, answerValue(a));
          }
        }
        break;
      }
      case "breakChanged":
        this.breakState = b.value.breakState?.active ? b.value.breakState : undefined;
        say.push({ text: this.breakState ? "The group is on a break." : "The break is over.", urgent: false });
        break;
      case "breakoutsChanged":
      case "breakoutBroadcast":
      case "facilitatorCalled":
        say.push(...this.breakouts.apply(event, this));
        break;
      case undefined:
        break;
    }
    return say;
  }

  /** Present members in join order (member ids grow with joins). */
  roster(): Member[] {
    return [...this.members.values()].sort((a, b) => a.memberId - b.memberId);
  }

  isPresent(memberId: number): boolean {
    return this.members.get(memberId)?.presence === Presence.PRESENT;
  }

  private floorAnnouncements(kind: FloorChangeKind, subject: number, state: FloorState | undefined): Announcement[] {
    const holder = state?.turn?.memberId ?? 0;
    const before = this.floor?.turn?.memberId ?? 0;
    const out: Announcement[] = [];
    if (kind === FloorChangeKind.FLOOR_CHANGE_ROUND_STARTED) {
      out.push({ text: `A round started${state?.round?.label ? `: ${state.round.label}` : ""}.`, urgent: false });
    }
    if (kind === FloorChangeKind.FLOOR_CHANGE_ROUND_ENDED) {
      out.push({ text: "The round ended.", urgent: false });
    }
    if (kind === FloorChangeKind.FLOOR_CHANGE_TURN_WARNING && subject === this.myId) {
      out.push({ text: "Your time is almost up.", urgent: true });
    }
    if (holder !== before) {
      if (holder === 0) {
        out.push({ text: "The floor is free.", urgent: false });
      } else if (holder === this.myId) {
        out.push({ text: "It is your turn to speak.", urgent: true });
      } else {
        out.push({ text: `${this.name(holder)} has the floor.`, urgent: false });
      }
    }
    return out;
  }
}

function answerValue(a: PollAnswer): number {
  return a.answer.case === undefined ? 0 : a.answer.value;
}

function pollFromState(p: PollState): PollView {
  return {
    pollId: p.pollId, question: p.question, open: p.open, answered: p.answered, counts: p.counts,
    answers: new Map(p.answers.map((a) => [a.memberId, answerValue(a)])),
    scale: p.kind.case === "scale" ? { min: p.kind.value.min, max: p.kind.value.max } : undefined,
    choices: p.kind.case === "choices" ? p.kind.value.choices : undefined,
  };
}
