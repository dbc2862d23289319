// Random worksheet states and ops for the property tests (a port of
// tests/worksheets/random_ops.cpp), over one small template with every field
// type, so that random ops often collide. Text draws on multi-byte
// characters, emoji and combining marks. Seeded: HEARTH_TEST_SEED replays.
import { create } from "@bufbuild/protobuf";
import { WorksheetFieldType as T, WorksheetScope, WorksheetTemplateSchema, type WorksheetTemplate } from "../src/gen/hearth/v1/worksheet_pb";
import { applyOp, emptyDocument, type Doc } from "../src/worksheets/document";
import type { Op, Scalar, Target } from "../src/worksheets/ops";
import { keyBetween } from "../src/worksheets/order_key";
import { cpLength, pushDelete, pushInsert, pushRetain, trim, type TextOp } from "../src/worksheets/text_op";

/** The seed of a randomized test: HEARTH_TEST_SEED if set, else a fresh one; printed either way. */
export function testSeed(name: string): number {
  const env = process.env.HEARTH_TEST_SEED;
  const seed = env ? Number(env) >>> 0 : Math.floor(Math.random() * 2 ** 32) >>> 0;
  console.log(`${name}: seed ${seed} (HEARTH_TEST_SEED=${seed} replays it)`);
  return seed;
}

export const sampleTemplate: WorksheetTemplate = create(WorksheetTemplateSchema, {
  id: "sample", version: 1, title: "Sample", defaultScope: WorksheetScope.SESSION,
  fields: [
    { id: "notes", type: T.LONG_TEXT, label: "Notes" },
    { id: "title", type: T.SHORT_TEXT, label: "Title" },
    { id: "level", type: T.SCALE, label: "Level", min: 0, max: 10 },
    { id: "done", type: T.CHECKBOX, label: "Done" },
    { id: "when", type: T.DATE, label: "When" },
    { id: "mood", type: T.CHOICE, label: "Mood", choices: [{ id: "a", label: "A" }, { id: "b", label: "B" }, { id: "c", label: "C" }] },
    { id: "items", type: T.LIST, label: "Items", maxItems: 500, itemFields: [
      { id: "text", type: T.SHORT_TEXT, label: "Text", maxLength: 1000 },
      { id: "score", type: T.SCALE, label: "Score", min: 0, max: 10 }] },
  ],
});

export type Kind = Op["what"]["k"];
export const ALL_KINDS: Kind[] = ["text", "set", "insert", "remove", "move"];

// ASCII, Latin with a 2-byte form, a 3-byte symbol, emoji (two UTF-16 units,
// one code point), a combining acute accent, and a CJK character.
const POOL = [..."abcxyz \u00e9\u20ac\u{1F600}\u{1F9E1}\u0301\u4e2d"];

export class RandomOps {
  private s: number;
  private nextItem = 0;

  constructor(seed: number, private readonly prefix: string) {
    this.s = seed >>> 0;
  }

  /** Uniform in [0, n) (mulberry32). */
  below(n: number): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * n);
  }

  text(most: number): string {
    let out = "";
    for (let i = 1 + this.below(most); i > 0; i--) {
      out += POOL[this.below(POOL.length)];
    }
    return out;
  }

  textEdit(length: number): TextOp {
    const t: TextOp = [];
    let pos = 0;
    for (let steps = 1 + this.below(4); steps > 0; steps--) {
      const left = length - pos;
      switch (this.below(3)) {
        case 0:
          if (left > 0) {
            const n = 1 + this.below(left);
            pushRetain(t, n);
            pos += n;
          }
          break;
        case 1:
          pushInsert(t, this.text(3));
          break;
        default:
          if (left > 0) {
            const n = 1 + this.below(Math.min(left, 4));
            pushDelete(t, n);
            pos += n;
          }
      }
    }
    trim(t);
    if (t.length === 0) {
      pushInsert(t, this.text(2));
    }
    return t;
  }

  private orderKey(): string {
    const lo = this.below(2) === 0 ? "" : "123456789abc"[this.below(12)];
    return keyBetween(lo, this.below(3) === 0 ? "" : "d");
  }

  private pickItem(d: Doc): Target | undefined {
    const ids = [...d.fields.get("items")!.items.keys()].sort();
    return ids.length === 0 ? undefined : { field: "items", item: ids[this.below(ids.length)], sub: "" };
  }

  private pickText(d: Doc): Target {
    const it = this.pickItem(d);
    if (it && this.below(2) === 0) {
      return { ...it, sub: "text" };
    }
    return { field: this.below(3) === 0 ? "title" : "notes", item: "", sub: "" };
  }

  make(k: Kind, d: Doc): Op | undefined {
    switch (k) {
      case "text": {
        const where = this.pickText(d);
        const state = d.fields.get(where.field)!;
        const cell = where.item === "" ? state.own : state.items.get(where.item)!.cells.get(where.sub)!;
        return { where, what: { k: "text", edit: this.textEdit(cpLength(cell.text)) } };
      }
      case "set": {
        let where: Target = { field: "level", item: "", sub: "" };
        let value: Scalar;
        switch (this.below(5)) {
          case 0:
            value = { k: "scale", number: this.below(11) };
            break;
          case 1:
            where = { ...where, field: "done" };
            value = { k: "checkbox", checked: this.below(2) === 0 };
            break;
          case 2:
            where = { ...where, field: "when" };
            value = { k: "date", text: `2026-0${1 + this.below(9)}-1${this.below(10)}` };
            break;
          case 3:
            where = { ...where, field: "mood" };
            value = this.below(4) === 0 ? { k: "empty" } : { k: "choice", text: "abc"[this.below(3)] };
            break;
          default: {
            const it = this.pickItem(d);
            if (it) {
              where = { ...it, sub: "score" };
            }
            value = { k: "scale", number: this.below(11) };
          }
        }
        return { where, what: { k: "set", value } };
      }
      case "insert":
        return { where: { field: "items", item: `${this.prefix}${this.nextItem++}`, sub: "" }, what: { k: "insert", orderKey: this.orderKey() } };
      case "remove": {
        const it = this.pickItem(d);
        return it && { where: it, what: { k: "remove" } };
      }
      case "move": {
        const it = this.pickItem(d);
        return it && { where: it, what: { k: "move", orderKey: this.orderKey() } };
      }
    }
  }

  any(d: Doc): Op | undefined {
    // Text edits dominate, as in real use.
    const weighted: Kind[] = ["text", "text", "text", "set", "set", "insert", "remove", "move"];
    return this.make(weighted[this.below(weighted.length)], d);
  }

  /** A document reached by a few random ops from empty. */
  randomState(steps: number): Doc {
    const d = emptyDocument(sampleTemplate);
    for (let i = 0; i < steps; i++) {
      const o = this.any(d);
      if (o) {
        applyOp(d, sampleTemplate, o, 1, false);
      }
    }
    return d;
  }
}
