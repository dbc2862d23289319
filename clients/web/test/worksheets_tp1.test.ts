// TP1 for every pair of op kinds (as tests/worksheets/tp1_test.cpp): from one
// state, right-then-transformed-left and left-then-transformed-right reach
// the same document, and that document is the one the rules of
// docs/worksheets.md predict, computed here without the transform (text by
// tracking each original character and each insert's gap; sets and moves by
// server order; the rest by applying both ops). The seed is printed;
// HEARTH_TEST_SEED=N replays one run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { applyOp, cloneDoc, docKey, type Doc } from "../src/worksheets/document";
import { transform, transformOps, type Op, type Target } from "../src/worksheets/ops";
import type { TextOp } from "../src/worksheets/text_op";
import { ALL_KINDS, RandomOps, sampleTemplate, testSeed } from "./worksheets_random";

// Where an op's inserts land and which original characters it deletes.
function effectOf(t: TextOp): { inserts: Map<number, string>; deleted: Set<number> } {
  const inserts = new Map<number, string>();
  const deleted = new Set<number>();
  let pos = 0;
  for (const p of t) {
    if (p.k === "retain") {
      pos += p.n;
    } else if (p.k === "insert") {
      inserts.set(pos, (inserts.get(pos) ?? "") + p.text);
    } else {
      for (let i = 0; i < p.n; i++) {
        deleted.add(pos++);
      }
    }
  }
  return { inserts, deleted };
}

// Both sides' inserts survive in gap order, the earlier-committed side's
// (right) first within a gap; a character survives unless either deleted it.
function expectedText(base: string, left: TextOp, right: TextOp): string {
  const chars = [...base];
  const l = effectOf(left);
  const r = effectOf(right);
  let out = "";
  for (let gap = 0; gap <= chars.length; gap++) {
    out += (r.inserts.get(gap) ?? "") + (l.inserts.get(gap) ?? "");
    if (gap < chars.length && !l.deleted.has(gap) && !r.deleted.has(gap)) {
      out += chars[gap];
    }
  }
  return out;
}

function applyAll(s: Doc, ...steps: (Op | undefined)[]): Doc {
  const d = cloneDoc(s);
  for (const o of steps) {
    if (o) {
      assert.equal(applyOp(d, sampleTemplate, o, 1, false), 0, "the op applies");
    }
  }
  return d;
}

const sameTarget = (a: Target, b: Target) => a.field === b.field && a.item === b.item && a.sub === b.sub;

function expectedState(s: Doc, left: Op, right: Op): Doc {
  const lk = left.what.k;
  const rk = right.what.k;
  const sameItem = left.where.field === right.where.field && left.where.item === right.where.item;
  if (left.what.k === "text" && right.what.k === "text" && sameTarget(left.where, right.where)) {
    const d = cloneDoc(s);
    const state = d.fields.get(left.where.field)!;
    const cell = left.where.item === "" ? state.own : state.items.get(left.where.item)!.cells.get(left.where.sub)!;
    cell.text = expectedText(cell.text, left.what.edit, right.what.edit);
    return d;
  }
  if ((lk === "set" && rk === "set" && sameTarget(left.where, right.where)) || (lk === "move" && rk === "move" && sameItem)) {
    return applyAll(s, right, left); // the later in server order wins
  }
  if (lk === "remove" && rk === "remove" && sameItem) {
    return applyAll(s, left);
  }
  return applyAll(s, left, right); // independent: both effects
}

for (const lk of ALL_KINDS) {
  for (const rk of ALL_KINDS) {
    test(`TP1: ${lk} against ${rk} reaches the expected document both ways`, () => {
      const gen = new RandomOps(testSeed(`tp1 ${lk}/${rk}`), "x");
      let collisions = 0;
      for (let round = 0; round < 1500; round++) {
        const s = gen.randomState(gen.below(12));
        const left = gen.make(lk, s);
        const right = gen.make(rk, s);
        if (!left || !right) {
          continue;
        }
        const [left2, right2] = transform(left, right);
        const viaRight = docKey(applyAll(s, right, left2));
        const viaLeft = docKey(applyAll(s, left, right2));
        assert.equal(viaRight, viaLeft, `round ${round}: both orders meet`);
        assert.equal(viaRight, docKey(expectedState(s, left, right)), `round ${round}: as the rules predict`);
        collisions += left.where.field === right.where.field ? 1 : 0;
      }
      assert.ok(collisions > 0, "the generator should make ops meet on one field");
    });
  }
}

test("TP1 for batches: the grid of single-op transforms keeps both orders equal", () => {
  const gen = new RandomOps(testSeed("tp1 batches"), "y");
  for (let round = 0; round < 2000; round++) {
    const s = gen.randomState(gen.below(10));
    const left: Op[] = [];
    const right: Op[] = [];
    const afterLeft = cloneDoc(s);
    const afterRight = cloneDoc(s);
    for (let i = gen.below(4); i > 0; i--) {
      const l = gen.any(afterLeft);
      if (l) {
        assert.equal(applyOp(afterLeft, sampleTemplate, l, 1, false), 0);
        left.push(l);
      }
      const r = gen.any(afterRight);
      if (r) {
        assert.equal(applyOp(afterRight, sampleTemplate, r, 1, false), 0);
        right.push(r);
      }
    }
    const [left2, right2] = transformOps(left, right);
    for (const o of left2) {
      assert.equal(applyOp(afterRight, sampleTemplate, o, 1, false), 0);
    }
    for (const o of right2) {
      assert.equal(applyOp(afterLeft, sampleTemplate, o, 1, false), 0);
    }
    assert.equal(docKey(afterLeft), docKey(afterRight), `round ${round}`);
  }
});
