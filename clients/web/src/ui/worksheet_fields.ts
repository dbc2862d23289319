// One worksheet as a form: a control per field (text boxes, selects for
// scales and choices, a checkbox, a date), list items with their sub-fields
// and buttons to add, remove and move them. Built once per sheet and updated
// in place from the replica's view, so that typing is never interrupted: a
// remote edit in the box being typed in keeps the caret where it was.
import { WorksheetError, WorksheetFieldType as T, type WorksheetField } from "../gen/hearth/v1/worksheet_pb";
import { isText, textLimit, visibleItems, type Cell, type Doc, type Item } from "../worksheets/document";
import type { Op, Scalar, Target } from "../worksheets/ops";
import { keyBetween } from "../worksheets/order_key";
import type { SheetEntry } from "../worksheets/sheets";
import { diffEdit, mapCaret, toCodePoints, toUtf16 } from "../worksheets/text_input";
import { h } from "./dom";

export interface FormContext {
  edit(op: Op): WorksheetError;
  mayWrite(fieldId: string, itemAuthor?: number): boolean;
  /** Names of the others in a field or an item ("" item: the field itself). */
  whoIsAt(field: string, item: string): string[];
  newItemId(): string;
  refused(error: WorksheetError): void;
  name(memberId: number): string;
}

type Control = { el: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement; target: Target; field: WorksheetField };

const cellAt = (d: Doc, t: Target): Cell | undefined => {
  const s = d.fields.get(t.field);
  return t.item === "" ? s?.own : s?.items.get(t.item)?.cells.get(t.sub);
};

// Scalars as the value of a form control: "" for empty.
function scalarText(v: Scalar): string {
  switch (v.k) {
    case "scale": return String(v.number);
    case "date":
    case "choice": return v.text;
    default: return "";
  }
}

function scalarFrom(f: WorksheetField, el: HTMLInputElement | HTMLSelectElement): Scalar {
  if (f.type === T.CHECKBOX) {
    return { k: "checkbox", checked: (el as HTMLInputElement).checked };
  }
  if (el.value === "") {
    return { k: "empty" };
  }
  switch (f.type) {
    case T.SCALE: return { k: "scale", number: Number(el.value) };
    case T.DATE: return { k: "date", text: el.value };
    default: return { k: "choice", text: el.value };
  }
}

export class SheetForm {
  readonly root: HTMLElement;
  private controls: Control[] = [];
  private readonly lists = new Map<string, { box: HTMLElement; items: Map<string, HTMLElement>; sig: string }>();
  private readonly presenceLines: { el: HTMLElement; field: string; item: string }[] = [];

  constructor(private readonly entry: SheetEntry, private readonly ctx: FormContext) {
    const idp = `ws-${entry.instanceId}`;
    this.root = h("div", { class: "ws-form", id: idp });
    for (const f of entry.form.fields) {
      this.root.append(this.fieldBlock(f, { field: f.id, item: "", sub: "" }, f.id, undefined));
    }
    this.update();
  }

  /** Brings every control up to the replica's view. */
  update(): void {
    const view = this.entry.replica.view;
    for (const f of this.entry.form.fields) {
      if (f.type === T.LIST) {
        this.syncList(f, view);
      }
    }
    for (const c of this.controls) {
      const cell = cellAt(view, c.target);
      if (cell) {
        this.setControl(c, cell);
      }
    }
    for (const p of this.presenceLines) {
      const names = this.ctx.whoIsAt(p.field, p.item);
      p.el.textContent = names.length ? `${names.join(", ")} ${names.length > 1 ? "are" : "is"} here` : "";
    }
  }

  private fieldBlock(f: WorksheetField, t: Target, key: string, author: number | undefined): HTMLElement {
    const id = `ws-${this.entry.instanceId}-${key}`;
    const writable = this.ctx.mayWrite(t.field, author);
    const label = f.label + (f.facilitatorOnly ? " (facilitators fill this in)" : "");
    const help = f.help ? h("p", { class: "hint", id: `${id}-help` }, f.help) : undefined;
    const wrap = h("div", { class: "ws-field", "data-field": key });
    if (f.type === T.LIST) {
      const box = h("ol", { class: "ws-items" });
      this.lists.set(t.field, { box, items: new Map(), sig: "" });
      wrap.append(h("h4", {}, label), help ?? "", box,
        writable ? h("button", { type: "button", class: "small", "data-key": `${id}-add`, click: () => this.addItem(f) }, `Add to ${f.label}`) : "");
      return wrap;
    }
    const el = this.makeControl(f, t, id, writable);
    if (help) {
      el.setAttribute("aria-describedby", help.id);
    }
    const presence = h("span", { class: "ws-presence" });
    if (t.item === "") {
      this.presenceLines.push({ el: presence, field: t.field, item: "" });
    }
    if (f.type === T.CHECKBOX) {
      wrap.append(h("label", { class: "ws-check" }, el, ` ${label}`), presence, help ?? "");
    } else {
      wrap.append(h("label", { for: id }, label), presence, help ?? "", el);
    }
    return wrap;
  }

  private makeControl(f: WorksheetField, t: Target, id: string, writable: boolean): Control["el"] {
    let el: Control["el"];
    if (isText(f.type)) {
      el = f.type === T.LONG_TEXT ? h("textarea", { id, rows: "3" }) : h("input", { id, type: "text" });
      el.readOnly = !writable;
      el.addEventListener("input", () => this.typed(el as HTMLInputElement, t, f));
    } else {
      if (f.type === T.CHECKBOX) {
        el = h("input", { id, type: "checkbox" });
      } else if (f.type === T.DATE) {
        el = h("input", { id, type: "date" });
      } else {
        const options = f.type === T.SCALE
          ? Array.from({ length: f.max - f.min + 1 }, (_, i) => String(f.min + i)).map((v) => [v, v])
          : f.choices.map((c) => [c.id, c.label]);
        el = h("select", { id }, h("option", { value: "" }, "—"), ...options.map(([v, l]) => h("option", { value: v }, l)));
      }
      el.disabled = !writable;
      el.addEventListener("change", () => this.changed(el as HTMLInputElement, t, f));
    }
    el.dataset.key = id;
    el.dataset.wsField = t.field;
    el.dataset.wsItem = t.item;
    this.controls.push({ el, target: t, field: f });
    return el;
  }

  private setControl(c: Control, cell: Cell): void {
    const el = c.el;
    if (isText(c.field.type)) {
      const box = el as HTMLInputElement;
      if (box.value === cell.text) {
        return;
      }
      if (document.activeElement === box) {
        const before = box.value;
        const start = mapCaret(before, cell.text, toCodePoints(before, box.selectionStart ?? 0));
        const end = mapCaret(before, cell.text, toCodePoints(before, box.selectionEnd ?? 0));
        box.value = cell.text;
        box.setSelectionRange(toUtf16(cell.text, start), toUtf16(cell.text, end));
      } else {
        box.value = cell.text;
      }
    } else if (c.field.type === T.CHECKBOX) {
      (el as HTMLInputElement).checked = cell.value.k === "checkbox" && cell.value.checked;
    } else if (el.value !== scalarText(cell.value)) {
      el.value = scalarText(cell.value);
    }
  }

  // A keystroke (or paste, or cut) in a text box: the difference between the
  // value the replica holds and the box's new value, as one edit.
  private typed(box: HTMLInputElement, t: Target, f: WorksheetField): void {
    const before = cellAt(this.entry.replica.view, t)?.text ?? "";
    const op = diffEdit(before, box.value, toCodePoints(box.value, box.selectionEnd ?? box.value.length));
    if (!op) {
      return;
    }
    const e = this.ctx.edit({ where: t, what: { k: "text", edit: op } });
    if (e !== WorksheetError.NONE) {
      const caret = toCodePoints(box.value, box.selectionStart ?? 0);
      box.value = before;
      const at = Math.min(caret, [...before].length);
      box.setSelectionRange(toUtf16(before, at), toUtf16(before, at));
      this.ctx.refused(e === WorksheetError.TOO_LONG && textLimit(f) ? WorksheetError.TOO_LONG : e);
    }
  }

  private changed(el: HTMLInputElement | HTMLSelectElement, t: Target, f: WorksheetField): void {
    const e = this.ctx.edit({ where: t, what: { k: "set", value: scalarFrom(f, el) } });
    if (e !== WorksheetError.NONE) {
      this.ctx.refused(e);
      this.update();
    }
  }

  private addItem(f: WorksheetField): void {
    const items = visibleItems(this.entry.replica.view.fields.get(f.id));
    const last = items.length ? items[items.length - 1][1].orderKey : "";
    const item = this.ctx.newItemId();
    const e = this.ctx.edit({ where: { field: f.id, item, sub: "" }, what: { k: "insert", orderKey: keyBetween(last, "") } });
    if (e !== WorksheetError.NONE) {
      this.ctx.refused(e);
      return;
    }
    this.update();
    // Into the new item's first box, ready to type.
    this.lists.get(f.id)?.items.get(item)?.querySelector<HTMLElement>("input, textarea, select")?.focus();
  }

  private moveItem(f: WorksheetField, item: string, by: -1 | 1): void {
    const items = visibleItems(this.entry.replica.view.fields.get(f.id));
    const at = items.findIndex(([id]) => id === item);
    const to = at + by;
    if (at < 0 || to < 0 || to >= items.length) {
      return;
    }
    // The new key sits between the neighbours at the destination.
    const rest = items.filter(([id]) => id !== item);
    const lo = to > 0 ? rest[to - 1][1].orderKey : "";
    const hi = to < rest.length ? rest[to][1].orderKey : "";
    const key = hi === "" || lo < hi ? keyBetween(lo, hi) : keyBetween("", hi);
    const e = this.ctx.edit({ where: { field: f.id, item, sub: "" }, what: { k: "move", orderKey: key } });
    if (e !== WorksheetError.NONE) {
      this.ctx.refused(e);
    }
    this.update();
  }

  private removeItem(f: WorksheetField, item: string, n: number): void {
    if (!confirm(`Remove item ${n} of ${f.label}?`)) {
      return;
    }
    const e = this.ctx.edit({ where: { field: f.id, item, sub: "" }, what: { k: "remove" } });
    if (e !== WorksheetError.NONE) {
      this.ctx.refused(e);
    }
    this.update();
  }

  // Rebuilds a list's rows only when its items or their order changed; rows
  // are reused (their boxes keep what is being typed) and focus is restored.
  private syncList(f: WorksheetField, view: Doc): void {
    const list = this.lists.get(f.id)!;
    const items = visibleItems(view.fields.get(f.id));
    const sig = items.map(([id]) => id).join(",");
    if (sig === list.sig) {
      return;
    }
    list.sig = sig;
    const active = document.activeElement as HTMLInputElement | null;
    const keep = active && list.box.contains(active)
      ? { el: active, key: active.dataset.key ?? "", row: active.closest<HTMLElement>(".ws-item")?.dataset.item, start: active.selectionStart, end: active.selectionEnd }
      : undefined;
    const rows = items.map(([id, it], i) => this.itemRow(f, id, it, i, items.length, list.items));
    for (const [id, row] of list.items) {
      if (!items.some(([x]) => x === id)) {
        row.remove();
        list.items.delete(id);
        this.controls = this.controls.filter((c) => !(c.target.field === f.id && c.target.item === id));
      }
    }
    list.box.replaceChildren(...rows);
    if (!keep) {
      return;
    }
    if (keep.el.isConnected) {
      keep.el.focus();
      if (typeof keep.start === "number" && (keep.el.type === "text" || keep.el.tagName === "TEXTAREA")) {
        keep.el.setSelectionRange(keep.start, keep.end ?? keep.start);
      }
      return;
    }
    // A move button that is gone (the item is now first or last): the same
    // button if it is still there, else the item's first button.
    const row = keep.row ? list.items.get(keep.row) : undefined;
    (list.box.querySelector<HTMLElement>(`[data-key="${CSS.escape(keep.key)}"]`) ?? row?.querySelector<HTMLElement>(".ws-item-actions button"))?.focus();
  }

  private itemRow(f: WorksheetField, id: string, it: Item, i: number, count: number, rows: Map<string, HTMLElement>): HTMLElement {
    let row = rows.get(id);
    const writable = this.ctx.mayWrite(f.id, it.author);
    if (!row) {
      const subs = h("div", { class: "ws-subs" });
      const presence = h("span", { class: "ws-presence" });
      this.presenceLines.push({ el: presence, field: f.id, item: id });
      row = h("li", { class: "ws-item", "data-item": id }, h("fieldset", {}, h("legend", {}, ""), presence, subs, h("div", { class: "actions ws-item-actions" })));
      for (const sub of f.itemFields) {
        subs.append(this.fieldBlock(sub, { field: f.id, item: id, sub: sub.id }, `${f.id}-${id}-${sub.id}`, it.author));
      }
      rows.set(id, row);
    }
    const n = i + 1;
    // In a list where each member writes their own rows, say whose row it is.
    row.querySelector("legend")!.textContent = `${f.label}: item ${n}${f.ownRows ? ` (${this.ctx.name(it.author)})` : ""}`;
    const actions = row.querySelector<HTMLElement>(".ws-item-actions")!;
    const key = `ws-${this.entry.instanceId}-${f.id}-${id}`;
    actions.replaceChildren(...(writable ? [
      i > 0 && h("button", { type: "button", class: "small", "data-key": `${key}-up`, click: () => this.moveItem(f, id, -1) }, `Move item ${n} up`),
      i < count - 1 && h("button", { type: "button", class: "small", "data-key": `${key}-down`, click: () => this.moveItem(f, id, 1) }, `Move item ${n} down`),
      h("button", { type: "button", class: "small", "data-key": `${key}-rm`, click: () => this.removeItem(f, id, n) }, `Remove item ${n}`),
    ].filter((x): x is HTMLButtonElement => x !== false) : []));
    return row;
  }
}
