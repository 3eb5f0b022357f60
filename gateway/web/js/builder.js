// The call editor's form builder and rubric editor. The state is plain data the editor owns
// (texts keyed by language, numbers as typed); typing changes it in place (the control keeps
// focus), adding, moving and removing re-render the list and put focus back on the control
// the author used. Every block carries its registry input path (errors.js) so a validation
// error lands beside it.
import { slot } from "./errors.js";
import { field, h } from "./ui.js";

export const QUESTION_TYPES = [
  ["SHORT_TEXT", "Short text"], ["LONG_TEXT", "Long text"], ["NUMBER", "Number"],
  ["SINGLE_CHOICE", "Single choice"], ["MULTIPLE_CHOICE", "Multiple choice"], ["DECLARATION", "Declaration (yes/no)"],
  ["COUNTRY", "Country"], ["REQUESTED_AMOUNT", "Requested amount"], ["FILE", "File"],
];
const TYPE_NAME = Object.fromEntries(QUESTION_TYPES);
// The types intake recognises by their magic bytes (services/registry/domain/calls.py).
const FILE_TYPES = ["pdf", "png", "jpeg", "docx", "xlsx", "pptx", "odt", "zip", "mp4"];
const MB = 1048576;

// Languages an author may add besides English (the programme's countries' languages).
export const LANGUAGES = ["en", "fr", "de", "nl", "es", "pt", "it", "pl", "ro", "hu", "el", "bg", "hr", "sl",
  "sk", "cs", "et", "lv", "lt", "da", "sv", "fi", "tr", "hy", "ka", "uk", "sr", "mt", "ga"];
const names = new Intl.DisplayNames(["en"], { type: "language" });
export const languageName = (code) => names.of(code) || code;

// --- conversions between the editor's state and the API's shapes -------------------------

const toTexts = (list) => Object.fromEntries((list || []).map((t) => [t.lang, t.text]));
export const fromTexts = (texts) => Object.entries(texts || {}).filter(([, text]) => text.trim())
  .map(([lang, text]) => ({ lang, text }));
const str = (n) => (n === null || n === undefined ? "" : String(n));
const num = (s) => (String(s ?? "").trim() === "" ? null : Number(s));

// The settings a new question of `type` starts with (a type's limits cannot be left out).
const typeDefaults = (type) => ({
  maxLength: type === "SHORT_TEXT" ? "200" : "", maxWords: type === "LONG_TEXT" ? "500" : "", minValue: "", maxValue: "",
  maxPicks: "", allowedTypes: type === "FILE" ? ["pdf"] : [], maxSizeMb: type === "FILE" ? "10" : "", maxCount: type === "FILE" ? "1" : "",
});

let keys = 0;
export function newQuestion(type, taken) {
  let key;
  do key = `question_${++keys}`; while (taken.has(key));
  return { key, type, required: true, labels: { en: "" }, help: {}, options: [], ...typeDefaults(type) };
}

export const questionFromApi = (q) => ({
  key: q.key, type: q.type, required: q.required, labels: toTexts(q.labels), help: toTexts(q.help),
  maxLength: str(q.maxLength), maxWords: str(q.maxWords), minValue: str(q.minValue), maxValue: str(q.maxValue),
  options: q.options.map((o) => ({ value: o.value, labels: toTexts(o.labels) })), maxPicks: str(q.maxPicks),
  allowedTypes: [...q.allowedTypes], maxSizeMb: q.maxSizeBytes ? str(q.maxSizeBytes / MB) : "", maxCount: str(q.maxCount),
});

// Only the settings that belong to the question's type are sent.
export function questionToApi(q) {
  const out = { key: q.key.trim(), type: q.type, required: q.required, labels: fromTexts(q.labels), help: fromTexts(q.help) };
  if (q.type === "SHORT_TEXT") out.maxLength = num(q.maxLength);
  if (q.type === "LONG_TEXT") out.maxWords = num(q.maxWords);
  if (q.type === "NUMBER" || q.type === "REQUESTED_AMOUNT") Object.assign(out, { minValue: num(q.minValue), maxValue: num(q.maxValue) });
  if (q.type === "SINGLE_CHOICE" || q.type === "MULTIPLE_CHOICE") {
    out.options = q.options.map((o) => ({ value: o.value.trim(), labels: fromTexts(o.labels) }));
  }
  if (q.type === "MULTIPLE_CHOICE") out.maxPicks = num(q.maxPicks);
  if (q.type === "FILE") {
    const mb = num(q.maxSizeMb);
    Object.assign(out, { allowedTypes: q.allowedTypes, maxSizeBytes: mb === null ? null : Math.round(mb * MB), maxCount: num(q.maxCount) });
  }
  return out;
}

// The question as the `call { form { questions } }` query returns it, for the preview.
export function questionForPreview(q) {
  const api = questionToApi(q);
  return { maxLength: null, maxWords: null, minValue: null, maxValue: null, maxPicks: null, maxSizeBytes: null,
    maxCount: null, options: [], allowedTypes: [], ...api, key: api.key || q.key };
}

export const DEFAULT_CRITERIA = ["excellence", "impact", "implementation"];
export const newCriterion = (key = "", label = "") => ({ key, labels: { en: label }, guidance: {}, weight: "1", threshold: "3" });
export const defaultRubric = () => ({
  criteria: DEFAULT_CRITERIA.map((key) => newCriterion(key, key[0].toUpperCase() + key.slice(1))), overallThreshold: "10",
});
export const rubricFromApi = (r) => ({
  overallThreshold: str(r.overallThreshold),
  criteria: r.criteria.map((c) => ({ key: c.key, labels: toTexts(c.labels), guidance: toTexts(c.guidance),
    weight: str(c.weight), threshold: str(c.threshold) })),
});
export const rubricToApi = (r) => ({
  overallThreshold: num(r.overallThreshold),
  criteria: r.criteria.map((c) => ({ key: c.key.trim(), labels: fromTexts(c.labels), guidance: fromTexts(c.guidance),
    weight: num(c.weight), threshold: num(c.threshold) })),
});

// --- controls -------------------------------------------------------------------------------

// One text per language, in a group named `legend`; the block for `path`.
// `enPath` names the English text's own block when the API takes it apart (a call's title).
export function translations(legend, path, texts, { languages, changed, disabled, multiline = false, required = false, enPath }) {
  return slot(path, h("fieldset", { class: "translations" }, h("legend", {}, legend, required ? " *" : null),
    languages.map((lang) => {
      const attrs = { lang, disabled, oninput: (e) => { texts[lang] = e.target.value; changed(); } };
      const control = multiline ? h("textarea", attrs, texts[lang] || "")
        : h("input", { type: "text", value: texts[lang] || "", ...attrs });
      if (lang === "en" && required) control.setAttribute("aria-required", "true");
      const block = field(languageName(lang), control);
      if (!(lang === "en" && enPath)) return block;
      block.dataset.name = `${legend} (English)`; // in the summary: "Title (English)", not "English"
      return slot(enPath, block);
    })));
}

// A text or number input bound to `object[name]`, as the block for `path`.
export function input(labelText, path, object, name, { changed, disabled, type = "text", help, min, step } = {}) {
  const control = h("input", { type, value: object[name] ?? "", disabled, min, step, inputmode: type === "number" ? "decimal" : null,
    oninput: (e) => { object[name] = e.target.value; changed(); } });
  return slot(path, field(labelText, control, { help }));
}

function checkbox(labelText, checked, onchange, disabled) {
  return h("label", { class: "check" }, h("input", { type: "checkbox", checked, disabled, onchange }), " ", labelText);
}

// An ordered list of items (questions, criteria, options) with move up / move down / remove.
// Moving keeps focus on the same button of the moved item (or its twin at the list's edge)
// and says where the item went.
function orderedList(items, { noun, name, render, changed, announce, disabled, path }) {
  // The list's own error line comes first, above the items a repaint replaces.
  const list = h("div", {});
  const host = slot(path, h("div", { class: "ordered", "data-name": name }, h("p", { class: "error", hidden: true }), list));
  function paint(focus) {
    list.replaceChildren(...items.map((item, i) => {
      const act = (action, run, text) => h("button", { type: "button", class: "secondary small", disabled: disabled || (action === "up" && i === 0)
        || (action === "down" && i === items.length - 1), "data-action": action, "aria-label": `${text} ${noun} ${i + 1}`,
      onclick: run }, text);
      const move = (to) => () => {
        items.splice(to, 0, items.splice(i, 1)[0]);
        changed();
        paint({ index: to, action: to < i ? "up" : "down" });
        announce(`${noun[0].toUpperCase()}${noun.slice(1)} ${i + 1} is now ${noun} ${to + 1} of ${items.length}.`);
      };
      const remove = () => {
        items.splice(i, 1);
        changed();
        paint({ index: Math.min(i, items.length - 1), action: "remove" });
        announce(`${noun[0].toUpperCase()}${noun.slice(1)} ${i + 1} removed; ${items.length} left.`);
      };
      const body = render(item, i, () => paint());
      return h("fieldset", { class: "item" }, h("legend", {}, body.title),
        h("div", { class: "row tools" }, act("up", move(i - 1), "Move up"), act("down", move(i + 1), "Move down"),
          act("remove", remove, "Remove")),
        body.nodes);
    }));
    if (!focus) return;
    const item = list.children[focus.index];
    const wanted = item?.querySelector(`[data-action="${focus.action}"]`);
    const target = wanted && !wanted.disabled ? wanted
      : item?.querySelector('[data-action]:not([disabled])') || host.closest("section")?.querySelector("[data-add]");
    target?.focus();
  }
  paint();
  return { node: host, items: list, paint };
}

// --- the form builder -----------------------------------------------------------------------

function optionsEditor(q, at, ctx) {
  const list = orderedList(q.options, { ...ctx, noun: "option", name: "Options", path: `${at}.options`, render: (o, j) => ({
    title: `Option ${j + 1}`,
    nodes: [input("Value (stored with the answer)", `${at}.options.${j}.value`, o, "value", ctx),
      translations("Option label", `${at}.options.${j}.labels`, o.labels, { ...ctx, required: true })],
  }) });
  const add = h("button", { type: "button", class: "secondary", disabled: ctx.disabled, onclick: () => {
    q.options.push({ value: `option_${q.options.length + 1}`, labels: { en: "" } });
    ctx.changed();
    list.paint();
    list.items.lastElementChild?.querySelector("input")?.focus();
  } }, "Add option");
  return h("div", {}, list.node, h("p", {}, add));
}

function questionSettings(q, at, ctx) {
  switch (q.type) {
    case "SHORT_TEXT": return [input("Max length (characters)", `${at}.maxLength`, q, "maxLength", { ...ctx, type: "number", min: 1 })];
    case "LONG_TEXT": return [input("Max words", `${at}.maxWords`, q, "maxWords", { ...ctx, type: "number", min: 1 })];
    case "NUMBER": case "REQUESTED_AMOUNT": return [h("div", { class: "pair" },
      input(q.type === "NUMBER" ? "Lowest value" : "Lowest amount (EUR)", `${at}.minValue`, q, "minValue", { ...ctx, type: "number", step: "any" }),
      input(q.type === "NUMBER" ? "Highest value" : "Highest amount (EUR)", `${at}.maxValue`, q, "maxValue", { ...ctx, type: "number", step: "any" }))];
    case "SINGLE_CHOICE": return [optionsEditor(q, at, ctx)];
    case "MULTIPLE_CHOICE": return [optionsEditor(q, at, ctx),
      input("Max picks", `${at}.maxPicks`, q, "maxPicks", { ...ctx, type: "number", min: 1, help: "Leave empty for no limit." })];
    case "FILE": return [
      slot(`${at}.allowedTypes`, h("fieldset", {}, h("legend", {}, "Allowed file types"), h("div", { class: "row" },
        FILE_TYPES.map((t) => checkbox(t.toUpperCase(), q.allowedTypes.includes(t), (e) => {
          q.allowedTypes = e.target.checked ? [...q.allowedTypes, t] : q.allowedTypes.filter((x) => x !== t);
          ctx.changed();
        }, ctx.disabled))))),
      h("div", { class: "pair" },
        input("Max size per file (MB)", `${at}.maxSizeBytes`, q, "maxSizeMb", { ...ctx, type: "number", min: 1, step: "any" }),
        input("Max number of files", `${at}.maxCount`, q, "maxCount", { ...ctx, type: "number", min: 1 }))];
    default: return []; // declaration, country: nothing to set
  }
}

export function formBuilder(questions, ctx) {
  const list = orderedList(questions, { ...ctx, noun: "question", name: "Questions", path: "form.questions", render: (q, i, repaint) => {
    const at = `form.questions.${i}`;
    const type = h("select", { disabled: ctx.disabled, "data-role": "type", onchange: (e) => {
      q.type = e.target.value;
      Object.assign(q, typeDefaults(q.type));
      ctx.changed();
      repaint();
      list.items.children[i]?.querySelector('[data-role="type"]')?.focus();
    } }, QUESTION_TYPES.map(([value, name]) => h("option", { value, selected: value === q.type }, name)));
    return {
      title: `Question ${i + 1} · ${TYPE_NAME[q.type]}`,
      nodes: [
        h("div", { class: "pair" },
          input("Key", `${at}.key`, q, "key", { ...ctx, help: "Lower-case letters, digits and _; names the answer in exports." }),
          slot(`${at}.type`, field("Type", type))),
        h("p", {}, checkbox("Required", q.required, (e) => { q.required = e.target.checked; ctx.changed(); }, ctx.disabled)),
        translations("Label", `${at}.labels`, q.labels, { ...ctx, required: true }),
        translations("Help text", `${at}.help`, q.help, { ...ctx, multiline: true }),
        ...questionSettings(q, at, ctx),
      ],
    };
  } });
  const kind = h("select", {}, QUESTION_TYPES.map(([value, name]) => h("option", { value }, name)));
  const add = h("button", { type: "button", "data-add": true, disabled: ctx.disabled, onclick: () => {
    questions.push(newQuestion(kind.value, new Set(questions.map((q) => q.key))));
    ctx.changed();
    list.paint();
    list.items.lastElementChild?.querySelector("input")?.focus();
    ctx.announce(`Question ${questions.length} (${TYPE_NAME[kind.value]}) added.`);
  } }, "Add question");
  return h("section", { class: "builder", "aria-labelledby": "builder-title" }, h("h2", { id: "builder-title" }, "Application form"),
    list.node, h("div", { class: "row add" }, field("New question's type", kind), add));
}

// --- the rubric -----------------------------------------------------------------------------

export function rubricEditor(rubric, ctx) {
  const list = orderedList(rubric.criteria, { ...ctx, noun: "criterion", name: "Criteria", path: "rubric.criteria", render: (c, i) => {
    const at = `rubric.criteria.${i}`;
    return {
      title: `Criterion ${i + 1}`,
      nodes: [
        input("Key", `${at}.key`, c, "key", ctx),
        translations("Name", `${at}.labels`, c.labels, { ...ctx, required: true }),
        translations("Guidance for evaluators", `${at}.guidance`, c.guidance, { ...ctx, multiline: true }),
        h("div", { class: "pair" },
          input("Weight", `${at}.weight`, c, "weight", { ...ctx, type: "number", step: "any", min: 0,
            help: "Orders the ranking only." }),
          input("Threshold (0–5)", `${at}.threshold`, c, "threshold", { ...ctx, type: "number", step: "0.5", min: 0,
            help: "On the unweighted consensus score." })),
      ],
    };
  } });
  const add = h("button", { type: "button", class: "secondary", "data-add": true, disabled: ctx.disabled, onclick: () => {
    rubric.criteria.push(newCriterion());
    ctx.changed();
    list.paint();
    list.items.lastElementChild?.querySelector("input")?.focus();
  } }, "Add criterion");
  return h("section", { class: "builder", "aria-labelledby": "rubric-title" }, h("h2", { id: "rubric-title" }, "Evaluation rubric"),
    h("p", { class: "help" }, "Each criterion is scored 0 to 5 in half points."),
    list.node, h("p", {}, add),
    input("Overall threshold", "rubric.overallThreshold", rubric, "overallThreshold", { ...ctx, type: "number", step: "0.5", min: 0,
      help: "The lowest total of the unweighted scores that passes." }));
}
