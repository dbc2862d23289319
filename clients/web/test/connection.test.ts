// The connection against a scripted fake server: Hello+Join in one frame,
// Pong for Ping, resume after a drop with the last positions, chat resent
// with the same client_msg_id, no reconnect after a final close code.
import { test } from "node:test";
import assert from "node:assert/strict";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { ClientMessageSchema, ServerMessageSchema, type ClientMessage, type ServerMessage } from "../src/gen/hearth/v1/envelope_pb";
import { ChatScope } from "../src/gen/hearth/v1/room_pb";
import { Backoff } from "../src/net/backoff";
import { Connection, type ConnectionHandlers, type LinkState, type SocketLike } from "../src/net/connection";
import { frameOf } from "./wire";

class FakeSocket implements SocketLike {
  binaryType = "";
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  sent: ClientMessage[][] = [];
  closed = false;

  send(data: Uint8Array): void {
    const records: ClientMessage[] = [];
    let at = 0;
    while (at < data.length) {
      const len = data[at]; // test messages stay under 128 bytes
      records.push(fromBinary(ClientMessageSchema, data.subarray(at + 1, at + 1 + len)));
      at += 1 + len;
    }
    this.sent.push(records);
  }
  close(): void {
    this.closed = true;
  }
  deliver(...messages: ServerMessage[]): void {
    const frame = frameOf(...messages.map((m) => toBinary(ServerMessageSchema, m)));
    this.onmessage?.({ data: frame.buffer });
  }
  drop(code: number): void {
    this.onclose?.({ code });
  }
}

const msg = (kind: ServerMessage["kind"]) => create(ServerMessageSchema, { kind } as never);
const reply = (requestId: number, outcome: Record<string, unknown>) => msg({ case: "reply", value: { requestId, outcome } } as never);

function harness() {
  const sockets: FakeSocket[] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  const states: LinkState[] = [];
  const events: number[] = [];
  const moves: number[] = [];
  const handlers: ConnectionHandlers = {
    state: (s) => states.push(s),
    hello: () => {},
    joined: () => {},
    moved: (j) => moves.push(j.breakoutId),
    lobby: () => {},
    event: (e) => events.push(e.seq || -e.directSeq),
    serverTime: () => {},
    outboxChanged: () => {},
    chatRefused: () => {},
  };
  const conn = new Connection({
    url: "ws://test/v1/ws",
    token: "tok",
    handlers,
    socket: () => {
      const s = new FakeSocket();
      sockets.push(s);
      return s;
    },
    backoff: new Backoff({ random: () => 0 }),
    setTimer: (fn, ms) => {
      const t = { fn, ms };
      timers.push(t);
      return t;
    },
    clearTimer: (t) => {
      const i = timers.indexOf(t as never);
      if (i >= 0) timers.splice(i, 1);
    },
  });
  return { conn, sockets, timers, states, events, moves };
}

function joinReply(s: FakeSocket, epoch: string, headSeq: number, recovered: boolean, breakoutId = 0) {
  const [hello, joinMsg] = s.sent[0];
  s.deliver(
    reply(hello.requestId, { case: "hello", value: { roomId: "r", pingIntervalMs: 25000, pongTimeoutMs: 10000 } }),
    reply(joinMsg.requestId, { case: "join", value: { roomId: "r", epoch, headSeq, memberId: 2, recovered, breakoutId, snapshot: recovered ? undefined : { breakoutId } } }),
  );
}

test("hello and join go in one frame; a ping is answered with its nonce", () => {
  const h = harness();
  h.conn.start();
  const s = h.sockets[0];
  s.onopen?.({});
  assert.deepEqual(s.sent[0].map((m) => m.command.case), ["hello", "joinRoom"]);
  assert.equal(s.sent[0][1].command.case === "joinRoom" && s.sent[0][1].command.value.resume, undefined);
  joinReply(s, "e1", 5, false);
  assert.equal(h.conn.linkState, "online");
  s.deliver(msg({ case: "ping", value: { nonce: 42n, serverTimeMs: 1n } } as never));
  const pong = s.sent.at(-1)![0];
  assert.equal(pong.requestId, 0);
  assert.equal(pong.command.case === "pong" && pong.command.value.nonce, 42n);
});

test("after a drop it resumes from the last events and resends unconfirmed chat with the same id", () => {
  const h = harness();
  h.conn.start();
  const s1 = h.sockets[0];
  s1.onopen?.({});
  joinReply(s1, "e1", 5, false);
  s1.deliver(msg({ case: "event", value: { seq: 6 } } as never), msg({ case: "event", value: { directSeq: 1 } } as never));
  h.conn.sendChat("hello", ChatScope.ROOM);
  const first = s1.sent.at(-1)![0];
  assert.equal(first.command.case, "sendChat");
  s1.drop(1006);
  assert.equal(h.conn.linkState, "reconnecting");
  h.conn.sendChat("typed while offline", ChatScope.FACILITATORS);
  const retry = h.timers.find((t) => t.ms === 250)!;
  assert.ok(retry, "first retry after the jittered 0.5 s");
  retry.fn();
  const s2 = h.sockets[1];
  s2.onopen?.({});
  const join = s2.sent[0][1];
  assert.ok(join.command.case === "joinRoom");
  assert.deepEqual(
    { epoch: join.command.value.resume?.epoch, last: join.command.value.resume?.lastSeq, direct: join.command.value.resume?.lastDirectSeq },
    { epoch: "e1", last: 6, direct: 1 });
  joinReply(s2, "e1", 7, true);
  const resent = s2.sent.slice(1).flat().filter((m) => m.command.case === "sendChat");
  assert.equal(resent.length, 2);
  assert.ok(resent[0].command.case === "sendChat" && first.command.case === "sendChat");
  assert.equal(resent[0].command.value.clientMsgId, first.command.value.clientMsgId);
  assert.equal(resent[0].command.value.text, "hello");
  assert.ok(resent[1].command.case === "sendChat" && resent[1].command.value.text === "typed while offline");
  // The replay fills in seq 7; a repeated 6 is dropped; a confirmed chat leaves the outbox.
  s2.deliver(msg({ case: "event", value: { seq: 6 } } as never), msg({ case: "event", value: { seq: 7 } } as never));
  assert.deepEqual(h.events, [6, -1, 7]);
  s2.deliver(reply(resent[0].requestId, { case: "chat", value: { seq: 8, duplicate: true } }));
  assert.equal(h.conn.outbox.pending().length, 1);
});

test("a gap in the stream drops the socket and resumes", () => {
  const h = harness();
  h.conn.start();
  h.sockets[0].onopen?.({});
  joinReply(h.sockets[0], "e1", 5, false);
  h.sockets[0].deliver(msg({ case: "event", value: { seq: 7 } } as never));
  assert.equal(h.sockets[0].closed, true);
  assert.equal(h.conn.linkState, "reconnecting");
  assert.deepEqual(h.events, []);
});

test("a final close code stops reconnecting; the Disconnect's code wins", () => {
  const h = harness();
  h.conn.start();
  h.sockets[0].onopen?.({});
  joinReply(h.sockets[0], "e1", 5, false);
  h.sockets[0].deliver(msg({ case: "disconnect", value: { code: 4505, reconnect: false } } as never));
  h.sockets[0].drop(1006);
  assert.equal(h.conn.linkState, "closed");
  assert.equal(h.timers.filter((t) => t.ms < 60000).length, 0);
});

test("a lobby join waits, then admission enters the room", () => {
  const h = harness();
  h.conn.start();
  const s = h.sockets[0];
  s.onopen?.({});
  const [hello, join] = s.sent[0];
  s.deliver(reply(hello.requestId, { case: "hello", value: {} }),
    reply(join.requestId, { case: "join", value: { lobby: { waitingId: 3, message: "soon" } } }));
  assert.equal(h.conn.linkState, "waiting");
  s.deliver(msg({ case: "admitted", value: { join: { epoch: "e9", headSeq: 4, memberId: 5, snapshot: {} } } } as never));
  assert.equal(h.conn.linkState, "online");
  assert.equal(h.conn.tracker.position()?.epoch, "e9");
});

test("a move restarts the room stream at the new room's head; the direct stream goes on; resume names the room", () => {
  const h = harness();
  h.conn.start();
  const s1 = h.sockets[0];
  s1.onopen?.({});
  joinReply(s1, "e1", 5, false);
  s1.deliver(msg({ case: "event", value: { seq: 6 } } as never), msg({ case: "event", value: { directSeq: 1 } } as never));
  // Into breakout 2, whose stream is at 3: its events count from 4.
  s1.deliver(
    msg({ case: "moved", value: { join: { epoch: "e1", headSeq: 3, directHeadSeq: 1, memberId: 2, breakoutId: 2, snapshot: { breakoutId: 2 } } } } as never),
    msg({ case: "event", value: { seq: 4, breakoutId: 2 } } as never),
    msg({ case: "event", value: { directSeq: 2 } } as never),
  );
  assert.deepEqual(h.moves, [2]);
  assert.deepEqual(h.events, [6, -1, 4, -2]);
  assert.equal(h.conn.linkState, "online", "no gap: the breakout's stream is not the main room's");
  s1.drop(1006);
  h.timers.find((t) => t.ms === 250)!.fn();
  const s2 = h.sockets[1];
  s2.onopen?.({});
  const join = s2.sent[0][1];
  assert.ok(join.command.case === "joinRoom");
  const r = join.command.value.resume;
  assert.deepEqual([r?.epoch, r?.lastSeq, r?.lastDirectSeq, r?.breakoutId], ["e1", 4, 2, 2]);
  // Recalled while away: the server answers with the main room's snapshot.
  joinReply(s2, "e1", 9, false, 0);
  assert.equal(h.conn.tracker.position()?.breakoutId, 0);
  assert.equal(h.conn.tracker.position()?.lastSeq, 9);
});

test("an event of another room's stream is neither shown nor counted", () => {
  const h = harness();
  h.conn.start();
  h.sockets[0].onopen?.({});
  joinReply(h.sockets[0], "e1", 5, false);
  h.sockets[0].deliver(msg({ case: "event", value: { seq: 9, breakoutId: 1 } } as never), msg({ case: "event", value: { seq: 6 } } as never));
  assert.deepEqual(h.events, [6]);
  assert.equal(h.conn.linkState, "online");
});
