import { account, gql } from "../graphql.js";
import { guard, h, instant, problem, screen, signInFirst, UNSUBMITTED } from "../ui.js";
import { applicationView, namesOf } from "./evaluate.js";

const FIELDS = `id title status eligibility eligibilityReasons updatedAt receipt { number submittedAt } hasUnsubmittedChanges
  call { id title status closesAt timezone rubric { overallThreshold criteria { key label threshold } } } outcome { decision rank summary scores comments }`;
const MINE = `{ myApplications { ${FIELDS} } }`;

const WITHDRAW = `mutation($id: ID!) { withdrawApplication(id: $id) { __typename ... on Application { status } ... on Error { message } } }`;

// Withdrawing cannot be undone: the applicant confirms, then reads the new status in place.
export function withdrawButton(application, callTitle, done) {
  const out = h("div", {});
  return [h("button", { type: "button", class: "secondary", onclick: guard(out, async () => {
    if (!confirm(`Withdraw your application to ${callTitle}? It will no longer be evaluated, and you cannot apply to this call again.`)) return;
    const result = (await gql(WITHDRAW, { id: application.id })).withdrawApplication;
    if (result.__typename !== "Application") return out.replaceChildren(problem(`Not withdrawn: ${result.message}`));
    await done();
  }) }, "Withdraw"), out];
}

const versionsList = (a) => h("section", { "aria-labelledby": "versions-h" }, h("h3", { id: "versions-h" }, "Receipts"),
  a.versions.length ? h("ul", { id: "receipts" }, a.versions.map((r) => h("li", {}, `Version ${r.version}: receipt `,
    h("a", { href: `#/receipt/${a.id}/${r.version}` }, r.number), ` · ${instant(r.submittedAt, a.call?.timezone)} · fingerprint `,
    h("code", {}, r.fingerprint)))) : h("p", { class: "muted" }, "Not submitted yet."));

// Each score beside the threshold it had to reach, and their total beside the overall one (a
// UI audit's applicant read "below threshold: overall" with no threshold in sight); the
// comments under their criterion, as the rubric orders them.
function outcomeSection(a) {
  const rubric = a.call?.rubric;
  const scores = inRubricOrder(a);
  const total = scores.reduce((sum, [, value]) => sum + value, 0);
  const row = (cells) => h("tr", {}, h("th", { scope: "row" }, cells[0]), cells.slice(1).map((c) => h("td", {}, c ?? "—")));
  return h("section", { class: "notice", "aria-label": "Outcome" },
    h("h3", {}, "Outcome: ", h("span", { "data-testid": "decision" }, a.outcome.decision.replace("_", " "))),
    h("p", { "data-testid": "outcome-reason" }, outcomeReason(a, scores, total)),
    scores.length ? h("div", { class: "scroll" }, h("table", {}, h("caption", {}, "Consensus scores (0 to 5) and the thresholds to pass"),
      h("thead", {}, h("tr", {}, ["Criterion", "Score", "Threshold"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, scores.map(row), rubric ? row(["Total", total, rubric.overallThreshold]) : null)))
      : h("p", {}, "No scores: the application was not evaluated."),
    commentsSection(a));
}

// Why, in the applicant's words: the ranking's own explanation is the team's shorthand
// ("rank 2, weighted total 12; reserve: requests €50,000; only €40,000 left …").
export function outcomeReason(a, scores, total) {
  const { decision, rank, summary } = a.outcome;
  const rubric = a.call?.rubric;
  if (decision === "selected") return `Selected for funding, at rank ${rank}.`;
  if (decision === "reserve") return `On the reserve list, at rank ${rank}: the budget went to the applications ranked above it. It may still be funded if one of them is not.`;
  if (decision === "ineligible") return "Not eligible for this call, so it was not evaluated.";
  if (decision !== "not_selected" || !rubric || !scores.length) return summary;
  const below = scores.filter(([, value, threshold]) => threshold != null && value < threshold)
    .map(([label, value, threshold]) => `${label} scored ${value}, below its threshold of ${threshold}`);
  if (total < rubric.overallThreshold) below.push(`the total of ${total} is below the overall threshold of ${rubric.overallThreshold}`);
  return below.length ? `Not selected: ${below.join("; ")}.` : summary;
}

// The scores as the rubric lists its criteria (any the rubric no longer names, after them):
// [label, score, threshold].
function inRubricOrder(a) {
  const criteria = a.call?.rubric.criteria || [];
  const known = criteria.filter((c) => c.key in a.outcome.scores).map((c) => [c.label, a.outcome.scores[c.key], c.threshold]);
  const others = Object.entries(a.outcome.scores).filter(([k]) => !criteria.some((c) => c.key === k));
  return [...known, ...others];
}

// A comment comes as "<criterion key>: text": grouped under the criterion's label.
function commentsSection(a) {
  if (!a.outcome.comments.length) return null;
  const criteria = a.call?.rubric.criteria || [];
  const groups = new Map(criteria.map((c) => [c.label, []]));
  for (const comment of a.outcome.comments) {
    const c = criteria.find((x) => comment.startsWith(`${x.key}: `));
    const label = c ? c.label : "Other comments";
    groups.set(label, [...(groups.get(label) || []), c ? comment.slice(c.key.length + 2) : comment]);
  }
  return [h("h4", {}, "Evaluators' comments"), [...groups].filter(([, texts]) => texts.length).map(([label, texts]) =>
    h("section", { "aria-label": `Comments on ${label}` }, h("h5", {}, label), h("ul", {}, texts.map((t) => h("li", {}, t)))))];
}

// The applicant's own last step: the closing and the results touch the row too (a UI audit's
// applicant read "last change" at the minute the call closed).
function lastChange(a) {
  if (a.receipt) return ` · submitted ${instant(a.receipt.submittedAt, a.call?.timezone)}`;
  return a.call?.status === "OPEN" ? ` · last saved ${instant(a.updatedAt, a.call?.timezone)}` : " · never submitted";
}

// One application as its applicant follows it; `again` re-renders after a withdrawal; `own`
// is true on the application's own page (its receipts listed, no link to itself).
function applicationCard(a, again, own = false) {
  const title = a.call?.title || "A call";
  return h("article", { class: "card" },
    h("h2", {}, own ? title : h("a", { href: `#/mine/${a.id}` }, title)),
    h("p", {}, h("span", { class: "tag", "data-testid": "status" }, a.status.toLowerCase()),
      a.receipt ? ` · receipt ${a.receipt.number}` : "", lastChange(a)),
    a.hasUnsubmittedChanges ? h("p", { class: "notice" }, UNSUBMITTED) : null,
    // Before the call closes it is only a pre-check of what is still missing, not a verdict.
    a.eligibilityReasons.length && a.status !== "WITHDRAWN" ? h("div", { class: a.eligibility === "PENDING" ? "notice" : "notice bad" }, h("strong", {},
      a.eligibility !== "PENDING" ? "Not eligible:" : a.status === "DRAFT" ? "Before you submit, check:"
        : "As submitted, this would make it ineligible at the close; change it and submit again before the deadline:"), h("ul", {}, a.eligibilityReasons.map((r) => h("li", {}, r)))) : null,
    a.outcome ? outcomeSection(a) : null,
    own ? versionsList(a) : null,
    // Withdrawal ends once results are out: then it would only be refused.
    a.status !== "WITHDRAWN" && !a.outcome && a.call?.status !== "RESULTS_PUBLISHED" ? h("p", { class: "row" },
      a.call?.status === "OPEN" ? h("a", { href: `#/apply/${a.call.id}` }, a.status === "DRAFT" ? "Continue" : "Edit and resubmit") : null,
      withdrawButton(a, a.call?.title || "this call", again)) : null,
  );
}

export async function minePage() {
  const show = screen();
  if (!account()) return show(...signInFirst("My applications", "follow your applications"));
  const { myApplications } = await gql(MINE);
  show(h("h1", {}, "My applications"), myApplications.length ? myApplications.map((a) => applicationCard(a, minePage))
    : h("p", {}, "You have not applied yet. ", h("a", { href: "#/" }, "See the open calls.")));
}

// What the application says, read as the evaluators read it (labels, names, files).
const ANSWERS = `answers requestedAmount hub organisation { name country }
  attachments { id questionKey fileName contentType size downloadUrl }
  call { currency form { questions { key type labels { lang text } options { value labels { lang text } } } } }`;
const NAMES = "countries { code name } hubs { code name } valueChains { code name }";

// The outcome mail links here: one application, its receipts, what it says (a UI audit's
// applicant could not see what they had sent once the call closed) and the outcome.
export async function myApplicationPage(id) {
  const show = screen();
  const data = await gql(`query($id: ID!) { application(id: $id) { ${FIELDS} ${ANSWERS} versions { number version submittedAt fingerprint } } ${NAMES} }`, { id });
  const application = data.application;
  if (!application) return show(h("h1", {}, "Application"), problem("This application does not exist or is not yours."),
    h("p", {}, h("a", { href: "#/mine" }, "My applications")));
  const names = namesOf(data);
  show(h("h1", {}, `Your application: ${application.title || application.call?.title || ""}`.trim()),
    applicationCard(application, () => myApplicationPage(id), true),
    h("section", { class: "card", "aria-label": "What it says" },
      h("h2", {}, application.hasUnsubmittedChanges ? "What it says now (with changes not submitted)" : "What it says"),
      // The evaluators' view names the country the organisation gave; value chains are theirs.
      applicationView({ ...application, country: application.organisation.country, valueChains: [] }, application.call, names, "en")),
    h("p", {}, h("a", { href: "#/mine" }, "All my applications")));
}
