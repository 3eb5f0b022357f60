// One question of a call's form, rendered exactly as the applicant sees it: the apply page and
// the form builder's live preview both draw it with this module.
//
// questionField(question, options) -> { node, read(), setMessage(text) }
//   question   the API's FormQuestion: key type required labels help maxLength maxWords minValue
//              maxValue maxPicks allowedTypes maxSizeBytes maxCount options { value labels }
//   options    lang       the language of the texts (English when a text lacks it)
//              value      the current answer (undefined: none yet)
//              onChange   called with the new answer after each edit
//              disabled   every control disabled (a preview)
//              maxGrant   the call's ceiling, named under a REQUESTED_AMOUNT question
//              countries  [{ code, name }], the choices of a COUNTRY question
//              onFiles    FILE only: called with the chosen File objects
//              fileParts  FILE only: nodes shown under the picker (upload lines, the file list)
//   node       the block, data-field="answers.<key>", with its own error line
//   read()     the answer as it stands now
//   setMessage the question's error in words ("" or null clears it); the controls are marked
//              aria-invalid and described by it while it is shown
// label(texts, lang)     the text in lang, else in English, else ""
// labelNode(texts, lang) the same text in a <span lang> (pronounced right), null when none
// markProblem(block, message) setMessage for any block that has a ":scope > .error" line
import { counted, field, h, markControl, nextId } from "./ui.js";

const pick = (texts, lang) => (texts || []).find((l) => l.lang === lang) || (texts || []).find((l) => l.lang === "en");
export const label = (texts, lang) => pick(texts, lang)?.text || "";
export function labelNode(texts, lang) {
  const found = pick(texts, lang);
  return found?.text ? h("span", { lang: found.lang }, found.text) : null;
}

// Parts (texts or nodes) joined by spaces; null when none is left.
const sentence = (...parts) => {
  const kept = parts.filter(Boolean);
  return kept.length ? kept.flatMap((part, i) => (i ? [" ", part] : [part])) : null;
};
const wordCount = (value) => (value.match(/\S+/g) || []).length;

const lowest = (...values) => { const known = values.filter((v) => v != null); return known.length ? Math.min(...known) : null; };

// "Between 5,000 and 60,000 EUR.": `most` is the question's own maximum, or a smaller cap
// (an amount's maximum grant); none known, no sentence (not "At most null").
function range(q, unit = "", most = q.maxValue) {
  const n = (v) => `${Number(v).toLocaleString("en")}${unit}`;
  if (q.minValue != null && most != null) return `Between ${n(q.minValue)} and ${n(most)}.`;
  if (q.minValue != null) return `At least ${n(q.minValue)}.`;
  return most != null ? `At most ${n(most)}.` : null;
}

// Only the block's own message (a direct child), never the per-file lines inside it.
export function markProblem(block, message) {
  const error = block.querySelector(":scope > .error");
  if (!error) return;
  error.hidden = !message;
  error.textContent = message || "";
  for (const control of block.querySelectorAll("input, select, textarea")) markControl(control, error, message);
}

function wrap(q, labelText, control, help, note) {
  const block = field(labelText, control, { help, note });
  block.dataset.field = `answers.${q.key}`;
  return block;
}

function longText(q, labelText, help, value, set) {
  const counter = h("p", { class: "help" });
  const count = (words) => {
    const over = q.maxWords != null && words > q.maxWords;
    counter.textContent = (q.maxWords != null ? `${words} of at most ${q.maxWords} words` : `${words} words`) + (over ? ": too long" : "");
    counter.classList.toggle("bad", over);
  };
  count(wordCount(value ?? ""));
  return wrap(q, labelText, h("textarea", { oninput: (e) => { count(wordCount(e.target.value)); set(e.target.value); } },
    value ?? ""), help, counter);
}

function multipleChoice(q, labelText, help, value, set, lang) {
  const picked = new Set(value || []);
  const limit = q.maxPicks;
  const note = limit != null ? h("p", { class: "help", id: nextId("picks"), "aria-live": "polite" }) : null;
  // At the limit the other boxes are disabled, and the note says why.
  const enforce = () => {
    if (limit == null) return;
    const full = picked.size >= limit;
    for (const box of boxes) box.disabled = full && !box.checked;
    note.textContent = full ? `You have chosen ${limit}, the most allowed: clear one to choose another.` : `Choose at most ${limit}.`;
  };
  const boxes = q.options.map((o) => h("input", { type: "checkbox", checked: picked.has(o.value), onchange: (e) => {
    if (e.target.checked) picked.add(o.value); else picked.delete(o.value);
    enforce();
    set([...picked]);
  } }));
  enforce();
  const helpNode = help ? h("p", { class: "help", id: nextId("help") }, help) : null;
  return h("fieldset", { "data-field": `answers.${q.key}`, "aria-describedby": [helpNode?.id, note?.id].filter(Boolean).join(" ") || null },
    h("legend", {}, labelText), helpNode, q.options.map((o, i) => h("label", {}, boxes[i], " ", labelNode(o.labels, lang))), note,
    h("p", { class: "error", id: nextId("error"), role: "alert", hidden: true }));
}

function filePicker(q, labelText, help, onFiles, fileParts) {
  const picker = h("input", { type: "file", multiple: (q.maxCount || 1) > 1,
    accept: (q.allowedTypes || []).map((t) => `.${t === "jpeg" ? "jpg,.jpeg" : t}`).join(","),
    onchange: async (event) => {
      await onFiles?.([...event.target.files]);
      event.target.value = "";
    } });
  const limits = [
    q.allowedTypes?.length ? q.allowedTypes.map((t) => t.toUpperCase()).join(", ") : null,
    q.maxSizeBytes ? `up to ${Math.round(q.maxSizeBytes / 1048576)} MB` : null,
    q.maxCount ? `at most ${counted(q.maxCount, "file")}` : null,
  ].filter(Boolean).join("; ");
  const block = wrap(q, labelText, picker, sentence(help, limits && `${limits}.`));
  block.append(...(fileParts || []));
  return block;
}

function block(q, { lang, value, set, maxGrant, countries, onFiles, fileParts }) {
  const labelText = [labelNode(q.labels, lang), q.required ? " *" : null];
  const help = labelNode(q.help, lang);
  switch (q.type) {
    case "SHORT_TEXT": return wrap(q, labelText, h("input", { type: "text", value: value ?? "",
      oninput: (e) => set(e.target.value) }), sentence(help, q.maxLength != null && `At most ${q.maxLength} characters.`));
    case "LONG_TEXT": return longText(q, labelText, help, value, set);
    case "NUMBER": case "REQUESTED_AMOUNT": return wrap(q, labelText, h("input", { type: "number", value: value ?? "",
      min: q.minValue ?? null, max: q.maxValue ?? null, oninput: (e) => set(e.target.value === "" ? null : Number(e.target.value)) }),
      sentence(help, q.type === "REQUESTED_AMOUNT" ? range(q, " EUR", lowest(q.maxValue, maxGrant)) : range(q)));
    case "SINGLE_CHOICE": case "COUNTRY": {
      const options = q.type === "COUNTRY" ? (countries || []).map((c) => [c.code, c.name, null])
        : q.options.map((o) => { const l = pick(o.labels, lang); return [o.value, l?.text || o.value, l?.lang]; });
      return wrap(q, labelText, h("select", { onchange: (e) => set(e.target.value || null) },
        h("option", { value: "" }, "Choose…"), options.map(([v, t, l]) => h("option", { value: v, selected: v === value, lang: l }, t))), help);
    }
    case "MULTIPLE_CHOICE": return multipleChoice(q, labelText, help, value, set, lang);
    case "DECLARATION": return h("div", { class: "field", "data-field": `answers.${q.key}` }, h("label", {},
      h("input", { type: "checkbox", checked: value === true, onchange: (e) => set(e.target.checked) }), " ", labelText),
      h("p", { class: "error", id: nextId("error"), role: "alert", hidden: true }));
    case "FILE": return filePicker(q, labelText, help, onFiles, fileParts);
    default: return h("p", { "data-field": `answers.${q.key}` }, `Unsupported question ${label(q.labels, lang) || q.key}`);
  }
}

export function questionField(question, { lang = "en", value, onChange, disabled = false, maxGrant, countries, onFiles, fileParts } = {}) {
  let current = value;
  const set = (v) => { current = v; onChange?.(v); };
  const node = block(question, { lang, value, set, maxGrant, countries, onFiles, fileParts });
  const controls = node.querySelectorAll("input, select, textarea");
  // A required question's controls say so to assistive technology too (the "*" is visual).
  // Not a group of boxes: there, each box is optional on its own.
  if (question.required && question.type !== "MULTIPLE_CHOICE") {
    for (const control of controls) control.setAttribute("aria-required", "true");
  }
  if (disabled) for (const control of controls) control.disabled = true;
  return { node, read: () => current, setMessage: (text) => markProblem(node, text) };
}
