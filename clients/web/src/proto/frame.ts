// Framing (docs/protocol.md, section 2): a WebSocket binary message holds one
// or more records, each a varint length followed by one protobuf message.
import { create, fromBinary, toBinary, type MessageInitShape } from "@bufbuild/protobuf";
import {
  ClientMessageSchema,
  ServerMessageSchema,
  type ClientMessage,
  type ServerMessage,
} from "../gen/hearth/v1/envelope_pb";

/** The most records the server accepts in one client frame. */
export const MAX_RECORDS_PER_FRAME = 16;

export type ClientCommand = NonNullable<MessageInitShape<typeof ClientMessageSchema>["command"]>;

export function clientMessage(requestId: number, command: ClientCommand): ClientMessage {
  return create(ClientMessageSchema, { requestId, command });
}

function varintBytes(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

/** One frame holding `messages` (1 to 16 of them), each length-prefixed. */
export function encodeFrame(messages: ClientMessage[]): Uint8Array {
  if (messages.length === 0 || messages.length > MAX_RECORDS_PER_FRAME) {
    throw new RangeError(`a frame holds 1 to ${MAX_RECORDS_PER_FRAME} messages`);
  }
  const parts = messages.map((m) => {
    const body = toBinary(ClientMessageSchema, m);
    return { prefix: varintBytes(body.length), body };
  });
  const size = parts.reduce((n, p) => n + p.prefix.length + p.body.length, 0);
  const frame = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    frame.set(p.prefix, at);
    at += p.prefix.length;
    frame.set(p.body, at);
    at += p.body.length;
  }
  return frame;
}

/** Reads a varint at `at`; returns [value, next offset]. Throws on truncation. */
function readVarint(bytes: Uint8Array, at: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 5; i++) {
    if (at >= bytes.length) {
      throw new RangeError("truncated length prefix");
    }
    const b = bytes[at++];
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) {
      return [value, at];
    }
    scale *= 128;
  }
  throw new RangeError("length prefix too long");
}

/** Every ServerMessage in one frame, in order. Throws on a malformed frame. */
export function decodeFrame(bytes: Uint8Array): ServerMessage[] {
  const out: ServerMessage[] = [];
  let at = 0;
  while (at < bytes.length) {
    const [length, start] = readVarint(bytes, at);
    const end = start + length;
    if (end > bytes.length) {
      throw new RangeError("record runs past the end of the frame");
    }
    out.push(fromBinary(ServerMessageSchema, bytes.subarray(start, end)));
    at = end;
  }
  return out;
}
