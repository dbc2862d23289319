// The form for a facilitator's template: title, purpose, the scope it is
// usually pushed for, and its fields (type, label, help, the type's own
// settings, facilitator-only), lists with the fields each item holds.
// Typing changes the draft in place; adding, removing, moving a field or
// changing its type draws the fields again and puts focus back where it was.
import { WorksheetFieldType as T, WorksheetScope } from "../gen/hearth/v1/worksheet_pb";
import { isTextType, newDraft, newField, type FieldDraft, type TemplateDraft } from "../worksheets/template_draft";
import { byId, h, show } from "./dom";

const TYPES: [T, string][] = [
  [T.SHORT_TEXT, "Short text"], [T.LONG_TEXT, "Long text"], [T.SCALE, "Scale"], [T.CHECKBOX, "Checkbox"],
  [T.DATE, "Date"], [T.CHOICE, "Choice"], [T.LIST, "List"],
];
// The server's limits and defaults (server/worksheets/template_check.hpp).
const TEXT_DEFAULT: Partial<Record<T, number>> = { [T.SHORT_TEXT]: 200, [T.LONG_TEXT]: 5000 };
const TEXT_MAX: Partial<Record<T, number>> = { [T.SHORT_TEXT]: 1000, [T.LONG_TEXT]: 50000 };

export interface TemplateEditorDeps {
  save(draft: TemplateDraft): void;
  closed(): void;
}

type Input = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

function labelled(id: string, text: string, control: Input): HTMLElement[] {
  return [h("label", { for: id }, text), control];
}

function checkbox(id: string, text: string, checked: boolean, change: (on: boolean) => void): HTMLElement {
  const box = h("input", { type: "checkbox", id, "data-key": id, change: (e) => change((e.target as HTMLInputElement).checked) });
  box.checked = checked;
  return h("label", { class: "ws-check", for: id }, box, text);
}

function numberInput(id: string, value: string, attrs: Record<string, string>, set: (n: number) => void): HTMLInputElement {
  const el = h("input", { type: "number", id, "data-key": id, inputmode: "numeric", ...attrs,
    input: (e) => set(Number((e.target as HTMLInputElement).value) || 0) });
  el.value = value;
  return el;
}

export class TemplateEditor {
  private draft: TemplateDraft = newDraft();
  private readonly form = byId<HTMLFormElement>("tpl-form");

  constructor(private readonly d: TemplateEditorDeps) {
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      d.save(this.draft);
    });
    const title = byId<HTMLInputElement>("tpl-title");
    title.addEventListener("input", () => (this.draft.title = title.value));
    const purpose = byId<HTMLTextAreaElement>("tpl-purpose");
    purpose.addEventListener("input", () => (this.draft.purpose = purpose.value));
    const scope = byId<HTMLSelectElement>("tpl-scope");
    scope.addEventListener("change", () => (this.draft.scope = Number(scope.value) as WorksheetScope));
    byId("tpl-add-field").addEventListener("click", () => {
      this.draft.fields.push(newField());
      this.render(`tpl-f${this.draft.fields.length - 1}-label`);
    });
    byId("tpl-cancel").addEventListener("click", () => this.close());
  }

  /** The id of the template being edited ("" for a new one); undefined when closed. */
  get editing(): string | undefined {
    return this.form.hidden ? undefined : this.draft.id;
  }

  open(draft: TemplateDraft): void {
    this.draft = draft;
    byId<HTMLInputElement>("tpl-title").value = draft.title;
    byId<HTMLTextAreaElement>("tpl-purpose").value = draft.purpose;
    byId<HTMLSelectElement>("tpl-scope").value = String(draft.scope);
    byId("tpl-form-h").textContent = draft.id
      ? `Edit “${draft.title}” (version ${draft.version}; saving makes the next version)`
      : "New template";
    show(this.form, true);
    this.render();
    byId("tpl-title").focus();
  }

  close(): void {
    show(this.form, false);
    this.d.closed();
  }

  focusTitle(): void {
    byId("tpl-title").focus();
  }

  private render(focusKey?: string): void {
    const fields = this.draft.fields;
    byId("tpl-fields").replaceChildren(...fields.map((_, i) => this.fieldBlock(fields, i, `${i}`, `field ${i + 1}`, false)));
    if (focusKey) {
      (document.getElementById(focusKey) ?? byId("tpl-add-field")).focus();
    }
  }

  private fieldBlock(list: FieldDraft[], i: number, path: string, name: string, inItem: boolean): HTMLElement {
    const f = list[i];
    const key = `tpl-f${path}`;
    const type = h("select", { id: `${key}-type`, "data-key": `${key}-type`, change: (e) => {
      f.type = Number((e.target as HTMLSelectElement).value) as T;
      this.render(`${key}-type`);
    } }, ...TYPES.filter(([t]) => !(inItem && t === T.LIST)).map(([t, words]) => h("option", { value: String(t) }, words)));
    type.value = String(f.type);
    const text = (id: string, value: string, max: number, set: (v: string) => void) => {
      const el = h("input", { id: `${key}-${id}`, "data-key": `${key}-${id}`, maxlength: String(max),
        input: (e) => set((e.target as HTMLInputElement).value) });
      el.value = value;
      return el;
    };
    const parts: (HTMLElement | false)[] = [
      h("legend", {}, name[0].toUpperCase() + name.slice(1)),
      ...labelled(`${key}-type`, "Type", type),
      ...labelled(`${key}-label`, "Label", text("label", f.label, 300, (v) => (f.label = v))),
      ...labelled(`${key}-help`, "Help text (optional)", text("help", f.help, 1000, (v) => (f.help = v))),
    ];
    if (isTextType(f.type)) {
      parts.push(...labelled(`${key}-max-length`, `Most characters (empty: ${TEXT_DEFAULT[f.type]})`,
        numberInput(`${key}-max-length`, f.maxLength ? String(f.maxLength) : "", { min: "1", max: String(TEXT_MAX[f.type]) }, (n) => (f.maxLength = n))));
    }
    if (f.type === T.SCALE) {
      parts.push(
        ...labelled(`${key}-min`, "Lowest", numberInput(`${key}-min`, String(f.min), { min: "-1000", max: "1000" }, (n) => (f.min = n))),
        ...labelled(`${key}-max`, "Highest", numberInput(`${key}-max`, String(f.max), { min: "-1000", max: "1000" }, (n) => (f.max = n))));
    }
    if (f.type === T.CHOICE) {
      const options = h("textarea", { id: `${key}-options`, "data-key": `${key}-options`, rows: "4",
        input: (e) => (f.options = (e.target as HTMLTextAreaElement).value.split("\n")) });
      options.value = f.options.join("\n");
      parts.push(...labelled(`${key}-options`, "Options, one per line (2 to 30)", options));
    }
    if (f.type === T.LIST && !inItem) {
      parts.push(this.itemFields(f, key, path, name));
    }
    if (!inItem) {
      parts.push(checkbox(`${key}-fac`, "Only facilitators fill this in", f.facilitatorOnly, (on) => (f.facilitatorOnly = on)));
    }
    parts.push(this.moveButtons(list, i, path, key, name));
    return h("fieldset", { class: "tpl-field", "data-path": path }, ...parts);
  }

  private itemFields(f: FieldDraft, key: string, path: string, name: string): HTMLElement {
    return h("fieldset", { class: "tpl-items" },
      h("legend", {}, `What each item of ${name} holds`),
      f.items.length === 0 ? h("p", { class: "hint" }, "No item fields yet: each item is one line of text.") : false,
      ...f.items.map((_, j) => this.fieldBlock(f.items, j, `${path}-${j}`, `item field ${j + 1} of ${name}`, true)),
      h("button", { type: "button", class: "small", id: `${key}-add-item`, "data-key": `${key}-add-item`, click: () => {
        f.items.push(newField());
        this.render(`${key}-${f.items.length - 1}-label`);
      } }, `Add an item field to ${name}`),
      checkbox(`${key}-own-rows`, "In shared sheets, each person writes only the items they add", f.ownRows, (on) => (f.ownRows = on)));
  }

  private moveButtons(list: FieldDraft[], i: number, path: string, key: string, name: string): HTMLElement {
    const parent = path.includes("-") ? path.slice(0, path.lastIndexOf("-") + 1) : "";
    const at = (j: number) => `tpl-f${parent}${j}`;
    const move = (to: number) => {
      [list[i], list[to]] = [list[to], list[i]];
      // Focus follows the field; at either end the button that still works.
      const up = to === list.length - 1 || (to < i && to !== 0);
      this.render(`${at(to)}-${up ? "up" : "down"}`);
    };
    const empty = parent ? `tpl-f${parent.slice(0, -1)}-add-item` : "tpl-add-field";
    return h("div", { class: "actions" },
      h("button", { type: "button", class: "small", id: `${key}-up`, disabled: i === 0, "aria-label": `Move ${name} up`, click: () => move(i - 1) }, "Move up"),
      h("button", { type: "button", class: "small", id: `${key}-down`, disabled: i === list.length - 1, "aria-label": `Move ${name} down`, click: () => move(i + 1) }, "Move down"),
      h("button", { type: "button", class: "small", id: `${key}-remove`, "aria-label": `Remove ${name}`, click: () => {
        list.splice(i, 1);
        this.render(list.length > i ? `${at(i)}-label` : list.length > 0 ? `${at(list.length - 1)}-label` : empty);
      } }, "Remove"));
  }
}
