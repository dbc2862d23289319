// The template editor's pure part: a WorksheetTemplate built from the form's
// draft (ids from labels and the title, unique and of the server's alphabet;
// choices; attributes only on their own type), a saved template loaded back
// into a draft and saved again unchanged, the library's retired rows, and
// refusals of a save or retirement in words.
import { test } from "node:test";
import assert from "node:assert/strict";
import { clone, create, equals } from "@bufbuild/protobuf";
import { ErrorCode } from "../src/gen/hearth/v1/errors_pb";
import { WorksheetFieldType as T, WorksheetScope, WorksheetTemplateSchema, type WorksheetTemplate } from "../src/gen/hearth/v1/worksheet_pb";
import {
  draftFromTemplate, newDraft, newField, newTemplateId, slug, templateFromDraft, templateRows, uniqueId, type FieldDraft,
} from "../src/worksheets/template_draft";
import { templateRefusal } from "../src/ui/template_console";

const ID = /^[a-z0-9_]{1,64}$/;
const field = (type: T, label: string, more: Partial<FieldDraft> = {}): FieldDraft => ({ ...newField(type), label, ...more });

test("slugs keep letters and digits, drop accents and punctuation, and fit 64", () => {
  assert.equal(slug("Café & me: week 2!"), "cafe_me_week_2");
  assert.equal(slug("  Évaluation — Ärger  "), "evaluation_arger");
  assert.equal(slug("日本語"), "");
  assert.equal(slug("🙂"), "");
  const long = slug("word ".repeat(40));
  assert.ok(long.length <= 64 && ID.test(long) && !long.endsWith("_"));
});

test("unique ids count up and still fit 64", () => {
  assert.equal(uniqueId("mood", new Set()), "mood");
  assert.equal(uniqueId("mood", new Set(["mood"])), "mood_2");
  assert.equal(uniqueId("mood", new Set(["mood", "mood_2"])), "mood_3");
  const base = "a".repeat(64);
  const next = uniqueId(base, new Set([base]));
  assert.equal(next.length, 64);
  assert.ok(next.endsWith("_2") && ID.test(next));
});

test("a new template's id is c_ and the title's slug, unique against every known id, retired ones too", () => {
  assert.equal(newTemplateId("Weekly check-in", ["halt_checkin"]), "c_weekly_check_in");
  assert.equal(newTemplateId("Weekly check-in", ["c_weekly_check_in"]), "c_weekly_check_in_2");
  assert.equal(newTemplateId("???", []), "c_template");
  const long = newTemplateId("x".repeat(300), []);
  assert.ok(long.startsWith("c_") && long.length === 64 && ID.test(long));
});

test("fields get unique ids from their labels; attributes go only on their own type", () => {
  const d = newDraft();
  d.title = "  Weekly check-in ";
  d.purpose = "Before group";
  d.scope = WorksheetScope.PERSONAL;
  d.fields = [
    field(T.SHORT_TEXT, "Mood", { maxLength: 80, min: 3, options: ["stray"] }),
    field(T.LONG_TEXT, "Mood", { help: "In a few words", facilitatorOnly: true }),
    field(T.SCALE, "Craving (0-10)", { min: 0, max: 10, maxLength: 50 }),
    field(T.CHECKBOX, "", {}),
    field(T.DATE, "Next meeting"),
    field(T.CHOICE, "Feeling", { options: ["Calm", " Tense ", "", "calm!", "Calm"] }),
  ];
  const t = templateFromDraft(d, ["c_other"]);
  assert.equal(t.id, "c_weekly_check_in");
  assert.equal(t.version, 0, "the server assigns the version");
  assert.equal(t.title, "Weekly check-in");
  assert.equal(t.defaultScope, WorksheetScope.PERSONAL);
  assert.deepEqual(t.fields.map((f) => f.id), ["mood", "mood_2", "craving_0_10", "field", "next_meeting", "feeling"]);
  for (const f of t.fields) {
    assert.match(f.id, ID);
  }
  const [short, long, scale, check, , choice] = t.fields;
  assert.deepEqual([short.maxLength, short.min, short.choices.length], [80, 0, 0]);
  assert.deepEqual([long.help, long.facilitatorOnly], ["In a few words", true]);
  assert.deepEqual([scale.min, scale.max, scale.maxLength], [0, 10, 0]);
  assert.deepEqual([check.min, check.max], [0, 0]);
  assert.deepEqual(choice.choices.map((c) => [c.id, c.label]), [["calm", "Calm"], ["tense", "Tense"], ["calm_2", "calm!"], ["calm_3", "Calm"]]);
});

test("a list holds its item fields, or one line of text per item when it has none", () => {
  const d = newDraft();
  d.title = "Supports";
  d.fields = [
    field(T.LIST, "People I can call", { ownRows: true, maxLength: 9, facilitatorOnly: false, items: [
      field(T.SHORT_TEXT, "Name", { maxLength: 100 }),
      field(T.CHOICE, "Who", { options: ["Sponsor", "Family"], facilitatorOnly: true }),
    ] }),
    field(T.LIST, "Reasons"),
  ];
  const t = templateFromDraft(d, []);
  const [people, reasons] = t.fields;
  assert.equal(people.maxLength, 0);
  assert.equal(people.ownRows, true);
  assert.deepEqual(people.itemFields.map((f) => [f.id, f.type, f.facilitatorOnly]), [["name", T.SHORT_TEXT, false], ["who", T.CHOICE, false]]);
  assert.deepEqual(people.itemFields[1].choices.map((c) => c.id), ["sponsor", "family"]);
  assert.deepEqual(reasons.itemFields.map((f) => [f.id, f.label, f.type]), [["text", "Reasons", T.SHORT_TEXT]]);
  assert.equal(reasons.ownRows, false);
});

function shipped(): WorksheetTemplate {
  return create(WorksheetTemplateSchema, {
    id: "c_supports", version: 3, title: "My supports", purpose: "Who helps", defaultScope: WorksheetScope.FAMILY,
    fields: [
      { id: "goal", label: "Goal", help: "One sentence", type: T.SHORT_TEXT, maxLength: 120 },
      { id: "notes", label: "Notes", type: T.LONG_TEXT, facilitatorOnly: true },
      { id: "risk", label: "Risk", type: T.SCALE, min: -5, max: 5 },
      { id: "ok", label: "Reviewed", type: T.CHECKBOX },
      { id: "when", label: "When", type: T.DATE },
      { id: "feel", label: "Feeling", type: T.CHOICE, choices: [{ id: "a1", label: "Calm" }, { id: "b2", label: "Tense" }] },
      { id: "people", label: "People", type: T.LIST, maxItems: 12, ownRows: true, itemFields: [
        { id: "name", label: "Name", type: T.SHORT_TEXT, maxLength: 100 },
        { id: "role", label: "Role", type: T.CHOICE, choices: [{ id: "s", label: "Sponsor" }, { id: "f", label: "Family" }] },
      ] },
    ],
  });
}

test("a saved template loaded into the form and saved again is the same template (round trip)", () => {
  const t = shipped();
  const d = draftFromTemplate(t);
  assert.equal(d.id, "c_supports");
  assert.equal(d.version, 3);
  assert.deepEqual(d.fields[5].options, ["Calm", "Tense"]);
  const back = templateFromDraft(d, ["c_supports"]);
  const expected = clone(WorksheetTemplateSchema, t);
  expected.version = 0; // the server assigns it
  assert.ok(equals(WorksheetTemplateSchema, back, expected), "same id, fields, ids, options and settings");
});

test("editing keeps the ids of saved fields and options; new ones get ids no sibling has", () => {
  const d = draftFromTemplate(shipped());
  d.title = "My supports, revised";
  d.fields[0].label = "Main goal";                    // renamed: keeps "goal"
  d.fields[5].options = ["Tense", "Calm", "Hopeful"]; // reordered and one added
  d.fields.push(field(T.SHORT_TEXT, "Goal"));         // "goal" is taken
  d.fields[6].items.push(field(T.DATE, "Name"));
  const t = templateFromDraft(d, ["c_supports", "c_my_supports_revised"]);
  assert.equal(t.id, "c_supports", "an edit saves the next version of the same id");
  assert.deepEqual(t.fields.map((f) => f.id), ["goal", "notes", "risk", "ok", "when", "feel", "people", "goal_2"]);
  assert.deepEqual(t.fields[5].choices.map((c) => [c.id, c.label]), [["b2", "Tense"], ["a1", "Calm"], ["hopeful", "Hopeful"]]);
  assert.deepEqual(t.fields[6].itemFields.map((f) => f.id), ["name", "role", "name_2"]);
});

test("a field's type changed in the form drops the old type's settings", () => {
  const d = draftFromTemplate(shipped());
  d.fields[5].type = T.SHORT_TEXT; // was a choice
  d.fields[6].type = T.SCALE;      // was a list
  const t = templateFromDraft(d, []);
  assert.deepEqual([t.fields[5].choices.length, t.fields[6].itemFields.length, t.fields[6].maxItems, t.fields[6].ownRows], [0, 0, 0, false]);
  assert.deepEqual([t.fields[6].min, t.fields[6].max], [0, 10]);
});

test("the library marks retired templates: listed with include_retired, missing without", () => {
  const tpl = (id: string) => create(WorksheetTemplateSchema, { id, version: 1, title: id });
  const current = [tpl("halt_checkin"), tpl("c_live")];
  const all = [tpl("halt_checkin"), tpl("c_live"), tpl("c_old")];
  assert.deepEqual(templateRows(current, all).map((r) => [r.template.id, r.custom, r.retired]),
    [["halt_checkin", false, false], ["c_live", true, false], ["c_old", true, true]]);
  assert.deepEqual(templateRows(current).map((r) => r.retired), [false, false]);
});

test("refusals: the server's reason for a template it found wrong, retired or too large", () => {
  assert.equal(templateRefusal(ErrorCode.BAD_REQUEST, "invalid template: field 'feel': a choice needs 2 to 30 options"),
    "Not saved: invalid template: field 'feel': a choice needs 2 to 30 options.");
  assert.equal(templateRefusal(ErrorCode.FAILED_PRECONDITION, "the template is retired", "retired"), "Not retired: the template is retired.");
  assert.equal(templateRefusal(ErrorCode.TOO_MANY_REQUESTS, "the template is being stored; retry"), "Not saved yet: the template is being stored; retry.");
  assert.match(templateRefusal(ErrorCode.PERMISSION_DENIED, "only facilitators save worksheet templates"), /^Not saved: That is not allowed/);
});
