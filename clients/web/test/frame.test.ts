// Framing: the documented example bytes, several records per frame, and
// malformed frames refused.
import { test } from "node:test";
import assert from "node:assert/strict";
import { create, toBinary } from "@bufbuild/protobuf";
import { ServerMessageSchema } from "../src/gen/hearth/v1/envelope_pb";
import { clientMessage, decodeFrame, encodeFrame } from "../src/proto/frame";
import { frameOf } from "./wire";

test("Pong{nonce:1} with request_id 0 is the frame 04 7a 02 08 01 (docs/protocol.md)", () => {
  const frame = encodeFrame([clientMessage(0, { case: "pong", value: { nonce: 1n } })]);
  assert.deepEqual([...frame], [0x04, 0x7a, 0x02, 0x08, 0x01]);
});

test("Hello and JoinRoom travel as two records in one frame", () => {
  const frame = encodeFrame([
    clientMessage(1, { case: "hello", value: { token: "t" } }),
    clientMessage(2, { case: "joinRoom", value: {} }),
  ]);
  // record 1: id 1, hello{token:"t"}; record 2: id 2, join_room{}.
  assert.deepEqual([...frame], [0x07, 0x08, 0x01, 0x52, 0x03, 0x0a, 0x01, 0x74, 0x04, 0x08, 0x02, 0x5a, 0x00]);
});

test("a frame holds 1 to 16 messages", () => {
  assert.throws(() => encodeFrame([]), RangeError);
  const many = Array.from({ length: 17 }, () => clientMessage(0, { case: "pong", value: {} }));
  assert.throws(() => encodeFrame(many), RangeError);
  assert.equal(encodeFrame(many.slice(0, 16)).length, 16 * 3);
});

test("every record of a batched server frame is decoded in order", () => {
  const a = toBinary(ServerMessageSchema, create(ServerMessageSchema, { kind: { case: "ping", value: { nonce: 7n } } }));
  const big = create(ServerMessageSchema, { kind: { case: "event", value: { seq: 3, body: { case: "chat", value: { text: "x".repeat(300) } } } } });
  const b = toBinary(ServerMessageSchema, big); // over 127 bytes: a two-byte length prefix
  const messages = decodeFrame(frameOf(a, b));
  assert.equal(messages.length, 2);
  assert.equal(messages[0].kind.case, "ping");
  assert.equal(messages[1].kind.case, "event");
  if (messages[1].kind.case === "event" && messages[1].kind.value.body.case === "chat") {
    assert.equal(messages[1].kind.value.body.value.text.length, 300);
  } else {
    assert.fail("second record is not a chat event");
  }
});

test("truncated frames are refused", () => {
  assert.throws(() => decodeFrame(Uint8Array.from([0x05, 0x1a, 0x00])), RangeError);
  assert.throws(() => decodeFrame(Uint8Array.from([0x80])), RangeError);
  assert.throws(() => decodeFrame(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01])), RangeError);
  assert.deepEqual(decodeFrame(new Uint8Array(0)), []);
});
