// The application form, rendered from the call's form schema; autosaved; files with progress.
import { account, gql, upload } from "../graphql.js";
import { markProblem, questionField } from "../form.js";
import { counted, field, fileSize, guard, h, hasClosed, holdUnsavedOnUnload, instant, labelName, languageOwnName, problem, screen, UNSUBMITTED } from "../ui.js";
import { resendButton } from "./links.js";
import { withdrawButton } from "./mine.js";

const APP = `id status answers organisation { name type country countryPart website } contact { name email }
  attachments { id questionKey fileName size } warnings { field message } receipt { number fingerprint submittedAt version } hasUnsubmittedChanges
  eligibilityReasons`;
const START = `mutation($c: ID!) { startApplication(callId: $c) { __typename ... on Application { ${APP} } ... on Error { message } } }`;
// Opening the form creates nothing: an application already begun is found among the
// applicant's own; a new one starts with the first answer (or file).
const MINE = `{ myApplications { call { id } ${APP} } }`;
const CALL = `query($id: ID!) { call(id: $id) { id title status closesAt timezone maxGrant form { languages questions {
  key type required labels { lang text } help { lang text } maxLength maxWords minValue maxValue maxPicks
  allowedTypes maxSizeBytes maxCount options { value labels { lang text } } } } }
  countries { code name } organisationTypes { code name } }`;
const PHASE = `query($id: ID!) { call(id: $id) { status } }`;
const SAVE = `mutation($id: ID!, $i: ApplicationInput!) { saveApplication(id: $id, input: $i) { __typename
  ... on Application { ${APP} } ... on Error { message } } }`;
const UPLOAD = `mutation($id: ID!, $key: String!, $file: Upload!) { uploadAttachment(applicationId: $id, questionKey: $key, file: $file) {
  __typename ... on Attachment { id questionKey fileName size } ... on FileTooLarge { message }
  ... on ValidationErrors { errors { field message } } ... on Error { message } } }`;
const REMOVE = `mutation($a: ID!, $f: ID!) { removeAttachment(applicationId: $a, attachmentId: $f) { __typename
  ... on Application { ${APP} } ... on Error { message } } }`;
const SUBMIT = `mutation($id: ID!, $k: String!) { submitApplication(id: $id, idempotencyKey: $k) { __typename
  ... on SubmissionReceipt { receipt { number version } } ... on ValidationErrors { errors { field message } } ... on Error { message } } }`;

const FIRST_RETRY_MS = 3000;

// An idempotency key from getRandomValues: crypto.randomUUID() exists only in secure contexts
// (https or localhost), and the portal may be reached over plain http.
const newKey = () => [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");

export async function applyPage(callId) {
  const show = screen();
  const [{ call, countries, organisationTypes }, { myApplications }] = await Promise.all([gql(CALL, { id: callId }), gql(MINE)]);
  if (!call) return show(h("h1", {}, "Cannot apply"), problem("There is no such call."));
  let app = myApplications.find((a) => a.call?.id === callId) || null;
  const heading = h("h1", {}, `Apply: ${call.title}`);
  const closes = h("p", {}, hasClosed(call) ? "Closed " : "Closes ", instant(call.closesAt, call.timezone));
  if (app?.status === "WITHDRAWN") return show(heading, h("p", { class: "notice", role: "status" }, "Your application to this call is withdrawn."));
  if (!app && call.status !== "OPEN") return show(heading, closes, problem("This call does not take applications now."));
  // After the deadline nothing of it can change: no form that would refuse every keystroke.
  const closedNotice = () => h("p", { class: "notice", role: "status", id: "closed" },
    "This call has closed: your application can no longer change",
    app?.receipt ? `; what you submitted last (receipt ${app.receipt.number}) is what counts. ` : ". ",
    h("a", { href: "#/mine" }, "See it in My applications"), ".");
  if (app && call.status !== "OPEN") return show(heading, closes, closedNotice());
  if (!account()) return show(heading, closes, h("p", {}, h("a", { href: "#/signin" }, "Sign in"), " or ",
    h("a", { href: "#/signup" }, "sign up"), " to apply."));
  let lang = "en";
  const state = { answers: { ...app?.answers }, organisation: { ...app?.organisation }, contact: { ...app?.contact } };
  const saveState = h("p", { class: "status", role: "status", "aria-live": "polite" },
    app ? "All changes are saved automatically." : "Your application begins with your first answer; from then on every change is saved automatically.");
  const unsubmitted = h("p", { class: "notice", role: "status", hidden: !app?.hasUnsubmittedChanges }, UNSUBMITTED);
  const withdrawal = h("div", {});
  const summary = h("div", { tabindex: "-1" });
  const formHost = h("div", {});
  const languages = call.form.languages;
  const languageSwitch = languages.length > 1 ? field("Language of the questions", h("select", { onchange: (e) => { lang = e.target.value; render(); } },
    languages.map((l) => h("option", { value: l, selected: l === lang }, languageOwnName(l))))) : null;
  // A question's upload lines and file list belong to the visit, not to one rendering, so a
  // language switch keeps them (and an upload still running finds them).
  const files = {};
  let timer = null;
  let dirty = false; // edits the server has not confirmed yet
  let saving = Promise.resolve(null); // saves run one after another, never overlapping
  let retryIn = FIRST_RETRY_MS;
  let gone = false;
  // Kept while the same content is retried, so a retry gets the same receipt; any edit
  // starts a new submission.
  let submitKey = null;
  // The problems the last submit named, until each is fixed (null: no submit refused yet).
  let pending = null;
  let beginning = null;

  const setSaveState = (message, failed = false) => { saveState.textContent = message; saveState.classList.toggle("bad", failed); };

  // The draft, created once (an upload and a save may ask together); null, else why not.
  function begin() {
    if (app) return Promise.resolve(null);
    beginning ||= gql(START, { c: callId }).then(({ startApplication: begun }) => {
      if (begun.__typename !== "Application") return begun.message;
      app = begun;
      showWithdrawal();
      return null;
    }).finally(() => { beginning = null; });
    return beginning;
  }

  function showWithdrawal() {
    withdrawal.replaceChildren(...withdrawButton(app, call.title, async () => {
      gone = true;
      clearTimeout(timer);
      show(heading, h("p", { class: "notice", role: "status" }, "Your application to this call is withdrawn."));
    }));
  }

  function save() {
    clearTimeout(timer);
    saving = saving.then(saveNow);
    return saving;
  }

  // Null once the server has everything, else why not.
  async function saveNow() {
    if (!dirty) return null;
    dirty = false;
    setSaveState("Saving…");
    const organisation = { ...state.organisation, countryPart: state.organisation.country === "FR" ? state.organisation.countryPart || null : null };
    let result;
    try {
      const refused = await begin();
      if (refused) { dirty = true; setSaveState(`Not saved: ${refused}`, true); return refused; }
      result = (await gql(SAVE, { id: app.id, i: { organisation, contact: state.contact, answers: state.answers } })).saveApplication;
    } catch (error) {
      dirty = true;
      setSaveState(`Not saved — retrying: ${error.message}`, true);
      if (!gone) { clearTimeout(timer); timer = setTimeout(save, retryIn); retryIn = Math.min(2 * retryIn, 30000); }
      return error.message;
    }
    retryIn = FIRST_RETRY_MS;
    // A refusal (the call has closed) is not retried: it would be refused again.
    if (result.__typename !== "Application") {
      if (Date.now() >= Date.parse(call.closesAt)) return closedWhileOpen(result.message);
      dirty = true; setSaveState(`Not saved: ${result.message}`, true); return result.message;
    }
    app = result;
    unsubmitted.hidden = !app.hasUnsubmittedChanges;
    if (!dirty) setSaveState(`Saved at ${new Date().toLocaleTimeString()}`);
    recheck();
    return null;
  }

  // The deadline passed with the form on screen: the form goes, and the notice says what
  // counts (a UI audit typed on into "Not saved: The call closed…" with no word of that).
  function closedWhileOpen(message) {
    dirty = false;
    clearTimeout(timer);
    saveState.textContent = "";
    summary.replaceChildren();
    unsubmitted.hidden = true;
    if (languageSwitch) languageSwitch.hidden = true; // no questions left to translate
    formHost.replaceChildren(closedNotice());
    return message;
  }

  // Whether a field has an answer at all ("is required" is fixed by giving one).
  function answered(fieldName) {
    const [group, key] = fieldName.split(".");
    if (group === "answers") {
      const q = call.form.questions.find((x) => x.key === key);
      if (q?.type === "FILE") return app.attachments.some((a) => a.questionKey === key);
      const v = state.answers[key];
      return q?.type === "DECLARATION" ? v === true : v !== undefined && v !== null && v !== "" && !(Array.isArray(v) && !v.length);
    }
    return group in state ? Boolean(state[group][key]) : false;
  }

  // After a refused submit, each save re-judges its problems: what is still wrong with a
  // given answer comes from the server's warnings, what is missing stays until answered; the
  // summary shrinks with them and goes once none is left.
  // The eligibility pre-check, as the last save left it: what would make the application
  // ineligible at the close (an amount over the maximum grant, say) is said before submitting.
  const precheck = h("div", { "aria-live": "polite", id: "precheck" });
  function showPrecheck() {
    const reasons = app?.eligibilityReasons || [];
    precheck.replaceChildren(...(reasons.length ? [h("div", { class: "notice" }, h("strong", {},
      app.receipt ? "As it stands, this would make it ineligible at the close:" : "Before you submit, check:"),
      h("ul", {}, reasons.map((r) => h("li", {}, r))))] : []));
  }

  function recheck() {
    showPrecheck();
    if (!pending) return showProblems(app.warnings);
    const warned = new Set(app.warnings.map((w) => w.field));
    pending = [...app.warnings, ...pending.filter((p) => !warned.has(p.field) && !answered(p.field))];
    showProblems(pending);
    showSummary();
  }

  function showSummary() {
    if (!pending?.length) { pending = null; summary.replaceChildren(); return; }
    summary.replaceChildren(h("div", { class: "notice bad", role: "alert" },
      h("strong", {}, `Please fix ${counted(pending.length, "problem")} before submitting:`),
      h("ul", {}, inPageOrder(pending).map((p) => h("li", {}, summaryLine(p))))));
  }
  // The summary reads as the form does, top to bottom (the server lists the questions first).
  function inPageOrder(problems) {
    const blocks = [...formHost.querySelectorAll("[data-field]")].map((b) => b.dataset.field);
    const at = (p) => { const i = blocks.indexOf(p.field); return i < 0 ? blocks.length : i; };
    return [...problems].sort((a, b) => at(a) - at(b));
  }
  const changed = () => {
    dirty = true;
    submitKey = null;
    setSaveState("Unsaved changes…");
    clearTimeout(timer);
    timer = setTimeout(save, 700);
  };

  // Every block's own message; a block with none is unmarked (fixed).
  function showProblems(problems) {
    const messages = new Map();
    for (const p of problems) messages.set(p.field, [...(messages.get(p.field) || []), p.message]);
    for (const block of formHost.querySelectorAll("[data-field]")) markProblem(block, messages.get(block.dataset.field)?.join("; "));
  }

  const blockOf = (fieldName) => formHost.querySelector(`[data-field="${CSS.escape(fieldName)}"]`);
  // A summary line names the question as the form does, and its link takes the visitor there.
  function summaryLine(p) {
    const block = blockOf(p.field);
    if (!block) return `${p.field}: ${p.message}`;
    const name = labelName(block.querySelector(":scope > label, :scope > legend").textContent);
    return [h("a", { href: location.hash, onclick: (event) => {
      event.preventDefault();
      blockOf(p.field)?.querySelector("input, select, textarea")?.focus(); // found again: a language switch re-renders
    } }, name), `: ${p.message}`];
  }

  function wrap(fieldName, labelText, control, help, note) {
    const block = field(labelText, control, { help, note });
    block.dataset.field = fieldName;
    return block;
  }

  function applicantFields() {
    const o = state.organisation;
    const input = (group, key, type = "text", extra = {}) => h("input", { type, value: state[group][key] || "",
      oninput: (e) => { state[group][key] = e.target.value; changed(); }, ...extra });
    const select = (options, value, onchange, extra = {}) => h("select", { onchange, ...extra },
      h("option", { value: "" }, "Choose…"), options.map(([v, label]) => h("option", { value: v, selected: v === value }, label)));
    // What a submission needs is marked with a "*" (a UI audit found these unmarked until the
    // summary listed them all), drawn by the stylesheet so the label keeps its words;
    // assistive technology hears "required".
    const needed = (fieldName, labelText, control) => {
      control.setAttribute("aria-required", "true");
      const block = wrap(fieldName, labelText, control);
      block.querySelector("label").classList.add("needed");
      return block;
    };
    const part = needed("organisation.countryPart", "Northern or southern France?", select([["NORTH", "North"], ["SOUTH", "South"]],
      o.countryPart, (e) => { o.countryPart = e.target.value || null; changed(); }));
    part.hidden = o.country !== "FR";
    return h("fieldset", {}, h("legend", {}, "Your organisation"),
      needed("organisation.name", "Organisation name", input("organisation", "name")),
      needed("organisation.type", "Organisation type", select(organisationTypes.map((t) => [t.code, t.name]), o.type,
        (e) => { o.type = e.target.value; changed(); })),
      needed("organisation.country", "Country", select(countries.map((c) => [c.code, c.name]), o.country,
        (e) => { o.country = e.target.value; part.hidden = o.country !== "FR"; changed(); })),
      part,
      wrap("organisation.website", "Website", input("organisation", "website", "url", { placeholder: "https://" })),
      needed("contact.name", "Contact person", input("contact", "name")),
      needed("contact.email", "Contact e-mail", input("contact", "email", "email")));
  }

  // A question's upload lines and file list belong to the visit (see `files`).
  function fileParts(q) {
    const { progress, list } = files[q.key] ||= { progress: h("div", {}), list: h("ul", {}) };
    const renderList = () => list.replaceChildren(...(app?.attachments || []).filter((a) => a.questionKey === q.key).map((a) => {
      const out = h("div", {});
      return h("li", {}, `${a.fileName} (${fileSize(a.size)}) `, h("button", { type: "button", class: "secondary",
        "aria-label": `Remove ${a.fileName}`, onclick: guard(out, async () => {
          const result = (await gql(REMOVE, { a: app.id, f: a.id })).removeAttachment;
          if (result.__typename !== "Application") return out.replaceChildren(problem(`${a.fileName} was not removed: ${result.message}`));
          app = result;
          unsubmitted.hidden = !app.hasUnsubmittedChanges;
          submitKey = null;
          renderList();
          recheck();
        }) }, "Remove"), out);
    }));
    renderList();
    const onFiles = async (chosen) => {
      // Each choice of files has its own lines: an earlier refusal does not stay beside a
      // file that went in since (found in a UI audit).
      progress.replaceChildren();
      const refused = await begin().catch((error) => error.message);
      if (refused) return progress.append(problem(`Not uploaded: ${refused}`));
      for (const file of chosen) {
        const bar = h("progress", { max: "1", value: "0", "aria-label": `Uploading ${file.name}` });
        const line = h("div", { class: "upload" }, h("span", {}, file.name), bar, h("p", { class: "error", role: "alert", hidden: true }));
        progress.append(line);
        // A refused file shows its reason, not a full progress bar beside it.
        const failed = (message) => { bar.remove(); const e = line.querySelector(".error"); e.hidden = false; e.textContent = `${file.name}: ${message}`; };
        try {
          const result = (await upload(UPLOAD, { id: app.id, key: q.key }, "file", file, (f) => { bar.value = f; })).uploadAttachment;
          if (result.__typename === "Attachment") {
            app.attachments.push(result); bar.value = 1; line.append(h("span", { class: "status" }, " uploaded")); renderList();
            submitKey = null;
            unsubmitted.hidden = !app.receipt; // a new file is a change to submit
            recheck();
          }
          else failed(result.errors ? result.errors.map((e) => e.message).join("; ") : result.message);
        } catch (error) { failed(error.message); }
      }
    };
    return { onFiles, fileParts: [progress, list] };
  }

  const question = (q) => questionField(q, { lang, value: state.answers[q.key], maxGrant: call.maxGrant, countries,
    onChange: (v) => { state.answers[q.key] = v; changed(); }, ...(q.type === "FILE" ? fileParts(q) : {}) }).node;

  const refuse = (...nodes) => { summary.replaceChildren(h("div", { class: "notice bad", role: "alert" }, ...nodes)); summary.focus(); };
  // Only the address is missing: the draft stays as it is.
  const unconfirmed = () => {
    const out = h("div", {});
    return [h("strong", {}, "Confirm your e-mail address to submit."),
      h("p", {}, `We e-mailed a link to ${account().email}: open it, then submit again. Your draft is kept.`),
      h("p", {}, resendButton(out)), out];
  };

  async function submit() {
    summary.replaceChildren();
    const unsaved = (await save()) || (await begin());
    if (unsaved) return refuse(h("strong", {}, `Not submitted, as your latest changes are not saved: ${unsaved}`));
    submitKey ||= newKey();
    const result = (await gql(SUBMIT, { id: app.id, k: submitKey })).submitApplication;
    if (result.__typename === "SubmissionReceipt") { pending = null; summary.replaceChildren(); location.hash = `#/receipt/${app.id}/${result.receipt.version}`; return; }
    if (result.__typename === "EmailNotConfirmed") return refuse(unconfirmed());
    if (!result.errors?.length) return refuse(h("strong", {}, result.message));
    pending = result.errors;
    showProblems(pending);
    showSummary();
    summary.focus();
  }

  // Re-rendered when the language changes; the language control itself stays, and keeps focus.
  function render() {
    formHost.replaceChildren(h("form", { novalidate: true, onsubmit: guard(summary, submit) },
      applicantFields(), h("fieldset", {}, h("legend", {}, "Your proposal"), call.form.questions.map(question)),
      precheck, h("p", {}, h("button", { type: "submit" }, app?.receipt ? "Submit again" : "Submit application"))));
    showProblems(pending || app?.warnings || []);
  }
  render();
  showPrecheck();
  if (app) showWithdrawal();
  show(
    heading, closes, languageSwitch,
    saveState, unsubmitted, summary, formHost, withdrawal,
  );
  // Closing or reloading the tab cannot wait for a save: the browser asks while an edit is
  // not yet saved (the 700 ms before a save, or a save that failed).
  holdUnsavedOnUnload(() => dirty);
  // The deadline passing with the form on screen closes it, by the server's clock: from the
  // closing instant by this one's, the call's phase is asked until it is no longer open (a
  // UI audit's applicant read "submit again before the deadline" after it).
  let deadlineTimer = null;
  function watchDeadline(delay) {
    if (delay > 2 ** 31 - 1) return; // a tab open for weeks: its next save finds out
    deadlineTimer = setTimeout(async () => {
      if (gone) return;
      const now = await gql(PHASE, { id: callId }).catch(() => null);
      if (now?.call && now.call.status !== "OPEN") closedWhileOpen();
      else if (!gone) watchDeadline(5000);
    }, Math.max(delay, 0) + 250);
  }
  watchDeadline(Date.parse(call.closesAt) - Date.now());
  // Leaving the page saves what is still unsaved, once; the next page waits for it (a UI
  // audit found My applications read before the last edit was in).
  return () => { gone = true; clearTimeout(timer); clearTimeout(deadlineTimer); return dirty ? save() : saving; };
}

// One version's receipt (a receipt e-mail and My applications link to theirs); with no
// version, the latest.
export async function receiptPage(id, version) {
  const show = screen();
  const { application } = await gql(`query($id: ID!) { application(id: $id) { id status call { id title timezone }
    receipt { number fingerprint submittedAt version } versions { number fingerprint submittedAt version } } }`, { id });
  const latest = application?.receipt;
  const r = version ? application?.versions?.find((v) => String(v.version) === version) : latest;
  if (!r) return show(h("h1", {}, "No receipt"));
  const replaced = latest && latest.version !== r.version;
  show(h("h1", {}, replaced ? `Receipt of version ${r.version}` : "Application submitted"),
    application.call ? h("p", { id: "receipt-call" }, application.call.title) : null,
    h("div", { class: "notice", role: "status" }, h("p", {}, "Your receipt number is ", h("strong", { id: "receipt-number" }, r.number), "."),
      replaced ? h("p", {}, `Version ${latest.version}, submitted later (receipt `, h("a", { href: `#/receipt/${application.id}/${latest.version}` }, latest.number),
        "), is the one that counts.")
        : h("p", {}, "The receipt, with a PDF of what you submitted, is on its way to your e-mail address; keep it.")),
    h("dl", {}, h("dt", {}, "Submitted"), h("dd", {}, h("time", { id: "submitted-at", datetime: r.submittedAt },
      instant(r.submittedAt, application.call?.timezone))),
      h("dt", {}, "Version"), h("dd", {}, r.version),
      h("dt", {}, "Fingerprint (sha256 of your answers and files)"), h("dd", {}, h("code", { id: "fingerprint" }, r.fingerprint))),
    h("p", { class: "row" }, h("a", { href: `#/mine/${application.id}` }, "This application"), h("a", { href: "#/mine" }, "My applications")));
}
