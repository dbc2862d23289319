// Test helper: a server frame from encoded records (varint length prefixes).
export function frameOf(...bodies: Uint8Array[]): Uint8Array {
  const out: number[] = [];
  for (const b of bodies) {
    let n = b.length;
    while (n > 0x7f) {
      out.push((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    out.push(n, ...b);
  }
  return Uint8Array.from(out);
}
