import { gql } from "../graphql.js";
import { guard, h, instant, problem, screen, UNSUBMITTED } from "../ui.js";

const MINE = `{ myApplications { id status eligibility eligibilityReasons updatedAt receipt { number } hasUnsubmittedChanges
  call { id title status closesAt timezone rubric { criteria { key label } } } outcome { decision rank summary scores comments } } }`;

const WITHDRAW = `mutation($id: ID!) { withdrawApplication(id: $id) { __typename ... on Application { status } ... on Error { message } } }`;

// Withdrawing cannot be undone: the applicant confirms, then reads the new status in place.
export function withdrawButton(application, callTitle, done) {
  const out = h("div", {});
  return [h("button", { type: "button", class: "secondary", onclick: guard(out, async () => {
    if (!confirm(`Withdraw your application to ${callTitle}? It will no longer be evaluated.`)) return;
    const result = (await gql(WITHDRAW, { id: application.id })).withdrawApplication;
    if (result.__typename !== "Application") return out.replaceChildren(problem(`Not withdrawn: ${result.message}`));
    await done();
  }) }, "Withdraw"), out];
}

export async function minePage() {
  const show = screen();
  const { myApplications } = await gql(MINE);
  show(h("h1", {}, "My applications"), myApplications.length ? myApplications.map((a) => h("article", { class: "card" },
    h("h2", {}, a.call?.title || "A call"),
    h("p", {}, h("span", { class: "tag", "data-testid": "status" }, a.status.toLowerCase()),
      a.receipt ? ` · receipt ${a.receipt.number}` : "", ` · last change ${instant(a.updatedAt, a.call?.timezone)}`),
    a.hasUnsubmittedChanges ? h("p", { class: "notice" }, UNSUBMITTED) : null,
    // Before the call closes it is only a pre-check of what is still missing, not a verdict.
    a.eligibilityReasons.length ? h("div", { class: a.eligibility === "PENDING" ? "notice" : "notice bad" }, h("strong", {},
      a.eligibility === "PENDING" ? "Before you submit, check:" : "Not eligible:"), h("ul", {}, a.eligibilityReasons.map((r) => h("li", {}, r)))) : null,
    a.outcome ? h("section", { class: "notice", "aria-label": "Outcome" },
      h("h3", {}, "Outcome: ", h("span", { "data-testid": "decision" }, a.outcome.decision.replace("_", " "))),
      a.outcome.rank ? h("p", {}, `Rank ${a.outcome.rank}`) : null, h("p", {}, a.outcome.summary),
      h("table", {}, h("caption", {}, "Consensus scores (0 to 5)"), h("tbody", {}, Object.entries(a.outcome.scores).map(([k, v]) =>
        h("tr", {}, h("th", { scope: "row" }, a.call?.rubric.criteria.find((c) => c.key === k)?.label || k), h("td", {}, v))))),
      a.outcome.comments.length ? [h("h4", {}, "Evaluators' comments"), h("ul", {}, a.outcome.comments.map((c) => h("li", {}, c)))] : null) : null,
    a.status !== "WITHDRAWN" ? h("p", { class: "row" },
      a.call?.status === "OPEN" ? h("a", { href: `#/apply/${a.call.id}` }, a.status === "DRAFT" ? "Continue" : "Edit and resubmit") : null,
      withdrawButton(a, a.call?.title || "this call", minePage)) : null,
  )) : h("p", {}, "You have not applied yet. ", h("a", { href: "#/" }, "See the open calls.")));
}
