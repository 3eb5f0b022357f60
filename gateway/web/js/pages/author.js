// Call authoring for the programme team (any hub, or programme-wide) and hub managers (their
// own hub): the list of calls they manage, and the editor that creates, edits, previews,
// clones and publishes a call. The preview is the applicant's own renderer (form.js).
import { account, gql } from "../graphql.js";
import { showErrors, slot } from "../errors.js";
import { questionField } from "../form.js";
import {
  LANGUAGES, defaultRubric, formBuilder, fromTexts, input, languageName, questionForPreview, questionFromApi,
  questionToApi, rubricEditor, rubricFromApi, rubricToApi, translations,
} from "../builder.js";
import { callTime, counted, field, guard, h, holdUnsaved, problem, screen, when } from "../ui.js";

const ERRORS = "... on ValidationErrors { message errors { field message } } ... on Error { message }";
const TEXTS = "{ lang text }";
const CALL_FIELDS = `id title description titleTranslations ${TEXTS} descriptionTranslations ${TEXTS} status lifecycle
  programmeWide hub { code name } challenges { id } budget maxGrant opensAt closesAt timezone evaluationDeadline
  eligibleCountries { code part } organisationTypes evaluatorsPerApplication blind retentionDays editableFields
  form { questions { key type required labels ${TEXTS} help ${TEXTS} maxLength maxWords minValue maxValue maxPicks
    allowedTypes maxSizeBytes maxCount options { value labels ${TEXTS} } } }
  rubric { overallThreshold criteria { key labels ${TEXTS} guidance ${TEXTS} weight threshold } }`;
const RESULT = `__typename ... on OpenCall { ${CALL_FIELDS} } ${ERRORS}`;
const REFERENCE = `{ hubs { code name countries { code part name } missions { id title challenges { id title } } }
  organisationTypes { code name } countries { code name } }`;
const CREATE = `mutation($i: CallInput!) { createCall(input: $i) { ${RESULT} } }`;
const UPDATE = `mutation($id: ID!, $i: CallUpdateInput!) { updateCall(id: $id, input: $i) { ${RESULT} } }`;
const PUBLISH = `mutation($id: ID!) { publishCall(id: $id) { ${RESULT} } }`;
const CLONE = `mutation($id: ID!) { cloneCall(id: $id) { __typename ... on OpenCall { id title } ${ERRORS} } }`;

const viewerZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;
const mayAuthor = (me) => me && (me.role === "ADMIN" || me.role === "HUB_MANAGER");
const managedBy = (me) => (c) => me.role === "ADMIN" || c.hub?.code === me.hub;

// A message carried across a navigation ("Saved", "This is a copy of …").
let flash = null;
const takeFlash = () => { const message = flash; flash = null; return message; };

// What an applicant, an evaluator or a visitor sees on an author route instead of the tool.
function notAllowed(show) {
  const me = account();
  show(h("h1", {}, me ? "Not allowed" : "Sign in to manage calls"),
    h("p", { class: "notice bad", role: "alert" }, me
      ? "Only the programme team and hub managers write calls. Your account cannot open this page."
      : "Writing calls is for the programme team and hub managers."),
    h("p", {}, me ? h("a", { href: "#/" }, "Back to the open calls") : h("a", { class: "button", href: "#/signin" }, "Sign in")));
}

// --- instants: a wall-clock time in a zone <-> a UTC instant --------------------------------

function wallClock(date, timeZone) {
  const parts = new Intl.DateTimeFormat("en-GB", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit" }).formatToParts(date);
  return Object.fromEntries(parts.map((p) => [p.type, p.value]));
}
// How far the zone's wall clock is ahead of UTC at `date`.
function offsetMs(date, timeZone) {
  const p = wallClock(date, timeZone);
  return Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second) - Math.floor(date.getTime() / 1000) * 1000;
}
// "2027-03-01T09:00" in `timeZone` as an ISO instant; twice, so a change of offset (summer
// time) between the guess and the answer is taken into account. Null when not a date-time.
export function instantOf(local, timeZone) {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local || "");
  if (!match) return null;
  const [y, m, d, hh, mm] = match.slice(1).map(Number);
  const wall = Date.UTC(y, m - 1, d, hh, mm);
  const first = wall - offsetMs(new Date(wall), timeZone);
  return new Date(wall - offsetMs(new Date(first), timeZone)).toISOString();
}
export function localOf(iso, timeZone) {
  if (!iso) return "";
  const p = wallClock(new Date(iso), timeZone);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}
// The instant said back in the call's zone and the viewer's (empty while not a date-time).
// What a date already gone means for a draft: a cloned call keeps its original's dates.
const PAST = { opens: "already past: the call opens as soon as it is published",
  closes: "already past: change it before publishing", deadline: "already past" };

function instantNote(local, timeZone, past) {
  const iso = instantOf(local, timeZone);
  if (!iso) return "";
  const call = when(iso, timeZone);
  const note = timeZone === viewerZone() ? `${call} (${callTime(timeZone)}, also yours)` : `${call} (${callTime(timeZone)}) · ${when(iso, viewerZone())} (your time)`;
  return past && Date.parse(iso) < Date.now() ? `${note} — ${past}` : note;
}

const coverageKey = (c) => (c.part ? `${c.code}:${c.part}` : c.code);
const coverageName = (c, names) => `${names[c.code] || c.code}${c.part ? ` (${c.part.toLowerCase()})` : ""}`;
// The countries the chosen hub covers, or every hub's for a programme-wide call (France whole).
function coverage(hubs, hubCode) {
  const seen = new Map();
  for (const hub of hubs.filter((x) => !hubCode || x.code === hubCode)) {
    for (const c of hub.countries) {
      const key = hubCode ? coverageKey(c) : c.code;
      if (!seen.has(key)) seen.set(key, { code: c.code, part: hubCode ? c.part : null });
    }
  }
  return [...seen.values()];
}

const statusText = (c) => (c.lifecycle === "DRAFT" ? "draft" : c.status.toLowerCase().replace(/_/g, " "));

// --- the list -------------------------------------------------------------------------------

export async function manageListPage() {
  const show = screen();
  const me = account();
  if (!mayAuthor(me)) return notAllowed(show);
  const { calls } = await gql(`{ calls { id title status lifecycle closesAt timezone programmeWide hub { code name } } }`);
  const mine = calls.filter(managedBy(me));
  const message = takeFlash();
  const out = h("div", { tabindex: "-1" }, message ? h("p", { class: "notice", role: "status" }, message) : null);
  show(
    h("h1", {}, "Calls I manage"),
    h("p", {}, h("a", { class: "button", href: "#/manage/new" }, "New call")),
    out,
    mine.length ? h("div", { class: "scroll" }, h("table", {}, h("thead", {}, h("tr", {}, ["Call", "Run by", "Status", "Closes", "Actions"]
      .map((t) => h("th", { scope: "col" }, t)))), h("tbody", {}, mine.map((c) => h("tr", {},
      h("td", {}, c.title), h("td", {}, c.programmeWide ? "Programme (all hubs)" : c.hub.name),
      h("td", {}, h("span", { class: "tag" }, statusText(c))), h("td", {}, when(c.closesAt, c.timezone)),
      h("td", {}, h("div", { class: "row" }, h("a", { href: `#/manage/${c.id}`, "aria-label": `${c.lifecycle === "DRAFT" ? "Edit" : "View"} ${c.title}` },
        c.lifecycle === "DRAFT" ? "Edit" : "View"),
      h("button", { type: "button", class: "secondary small", "aria-label": `Clone ${c.title}`, onclick: guard(out, () => clone(c, out)) },
        "Clone"))))))))
      : h("p", {}, "You manage no call yet."),
  );
}

// `source`: the call copied ({ id, title }), which the notice names (the copy's title may differ).
async function clone(source, out) {
  const result = (await gql(CLONE, { id: source.id })).cloneCall;
  if (result.__typename !== "OpenCall") return out.replaceChildren(problem(`Not cloned: ${result.message}`));
  flash = `This draft is a copy of “${source.title}”: change what differs, save, then publish.`;
  location.hash = `#/manage/${result.id}`;
  return null;
}

// --- the editor -----------------------------------------------------------------------------

function stateOf(call, me) {
  const zone = call?.timezone || "Europe/Brussels";
  const texts = (en, others) => ({ en: en || "", ...Object.fromEntries((others || []).map((t) => [t.lang, t.text])) });
  const titles = texts(call?.title, call?.titleTranslations);
  const descriptions = texts(call?.description, call?.descriptionTranslations);
  const questions = (call?.form.questions || []).map(questionFromApi);
  const used = new Set([...Object.keys(titles), ...Object.keys(descriptions),
    ...questions.flatMap((q) => Object.keys(q.labels))]);
  return {
    languages: ["en", ...LANGUAGES.filter((l) => l !== "en" && used.has(l))],
    titles, descriptions,
    hub: call ? call.hub?.code || "" : (me.role === "HUB_MANAGER" ? me.hub : ""),
    challengeIds: new Set((call?.challenges || []).map((c) => c.id)),
    timezone: zone,
    opens: localOf(call?.opensAt, zone), closes: localOf(call?.closesAt, zone), deadline: localOf(call?.evaluationDeadline, zone),
    budget: call ? String(call.budget) : "", maxGrant: call ? String(call.maxGrant) : "",
    eligible: call ? new Set(call.eligibleCountries.map(coverageKey)) : null, // null: the hub's coverage
    organisationTypes: call ? new Set(call.organisationTypes) : null, // null: every type
    evaluatorsPerApplication: call ? String(call.evaluatorsPerApplication) : "3",
    blind: call?.blind || false,
    retentionDays: call ? String(call.retentionDays) : "365",
    questions,
    rubric: call ? rubricFromApi(call.rubric) : defaultRubric(),
  };
}

// Problems the API cannot even be asked about (a required number left empty, a whole number
// with a fraction), in the registry's own field paths so they land in the same places.
function localErrors(s) {
  const errors = [];
  const need = (field, value, message) => { if (!value) errors.push({ field, message }); };
  const isNumber = (v) => String(v).trim() !== "" && Number.isFinite(Number(v));
  const whole = (field, v) => { if (String(v ?? "").trim() !== "" && !Number.isInteger(Number(v))) errors.push({ field, message: "must be a whole number" }); };
  need("title", s.titles.en.trim(), "needs an English title");
  need("budget", isNumber(s.budget), "enter the budget in euros");
  need("maxGrant", isNumber(s.maxGrant), "enter the maximum grant in euros");
  need("opensAt", instantOf(s.opens, s.timezone), "enter the opening date and time");
  need("closesAt", instantOf(s.closes, s.timezone), "enter the closing date and time");
  need("evaluatorsPerApplication", isNumber(s.evaluatorsPerApplication), "enter how many evaluators score each application");
  whole("evaluatorsPerApplication", s.evaluatorsPerApplication);
  need("retentionDays", isNumber(s.retentionDays), "enter how many days unfunded applications are kept");
  whole("retentionDays", s.retentionDays);
  s.questions.forEach((q, i) => {
    for (const name of ["maxLength", "maxWords", "maxPicks", "maxCount"]) whole(`form.questions.${i}.${name}`, q[name]);
    for (const name of ["minValue", "maxValue", "maxSizeMb"]) {
      if (String(q[name] ?? "").trim() !== "" && !isNumber(q[name])) {
        errors.push({ field: `form.questions.${i}.${name === "maxSizeMb" ? "maxSizeBytes" : name}`, message: "must be a number" });
      }
    }
  });
  s.rubric.criteria.forEach((c, i) => {
    need(`rubric.criteria.${i}.weight`, isNumber(c.weight), "enter a weight");
    need(`rubric.criteria.${i}.threshold`, isNumber(c.threshold), "enter a threshold");
  });
  need("rubric.overallThreshold", isNumber(s.rubric.overallThreshold), "enter the overall threshold");
  return errors;
}

function payload(s, hubs) {
  const others = (texts) => fromTexts(Object.fromEntries(Object.entries(texts).filter(([lang]) => lang !== "en" && s.languages.includes(lang))));
  const eligible = s.eligible ? coverage(hubs, s.hub).filter((c) => s.eligible.has(coverageKey(c))) : null;
  return {
    title: s.titles.en.trim(), description: s.descriptions.en || "",
    titleTranslations: others(s.titles), descriptionTranslations: others(s.descriptions),
    challengeIds: [...s.challengeIds], budget: Number(s.budget), maxGrant: Number(s.maxGrant),
    opensAt: instantOf(s.opens, s.timezone), closesAt: instantOf(s.closes, s.timezone), timezone: s.timezone,
    evaluationDeadline: instantOf(s.deadline, s.timezone),
    eligibleCountries: eligible?.map((c) => ({ code: c.code, part: c.part })),
    organisationTypes: s.organisationTypes ? [...s.organisationTypes] : null,
    evaluatorsPerApplication: Number(s.evaluatorsPerApplication), blind: s.blind,
    retentionDays: Number(s.retentionDays),
    form: { questions: s.questions.map(questionToApi) }, rubric: rubricToApi(s.rubric),
  };
}

// What a published call's author may still change, as the editor names it.
const FIELD_LABELS = { retentionDays: "how long unfunded applications are kept" };

export const newCallPage = () => editorPage(null);

export async function editorPage(id) {
  const show = screen();
  let dirty = false;
  holdUnsaved(() => (dirty ? "This call has changes that are not saved. Leave without saving them?" : null));
  const me = account();
  if (!mayAuthor(me)) return notAllowed(show);
  const reference = await gql(REFERENCE);
  let call = null;
  if (id) {
    call = (await gql(`query($id: ID!) { call(id: $id) { ${CALL_FIELDS} } }`, { id })).call;
    if (!call || !managedBy(me)(call)) return show(h("h1", {}, "No such call"), h("p", {}, "There is no call you manage at this address. ",
      h("a", { href: "#/manage" }, "Calls I manage")));
  }
  const hubs = reference.hubs;
  const countryNames = Object.fromEntries(reference.countries.map((c) => [c.code, c.name]));
  const s = stateOf(call, me);
  const draft = !call || call.lifecycle === "DRAFT";
  // What may change now: everything in a draft, and only what the registry says once published.
  const can = (name) => draft || call.editableFields.includes(name);

  const status = h("p", { class: "status", role: "status", "aria-live": "polite" }, takeFlash() || "");
  const summary = h("div", { tabindex: "-1" });
  const announcer = h("p", { class: "visually-hidden", "aria-live": "polite" });
  const root = h("div", {});
  const preview = h("div", { class: "preview-body" });
  let previewLang = "en";
  let previewTimer = null;
  const answers = {}; // what the author tries out in the preview; never saved

  // Once Save has listed what to fix first, the list follows the fixes as they are typed
  // (a UI audit read "needs an English title" under the title it had just filled in).
  let listed = false;
  const LOCAL_HEADING = "Not saved yet: please fix these first:";
  const relist = () => {
    const local = localErrors(s);
    showErrors(root, summary, local, LOCAL_HEADING, { focus: false });
    listed = local.length > 0;
  };
  const changed = () => {
    dirty = true;
    status.textContent = "Unsaved changes.";
    clearTimeout(previewTimer);
    previewTimer = setTimeout(() => { renderPreview(); if (listed) relist(); }, 250);
  };
  const ctx = (name) => ({ languages: s.languages, changed, announce: (m) => { announcer.textContent = m; }, disabled: !can(name) });

  function renderPreview() {
    const questions = s.questions.map(questionForPreview);
    const languages = s.languages;
    if (!languages.includes(previewLang)) previewLang = "en";
    preview.replaceChildren(
      field("Preview language", h("select", { onchange: (e) => { previewLang = e.target.value; renderPreview(); preview.querySelector("select")?.focus(); } },
        languages.map((l) => h("option", { value: l, selected: l === previewLang }, languageName(l))))),
      h("h3", { lang: s.titles[previewLang]?.trim() ? previewLang : "en" }, s.titles[previewLang]?.trim() || s.titles.en || "Untitled call"),
      questions.length ? h("form", { class: "preview-form", "aria-label": "Preview of the application form", onsubmit: (e) => e.preventDefault() },
        questions.map((q) => questionField(q, { lang: previewLang, value: answers[q.key], maxGrant: Number(s.maxGrant) || null,
          countries: reference.countries, onChange: (v) => { answers[q.key] = v; } }).node))
        : h("p", { class: "muted" }, "Add a question to see it here."),
    );
  }

  function languagesBlock() {
    const addable = LANGUAGES.filter((l) => !s.languages.includes(l));
    const pickLanguage = h("select", { disabled: !draft }, addable.map((l) => h("option", { value: l }, languageName(l))));
    return h("fieldset", {}, h("legend", {}, "Languages"),
      h("p", { class: "help" }, "English is required; every text below is asked in each language listed here."),
      h("ul", { class: "row plain" }, s.languages.map((l) => h("li", { class: "tag" }, languageName(l), l === "en" ? " (required)" : [" ",
        h("button", { type: "button", class: "link", disabled: !draft, "aria-label": `Remove ${languageName(l)}`, onclick: () => {
          s.languages.splice(s.languages.indexOf(l), 1);
          changed();
          paint();
          root.querySelector('[data-focus="language"]')?.focus();
        } }, "×")]))),
      addable.length ? h("div", { class: "row add" }, field("Add a language", pickLanguage),
        h("button", { type: "button", class: "secondary", "data-focus": "language", disabled: !draft, onclick: () => {
          s.languages.push(pickLanguage.value);
          changed();
          paint();
          root.querySelector('[data-focus="language"]')?.focus();
        } }, "Add language")) : null);
  }

  const checkboxes = (legend, path, entries, chosen, onchange, disabled, help) => slot(path, h("fieldset", {}, h("legend", {}, legend),
    help ? h("p", { class: "help" }, help) : null,
    h("div", { class: "checks" }, entries.map(([value, text]) => h("label", { class: "check" },
      h("input", { type: "checkbox", value, checked: chosen(value), disabled, onchange: (e) => onchange(value, e.target.checked) }), " ", text)))));

  function challengesBlock() {
    const shown = hubs.filter((x) => !s.hub || x.code === s.hub).filter((x) => x.missions.some((m) => m.challenges.length));
    // A challenge of another hub cannot stay chosen for a hub's call.
    const allowed = new Set(shown.flatMap((x) => x.missions.flatMap((m) => m.challenges.map((c) => c.id))));
    for (const idOf of [...s.challengeIds]) if (!allowed.has(idOf)) s.challengeIds.delete(idOf);
    const toggle = (value, on) => { if (on) s.challengeIds.add(value); else s.challengeIds.delete(value); changed(); };
    return slot("challengeIds", h("fieldset", {}, h("legend", {}, "Challenges the call targets *"),
      shown.length ? shown.map((x) => h("div", { class: "group" }, h("h3", {}, x.name),
        x.missions.filter((m) => m.challenges.length).map((m) => h("fieldset", { class: "inner" }, h("legend", {}, `Mission: ${m.title}`),
          m.challenges.map((c) => h("label", { class: "check" }, h("input", { type: "checkbox", value: c.id, checked: s.challengeIds.has(c.id),
            disabled: !can("challengeIds"), onchange: (e) => toggle(c.id, e.target.checked) }), " ", c.title))))))
        : h("p", {}, "No challenge yet for this hub. ", h("a", { href: "#/missions" }, "Write a mission and its challenges"), " first.")));
  }

  function countriesBlock() {
    const list = coverage(hubs, s.hub);
    s.eligible ||= new Set(list.map(coverageKey));
    return checkboxes("Eligible countries", "eligibleCountries", list.map((c) => [coverageKey(c), coverageName(c, countryNames)]),
      (key) => s.eligible.has(key), (key, on) => { if (on) s.eligible.add(key); else s.eligible.delete(key); changed(); },
      !can("eligibleCountries"), s.hub ? "The hub's coverage; untick the countries that are not eligible." : "Every hub's coverage.");
  }

  function hubBlock() {
    const hubName = (code) => hubs.find((x) => x.code === code)?.name;
    if (call || me.role !== "ADMIN") {
      const text = s.hub ? `${hubName(s.hub)} (${s.hub})` : "Programme-wide (all hubs)";
      return h("p", {}, h("strong", {}, "Run by: "), text, call ? null : h("span", { class: "muted" }, " · your hub"));
    }
    return slot("hub", field("Run by", h("select", { onchange: (e) => {
      s.hub = e.target.value;
      s.eligible = null; // the new hub's coverage
      changed();
      paint();
      root.querySelector('[data-slot="hub"] select')?.focus();
    } }, h("option", { value: "", selected: !s.hub }, "Programme-wide (all hubs)"),
    hubs.map((x) => h("option", { value: x.code, selected: x.code === s.hub }, `${x.name} (${x.code})`)))));
  }

  const notes = {}; // each instant's "said back" line, by state name
  const sayBack = () => { for (const [name, note] of Object.entries(notes)) note.textContent = instantNote(s[name], s.timezone, draft && PAST[name]); };
  function instantField(labelText, path, name, required) {
    const note = notes[name] = h("p", { class: "help" }, instantNote(s[name], s.timezone, draft && PAST[name]));
    const control = h("input", { type: "datetime-local", value: s[name], disabled: !can(path),
      oninput: (e) => { s[name] = e.target.value; note.textContent = instantNote(s[name], s.timezone, draft && PAST[name]); changed(); } });
    if (required) control.setAttribute("aria-required", "true");
    return slot(path, field(labelText, control, { note }));
  }

  function windowBlock() {
    const zones = Intl.supportedValuesOf("timeZone");
    if (!zones.includes(s.timezone)) zones.unshift(s.timezone);
    const zone = h("select", { disabled: !can("timezone"), onchange: (e) => {
      s.timezone = e.target.value;
      changed();
      sayBack(); // the same wall-clock times, now read in the new zone
    } }, zones.map((z) => h("option", { value: z, selected: z === s.timezone }, z.replace(/_/g, " "))));
    return h("fieldset", {}, h("legend", {}, "When"),
      slot("timezone", field("Time zone of the call", zone, { help: "The dates below are read in this zone." })),
      h("div", { class: "pair" }, instantField("Opens *", "opensAt", "opens", true), instantField("Closes *", "closesAt", "closes", true)),
      instantField("Evaluation deadline", "evaluationDeadline", "deadline", false));
  }

  function paint() {
    const n = (labelText, path, name, extra = {}) => input(labelText, path, s, name, { changed, disabled: !can(path), type: "number", ...extra });
    root.replaceChildren(
      languagesBlock(),
      h("fieldset", {}, h("legend", {}, "The call"),
        translations("Title", "titleTranslations", s.titles, { languages: s.languages, changed, disabled: !can("title"), required: true, enPath: "title" }),
        translations("Description", "descriptionTranslations", s.descriptions, { languages: s.languages, changed, disabled: !can("description"),
          multiline: true, enPath: "description" }),
        hubBlock()),
      challengesBlock(),
      windowBlock(),
      h("fieldset", {}, h("legend", {}, "Money (EUR)"), h("div", { class: "pair" },
        n("Budget *", "budget", "budget", { min: 0, step: "any" }), n("Maximum grant per project *", "maxGrant", "maxGrant", { min: 0, step: "any" }))),
      h("fieldset", {}, h("legend", {}, "Who may apply"), countriesBlock(),
        checkboxes("Organisation types", "organisationTypes", reference.organisationTypes.map((t) => [t.code, t.name]),
          (code) => !s.organisationTypes || s.organisationTypes.has(code), (code, on) => {
            s.organisationTypes ||= new Set(reference.organisationTypes.map((t) => t.code));
            if (on) s.organisationTypes.add(code); else s.organisationTypes.delete(code);
            changed();
          }, !can("organisationTypes"))),
      h("fieldset", {}, h("legend", {}, "Evaluation"),
        n("Evaluators per application", "evaluatorsPerApplication", "evaluatorsPerApplication", { min: 1, step: "1" }),
        slot("blind", h("div", { class: "field" }, h("label", { class: "check" }, h("input", { type: "checkbox", checked: s.blind,
          disabled: !can("blind"), onchange: (e) => { s.blind = e.target.checked; changed(); } }), " Blind evaluation (evaluators do not see who applies)")))),
      h("fieldset", {}, h("legend", {}, "Personal data"),
        n("Keep unfunded applications for (days after the results)", "retentionDays", "retentionDays", { min: 30, step: "1",
          help: "Then their personal data is anonymised; scores and decisions stay. 30 to 3650 days; this may change until the results are published." })),
      h("div", { class: "split" }, formBuilder(s.questions, ctx("form")),
        h("section", { class: "preview", "aria-labelledby": "preview-title" }, h("h2", { id: "preview-title" }, "Preview"),
          h("p", { class: "help" }, "Exactly as applicants will see the questions."), preview)),
      rubricEditor(s.rubric, ctx("rubric")),
    );
    renderPreview();
  }

  async function save() {
    const local = localErrors(s);
    if (local.length) { showErrors(root, summary, local, LOCAL_HEADING); listed = true; return false; }
    listed = false;
    const body = payload(s, hubs);
    let result;
    if (!call) result = (await gql(CREATE, { i: { ...body, hub: s.hub || null } })).createCall;
    else {
      const changes = draft ? body : Object.fromEntries(Object.entries(body).filter(([name]) => can(name)));
      result = (await gql(UPDATE, { id: call.id, i: changes })).updateCall;
    }
    if (result.__typename !== "OpenCall") {
      showErrors(root, summary, result.errors || [], `Not saved: ${counted(result.errors?.length || 0, "problem")} to fix.`);
      if (!result.errors?.length) summary.replaceChildren(problem(`Not saved: ${result.message}`));
      status.textContent = "Not saved.";
      return false;
    }
    showErrors(root, summary, []);
    dirty = false;
    if (!call) {
      flash = "Saved as a draft. Nobody else sees it until it is published.";
      location.hash = `#/manage/${result.id}`;
      return false; // the editor opens again on the stored call
    }
    call = result;
    status.textContent = `Saved at ${new Date().toLocaleTimeString()}.`;
    return true;
  }

  const dialog = h("dialog", { "aria-labelledby": "publish-title" });
  async function publish() {
    dialog.close();
    if (dirty && !(await save())) return;
    const result = (await gql(PUBLISH, { id: call.id })).publishCall;
    if (result.__typename !== "OpenCall") {
      status.textContent = "Not published.";
      if (result.errors?.length) return showErrors(root, summary, result.errors, "Not published: please fix these first:");
      return summary.replaceChildren(problem(`Not published: ${result.message}`));
    }
    flash = "Published: the call is visible to applicants and frozen.";
    return editorPage(call.id);
  }
  dialog.append(h("h2", { id: "publish-title" }, "Publish this call?"),
    h("p", {}, "Publishing makes the call visible to everyone and freezes it: its form, rubric, money and countries cannot be changed afterwards."),
    h("div", { class: "row" }, h("button", { type: "button", onclick: guard(summary, publish) }, "Publish now"),
      h("button", { type: "button", class: "secondary", onclick: () => dialog.close() }, "Cancel")));

  const actions = h("div", { class: "row actions" },
    draft || call.editableFields.length ? h("button", { type: "button", onclick: guard(summary, save) }, draft ? "Save draft" : "Save changes") : null,
    call && draft ? h("button", { type: "button", class: "secondary", onclick: () => dialog.showModal() }, "Publish…") : null,
    call ? h("button", { type: "button", class: "secondary", onclick: guard(summary, () => clone(call, summary)) }, "Clone as a new call") : null,
    h("a", { href: "#/manage" }, "Back to my calls"));

  paint();
  const heading = !call ? "New call" : draft ? `Edit call: ${call.title}` : `Call: ${call.title}`;
  show(
    h("h1", {}, heading),
    call ? h("p", {}, h("span", { class: "tag" }, statusText(call)), " ", draft ? "Only you and the programme team see this draft."
      : call.editableFields.length ? `Published: only these can change now: ${call.editableFields.map((f) => FIELD_LABELS[f] || f).join(", ")}.`
        : "Published: the call is frozen.") : null,
    status, summary, announcer, root, actions, dialog,
  );
  return () => clearTimeout(previewTimer);
}
