// Fractional order keys for list items (a port of order_key.cpp): items sort
// by (order_key, item_id), so inserting or moving an item never renumbers the
// others. Keys are base-36 fractions 0.d1d2d3...; the midpoint digit by digit.

const DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz";
const BASE = 36;
const MAX_KEY = 64;

const value = (c: string): number => DIGITS.indexOf(c);

// lo may be empty (zero); hiIsOne: hi is one (above every key).
function midpoint(lo: string, hi: string, hiIsOne: boolean): string {
  if (!hiIsOne) {
    // Skip the shared prefix (lo padded with zeros).
    let n = 0;
    while (n < hi.length && (n < lo.length ? lo[n] : "0") === hi[n]) {
      n++;
    }
    if (n > 0) {
      return hi.slice(0, n) + midpoint(lo.slice(Math.min(n, lo.length)), hi.slice(n), false);
    }
  }
  const a = lo === "" ? 0 : value(lo[0]);
  const b = hiIsOne ? BASE : value(hi[0]);
  if (b - a > 1) {
    return DIGITS[Math.floor((a + b) / 2)];
  }
  if (!hiIsOne && hi.length > 1) {
    return hi[0];
  }
  return DIGITS[a] + midpoint(lo === "" ? lo : lo.slice(1), "", true);
}

/** 1 to 64 of [0-9a-z], not ending in '0' (so a key always exists between two keys). */
export function validOrderKey(key: string): boolean {
  return key.length > 0 && key.length <= MAX_KEY && !key.endsWith("0") && [...key].every((c) => value(c) >= 0);
}

/** Byte order of keys (they are ASCII, so code-unit order is byte order). */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A key strictly between `lo` and `hi`; an empty `lo` means before everything,
 * an empty `hi` after everything. Requires lo < hi when both are given.
 */
export function keyBetween(lo: string, hi: string): string {
  if (hi !== "" && !(lo < hi)) {
    throw new Error("keyBetween: lo must be below hi");
  }
  return midpoint(lo, hi, hi === "");
}
