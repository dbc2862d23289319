// One logical connection to hearthd that survives network drops: Hello and
// JoinRoom (with resume) on every socket, Pong for every Ping, replies matched
// by request id, events filtered through the resume tracker, moves between
// the rooms of a session (breakouts), chat kept in an outbox until the server
// confirms it, and reconnects with backoff.
import { create } from "@bufbuild/protobuf";
import type { Event } from "../gen/hearth/v1/room_pb";
import {
  JoinRoomSchema,
  ResumePositionSchema,
  type HelloResult,
  type JoinResult,
  type Reply,
  type ServerMessage,
} from "../gen/hearth/v1/envelope_pb";
import type { LobbyStatus } from "../gen/hearth/v1/lobby_pb";
import { ErrorCode } from "../gen/hearth/v1/errors_pb";
import { clientMessage, decodeFrame, encodeFrame, type ClientCommand } from "../proto/frame";
import { Backoff } from "./backoff";
import { decideOnClose } from "./close_codes";
import { Outbox, type OutgoingChat } from "./outbox";
import { ResumeTracker } from "./resume";

export type LinkState = "connecting" | "waiting" | "online" | "reconnecting" | "closed";

export interface ConnectionHandlers {
  state(state: LinkState, detail: string): void;
  hello(result: HelloResult): void;
  /** A join or an admission; `fresh`: rebuild from its snapshot. */
  joined(result: JoinResult, fresh: boolean): void;
  /** The member went into another room of the session: rebuild from `result`'s snapshot. */
  moved(result: JoinResult): void;
  lobby(status: LobbyStatus): void;
  event(event: Event): void;
  serverTime(ms: number): void;
  outboxChanged(pending: readonly OutgoingChat[]): void;
  /** A refused chat (the text comes back to the person). */
  chatRefused(item: OutgoingChat, reply: Reply): void;
}

export interface SocketLike {
  binaryType: string;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: Uint8Array): void;
  close(code?: number): void;
}

export interface ConnectionOptions {
  url: string;
  token: string;
  handlers: ConnectionHandlers;
  socket?: (url: string) => SocketLike;
  backoff?: Backoff;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
}

export class Connection {
  readonly outbox = new Outbox();
  readonly tracker = new ResumeTracker();
  private socket: SocketLike | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, (reply: Reply) => void>();
  private readonly chatByRequest = new Map<number, OutgoingChat>();
  private joinRequest = 0;
  private state: LinkState = "connecting";
  private retryTimer: unknown;
  private watchdog: unknown;
  private silenceLimitMs = 60_000;
  private disconnectCode = 0;
  private stopped = false;
  private readonly backoff: Backoff;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (t: unknown) => void;

  constructor(private readonly options: ConnectionOptions) {
    this.backoff = options.backoff ?? new Backoff();
    this.setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = options.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>));
  }

  get linkState(): LinkState {
    return this.state;
  }

  start(): void {
    this.open();
  }

  /** Reconnect now instead of waiting out the backoff (the network came back). */
  retryNow(): void {
    if (this.state === "reconnecting" && this.socket === undefined) {
      this.clearTimer(this.retryTimer);
      this.open();
    }
  }

  /** Sends a room command; resolves with its reply. Refused while not in the room. */
  request(command: ClientCommand): Promise<Reply> {
    if (this.state !== "online" || !this.socket) {
      return Promise.reject(new Error("Not connected: try again in a moment."));
    }
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.send([clientMessage(id, command)]);
    });
  }

  /** Queues a chat; it goes now if online, otherwise after the next join. */
  sendChat(text: string, scope: number, toMemberId = 0): void {
    this.outbox.add(text, scope, toMemberId);
    this.options.handlers.outboxChanged(this.outbox.pending());
    if (this.state === "online") {
      this.flushOutbox();
    }
  }

  /** Leaves for good (the person closed the session). */
  stop(): void {
    this.stopped = true;
    this.clearTimer(this.retryTimer);
    this.clearTimer(this.watchdog);
    this.socket?.close(1000);
    this.setState("closed", "You left the session.");
  }

  private open(): void {
    this.setState(this.tracker.position() ? "reconnecting" : "connecting", "Connecting…");
    const make = this.options.socket ?? ((url: string) => new WebSocket(url, "hearth.v1") as unknown as SocketLike);
    const socket = make(this.options.url);
    socket.binaryType = "arraybuffer";
    this.socket = socket;
    this.disconnectCode = 0;
    socket.onopen = () => this.onOpen(socket);
    socket.onmessage = (ev) => {
      if (socket === this.socket && ev.data instanceof ArrayBuffer) {
        this.onFrame(new Uint8Array(ev.data));
      }
    };
    socket.onclose = (ev) => this.onClose(socket, ev.code);
    socket.onerror = () => {};
  }

  private onOpen(socket: SocketLike): void {
    if (socket !== this.socket) {
      return;
    }
    const position = this.tracker.position();
    const join = create(JoinRoomSchema, {
      resume: position ? create(ResumePositionSchema, position) : undefined,
    });
    const helloId = this.nextId++;
    this.joinRequest = this.nextId++;
    // Hello and JoinRoom travel in one frame: one round trip to the room.
    this.send([
      clientMessage(helloId, { case: "hello", value: { token: this.options.token, clientName: "hearth-web", clientVersion: "0.1.0" } }),
      clientMessage(this.joinRequest, { case: "joinRoom", value: join }),
    ]);
    this.armWatchdog();
  }

  private onFrame(bytes: Uint8Array): void {
    let messages: ServerMessage[];
    try {
      messages = decodeFrame(bytes);
    } catch {
      return this.dropAndResume();
    }
    this.armWatchdog();
    for (const m of messages) {
      this.onMessage(m);
    }
  }

  private onMessage(m: ServerMessage): void {
    const h = this.options.handlers;
    switch (m.kind.case) {
      case "ping":
        h.serverTime(Number(m.kind.value.serverTimeMs));
        this.send([clientMessage(0, { case: "pong", value: { nonce: m.kind.value.nonce } })]);
        return;
      case "reply":
        return this.onReply(m.kind.value);
      case "event": {
        const event = m.kind.value;
        const verdict = this.tracker.accept(event);
        if (verdict === "gap") {
          return this.dropAndResume(); // resume fills the hole
        }
        if (verdict === "apply" || verdict === "ephemeral") {
          h.serverTime(Number(event.serverTimeMs));
          h.event(event);
        }
        return;
      }
      case "lobby":
        return h.lobby(m.kind.value);
      case "admitted":
        if (m.kind.value.join) {
          this.enter(m.kind.value.join);
        }
        return;
      case "moved":
        if (m.kind.value.join && this.state === "online") {
          this.tracker.moved(m.kind.value.join);
          h.moved(m.kind.value.join);
        }
        return;
      case "disconnect":
        this.disconnectCode = m.kind.value.code;
        return;
      case undefined:
        return;
    }
  }

  private onReply(reply: Reply): void {
    const h = this.options.handlers;
    const outcome = reply.outcome;
    if (outcome.case === "hello") {
      this.silenceLimitMs = outcome.value.pingIntervalMs + 2 * outcome.value.pongTimeoutMs + 5_000;
      h.hello(outcome.value);
      return;
    }
    if (reply.requestId === this.joinRequest) {
      this.joinRequest = 0;
      if (outcome.case === "join") {
        if (outcome.value.lobby) {
          this.backoff.reset();
          this.setState("waiting", "In the waiting room");
          h.lobby(outcome.value.lobby);
        } else {
          this.enter(outcome.value);
        }
      } else if (outcome.case === "error") {
        this.joinRefused(outcome.value.code, outcome.value.temporary);
      }
      return;
    }
    const chat = this.chatByRequest.get(reply.requestId);
    if (chat) {
      this.chatByRequest.delete(reply.requestId);
      if (outcome.case === "error" && outcome.value.temporary) {
        chat.inFlight = false; // try again with the next connection or flush
      } else {
        this.outbox.settle(chat.clientMsgId);
        if (outcome.case === "error") {
          h.chatRefused(chat, reply);
        }
      }
      h.outboxChanged(this.outbox.pending());
      return;
    }
    const resolve = this.pending.get(reply.requestId);
    if (resolve) {
      this.pending.delete(reply.requestId);
      resolve(reply);
    }
  }

  private enter(result: JoinResult): void {
    const fresh = this.tracker.joined(result);
    this.backoff.reset();
    this.options.handlers.joined(result, fresh);
    this.setState("online", "Connected");
    this.flushOutbox();
  }

  private joinRefused(code: ErrorCode, temporary: boolean): void {
    if (temporary) {
      return this.dropAndResume();
    }
    const text: Partial<Record<ErrorCode, string>> = {
      [ErrorCode.ROOM_LOCKED]: "The room is locked. Ask your facilitator to let you in.",
      [ErrorCode.SESSION_ENDED]: "This session has ended.",
      [ErrorCode.BANNED]: "You cannot join this session.",
      [ErrorCode.LIMIT_EXCEEDED]: "The room is full.",
      [ErrorCode.PERMISSION_DENIED]: "This join link is for another room.",
    };
    this.finish(text[code] ?? "The room refused this join link.");
  }

  private flushOutbox(): void {
    for (const item of this.outbox.takeUnsent()) {
      const id = this.nextId++;
      this.chatByRequest.set(id, item);
      this.send([
        clientMessage(id, {
          case: "sendChat",
          value: { text: item.text, scope: item.scope, clientMsgId: item.clientMsgId, toMemberId: item.toMemberId },
        }),
      ]);
    }
    this.options.handlers.outboxChanged(this.outbox.pending());
  }

  private send(messages: ReturnType<typeof clientMessage>[]): void {
    this.socket?.send(encodeFrame(messages));
  }

  // Browsers cannot see a half-open TCP connection: if the server's pings
  // stop arriving, give up on the socket and resume on a new one.
  private armWatchdog(): void {
    this.clearTimer(this.watchdog);
    this.watchdog = this.setTimer(() => this.dropAndResume(), this.silenceLimitMs);
  }

  private dropAndResume(): void {
    const socket = this.socket;
    if (socket) {
      socket.close(1000);
      this.onClose(socket, 4000);
    }
  }

  private onClose(socket: SocketLike, closeCode: number): void {
    if (socket !== this.socket) {
      return;
    }
    this.socket = undefined;
    this.clearTimer(this.watchdog);
    this.pending.forEach((resolve, id) => resolve({ requestId: id, outcome: { case: "error", value: { code: ErrorCode.INTERNAL, message: "connection lost", temporary: true } } } as Reply));
    this.pending.clear();
    this.chatByRequest.clear();
    this.outbox.connectionLost();
    if (this.stopped) {
      return;
    }
    const decision = decideOnClose(this.disconnectCode || closeCode);
    if (!decision.reconnect) {
      return this.finish(decision.message);
    }
    const delay = this.backoff.next(decision.slow);
    this.setState("reconnecting", `Reconnecting in ${Math.ceil(delay / 1000)} s…`);
    this.retryTimer = this.setTimer(() => this.open(), delay);
  }

  private finish(message: string): void {
    this.stopped = true;
    this.clearTimer(this.watchdog);
    this.socket?.close(1000);
    this.socket = undefined;
    this.setState("closed", message);
  }

  private setState(state: LinkState, detail: string): void {
    this.state = state;
    this.options.handlers.state(state, detail);
  }
}
