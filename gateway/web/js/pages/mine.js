import { gql } from "../graphql.js";
import { h, screen, UNSUBMITTED, when } from "../ui.js";

const MINE = `{ myApplications { id status eligibility eligibilityReasons updatedAt receipt { number } hasUnsubmittedChanges
  call { id title status closesAt timezone rubric { criteria { key label } } } outcome { decision rank summary scores comments } } }`;

export async function minePage() {
  const show = screen();
  const { myApplications } = await gql(MINE);
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  show(h("h1", {}, "My applications"), myApplications.length ? myApplications.map((a) => h("article", { class: "card" },
    h("h2", {}, a.call?.title || "A call"),
    h("p", {}, h("span", { class: "tag", "data-testid": "status" }, a.status.toLowerCase()),
      a.receipt ? ` · receipt ${a.receipt.number}` : "", ` · last change ${when(a.updatedAt, zone)}`),
    a.hasUnsubmittedChanges ? h("p", { class: "notice" }, UNSUBMITTED) : null,
    a.eligibilityReasons.length ? h("div", { class: "notice bad" }, h("strong", {},
      a.eligibility === "PENDING" ? "Eligibility pre-check:" : "Not eligible:"), h("ul", {}, a.eligibilityReasons.map((r) => h("li", {}, r)))) : null,
    a.outcome ? h("section", { class: "notice", "aria-label": "Outcome" },
      h("h3", {}, "Outcome: ", h("span", { "data-testid": "decision" }, a.outcome.decision.replace("_", " "))),
      a.outcome.rank ? h("p", {}, `Rank ${a.outcome.rank}`) : null, h("p", {}, a.outcome.summary),
      h("table", {}, h("caption", {}, "Consensus scores (0 to 5)"), h("tbody", {}, Object.entries(a.outcome.scores).map(([k, v]) =>
        h("tr", {}, h("th", { scope: "row" }, a.call?.rubric.criteria.find((c) => c.key === k)?.label || k), h("td", {}, v))))),
      a.outcome.comments.length ? [h("h4", {}, "Evaluators' comments"), h("ul", {}, a.outcome.comments.map((c) => h("li", {}, c)))] : null) : null,
    a.call?.status === "OPEN" && a.status !== "WITHDRAWN" ? h("p", {}, h("a", { href: `#/apply/${a.call.id}` }, a.status === "DRAFT" ? "Continue" : "Edit and resubmit")) : null,
  )) : h("p", {}, "You have not applied yet. ", h("a", { href: "#/" }, "See the open calls.")));
}
