// A facilitator's template as the editor holds it (a draft), and the
// WorksheetTemplate made from it for SaveWorksheetTemplate. Ids are made
// here, from labels and the title, so that what is sent passes the server's
// schema check (server/worksheets/template_check.cpp): ids of [a-z0-9_],
// 1-64 long, unique among their siblings; each attribute only on the type it
// belongs to. Everything else the server checks and explains (107).
import { create } from "@bufbuild/protobuf";
import {
  WorksheetFieldSchema, WorksheetFieldType as T, WorksheetScope, WorksheetTemplateSchema,
  type WorksheetField, type WorksheetTemplate,
} from "../gen/hearth/v1/worksheet_pb";

/** Facilitators' templates have ids with this prefix; built-in ones never do. */
export const CUSTOM_PREFIX = "c_";
const MAX_ID = 64;

export interface ChoiceDraft {
  id: string;
  label: string;
}

export interface FieldDraft {
  /** "" for a field not saved yet: its id is made from its label. */
  id: string;
  type: T;
  label: string;
  help: string;
  /** Text fields: code points; 0 is the server's default. */
  maxLength: number;
  min: number;
  max: number;
  /** Choice fields: the options' labels, in order. */
  options: string[];
  /** The options of the version loaded: an option keeps its id while its label stays. */
  knownChoices: ChoiceDraft[];
  /** List fields: the record each item holds. */
  items: FieldDraft[];
  /** Not edited in the form; kept so that a new version does not drop it. */
  maxItems: number;
  ownRows: boolean;
  facilitatorOnly: boolean;
}

export interface TemplateDraft {
  /** "" for a new template: `c_` and a slug of the title. */
  id: string;
  /** The version loaded (0: new); the server assigns the next one. */
  version: number;
  title: string;
  purpose: string;
  scope: WorksheetScope;
  fields: FieldDraft[];
}

export const isCustomTemplate = (id: string): boolean => id.startsWith(CUSTOM_PREFIX);
export const isTextType = (t: T): boolean => t === T.SHORT_TEXT || t === T.LONG_TEXT;

export function newField(type: T = T.SHORT_TEXT): FieldDraft {
  return { id: "", type, label: "", help: "", maxLength: 0, min: 0, max: 10, options: [], knownChoices: [],
    items: [], maxItems: 0, ownRows: false, facilitatorOnly: false };
}

export function newDraft(): TemplateDraft {
  return { id: "", version: 0, title: "", purpose: "", scope: WorksheetScope.SESSION, fields: [newField()] };
}

/**
 * Lowercase [a-z0-9_] words of `text`, accents dropped ("Café & me" -> "cafe_me"),
 * at most `max` long; "" when nothing of it is left.
 */
export function slug(text: string, max = MAX_ID): string {
  const words = text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().replace(/[^a-z0-9]+/g, "_");
  return words.replace(/^_+|_+$/g, "").slice(0, max).replace(/_+$/, "");
}

/** `base`, or `base_2`, `base_3`... (cut to fit 64), the first not in `taken`. */
export function uniqueId(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) {
    return base;
  }
  for (let n = 2; ; n++) {
    const suffix = `_${n}`;
    const id = `${base.slice(0, MAX_ID - suffix.length).replace(/_+$/, "")}${suffix}`;
    if (!taken.has(id)) {
      return id;
    }
  }
}

/**
 * The id of a new template: `c_` and the title's slug, unique against every
 * id known (retired ones too: a retired id takes no new version).
 */
export function newTemplateId(title: string, known: Iterable<string>): string {
  const base = CUSTOM_PREFIX + (slug(title, MAX_ID - CUSTOM_PREFIX.length) || "template");
  return uniqueId(base, new Set(known));
}

function choicesOf(f: FieldDraft): ChoiceDraft[] {
  const taken = new Set<string>();
  const out: ChoiceDraft[] = [];
  for (const raw of f.options) {
    const label = raw.trim();
    if (!label) {
      continue;
    }
    const known = f.knownChoices.find((c) => c.label === label && !taken.has(c.id));
    const id = known?.id ?? uniqueId(slug(label) || "option", new Set([...taken, ...f.knownChoices.map((c) => c.id)]));
    taken.add(id);
    out.push({ id, label });
  }
  return out;
}

function fieldsOf(drafts: FieldDraft[], inItem: boolean): WorksheetField[] {
  // Saved fields keep their ids; new ones get ids no sibling has.
  const taken = new Set(drafts.map((f) => f.id).filter(Boolean));
  return drafts.map((f) => {
    let id = f.id;
    if (!id) {
      id = uniqueId(slug(f.label) || "field", taken);
      taken.add(id);
    }
    const list = f.type === T.LIST && !inItem;
    return create(WorksheetFieldSchema, {
      id,
      label: f.label.trim(),
      help: f.help.trim(),
      type: f.type,
      maxLength: isTextType(f.type) ? f.maxLength : 0,
      min: f.type === T.SCALE ? f.min : 0,
      max: f.type === T.SCALE ? f.max : 0,
      choices: f.type === T.CHOICE ? choicesOf(f) : [],
      itemFields: list ? itemFieldsOf(f) : [],
      maxItems: list ? f.maxItems : 0,
      ownRows: list && f.ownRows,
      facilitatorOnly: !inItem && f.facilitatorOnly,
    });
  });
}

// A list with no item fields holds one line of text per item, as a template
// file's list does (template_json.cpp).
function itemFieldsOf(f: FieldDraft): WorksheetField[] {
  if (f.items.length === 0) {
    return [create(WorksheetFieldSchema, { id: "text", label: f.label.trim(), type: T.SHORT_TEXT })];
  }
  return fieldsOf(f.items, true);
}

/**
 * The template to send. `known` is every template id the console knows
 * (retired ones included), against which a new template's id is made unique.
 * The version is left 0: the server assigns it.
 */
export function templateFromDraft(d: TemplateDraft, known: Iterable<string>): WorksheetTemplate {
  return create(WorksheetTemplateSchema, {
    id: d.id || newTemplateId(d.title, known),
    version: 0,
    title: d.title.trim(),
    purpose: d.purpose.trim(),
    defaultScope: d.scope,
    fields: fieldsOf(d.fields, false),
  });
}

function fieldDraft(f: WorksheetField): FieldDraft {
  return {
    id: f.id, type: f.type, label: f.label, help: f.help, maxLength: f.maxLength,
    min: f.type === T.SCALE ? f.min : 0, max: f.type === T.SCALE ? f.max : 10,
    options: f.choices.map((c) => c.label), knownChoices: f.choices.map((c) => ({ id: c.id, label: c.label })),
    items: f.itemFields.map(fieldDraft), maxItems: f.maxItems, ownRows: f.ownRows, facilitatorOnly: f.facilitatorOnly,
  };
}

/** A saved template back in the editor, to make its next version. */
export function draftFromTemplate(t: WorksheetTemplate): TemplateDraft {
  return { id: t.id, version: t.version, title: t.title, purpose: t.purpose, scope: t.defaultScope, fields: t.fields.map(fieldDraft) };
}

export interface TemplateRow {
  template: WorksheetTemplate;
  custom: boolean;
  retired: boolean;
}

/**
 * The console's list: `current` is what ListWorksheetTemplates answers
 * without retired templates; `all` (include_retired) adds the retired ones,
 * which the protocol does not mark: they are the ids missing from `current`.
 * Retired rows are left out unless `all` is given.
 */
export function templateRows(current: WorksheetTemplate[], all?: WorksheetTemplate[]): TemplateRow[] {
  const live = new Set(current.map((t) => t.id));
  return (all ?? current).map((t) => ({ template: t, custom: isCustomTemplate(t.id), retired: !live.has(t.id) }));
}
