// Text edits in code points (as tests/worksheets/text_test.cpp): canonical
// form, emoji and combining marks at edit boundaries, the edit a text box
// makes from its old and new value (UTF-16 in the DOM, code points on the
// wire), the caret under remote edits, order keys and the wire form.
import { test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { WorksheetOpSchema } from "../src/gen/hearth/v1/worksheet_pb";
import { opFromWire, opToWire } from "../src/worksheets/codec";
import { keyBetween, validOrderKey } from "../src/worksheets/order_key";
import { diffEdit, mapCaret, toCodePoints, toUtf16 } from "../src/worksheets/text_input";
import { applyText, pushDelete, pushInsert, pushRetain, transformText, trim, type TextOp } from "../src/worksheets/text_op";

function edit(at: number, ins: string, del: number): TextOp {
  const t: TextOp = [];
  pushRetain(t, at);
  pushInsert(t, ins);
  pushDelete(t, del);
  return trim(t);
}

test("pushes keep the canonical form", () => {
  const t: TextOp = [];
  pushRetain(t, 2);
  pushRetain(t, 1);
  pushDelete(t, 1);
  pushInsert(t, "a"); // lands before the delete
  pushInsert(t, "b");
  pushDelete(t, 2);
  pushRetain(t, 0);
  pushRetain(t, 4);
  trim(t);
  assert.deepEqual(t, [{ k: "retain", n: 3 }, { k: "insert", text: "ab" }, { k: "delete", n: 3 }]);
  assert.deepEqual(t, edit(3, "ab", 3));
});

test("edits past the end are refused", () => {
  assert.equal(applyText("abc", edit(2, "", 2)), undefined);
  assert.equal(applyText("abc", edit(3, "d", 0)), "abcd");
});

test("positions count code points: an emoji is one, a combining accent is one", () => {
  // "I 🧡 tea": the emoji is one position though two UTF-16 units.
  assert.equal(applyText("I \u{1F9E1} tea", edit(3, " green", 0)), "I \u{1F9E1} green tea");
  assert.equal(applyText("I \u{1F9E1} tea", edit(2, "", 1)), "I  tea");
  // "cafe" + combining acute: the accent is its own code point after the 'e'.
  assert.equal(applyText("cafe\u0301!", edit(5, "s", 0)), "cafe\u0301s!");
  assert.equal(applyText("cafe\u0301!", edit(4, "", 1)), "cafe!");
});

test("concurrent edits around a combining mark and an emoji", () => {
  const accent = edit(4, "\u0301", 0);
  const plural = edit(4, "s", 0);
  const a = applyText(applyText("cafe", accent)!, transformText(plural, accent, "otherFirst"));
  const b = applyText(applyText("cafe", plural)!, transformText(accent, plural, "opFirst"));
  assert.equal(a, "cafe\u0301s");
  assert.equal(a, b);
  // A delete of the emoji meets an insert right after it.
  const del = edit(1, "", 1);
  const ins = edit(2, "\u{1F600}", 0);
  assert.equal(applyText(applyText("a\u{1F9E1}b", del)!, transformText(ins, del, "otherFirst")), "a\u{1F600}b");
});

test("a text box's change becomes a minimal edit in code points", () => {
  // Typing after an emoji: the DOM caret is in UTF-16 units, the edit in code points.
  const before = "I \u{1F9E1} tea";
  const after = "I \u{1F9E1}! tea";
  assert.equal(after.indexOf("!"), 4);
  assert.deepEqual(diffEdit(before, after, toCodePoints(after, 5)), edit(3, "!", 0));
  // Deleting the emoji takes one code point, not two units.
  assert.deepEqual(diffEdit(before, "I  tea"), edit(2, "", 1));
  // Replacing one emoji by another of the same first surrogate never splits a pair.
  assert.deepEqual(diffEdit("a\u{1F600}b", "a\u{1F601}b"), edit(1, "\u{1F601}", 1));
  // A combining accent typed after the 'e'.
  assert.deepEqual(diffEdit("cafe!", "cafe\u0301!"), edit(4, "\u0301", 0));
  // Ambiguous text: the caret says where the person typed ("a|a" + "a").
  assert.deepEqual(diffEdit("aa", "aaa", 2), edit(1, "a", 0));
  assert.deepEqual(diffEdit("aa", "aaa"), edit(2, "a", 0));
  assert.equal(diffEdit("same", "same"), undefined);
  for (const [a, b] of [["", "\u{1F600}x"], ["x\u0301y", "y"], ["\u{1F9E1}\u{1F9E1}", "\u{1F9E1}"]]) {
    assert.equal(applyText(a, diffEdit(a, b)!), b);
  }
});

test("the caret stays in place when a remote edit changes the text under it", () => {
  // Caret after "tea" (code point 6); someone inserts before it.
  assert.equal(mapCaret("I \u{1F9E1} tea", "Now I \u{1F9E1} tea", 6), 10);
  // Someone appends after the caret: it does not move.
  assert.equal(mapCaret("abc", "abcdef", 2), 2);
  // The caret sat inside text someone deleted: it goes to the edit's end.
  assert.equal(mapCaret("abcdef", "af", 3), 1);
  // UTF-16 and code-point positions around an emoji.
  assert.equal(toUtf16("a\u{1F600}b", 2), 3);
  assert.equal(toCodePoints("a\u{1F600}b", 3), 2);
});

test("order keys: always strictly between, valid, and short enough", () => {
  const keys = [keyBetween("", "")];
  for (let i = 0; i < 200; i++) {
    keys.unshift(keyBetween("", keys[0]));
    keys.splice(1, 0, keyBetween(keys[0], keys[1]));
    keys.push(keyBetween(keys[keys.length - 1], ""));
  }
  for (let i = 0; i < keys.length; i++) {
    assert.ok(validOrderKey(keys[i]), keys[i]);
    if (i > 0) {
      assert.ok(keys[i - 1] < keys[i], `${keys[i - 1]} < ${keys[i]}`);
    }
  }
  assert.equal(validOrderKey(""), false);
  assert.equal(validOrderKey("a0"), false);
  assert.equal(validOrderKey("A"), false);
  assert.throws(() => keyBetween("b", "a"));
});

test("text edits round-trip through the wire and come back canonical", () => {
  const w = create(WorksheetOpSchema, {
    target: { fieldId: "notes" },
    kind: { case: "text", value: { components: [
      { kind: { case: "retain", value: 1 } }, { kind: { case: "retain", value: 0 } }, { kind: { case: "delete", value: 1 } },
      { kind: { case: "insert", value: "\u{1F600}" } }, { kind: { case: "retain", value: 5 } }] } },
  });
  const o = opFromWire(w)!;
  assert.ok(o.what.k === "text");
  assert.deepEqual(o.what.edit, edit(1, "\u{1F600}", 1));
  assert.deepEqual(opFromWire(opToWire(o)), o);
  assert.equal(opFromWire(create(WorksheetOpSchema, { target: { fieldId: "" }, kind: { case: "remove", value: {} } })), undefined);
});
