// Conversions between plain worksheet values and hearth.v1 messages (a port of
// codec.cpp). Text edits from the wire come back canonical.
import { create } from "@bufbuild/protobuf";
import {
  WorksheetDocumentSchema,
  WorksheetOpSchema,
  WorksheetValueSchema,
  type WorksheetDocument,
  type WorksheetOp,
  type WorksheetValue,
} from "../gen/hearth/v1/worksheet_pb";
import type { Cell, Doc, FieldState } from "./document";
import type { Op, Scalar } from "./ops";
import { pushDelete, pushInsert, pushRetain, trim, type TextOp } from "./text_op";

function scalarFromWire(v: WorksheetValue | undefined): Scalar | undefined {
  const x = v?.value;
  switch (x?.case) {
    case undefined: return { k: "empty" };
    case "scale": return { k: "scale", number: x.value };
    case "checkbox": return { k: "checkbox", checked: x.value };
    case "date": return { k: "date", text: x.value };
    case "choice": return { k: "choice", text: x.value };
    default: return undefined;
  }
}

export function scalarToWire(s: Scalar): WorksheetValue {
  switch (s.k) {
    case "empty": return create(WorksheetValueSchema, {});
    case "scale": return create(WorksheetValueSchema, { value: { case: "scale", value: s.number } });
    case "checkbox": return create(WorksheetValueSchema, { value: { case: "checkbox", value: s.checked } });
    case "date": return create(WorksheetValueSchema, { value: { case: "date", value: s.text } });
    case "choice": return create(WorksheetValueSchema, { value: { case: "choice", value: s.text } });
  }
}

function cellFromWire(v: WorksheetValue | undefined): Cell | undefined {
  if (v?.value.case === "text") {
    return { text: v.value.value, value: { k: "empty" } };
  }
  const s = scalarFromWire(v);
  return s ? { text: "", value: s } : undefined;
}

export function opFromWire(w: WorksheetOp): Op | undefined {
  const where = { field: w.target?.fieldId ?? "", item: w.target?.itemId ?? "", sub: w.target?.subField ?? "" };
  if (where.field === "") {
    return undefined;
  }
  const k = w.kind;
  switch (k.case) {
    case "text": {
      const edit: TextOp = [];
      for (const c of k.value.components) {
        switch (c.kind.case) {
          case "retain": pushRetain(edit, c.kind.value); break;
          case "insert": pushInsert(edit, c.kind.value); break;
          case "delete": pushDelete(edit, c.kind.value); break;
          default: return undefined;
        }
      }
      return { where, what: { k: "text", edit: trim(edit) } };
    }
    case "set": {
      const value = scalarFromWire(k.value);
      return value ? { where, what: { k: "set", value } } : undefined;
    }
    case "insert": return { where, what: { k: "insert", orderKey: k.value.orderKey } };
    case "remove": return { where, what: { k: "remove" } };
    case "move": return { where, what: { k: "move", orderKey: k.value.orderKey } };
    default: return undefined;
  }
}

export function opsFromWire(ws: readonly WorksheetOp[]): Op[] | undefined {
  const out: Op[] = [];
  for (const w of ws) {
    const o = opFromWire(w);
    if (!o) {
      return undefined;
    }
    out.push(o);
  }
  return out;
}

export function opToWire(o: Op): WorksheetOp {
  const t = { fieldId: o.where.field, itemId: o.where.item, subField: o.where.sub };
  const w = o.what;
  switch (w.k) {
    case "text":
      return create(WorksheetOpSchema, { target: t, kind: { case: "text", value: { components: w.edit.map((p) => ({
        kind: p.k === "insert" ? { case: "insert" as const, value: p.text } : { case: p.k, value: p.n },
      })) } } });
    case "set": return create(WorksheetOpSchema, { target: t, kind: { case: "set", value: scalarToWire(w.value) } });
    case "insert": return create(WorksheetOpSchema, { target: t, kind: { case: "insert", value: { orderKey: w.orderKey } } });
    case "remove": return create(WorksheetOpSchema, { target: t, kind: { case: "remove", value: {} } });
    case "move": return create(WorksheetOpSchema, { target: t, kind: { case: "move", value: { orderKey: w.orderKey } } });
  }
}

export function documentFromWire(w: WorksheetDocument): Doc | undefined {
  const fields = new Map<string, FieldState>();
  for (const f of w.fields) {
    const own = cellFromWire(f.value);
    if (!own) {
      return undefined;
    }
    const state: FieldState = { own, items: new Map() };
    for (const wi of f.items) {
      const cells = new Map<string, Cell>();
      for (const [sub, v] of Object.entries(wi.values)) {
        const c = cellFromWire(v);
        if (!c) {
          return undefined;
        }
        cells.set(sub, c);
      }
      state.items.set(wi.itemId, { orderKey: wi.orderKey, removed: wi.removed, author: wi.author, cells });
    }
    fields.set(f.fieldId, state);
  }
  return { fields };
}

function cellToWire(c: Cell): WorksheetValue {
  return c.text !== "" ? create(WorksheetValueSchema, { value: { case: "text", value: c.text } }) : scalarToWire(c.value);
}

/** The fields of a document (the caller sets the instance's id, scope and version). */
export function documentToWire(d: Doc): WorksheetDocument {
  return create(WorksheetDocumentSchema, {
    fields: [...d.fields].map(([fieldId, s]) => ({
      fieldId,
      value: cellToWire(s.own),
      items: [...s.items].map(([itemId, it]) => ({
        itemId, orderKey: it.orderKey, removed: it.removed, author: it.author,
        values: Object.fromEntries([...it.cells].map(([sub, c]) => [sub, cellToWire(c)])),
      })),
    })),
  });
}
