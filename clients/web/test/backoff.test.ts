// Reconnect backoff: doubling from 0.5 s with jitter, capped at 30 s, reset
// after a good connection, longer after a rate-limit close; close codes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Backoff } from "../src/net/backoff";
import { decideOnClose } from "../src/net/close_codes";

test("delays double from 0.5 s up to the 30 s cap", () => {
  const top = new Backoff({ random: () => 0.999999 });
  const ceilings = Array.from({ length: 9 }, () => top.next());
  assert.deepEqual(ceilings, [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  const bottom = new Backoff({ random: () => 0 });
  assert.deepEqual([bottom.next(), bottom.next(), bottom.next()], [250, 500, 1000]);
});

test("jitter stays between half the ceiling and the ceiling", () => {
  for (let i = 0; i < 200; i++) {
    const b = new Backoff();
    for (let k = 0; k < 10; k++) {
      const ceiling = Math.min(30000, 500 * 2 ** k);
      const d = b.next();
      assert.ok(d >= ceiling / 2 && d <= ceiling, `${d} outside [${ceiling / 2}, ${ceiling}]`);
    }
  }
});

test("reset starts over; a rate-limit close waits longer", () => {
  const b = new Backoff({ random: () => 0.999999 });
  b.next();
  b.next();
  b.reset();
  assert.equal(b.next(), 500);
  assert.equal(new Backoff({ random: () => 0.999999 }).next(true), 2000);
});

test("4000-4499 and drops reconnect; 4500-4999 and an expired token stop", () => {
  for (const code of [4000, 4001, 4002, 4004, 1006, 1000, 1001]) {
    assert.equal(decideOnClose(code).reconnect, true, String(code));
  }
  assert.deepEqual(decideOnClose(4005), { reconnect: true, slow: true });
  for (const code of [4003, 4500, 4502, 4503, 4505, 4506, 4507, 4508, 4509, 4600, 1009]) {
    const d = decideOnClose(code);
    assert.equal(d.reconnect, false, String(code));
    assert.ok(!d.reconnect && d.message.length > 0);
  }
});
