// Tiny DOM helpers: every text goes in as text, never as HTML.

// Shown on the form and in My applications when the live draft differs from the receipt.
export const UNSUBMITTED = "You have changes that are not submitted yet — submit again before the deadline.";

export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2).toLowerCase(), value);
    else if (key === "class") node.className = value;
    else if (value === true) node.setAttribute(key, "");
    else node.setAttribute(key, value);
  }
  // Any depth of lists (a list of [term, definition] pairs, say) is flattened.
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

let generation = 0;
export function newRoute() { unsaved = null; unsavedOnUnload = null; return ++generation; }

// A page with work it has not saved names it here (a function answering the question to ask,
// or null when nothing would be lost); leaving the page, or the tab, then asks first.
let unsaved = null;
export function holdUnsaved(question) { unsaved = question; }
export const unsavedQuestion = () => unsaved?.() || null;
// A page that saves by itself when the visitor moves on in the portal (the application form)
// still loses an edit when the tab is closed or reloaded before it saved: only that asks.
let unsavedOnUnload = null;
export function holdUnsavedOnUnload(lost) { unsavedOnUnload = lost; }
export const unloadLoses = () => Boolean(unsaved?.() || unsavedOnUnload?.());
export const currentRoute = () => generation;

// A page's own `show`: once the visitor has moved on, a late answer no longer paints over
// the page they are on.
// Said once, under the heading of the next screen shown (what an action did before it
// moved the visitor on: "Your password is set").
let flash = null;
export function flashNext(text) { flash = text; }

export function screen() {
  const mine = generation;
  return (...nodes) => {
    if (mine !== generation) return;
    const main = document.getElementById("main");
    main.replaceChildren(...nodes.flat(Infinity).filter((n) => n !== null && n !== undefined && n !== false));
    if (flash) {
      const said = h("p", { class: "notice", id: "flash" }, flash);
      flash = null;
      const heading = main.querySelector("h1");
      if (heading) heading.after(said); else main.prepend(said);
    }
    // The tab, the history and a screen reader name each view by its heading.
    const heading = main.querySelector("h1")?.textContent;
    document.title = heading ? `${heading} · Open calls` : "Open calls";
    main.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  };
}

let uid = 0;
export const nextId = (prefix) => `${prefix}-${++uid}`;

// A labelled control with optional help above it and a note (a counter, a limit) below it;
// both are read out with the control.
export function field(labelText, control, { help, note } = {}) {
  const id = control.id || nextId("f");
  control.id = id;
  const helpNode = help ? h("p", { class: "help", id: `${id}-help` }, help) : null;
  if (note) note.id ||= `${id}-note`;
  const described = [helpNode?.id, note?.id].filter(Boolean).join(" ");
  if (described) control.setAttribute("aria-describedby", described);
  const error = h("p", { class: "error", id: `${id}-error`, role: "alert", hidden: true });
  return h("div", { class: "field" }, h("label", { for: id }, labelText), helpNode, control, note, error);
}

// The message beside a field()'s control, read out with it while shown.
export function setError(container, message) {
  const error = container.querySelector(".error");
  if (!error) return;
  error.hidden = !message;
  error.textContent = message || "";
  const control = container.querySelector("input, select, textarea");
  if (control) markControl(control, error, message);
}

// A control marked invalid and described by its `error` line while `message` stands; both
// undone once it is cleared.
export function markControl(control, error, message) {
  const ids = (control.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && id !== error.id);
  if (message) ids.push(error.id);
  if (ids.length) control.setAttribute("aria-describedby", ids.join(" ")); else control.removeAttribute("aria-describedby");
  if (message) control.setAttribute("aria-invalid", "true"); else control.removeAttribute("aria-invalid");
}

export const problem = (message) => h("p", { class: "notice bad", role: "alert" }, message);

// An async click or submit handler whose failure (network, server) is shown in `out`, beside
// the control, instead of vanishing; a second click while it runs is ignored.
export function guard(out, run) {
  let busy = false;
  return async (event) => {
    if (event.type === "submit") event.preventDefault();
    if (busy) return;
    busy = true;
    try { await run(event); } catch (error) { out.replaceChildren(problem(error.message)); } finally { busy = false; }
  };
}

// Bytes as the mails write them (decimal units): a page and the receipt mail say the same size.
// A language as its own speakers write it: "fr" -> "Français" (a menu of codes read "FR").
export function languageOwnName(code) {
  const name = new Intl.DisplayNames([code], { type: "language" }).of(code) || code;
  return name.charAt(0).toLocaleUpperCase(code) + name.slice(1);
}

// A field's label as an error line names it: without the required mark or the closing
// stop of a declaration ("…is complete: must be accepted", not "…complete.: must be…").
export const labelName = (text) => text.replace(/\s*\*$/, "").trim().replace(/[.:;,]+$/, "");

// "1 problem", "3 problems": a count with its noun as a person writes it.
export const counted = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function fileSize(bytes) {
  for (const [unit, factor] of [["MB", 1e6], ["kB", 1e3]]) if (bytes >= factor) return `${(bytes / factor).toFixed(1)} ${unit}`;
  return `${bytes} B`;
}

export function money(amount, currency = "EUR") {
  return new Intl.NumberFormat(undefined, { style: "currency", currency, maximumFractionDigits: 0 }).format(amount);
}

export function when(iso, timeZone) {
  // dateStyle cannot be combined with timeZoneName, so the zone is named separately.
  const date = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short", timeZone }).format(new Date(iso));
  const zone = new Intl.DateTimeFormat(undefined, { timeZone, timeZoneName: "short" }).formatToParts(new Date(iso))
    .find((p) => p.type === "timeZoneName")?.value;
  return zone ? `${date} ${zone}` : date;
}

export const viewerZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

// The call's zone by its place, as the offset alone ("GMT+1") does not say whose time it is.
export const callTime = (zone) => `call's time, ${zone.split("/").pop().replaceAll("_", " ")}`;

// An instant as a person reads it: in the call's time zone and, when theirs differs, in theirs.
export function instant(iso, callZone) {
  const mine = viewerZone();
  if (!callZone || callZone === mine) return when(iso, mine);
  return `${when(iso, mine)} (your time) · ${when(iso, callZone)} (${callTime(callZone)})`;
}

// Every countdown on the page follows the clock until the page is left (call the result).
export function tickCountdowns() {
  const timer = setInterval(() => {
    for (const node of document.querySelectorAll("[data-countdown]")) node.textContent = countdown(node.dataset.countdown);
  }, 30000);
  return () => clearInterval(timer);
}

// A call past its deadline, whatever the team has done since.
export const hasClosed = (call) => ["CLOSED", "IN_EVALUATION", "RESULTS_PUBLISHED"].includes(call.status);

export function countdown(iso) {
  const ms = new Date(iso) - Date.now();
  if (ms <= 0) return "closed";
  const days = Math.floor(ms / 86400000), hours = Math.floor((ms % 86400000) / 3600000);
  const minutes = Math.floor((ms % 3600000) / 60000);
  return days ? `${days} d ${hours} h left` : `${hours} h ${minutes} min left`;
}

export function bars(title, buckets) {
  const max = Math.max(1, ...buckets.map((b) => b.count));
  return h("figure", { class: "chart" }, h("figcaption", {}, h("strong", {}, title)),
    buckets.length ? buckets.map((b) => h("div", { class: "bar" },
      h("span", {}, b.key), h("span", { "aria-hidden": "true" }, h("span", { class: "fill", style: `width:${(100 * b.count) / max}%` })),
      h("span", {}, b.count))) : h("p", { class: "muted" }, "Nothing yet."));
}

// A refusal's field errors beside the controls named after them (name="email"; "input.email"
// counts as "email"); every other field's mark is cleared. What names no control with a field
// of its own (a group of checkboxes) is returned as one sentence for the form's status line,
// each named by its entry in `labels` where it has one.
export function fieldErrors(form, errors = [], labels = {}) {
  const byControl = new Map();
  const rest = [];
  for (const e of errors) {
    const name = e.field.replace(/^input\./, "");
    const control = form.querySelector(`[name="${CSS.escape(name)}"]`);
    if (control?.closest(".field")) byControl.set(control, [...(byControl.get(control) || []), e.message]);
    else rest.push(labels[name] ? `${labels[name]}: ${e.message}` : e.message);
  }
  for (const block of form.querySelectorAll(".field")) setError(block, null);
  for (const [control, messages] of byControl) setError(control.closest(".field"), messages.join("; "));
  return rest.join(" ");
}

// "4 min 05 s", "45 s": how long until `seconds` have passed, as a person reads it.
export function waitingTime(seconds) {
  const s = Math.max(0, Math.ceil(seconds));
  return s >= 60 ? `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s` : `${s} s`;
}

// After a TooManyAttempts: `button` stays disabled and `out` counts down, second by second,
// until another try is taken (or the page is left).
export function holdOff(button, out, seconds) {
  const until = Date.now() + seconds * 1000;
  const line = h("p", { class: "notice bad", role: "alert" });
  out.replaceChildren(line);
  button.disabled = true;
  const tick = () => {
    const left = (until - Date.now()) / 1000;
    if (!button.isConnected) return clearInterval(timer);
    if (left > 0) { line.textContent = `Too many attempts: try again in ${waitingTime(left)}.`; return; }
    clearInterval(timer);
    button.disabled = false;
    line.className = "notice";
    line.textContent = "You can try again now.";
  };
  const timer = setInterval(tick, 1000);
  tick();
}

// The mailbox message every link mail ends in: the same words whether or not the address
// has an account (nobody learns which addresses do).
export const mailboxNotice = (...lines) => h("div", { class: "notice", role: "status", id: "mailbox" },
  lines.map((line) => h("p", {}, line)));

// A page that is someone's own, for a visitor not signed in: the way in, not an empty list.
export const signInFirst = (heading, purpose) => [h("h1", {}, heading),
  h("p", { class: "notice" }, h("a", { href: "#/signin" }, "Sign in"), ` to ${purpose}.`)];

// The languages a person may choose (shared/programme.LANGUAGES), each by its own name.
export const LANGUAGES = [["en", "English"], ["nl", "Nederlands"], ["pt", "Português"], ["it", "Italiano"],
  ["ro", "Română"], ["hu", "Magyar"], ["de", "Deutsch"], ["tr", "Türkçe"], ["fr", "Français"], ["es", "Español"]];

// The languages mails are written in (services/notify/templates/strings); the others are
// offered, and say the mail comes in English until theirs ships.
const MAIL_LANGUAGES = new Set(["en", "nl", "pt", "it"]);

export function languageSelect(name, chosen) {
  return h("select", { name }, LANGUAGES.map(([code, text]) => h("option", { value: code, lang: code, selected: code === chosen },
    MAIL_LANGUAGES.has(code) ? text : `${text} (mails in English for now)`)));
}

// "Newer" / "Older" for a list shown `size` at a time from `offset`; `go(at)` gives the
// click handler that shows the page starting at `at`.
export function pager({ offset, size, total, go }) {
  return h("p", { class: "row" },
    offset > 0 ? h("button", { type: "button", class: "secondary", onclick: go(Math.max(0, offset - size)) }, "Newer") : null,
    offset + size < total ? h("button", { type: "button", class: "secondary", onclick: go(offset + size) }, "Older") : null);
}
