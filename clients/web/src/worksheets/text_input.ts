// What a text box needs from the algorithm: turn an input's old and new value
// into a minimal edit in code points, and keep the caret in place when a
// remote edit changes the value under it. Positions in the DOM are UTF-16
// units; the protocol counts code points (an emoji is two units, one point).
import { pushDelete, pushInsert, pushRetain, trim, type TextOp } from "./text_op";

/** The code-point position of a UTF-16 index (never inside a surrogate pair). */
export function toCodePoints(s: string, utf16: number): number {
  return [...s.slice(0, utf16)].length;
}

/** The UTF-16 index of a code-point position. */
export function toUtf16(s: string, cp: number): number {
  let units = 0;
  let n = 0;
  for (const ch of s) {
    if (n === cp) {
      break;
    }
    units += ch.length;
    n++;
  }
  return units;
}

// The common prefix and suffix in code points, not overlapping. `most` caps
// the prefix: typing "a" into "a|a" could be read as an insert at 1 or at 2.
function common(a: string[], b: string[], most = Infinity): [number, number] {
  let pre = 0;
  while (pre < a.length && pre < b.length && pre < most && a[pre] === b[pre]) {
    pre++;
  }
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) {
    suf++;
  }
  return [pre, suf];
}

/**
 * The canonical edit that turns `before` into `after`: keep the common
 * prefix and suffix, replace what lies between. Undefined when equal.
 * `caretAfter` (code points, the caret once the input changed) places the
 * edit where the person typed when the text alone is ambiguous.
 */
export function diffEdit(before: string, after: string, caretAfter?: number): TextOp | undefined {
  if (before === after) {
    return undefined;
  }
  const a = [...before];
  const b = [...after];
  const most = caretAfter === undefined ? Infinity : Math.max(0, caretAfter - Math.max(0, b.length - a.length));
  const [pre, suf] = common(a, b, most);
  const op: TextOp = [];
  pushRetain(op, pre);
  pushInsert(op, b.slice(pre, b.length - suf).join(""));
  pushDelete(op, a.length - pre - suf);
  return trim(op);
}

/**
 * Where a caret (code points) goes when the value changes from `before` to
 * `after` under it: unchanged before the edit, shifted by the change in
 * length after it, at the end of the new text when it sat inside the edit.
 */
export function mapCaret(before: string, after: string, caret: number): number {
  const a = [...before];
  const b = [...after];
  const [pre, suf] = common(a, b);
  if (caret <= pre) {
    return caret;
  }
  if (caret >= a.length - suf) {
    return caret + b.length - a.length;
  }
  return b.length - suf;
}
