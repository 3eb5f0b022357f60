// The evaluator console: assignments by call, the (possibly blind) application read under its
// questions' labels, the scoring form with each error beside its criterion, conflicts.
import { account, gql } from "../graphql.js";
import { label, labelNode, markProblem } from "../form.js";
import { counted, field, fileSize, guard, h, holdUnsaved, instant, languageOwnName, money, problem, screen, signInFirst } from "../ui.js";

const LIST = `{ myAssignments { id callId callTitle applicationTitle dueAt callTimezone evaluation { status } } }`;
const statusWords = (status) => status.replace("_", " ");

const MIN_COMMENT = 20;
const SUBMIT_QUESTION = "Submit the evaluation? Once submitted it is locked: no score or comment can change.";

// What the last declaration did, told once on the list the evaluator lands on.
let declared = null;

export async function assignmentsPage() {
  const show = screen();
  if (!account()) return show(...signInFirst("Evaluations", "see the applications assigned to you"));
  // Only evaluators are assigned work: anyone else is told whose page it is, not "nothing yet".
  if (account().role !== "EVALUATOR") {
    return show(h("h1", {}, "My assignments"), h("p", { class: "notice" }, "This page is for evaluators: it lists the applications assigned to them."),
      h("p", {}, h("a", { href: "#/" }, "Back to the calls")));
  }
  const { myAssignments } = await gql(LIST);
  const calls = new Map();
  for (const a of myAssignments) calls.set(a.callId, [...(calls.get(a.callId) || []), a]);
  const submitted = (list) => list.filter((a) => a.evaluation.status === "submitted").length;
  const done = submitted(myAssignments);
  const told = declared;
  declared = null;
  show(h("h1", {}, "My assignments"),
    told ? h("p", { class: "notice", role: "status", id: "conflict-declared" }, told) : null,
    h("p", {}, h("progress", { max: String(myAssignments.length || 1), value: String(done), "aria-label": "Evaluations submitted" }),
      ` ${done} of ${myAssignments.length} submitted`),
    myAssignments.length ? [...calls.values()].map((list) => {
      const [first] = list;
      return h("section", { class: "card", "aria-label": first.callTitle },
        h("h2", {}, first.callTitle),
        h("p", {}, first.dueAt ? ["Due ", instant(first.dueAt, first.callTimezone)] : "No due date",
          ` · ${submitted(list)} of ${list.length} submitted`),
        h("ul", {}, list.map((a) => h("li", {}, h("a", { href: `#/evaluate/${a.id}` }, a.applicationTitle),
          ` (${statusWords(a.evaluation.status)})`))));
    }) : h("p", {}, "Nothing is assigned to you."));
}

const ONE = `query($id: ID!) { assignment(id: $id) { id callId callTitle applicationId applicationTitle dueAt callTimezone
  rubric { overallThreshold criteria { key labels { lang text } guidance { lang text } weight threshold } }
  evaluation { status scores comments }
  application { blind organisation { name country } contact { name email } answers requestedAmount country hub valueChains
    attachments { id questionKey fileName contentType size downloadUrl } } } }`;
// What the answers mean: the call's questions (labels, options) and the names behind codes.
const CONTEXT = `query($c: ID!) { call(id: $c) { currency form { languages questions { key type
  labels { lang text } options { value labels { lang text } } } } }
  countries { code name } hubs { code name } valueChains { code name } }`;
const SAVE = `mutation($a: ID!, $s: JSON, $c: JSON) { saveEvaluation(assignmentId: $a, scores: $s, comments: $c) { __typename
  ... on ValidationErrors { errors { field message } } ... on Error { message } } }`;
const SUBMIT = `mutation($a: ID!) { submitEvaluation(assignmentId: $a) { __typename
  ... on ValidationErrors { errors { field message } } ... on Error { message } } }`;
const CONFLICT = `mutation($a: ID!, $r: String!) { declareConflict(applicationId: $a, reason: $r) { __typename ... on ConflictDeclared { reassigned }
  ... on ValidationErrors { errors { field message } } ... on Error { message } } }`;

const unanswered = (v) => v === undefined || v === null || v === "" || (Array.isArray(v) && !v.length);
const fileLinks = (files) => h("ul", { class: "plain" }, files.map((a) => h("li", {},
  h("a", { href: a.downloadUrl }, a.fileName), ` (${fileSize(a.size)})`)));

// One answer as the applicant meant it: option labels, names for codes, money, files.
function answerNode(q, value, { lang, app, currency, names }) {
  if (q.type === "FILE") {
    const files = app.attachments.filter((a) => a.questionKey === q.key);
    return files.length ? fileLinks(files) : h("span", { class: "muted" }, "No file");
  }
  if (unanswered(value)) return h("span", { class: "muted" }, "Not answered");
  const option = (v) => labelNode(q.options.find((o) => o.value === v)?.labels, lang) || v;
  switch (q.type) {
    case "SHORT_TEXT": case "LONG_TEXT": return h("p", { class: "answer-text" }, String(value));
    case "NUMBER": return new Intl.NumberFormat().format(value);
    case "REQUESTED_AMOUNT": return money(value, currency);
    case "COUNTRY": return names.countries[value] || value;
    case "SINGLE_CHOICE": return option(value);
    case "MULTIPLE_CHOICE": return [].concat(value).flatMap((v, i) => (i ? [", ", option(v)] : [option(v)]));
    case "DECLARATION": return value === true ? "Accepted" : "Not accepted";
    default: return String(value);
  }
}

// The names behind the codes an application holds, from a query's `countries`, `hubs` and
// `valueChains` lists.
const byCode = (list) => Object.fromEntries(list.map((x) => [x.code, x.name]));
export const namesOf = (data) => ({ countries: byCode(data.countries), hubs: byCode(data.hubs), valueChains: byCode(data.valueChains) });

export function applicationView(app, call, names, lang) {
  const questions = call.form.questions;
  const asked = new Set(questions.filter((q) => q.type === "FILE").map((q) => q.key));
  const otherFiles = app.attachments.filter((a) => !asked.has(a.questionKey));
  const facts = [
    app.organisation ? ["Organisation", `${app.organisation.name} (${names.countries[app.organisation.country] || app.organisation.country || "no country"})`] : null,
    ["Requested amount", app.requestedAmount != null ? money(app.requestedAmount, call.currency) : "Not given"],
    ["Country", names.countries[app.country] || app.country || "Not given"],
    ["Hub", names.hubs[app.hub] || app.hub || "Not given"],
    app.valueChains.length ? ["Value chains", app.valueChains.map((v) => names.valueChains[v] || v).join(", ")] : null,
  ].filter(Boolean);
  return h("div", {},
    h("dl", { class: "facts" }, facts.map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)])),
    h("dl", { class: "answers" }, questions.map((q) => [h("dt", {}, labelNode(q.labels, lang) || "Question"),
      h("dd", {}, answerNode(q, app.answers[q.key], { lang, app, currency: call.currency, names }))])),
    otherFiles.length ? [h("h3", {}, "Other files"), fileLinks(otherFiles)] : null);
}

export async function assignmentPage(id) {
  const show = screen();
  const { assignment } = await gql(ONE, { id });
  if (!assignment) return show(h("h1", {}, "No such assignment"), h("p", {}, h("a", { href: "#/evaluate" }, "Back")));
  const context = await gql(CONTEXT, { c: assignment.callId });
  const call = context.call;
  const names = namesOf(context);
  const app = assignment.application;
  const criteria = assignment.rubric.criteria;
  const locked = assignment.evaluation.status === "submitted";
  const status = h("div", { role: "status", "aria-live": "polite", tabindex: "-1" });
  const halves = Array.from({ length: 11 }, (_, i) => i / 2);
  let lang = "en";

  const controls = criteria.map((c) => {
    const score = h("select", { disabled: locked },
      h("option", { value: "" }, "Score…"), halves.map((v) => h("option", { value: v, selected: assignment.evaluation.scores[c.key] === v }, v)));
    const comment = h("textarea", { disabled: locked }, assignment.evaluation.comments[c.key] || "");
    const scoreBlock = field("Score (0 to 5, half points)", score);
    scoreBlock.dataset.field = `scores.${c.key}`;
    const commentBlock = field("Comment (at least 20 characters)", comment);
    commentBlock.dataset.field = `comments.${c.key}`;
    return { c, score, comment, blocks: [scoreBlock, commentBlock] };
  });
  const scoring = h("div", {});
  const renderCriteria = () => scoring.replaceChildren(...controls.map(({ c, blocks }) => {
    const guidance = labelNode(c.guidance, lang);
    return h("fieldset", {}, h("legend", {}, labelNode(c.labels, lang) || c.key, ` (weight ${c.weight}, threshold ${c.threshold})`),
      guidance ? h("p", { class: "help" }, guidance) : null, blocks);
  }));
  const collect = () => ({
    s: Object.fromEntries(controls.filter((c) => c.score.value !== "").map((c) => [c.c.key, Number(c.score.value)])),
    c: Object.fromEntries(controls.map((c) => [c.c.key, c.comment.value])),
  });
  // What submitting requires (review's score_errors, strict): every score, every comment.
  const unfinished = (s, c) => criteria.flatMap((x) => [
    x.key in s ? null : { field: `scores.${x.key}`, message: "is required" },
    (c[x.key] || "").trim().length >= MIN_COMMENT ? null : { field: `comments.${x.key}`, message: `write at least ${MIN_COMMENT} characters` },
  ].filter(Boolean));
  // Scores and comments are saved only by the buttons: leaving with changes asks first.
  let savedSheet = locked ? null : JSON.stringify(collect());
  holdUnsaved(() => (savedSheet !== null && JSON.stringify(collect()) !== savedSheet
    ? "Your scores or comments are not saved. Leave without saving them?" : null));

  // Each error beside its criterion's score or comment; every other block is cleared (fixed).
  const blocks = controls.flatMap((c) => c.blocks);
  function showErrors(errors) {
    for (const block of blocks) markProblem(block, errors.filter((e) => e.field === block.dataset.field).map((e) => e.message).join("; "));
  }
  const nameOf = (fieldName) => {
    const [part, key] = fieldName.split(".");
    const c = criteria.find((x) => x.key === key);
    return c ? `${label(c.labels, lang)}, ${part === "scores" ? "score" : "comment"}` : "This evaluation";
  };
  function report(result, okText) {
    const errors = result.errors || [];
    showErrors(errors);
    if (result.__typename === "Evaluation") {
      savedSheet = JSON.stringify(collect());
      return status.replaceChildren(h("p", { class: "notice" }, okText));
    }
    status.replaceChildren(h("div", { class: "notice bad", role: "alert" },
      errors.length ? `Please fix ${counted(errors.length, "problem")}, shown beside each criterion:` : result.message,
      errors.length ? h("ul", {}, errors.map((e) => h("li", {}, `${nameOf(e.field)}: ${e.message}`))) : null));
    status.focus();
  }

  // A conflict is declared with the evaluator's own reason, which the team reads.
  const conflictOut = h("div", {});
  const reason = h("textarea", { required: true, "aria-required": "true" });
  const reasonBlock = field("Why can you not evaluate this application?", reason,
    { help: "For example: you work with the applicant, or you advised them on this proposal." });
  const conflictForm = h("form", { class: "card", hidden: true, novalidate: true, "aria-label": "Declare a conflict of interest",
    onsubmit: guard(conflictOut, async () => {
      const text = reason.value.trim();
      markProblem(reasonBlock, text ? null : "Say why, in a few words.");
      if (!text) return reason.focus();
      const result = (await gql(CONFLICT, { a: assignment.applicationId, r: text })).declareConflict;
      if (result.__typename === "ConflictDeclared") {
        const moved = result.reassigned === 1 ? "1 assignment is" : `${result.reassigned} assignments are`;
        declared = `Your conflict is recorded: ${moved} taken off your list.`;
        savedSheet = null; // the assignment is no longer theirs: nothing to keep
        location.hash = "#/evaluate";
        return;
      }
      markProblem(reasonBlock, (result.errors || []).map((e) => e.message).join("; ") || null);
      if (!result.errors) conflictOut.replaceChildren(problem(result.message));
    }) },
    h("p", {}, "It is taken off your list and goes to another evaluator of the call's pool if one is free; if none is, the programme team finds one."), reasonBlock,
    h("div", { class: "row" }, h("button", { type: "submit" }, "Declare the conflict"),
      h("button", { type: "button", class: "secondary", onclick: () => { conflictForm.hidden = true; conflictButton.focus(); } }, "Cancel")),
    conflictOut);
  const conflictButton = h("button", { type: "button", class: "secondary", disabled: locked,
    onclick: () => { conflictForm.hidden = false; reason.focus(); } }, "Declare a conflict");

  const answers = h("div", {});
  const renderAnswers = () => answers.replaceChildren(applicationView(app, call, names, lang));
  const render = () => { renderAnswers(); renderCriteria(); };
  render();
  const languages = call.form.languages;
  show(
    h("h1", {}, assignment.applicationTitle),
    h("p", {}, assignment.callTitle, " · ", assignment.dueAt ? ["due ", instant(assignment.dueAt, assignment.callTimezone)] : "no due date"),
    app.blind ? h("p", { class: "tag" }, "Blind evaluation: the applicant's identity is hidden") : null,
    languages.length > 1 ? field("Language of the questions", h("select", { onchange: (e) => { lang = e.target.value; render(); } },
      languages.map((l) => h("option", { value: l, selected: l === lang }, languageOwnName(l))))) : null,
    h("section", { class: "card", "aria-label": "Application" }, answers),
    h("form", { novalidate: true, "aria-label": "Evaluation", onsubmit: guard(status, async (e) => {
      const { s, c } = collect();
      const saved = (await gql(SAVE, { a: id, s, c })).saveEvaluation;
      if (saved.__typename !== "Evaluation") return report(saved);
      // What submitting would refuse is said before asking to lock it, not after.
      const missing = unfinished(s, c);
      if (missing.length) return report({ errors: missing });
      if (!confirm(SUBMIT_QUESTION)) return report(saved, "Saved; not submitted.");
      const submitted = (await gql(SUBMIT, { a: id })).submitEvaluation;
      report(submitted, "Submitted. The evaluation is now locked.");
      if (submitted.__typename === "Evaluation") for (const control of e.target.elements) control.disabled = true;
    }) }, scoring,
      h("div", { class: "row" },
        h("button", { type: "button", class: "secondary", disabled: locked, onclick: guard(status, async () => {
          const { s, c } = collect();
          report((await gql(SAVE, { a: id, s, c })).saveEvaluation, "Draft saved.");
        }) }, "Save draft"),
        h("button", { type: "submit", disabled: locked }, "Submit evaluation"),
        conflictButton)),
    conflictForm,
    status,
  );
}
