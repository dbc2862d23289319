// Chat that the person sent but the server has not confirmed. Each message
// keeps its client_msg_id, so a resend after a reconnect is applied at most
// once (the server answers a repeat with duplicate = true).
import { ChatScope } from "../gen/hearth/v1/room_pb";

export interface OutgoingChat {
  clientMsgId: bigint;
  text: string;
  scope: ChatScope;
  toMemberId: number;
  inFlight: boolean; // sent on the current connection, reply not yet seen
}

export class Outbox {
  private readonly items: OutgoingChat[] = [];
  private counter = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Queues a message with a fresh id. Ids stay below 2^53 (JavaScript) and
   * grow across page loads: milliseconds times 1000 plus a counter.
   */
  add(text: string, scope: ChatScope, toMemberId = 0): OutgoingChat {
    this.counter = (this.counter + 1) % 1000;
    const item: OutgoingChat = {
      clientMsgId: BigInt(this.now()) * 1000n + BigInt(this.counter),
      text,
      scope,
      toMemberId,
      inFlight: false,
    };
    this.items.push(item);
    return item;
  }

  /** Messages to send now: everything not in flight on this connection. */
  takeUnsent(): OutgoingChat[] {
    const out = this.items.filter((i) => !i.inFlight);
    for (const i of out) {
      i.inFlight = true;
    }
    return out;
  }

  /** The connection dropped: whatever was in flight must be sent again. */
  connectionLost(): void {
    for (const i of this.items) {
      i.inFlight = false;
    }
  }

  /** The server answered (a result, or a final error): forget the message. */
  settle(clientMsgId: bigint): OutgoingChat | undefined {
    const at = this.items.findIndex((i) => i.clientMsgId === clientMsgId);
    return at < 0 ? undefined : this.items.splice(at, 1)[0];
  }

  pending(): readonly OutgoingChat[] {
    return this.items;
  }
}
