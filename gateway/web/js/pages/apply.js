// The application form, rendered from the call's form schema; autosaved; files with progress.
import { gql, upload } from "../graphql.js";
import { field, h, screen, when } from "../ui.js";

const APP = `id status answers organisation { name type country countryPart website } contact { name email }
  attachments { id questionKey fileName size } warnings { field message } receipt { number fingerprint submittedAt version }`;
const START = `mutation($c: ID!) { startApplication(callId: $c) { __typename ... on Application { ${APP} } ... on Error { message } } }`;
const CALL = `query($id: ID!) { call(id: $id) { id title closesAt timezone maxGrant form { languages questions {
  key type required labels { lang text } help { lang text } maxLength maxWords minValue maxValue maxPicks
  allowedTypes maxSizeBytes maxCount options { value labels { lang text } } } } }
  countries { code name } organisationTypes { code name } }`;
const SAVE = `mutation($id: ID!, $i: ApplicationInput!) { saveApplication(id: $id, input: $i) { __typename
  ... on Application { ${APP} } ... on Error { message } } }`;
const UPLOAD = `mutation($id: ID!, $key: String!, $file: Upload!) { uploadAttachment(applicationId: $id, questionKey: $key, file: $file) {
  __typename ... on Attachment { id questionKey fileName size } ... on FileTooLarge { message }
  ... on ValidationErrors { errors { field message } } ... on Error { message } } }`;
const REMOVE = `mutation($a: ID!, $f: ID!) { removeAttachment(applicationId: $a, attachmentId: $f) { __typename
  ... on Application { ${APP} } ... on Error { message } } }`;
const SUBMIT = `mutation($id: ID!, $k: String!) { submitApplication(id: $id, idempotencyKey: $k) { __typename
  ... on SubmissionReceipt { receipt { number } } ... on ValidationErrors { errors { field message } } ... on Error { message } } }`;

const text = (labels, lang) => (labels.find((l) => l.lang === lang) || labels.find((l) => l.lang === "en") || { text: "" }).text;

export async function applyPage(callId) {
  const show = screen();
  const started = (await gql(START, { c: callId })).startApplication;
  if (started.__typename !== "Application") return show(h("h1", {}, "Cannot apply"), h("p", { class: "notice bad", role: "alert" }, started.message));
  const { call, countries, organisationTypes } = await gql(CALL, { id: callId });
  let app = started;
  let lang = "en";
  const state = { answers: { ...app.answers }, organisation: { ...app.organisation }, contact: { ...app.contact } };
  const saveState = h("p", { class: "status", role: "status", "aria-live": "polite" }, "All changes are saved automatically.");
  const summary = h("div", { tabindex: "-1" });
  let timer = null;

  async function save() {
    saveState.textContent = "Saving…";
    const organisation = { ...state.organisation, countryPart: state.organisation.country === "FR" ? state.organisation.countryPart || null : null };
    const result = (await gql(SAVE, { id: app.id, i: { organisation, contact: state.contact, answers: state.answers } })).saveApplication;
    if (result.__typename !== "Application") { saveState.textContent = `Not saved: ${result.message}`; return; }
    app = result;
    saveState.textContent = `Saved at ${new Date().toLocaleTimeString()}`;
    showProblems(app.warnings);
  }
  const changed = () => { saveState.textContent = "Unsaved changes…"; clearTimeout(timer); timer = setTimeout(save, 700); };

  function showProblems(problems) {
    for (const node of document.querySelectorAll("[data-field] .error")) { node.hidden = true; node.textContent = ""; }
    for (const p of problems) {
      const node = document.querySelector(`[data-field="${CSS.escape(p.field)}"] .error`);
      if (node) { node.hidden = false; node.textContent = p.message; }
    }
  }

  function wrap(fieldName, labelText, control, help) {
    const block = field(labelText, control, { help });
    block.dataset.field = fieldName;
    return block;
  }

  function applicantFields() {
    const o = state.organisation;
    const input = (group, key, type = "text", extra = {}) => h("input", { type, value: state[group][key] || "",
      oninput: (e) => { state[group][key] = e.target.value; changed(); }, ...extra });
    const select = (options, value, onchange, extra = {}) => h("select", { onchange, ...extra },
      h("option", { value: "" }, "Choose…"), options.map(([v, label]) => h("option", { value: v, selected: v === value }, label)));
    const part = wrap("organisation.countryPart", "Northern or southern France?", select([["NORTH", "North"], ["SOUTH", "South"]],
      o.countryPart, (e) => { o.countryPart = e.target.value || null; changed(); }));
    part.hidden = o.country !== "FR";
    return h("fieldset", {}, h("legend", {}, "Your organisation"),
      wrap("organisation.name", "Organisation name", input("organisation", "name")),
      wrap("organisation.type", "Organisation type", select(organisationTypes.map((t) => [t.code, t.name]), o.type,
        (e) => { o.type = e.target.value; changed(); })),
      wrap("organisation.country", "Country", select(countries.map((c) => [c.code, c.name]), o.country,
        (e) => { o.country = e.target.value; part.hidden = o.country !== "FR"; changed(); })),
      part,
      wrap("organisation.website", "Website", input("organisation", "website", "url", { placeholder: "https://" })),
      wrap("contact.name", "Contact person", input("contact", "name")),
      wrap("contact.email", "Contact e-mail", input("contact", "email", "email")));
  }

  function fileQuestion(q, label, help) {
    const list = h("ul", {});
    const renderList = () => list.replaceChildren(...app.attachments.filter((a) => a.questionKey === q.key).map((a) =>
      h("li", {}, `${a.fileName} (${Math.ceil(a.size / 1024)} kB) `, h("button", { type: "button", class: "secondary",
        "aria-label": `Remove ${a.fileName}`, onclick: async () => {
          const result = (await gql(REMOVE, { a: app.id, f: a.id })).removeAttachment;
          if (result.__typename === "Application") { app = result; renderList(); }
        } }, "Remove"))));
    renderList();
    const progress = h("div", {});
    const picker = h("input", { type: "file", multiple: (q.maxCount || 1) > 1,
      accept: (q.allowedTypes || []).map((t) => `.${t === "jpeg" ? "jpg,.jpeg" : t}`).join(","),
      onchange: async (event) => {
        for (const file of event.target.files) {
          const bar = h("progress", { max: "1", value: "0", "aria-label": `Uploading ${file.name}` });
          const line = h("div", { class: "upload" }, h("span", {}, file.name), bar, h("p", { class: "error", role: "alert", hidden: true }));
          progress.append(line);
          const failed = (message) => { const e = line.querySelector(".error"); e.hidden = false; e.textContent = `${file.name}: ${message}`; };
          try {
            const result = (await upload(UPLOAD, { id: app.id, key: q.key }, "file", file, (f) => { bar.value = f; })).uploadAttachment;
            if (result.__typename === "Attachment") {
              app.attachments.push(result); bar.value = 1; line.append(h("span", { class: "status" }, " uploaded")); renderList();
            }
            else failed(result.errors ? result.errors.map((e) => e.message).join("; ") : result.message);
          } catch (error) { failed(error.message); }
        }
        event.target.value = "";
      } });
    const limits = `${(q.allowedTypes || []).join(", ")}; up to ${Math.round((q.maxSizeBytes || 0) / 1048576)} MB; at most ${q.maxCount} file(s).`;
    const block = wrap(`answers.${q.key}`, label, picker, [help, limits].filter(Boolean).join(" "));
    block.append(progress, list);
    return block;
  }

  function question(q) {
    const label = text(q.labels, lang) + (q.required ? " *" : "");
    const help = text(q.help || [], lang);
    const value = state.answers[q.key];
    const set = (v) => { state.answers[q.key] = v; changed(); };
    switch (q.type) {
      case "SHORT_TEXT": return wrap(`answers.${q.key}`, label, h("input", { type: "text", value: value ?? "", maxlength: null,
        oninput: (e) => set(e.target.value) }), help || `At most ${q.maxLength} characters.`);
      case "LONG_TEXT": return wrap(`answers.${q.key}`, label, h("textarea", { oninput: (e) => set(e.target.value) }, value ?? ""),
        help || `At most ${q.maxWords} words.`);
      case "NUMBER": case "REQUESTED_AMOUNT": return wrap(`answers.${q.key}`, label, h("input", { type: "number", value: value ?? "",
        min: q.minValue ?? null, max: q.maxValue ?? null, oninput: (e) => set(e.target.value === "" ? null : Number(e.target.value)) }),
        help || (q.type === "REQUESTED_AMOUNT" ? `At most ${call.maxGrant} EUR.` : ""));
      case "SINGLE_CHOICE": case "COUNTRY": {
        const options = q.type === "COUNTRY" ? countries.map((c) => [c.code, c.name]) : q.options.map((o) => [o.value, text(o.labels, lang)]);
        return wrap(`answers.${q.key}`, label, h("select", { onchange: (e) => set(e.target.value || null) },
          h("option", { value: "" }, "Choose…"), options.map(([v, l]) => h("option", { value: v, selected: v === value }, l))), help);
      }
      case "MULTIPLE_CHOICE": {
        const picked = new Set(value || []);
        const box = h("fieldset", { "data-field": `answers.${q.key}` }, h("legend", {}, label), help ? h("p", { class: "help" }, help) : null,
          q.options.map((o) => h("label", {}, h("input", { type: "checkbox", checked: picked.has(o.value), onchange: (e) => {
            if (e.target.checked) picked.add(o.value); else picked.delete(o.value); set([...picked]);
          } }), " ", text(o.labels, lang))), h("p", { class: "error", role: "alert", hidden: true }));
        return box;
      }
      case "DECLARATION": return h("div", { class: "field", "data-field": `answers.${q.key}` }, h("label", {},
        h("input", { type: "checkbox", checked: value === true, onchange: (e) => set(e.target.checked) }), " ", label),
        h("p", { class: "error", role: "alert", hidden: true }));
      case "FILE": return fileQuestion(q, label, help);
      default: return h("p", {}, `Unsupported question ${q.key}`);
    }
  }

  function render() {
    const languages = call.form.languages;
    show(
      h("h1", {}, `Apply: ${call.title}`),
      h("p", {}, "Closes ", when(call.closesAt, Intl.DateTimeFormat().resolvedOptions().timeZone), " (your time) · ",
        when(call.closesAt, call.timezone), " (call's time)"),
      languages.length > 1 ? field("Language of the questions", h("select", { onchange: (e) => { lang = e.target.value; render(); } },
        languages.map((l) => h("option", { value: l, selected: l === lang }, l.toUpperCase())))) : null,
      saveState, summary,
      h("form", { novalidate: true, onsubmit: async (event) => {
        event.preventDefault();
        clearTimeout(timer);
        await save();
        const result = (await gql(SUBMIT, { id: app.id, k: crypto.randomUUID() })).submitApplication;
        if (result.__typename === "SubmissionReceipt") { location.hash = `#/receipt/${app.id}`; return; }
        const problems = result.errors || [];
        showProblems(problems);
        summary.replaceChildren(h("div", { class: "notice bad", role: "alert" }, h("strong", {}, problems.length
          ? `Please fix ${problems.length} problem(s) before submitting:` : result.message),
          h("ul", {}, problems.map((p) => h("li", {}, `${p.field}: ${p.message}`)))));
        summary.focus();
      } }, applicantFields(), h("fieldset", {}, h("legend", {}, "Your proposal"), call.form.questions.map(question)),
        h("p", {}, h("button", { type: "submit" }, app.receipt ? "Submit again" : "Submit application"))),
    );
    showProblems(app.warnings);
  }
  render();
  return () => clearTimeout(timer);
}

export async function receiptPage(id) {
  const show = screen();
  const { application } = await gql(`query($id: ID!) { application(id: $id) { id status receipt { number fingerprint submittedAt version } } }`, { id });
  if (!application?.receipt) return show(h("h1", {}, "No receipt"));
  const r = application.receipt;
  show(h("h1", {}, "Application submitted"),
    h("div", { class: "notice", role: "status" }, h("p", {}, "Your receipt number is ", h("strong", { id: "receipt-number" }, r.number), ".")),
    h("dl", {}, h("dt", {}, "Submitted"), h("dd", {}, when(r.submittedAt, Intl.DateTimeFormat().resolvedOptions().timeZone)),
      h("dt", {}, "Version"), h("dd", {}, r.version),
      h("dt", {}, "Fingerprint (sha256 of your answers and files)"), h("dd", {}, h("code", { id: "fingerprint" }, r.fingerprint))),
    h("p", {}, h("a", { href: "#/mine" }, "My applications")));
}
