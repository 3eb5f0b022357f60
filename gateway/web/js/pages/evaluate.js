// The evaluator console: assignments, the (possibly blind) application, the scoring form.
import { gql } from "../graphql.js";
import { field, guard, h, screen } from "../ui.js";

export async function assignmentsPage() {
  const show = screen();
  const { myAssignments } = await gql(`{ myAssignments { id callTitle applicationId evaluation { status } } }`);
  const done = myAssignments.filter((a) => a.evaluation.status === "submitted").length;
  show(h("h1", {}, "My assignments"),
    h("p", {}, h("progress", { max: String(myAssignments.length || 1), value: String(done), "aria-label": "Evaluations submitted" }),
      ` ${done} of ${myAssignments.length} submitted`),
    myAssignments.length ? h("ul", {}, myAssignments.map((a) => h("li", {},
      h("a", { href: `#/evaluate/${a.id}` }, `${a.callTitle} · application ${a.applicationId.slice(0, 8)}`),
      ` (${a.evaluation.status.replace("_", " ")})`))) : h("p", {}, "Nothing is assigned to you."));
}

const ONE = `query($id: ID!) { assignment(id: $id) { id callTitle applicationId
  rubric { overallThreshold criteria { key label guidance { lang text } weight threshold } }
  evaluation { status scores comments }
  application { blind organisation { name country } contact { name email } answers requestedAmount country hub
    attachments { id fileName contentType size downloadUrl } } } }`;
const SAVE = `mutation($a: ID!, $s: JSON, $c: JSON) { saveEvaluation(assignmentId: $a, scores: $s, comments: $c) { __typename
  ... on ValidationErrors { errors { field message } } ... on Error { message } } }`;
const SUBMIT = `mutation($a: ID!) { submitEvaluation(assignmentId: $a) { __typename
  ... on ValidationErrors { errors { field message } } ... on Error { message } } }`;
const CONFLICT = `mutation($a: ID!, $r: String!) { declareConflict(applicationId: $a, reason: $r) { __typename ... on Error { message } } }`;

export async function assignmentPage(id) {
  const show = screen();
  const { assignment } = await gql(ONE, { id });
  if (!assignment) return show(h("h1", {}, "No such assignment"), h("p", {}, h("a", { href: "#/evaluate" }, "Back")));
  const app = assignment.application;
  const locked = assignment.evaluation.status === "submitted";
  const status = h("div", { role: "status", "aria-live": "polite" });
  const halves = Array.from({ length: 11 }, (_, i) => i / 2);
  const controls = assignment.rubric.criteria.map((c) => {
    const score = h("select", { name: `score-${c.key}`, disabled: locked },
      h("option", { value: "" }, "Score…"), halves.map((v) => h("option", { value: v, selected: assignment.evaluation.scores[c.key] === v }, v)));
    const comment = h("textarea", { name: `comment-${c.key}`, disabled: locked }, assignment.evaluation.comments[c.key] || "");
    const guidance = (c.guidance.find((g) => g.lang === "en") || {}).text;
    return { key: c.key, node: h("fieldset", { "data-field": `scores.${c.key}` }, h("legend", {}, `${c.label} (weight ${c.weight}, threshold ${c.threshold})`),
      guidance ? h("p", { class: "help" }, guidance) : null,
      field("Score (0 to 5, half points)", score), field("Comment (at least 20 characters)", comment)), score, comment };
  });
  const collect = () => ({
    s: Object.fromEntries(controls.filter((c) => c.score.value !== "").map((c) => [c.key, Number(c.score.value)])),
    c: Object.fromEntries(controls.map((c) => [c.key, c.comment.value])),
  });
  const report = (result, okText) => {
    status.replaceChildren(result.__typename === "Evaluation" || result.__typename === "ConflictDeclared"
      ? h("p", { class: "notice" }, okText)
      : h("div", { class: "notice bad", role: "alert" }, result.message || "Please fix:",
        h("ul", {}, (result.errors || []).map((e) => h("li", {}, `${e.field}: ${e.message}`)))));
  };
  show(
    h("h1", {}, assignment.callTitle), app.blind ? h("p", { class: "tag" }, "Blind evaluation: the applicant's identity is hidden") : null,
    h("section", { class: "card", "aria-label": "Application" },
      app.organisation ? h("p", {}, h("strong", {}, app.organisation.name), ` (${app.organisation.country})`) : null,
      h("p", {}, `Requested: ${app.requestedAmount ?? "—"} EUR · country ${app.country ?? "—"} · hub ${app.hub ?? "—"}`),
      h("dl", {}, Object.entries(app.answers).map(([k, v]) => [h("dt", {}, k), h("dd", {}, Array.isArray(v) ? v.join(", ") : String(v))])),
      app.attachments.length ? h("ul", {}, app.attachments.map((a) => h("li", {}, h("a", { href: a.downloadUrl }, a.fileName),
        ` (${Math.ceil(a.size / 1024)} kB)`))) : null),
    h("form", { novalidate: true, onsubmit: guard(status, async (e) => {
      const { s, c } = collect();
      const saved = (await gql(SAVE, { a: id, s, c })).saveEvaluation;
      if (saved.__typename !== "Evaluation") return report(saved);
      const submitted = (await gql(SUBMIT, { a: id })).submitEvaluation;
      report(submitted, "Submitted. The evaluation is now locked.");
      if (submitted.__typename === "Evaluation") for (const control of e.target.elements) control.disabled = true;
    }) }, controls.map((c) => c.node),
      h("div", { class: "row" },
        h("button", { type: "button", class: "secondary", disabled: locked, onclick: guard(status, async () => {
          const { s, c } = collect();
          report((await gql(SAVE, { a: id, s, c })).saveEvaluation, "Draft saved.");
        }) }, "Save draft"),
        h("button", { type: "submit", disabled: locked }, "Submit evaluation"),
        h("button", { type: "button", class: "secondary", disabled: locked, onclick: guard(status, async () => {
          if (!confirm("Declare a conflict of interest? The application goes to another evaluator.")) return;
          const result = (await gql(CONFLICT, { a: assignment.applicationId, r: "declared in the console" })).declareConflict;
          if (result.__typename === "ConflictDeclared") location.hash = "#/evaluate"; else report(result);
        }) }, "Declare a conflict"))),
    status,
  );
}
