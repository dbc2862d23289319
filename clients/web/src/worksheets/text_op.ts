// Text operations on code-point strings: retain / insert / delete, kept
// canonical, applied and transformed. A port of server/worksheets/text_op.cpp;
// counts are Unicode code points (an emoji is one, a combining mark is one).

export type TextPart =
  | { k: "retain"; n: number }
  | { k: "insert"; text: string }
  | { k: "delete"; n: number };

/** Canonical when built only through the push functions and trim(). */
export type TextOp = TextPart[];

/** Code points in `s` (not UTF-16 units). */
export function cpLength(s: string): number {
  let n = 0;
  for (const _ of s) {
    n++;
  }
  return n;
}

export function pushRetain(op: TextOp, n: number): void {
  if (n === 0) {
    return;
  }
  const last = op[op.length - 1];
  if (last?.k === "retain") {
    last.n += n;
  } else {
    op.push({ k: "retain", n });
  }
}

export function pushInsert(op: TextOp, text: string): void {
  if (text === "") {
    return;
  }
  // Deleting then inserting at one position equals inserting then deleting;
  // the canonical form puts the insert first so equal edits compare equal.
  let at = op.length;
  if (at > 0 && op[at - 1].k === "delete") {
    at--;
  }
  const before = op[at - 1];
  if (at > 0 && before.k === "insert") {
    before.text += text;
  } else {
    op.splice(at, 0, { k: "insert", text });
  }
}

export function pushDelete(op: TextOp, n: number): void {
  if (n === 0) {
    return;
  }
  const last = op[op.length - 1];
  if (last?.k === "delete") {
    last.n += n;
  } else {
    op.push({ k: "delete", n });
  }
}

/** Drops a trailing retain. */
export function trim(op: TextOp): TextOp {
  if (op[op.length - 1]?.k === "retain") {
    op.pop();
  }
  return op;
}

export function pushPart(op: TextOp, p: TextPart): void {
  switch (p.k) {
    case "retain": return pushRetain(op, p.n);
    case "insert": return pushInsert(op, p.text);
    case "delete": return pushDelete(op, p.n);
  }
}

/** How many code points the op reads: it applies to any text at least this long. */
export function baseLength(op: TextOp): number {
  return op.reduce((n, p) => (p.k === "insert" ? n : n + p.n), 0);
}

/** The text after `op`, or undefined when the op reads past its end. */
export function applyText(text: string, op: TextOp): string | undefined {
  const cps = [...text];
  if (baseLength(op) > cps.length) {
    return undefined;
  }
  let out = "";
  let pos = 0;
  for (const p of op) {
    switch (p.k) {
      case "retain":
        out += cps.slice(pos, pos + p.n).join("");
        pos += p.n;
        break;
      case "insert":
        out += p.text;
        break;
      case "delete":
        pos += p.n;
        break;
    }
  }
  return out + cps.slice(pos).join("");
}

// Reads an op one piece at a time. Inserts come out whole: a transform never
// splits inserted text. Past the end, the op reads as an endless retain.
class Cursor {
  private index = 0;
  private offset = 0;
  constructor(private readonly op: TextOp) {}

  done(): boolean {
    return this.index >= this.op.length;
  }

  atInsert(): boolean {
    return !this.done() && this.op[this.index].k === "insert";
  }

  take(most: number): TextPart {
    if (this.done()) {
      return { k: "retain", n: most };
    }
    const part = this.op[this.index];
    if (part.k === "insert") {
      this.index++;
      return part;
    }
    const n = Math.min(most, part.n - this.offset);
    this.offset += n;
    if (this.offset === part.n) {
      this.index++;
      this.offset = 0;
    }
    return { k: part.k, n };
  }
}

/** Which of two inserts at one position lands first. */
export type Tie = "opFirst" | "otherFirst";

/**
 * `op` rewritten to apply after `other` (both written against one text):
 * every insert of both survives, each character deleted by either is deleted
 * once, and equal-position inserts are ordered by `tie`.
 */
export function transformText(op: TextOp, other: TextOp, tie: Tie): TextOp {
  const out: TextOp = [];
  const c = new Cursor(op);
  for (const o of other) {
    switch (o.k) {
      case "retain":
        for (let n = o.n; n > 0;) {
          const piece = c.take(n);
          pushPart(out, piece);
          if (piece.k !== "insert") {
            n -= piece.n;
          }
        }
        break;
      case "insert":
        if (tie === "opFirst" && c.atInsert()) {
          pushPart(out, c.take(Infinity));
        }
        pushRetain(out, cpLength(o.text));
        break;
      case "delete":
        // Characters the other side deleted are gone: what `op` retained or
        // deleted there drops out, what it inserted there stays.
        for (let n = o.n; n > 0;) {
          const piece = c.take(n);
          if (piece.k === "insert") {
            pushPart(out, piece);
          } else {
            n -= piece.n;
          }
        }
        break;
    }
  }
  while (!c.done()) {
    pushPart(out, c.take(Infinity));
  }
  return trim(out);
}
