// Worksheet operations as plain values, and the transform rules of
// docs/worksheets.md (a port of ops.hpp and transform.cpp): ops on different
// targets are independent; text against text keeps both sides' intentions;
// for a set or a move of one target, the later in server order wins; inserts
// commute; a remove keeps its item removed whatever else happens to it.
import { transformText, type TextOp } from "./text_op";

/** A field (item and sub empty), a list item (sub empty), or one value of an item. */
export interface Target {
  field: string;
  item: string;
  sub: string;
}

/** The value of a scale, checkbox, date or choice. */
export type Scalar =
  | { k: "empty" }
  | { k: "scale"; number: number }
  | { k: "checkbox"; checked: boolean }
  | { k: "date"; text: string }
  | { k: "choice"; text: string };

export type OpKind =
  | { k: "text"; edit: TextOp }
  | { k: "set"; value: Scalar }
  | { k: "insert"; orderKey: string }
  | { k: "remove" }
  | { k: "move"; orderKey: string };

export interface Op {
  where: Target;
  what: OpKind;
}

export const target = (field: string, item = "", sub = ""): Target => ({ field, item, sub });

const sameTarget = (a: Target, b: Target) => a.field === b.field && a.item === b.item && a.sub === b.sub;
const sameItem = (a: Target, b: Target) => a.field === b.field && a.item === b.item;

function unlessEmpty(where: Target, edit: TextOp): Op | undefined {
  return edit.length === 0 ? undefined : { where, what: { k: "text", edit } };
}

/**
 * Transforms two ops written against one state. `left` is the one ordered
 * later (on the server the incoming op, on a client its own pending op).
 * Returns [left rewritten to apply after right, right rewritten to apply
 * after left]; undefined where the rewritten op has no effect left.
 */
export function transform(left: Op, right: Op): [Op | undefined, Op | undefined] {
  const l = left.what;
  const r = right.what;
  if (l.k === "text" && r.k === "text" && sameTarget(left.where, right.where)) {
    // Equal-position inserts: the one committed first (right) lands first.
    return [unlessEmpty(left.where, transformText(l.edit, r.edit, "otherFirst")),
      unlessEmpty(right.where, transformText(r.edit, l.edit, "opFirst"))];
  }
  if (l.k === "set" && r.k === "set" && sameTarget(left.where, right.where)) {
    return [left, undefined];
  }
  if (l.k === "move" && r.k === "move" && sameItem(left.where, right.where)) {
    return [left, undefined];
  }
  if (l.k === "remove" && r.k === "remove" && sameItem(left.where, right.where)) {
    return [undefined, undefined];
  }
  // Everything else commutes: different targets; inserts (item ids are
  // unique); a remove against an edit or move of its item (the item stays
  // removed, and the edit or move still lands on the hidden item so that
  // every replica holds the same content if a facilitator restores it).
  return [left, right];
}

/** The same for sequences: each op of `right` meets each op of `left` in order. */
export function transformOps(left: readonly Op[], right: readonly Op[]): [Op[], Op[]] {
  let ls = [...left];
  const rightOut: Op[] = [];
  for (const r of right) {
    let current: Op | undefined = r;
    const nextLeft: Op[] = [];
    for (const l of ls) {
      if (!current) {
        nextLeft.push(l);
        continue;
      }
      const [l2, r2]: [Op | undefined, Op | undefined] = transform(l, current);
      if (l2) {
        nextLeft.push(l2);
      }
      current = r2;
    }
    ls = nextLeft;
    if (current) {
      rightOut.push(current);
    }
  }
  return [ls, rightOut];
}
