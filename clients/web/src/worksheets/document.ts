// A worksheet instance's state as plain values, and the checks and changes an
// op makes to it (a port of document.cpp). Pure; owned by one replica.
import { WorksheetError, WorksheetFieldType as T, type WorksheetField, type WorksheetTemplate } from "../gen/hearth/v1/worksheet_pb";
import type { Op, Scalar } from "./ops";
import { validOrderKey } from "./order_key";
import { applyText, cpLength } from "./text_op";

/** A field's or an item value's content: `text` for text types, else `value`. */
export interface Cell {
  text: string;
  value: Scalar;
}

export interface Item {
  orderKey: string;
  removed: boolean;
  author: number; // the member who inserted it
  cells: Map<string, Cell>; // one per item field of the template
}

export interface FieldState {
  own: Cell; // fields other than lists
  items: Map<string, Item>; // list fields, by item id
}

export interface Doc {
  fields: Map<string, FieldState>;
}

// Limits a field gets when its template leaves them at 0 (template_check.hpp).
const DEFAULT_SHORT_TEXT = 200;
const DEFAULT_LONG_TEXT = 5000;
const DEFAULT_MAX_ITEMS = 50;

export function textLimit(f: WorksheetField): number {
  return f.maxLength !== 0 ? f.maxLength : f.type === T.LONG_TEXT ? DEFAULT_LONG_TEXT : DEFAULT_SHORT_TEXT;
}

export function itemLimit(f: WorksheetField): number {
  return f.maxItems !== 0 ? f.maxItems : DEFAULT_MAX_ITEMS;
}

export const isText = (t: T) => t === T.SHORT_TEXT || t === T.LONG_TEXT;

export function findField(fields: readonly WorksheetField[], id: string): WorksheetField | undefined {
  return fields.find((f) => f.id === id);
}

// A checkbox starts unchecked; every other value starts empty.
function emptyCell(f: WorksheetField): Cell {
  return { text: "", value: f.type === T.CHECKBOX ? { k: "checkbox", checked: false } : { k: "empty" } };
}

export function emptyDocument(t: WorksheetTemplate): Doc {
  return { fields: new Map(t.fields.map((f) => [f.id, { own: emptyCell(f), items: new Map() }])) };
}

export function cloneDoc(d: Doc): Doc {
  const cell = (c: Cell): Cell => ({ text: c.text, value: { ...c.value } });
  return {
    fields: new Map([...d.fields].map(([id, s]) => [id, {
      own: cell(s.own),
      items: new Map([...s.items].map(([iid, it]) => [iid, {
        orderKey: it.orderKey, removed: it.removed, author: it.author,
        cells: new Map([...it.cells].map(([sub, c]) => [sub, cell(c)])),
      }])),
    }])),
  };
}

/** A canonical string of the document: equal documents give equal strings. */
export function docKey(d: Doc): string {
  const sorted = <V>(m: Map<string, V>) => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const cell = (c: Cell) => [c.text, c.value];
  return JSON.stringify(sorted(d.fields).map(([id, s]) => [id, cell(s.own),
    sorted(s.items).map(([iid, it]) => [iid, it.orderKey, it.removed, it.author, sorted(it.cells).map(([k, c]) => [k, cell(c)])])]));
}

/** Whether `s` is a calendar date written YYYY-MM-DD. */
export function validDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) {
    return false;
  }
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1 || month < 1 || month > 12 || day < 1) {
    return false;
  }
  const days = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return day <= days[month - 1] + (month === 2 && leap ? 1 : 0);
}

/** Whether `id` can name an item: 1 to 64 of [A-Za-z0-9_-]. */
export const validItemId = (id: string) => /^[A-Za-z0-9_-]{1,64}$/.test(id);

function checkScalar(f: WorksheetField, v: Scalar): WorksheetError {
  switch (f.type) {
    case T.SCALE:
      if (v.k === "empty") {
        return WorksheetError.NONE;
      }
      if (v.k !== "scale") {
        return WorksheetError.MALFORMED;
      }
      return v.number < f.min || v.number > f.max ? WorksheetError.OUT_OF_RANGE : WorksheetError.NONE;
    case T.CHECKBOX:
      return v.k === "checkbox" ? WorksheetError.NONE : WorksheetError.MALFORMED;
    case T.DATE:
      if (v.k === "empty") {
        return WorksheetError.NONE;
      }
      if (v.k !== "date") {
        return WorksheetError.MALFORMED;
      }
      return validDate(v.text) ? WorksheetError.NONE : WorksheetError.BAD_DATE;
    case T.CHOICE:
      if (v.k === "empty") {
        return WorksheetError.NONE;
      }
      if (v.k !== "choice") {
        return WorksheetError.MALFORMED;
      }
      return f.choices.some((c) => c.id === v.text) ? WorksheetError.NONE : WorksheetError.BAD_CHOICE;
    default:
      return WorksheetError.MALFORMED;
  }
}

// Where an op lands: the list field's state and item for list ops; the field
// that types the value and its cell for text and set ops.
interface Place {
  field: WorksheetField; // the top-level field
  typed?: WorksheetField; // the field or item field holding the value
  state: FieldState;
  item?: Item;
  cell?: Cell;
}

function locate(d: Doc, t: WorksheetTemplate, o: Op): Place | WorksheetError {
  const field = findField(t.fields, o.where.field);
  const state = d.fields.get(o.where.field);
  if (!field || !state) {
    return WorksheetError.MALFORMED;
  }
  const list = field.type === T.LIST;
  if (o.what.k !== "text" && o.what.k !== "set") {
    if (!list || o.where.item === "" || o.where.sub !== "") {
      return WorksheetError.MALFORMED;
    }
    return { field, state, item: state.items.get(o.where.item) };
  }
  let p: Place;
  if (o.where.item === "") {
    if (list || o.where.sub !== "") {
      return WorksheetError.MALFORMED;
    }
    p = { field, typed: field, state, cell: state.own };
  } else {
    if (!list) {
      return WorksheetError.MALFORMED;
    }
    const typed = findField(field.itemFields, o.where.sub);
    const item = state.items.get(o.where.item);
    if (!item) {
      return WorksheetError.UNKNOWN_ITEM;
    }
    const cell = item.cells.get(o.where.sub);
    if (!typed || !cell) {
      return WorksheetError.MALFORMED;
    }
    p = { field, typed, state, item, cell };
  }
  return isText(p.typed!.type) === (o.what.k === "text") ? p : WorksheetError.MALFORMED;
}

/**
 * Checks `o` against the template and the current state when `checked`
 * (types, ranges, dates, choices, text limits, items) and applies it; on an
 * error `d` is unchanged. Unchecked is for ops the server already accepted (a
 * replica may hold local edits the server has not seen).
 */
export function applyOp(d: Doc, t: WorksheetTemplate, o: Op, author: number, checked: boolean): WorksheetError {
  const p = locate(d, t, o);
  if (typeof p === "number") {
    return p;
  }
  const what = o.what;
  switch (what.k) {
    case "text": {
      const next = applyText(p.cell!.text, what.edit);
      if (next === undefined) {
        return WorksheetError.MALFORMED;
      }
      if (checked && cpLength(next) > textLimit(p.typed!)) {
        return WorksheetError.TOO_LONG;
      }
      p.cell!.text = next;
      return WorksheetError.NONE;
    }
    case "set": {
      if (checked) {
        const e = checkScalar(p.typed!, what.value);
        if (e !== WorksheetError.NONE) {
          return e;
        }
      }
      p.cell!.value = { ...what.value };
      return WorksheetError.NONE;
    }
    case "insert": {
      if (checked) {
        if (!validItemId(o.where.item)) {
          return WorksheetError.MALFORMED;
        }
        if (!validOrderKey(what.orderKey)) {
          return WorksheetError.BAD_ORDER_KEY;
        }
        if (p.state.items.size >= itemLimit(p.field)) {
          return WorksheetError.TOO_MANY_ITEMS;
        }
      }
      if (p.item) {
        return WorksheetError.ITEM_EXISTS;
      }
      p.state.items.set(o.where.item, {
        orderKey: what.orderKey, removed: false, author,
        cells: new Map(p.field.itemFields.map((f) => [f.id, emptyCell(f)])),
      });
      return WorksheetError.NONE;
    }
    case "remove":
    case "move":
      if (!p.item) {
        return WorksheetError.UNKNOWN_ITEM;
      }
      if (what.k === "move") {
        if (checked && !validOrderKey(what.orderKey)) {
          return WorksheetError.BAD_ORDER_KEY;
        }
        p.item.orderKey = what.orderKey;
      } else {
        p.item.removed = true;
      }
      return WorksheetError.NONE;
  }
}

/** Items of a list in display order: by (order_key, item_id), removed ones hidden. */
export function visibleItems(state: FieldState | undefined): [string, Item][] {
  return [...(state?.items ?? [])].filter(([, it]) => !it.removed)
    .sort(([ia, a], [ib, b]) => (a.orderKey < b.orderKey ? -1 : a.orderKey > b.orderKey ? 1 : ia < ib ? -1 : ia > ib ? 1 : 0));
}
