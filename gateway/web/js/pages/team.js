// The programme team's and hub managers' dashboard.
import { account, gql, subscribe } from "../graphql.js";
import { bars, counted, guard, h, money, problem, screen, when } from "../ui.js";

// A call's title as a file name: "Circular Cities 2027 – NL" -> "circular-cities-2027-nl".
const fileStem = (title = "") => title.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
  .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");

// An hour's bar as a person reads it: "6 Dec, 20:00".
const HOUR = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone: "UTC" });

export const isStaff = (me) => me?.role === "ADMIN" || me?.role === "HUB_MANAGER";

// Every team route starts here: anyone else is told whose page it is instead of seeing it.
// True when the visitor may go on.
export function teamOnly(show) {
  const me = account();
  if (isStaff(me)) return true;
  show(h("h1", {}, "Team pages"), h("p", { class: "notice" }, "This page is for the programme team and hub managers."),
    me ? h("p", {}, h("a", { href: "#/" }, "Back to the calls")) : h("p", {}, h("a", { href: "#/signin" }, "Sign in"), " if you are one of them."));
  return false;
}

// The links every team page of one call shares, the current one marked.
export function callNav(callId, current) {
  const links = [["Overview", `#/team/${callId}`], ["Applications", `#/team/${callId}/applications`],
    ["Pool & assignments", `#/team/${callId}/pool`]];
  return h("nav", { class: "row subnav", "aria-label": "This call" }, links.map(([text, href]) =>
    h("a", { href, "aria-current": text === current ? "page" : null }, text)));
}

// Codes shown by name (an unknown code shows as it is).
export const namer = (things) => {
  const names = new Map(things.map((t) => [t.code, t.name]));
  return (code) => names.get(code) || code;
};

export async function teamPage() {
  const show = screen();
  if (!teamOnly(show)) return;
  const { calls } = await gql(`{ calls { id title status lifecycle closesAt timezone programmeWide hub { name } } }`);
  const admin = account().role === "ADMIN";
  show(h("h1", {}, "Calls"), admin ? h("nav", { class: "row subnav", "aria-label": "Programme" },
    h("a", { href: "#/team/mail" }, "Mail"), h("a", { href: "#/team/accounts" }, "Accounts"),
    h("a", { href: "#/team/audit" }, "Audit log")) : null,
  h("div", { class: "scroll" }, h("table", {},
    h("thead", {}, h("tr", {}, ["Call", "Status", "Closes", "Hub"].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, calls.map((c) => h("tr", {},
      h("td", {}, h("a", { href: `#/team/${c.id}` }, c.title)), h("td", {}, c.status.toLowerCase().replace("_", " ")),
      h("td", {}, when(c.closesAt, c.timezone)), h("td", {}, c.programmeWide ? "All hubs" : c.hub?.name)))))));
}

const STATS = `query($c: ID!) { callStatistics(callId: $c) { __typename ... on CallStatistics { total submitted
  byStatus { key count } byCountry { key count } byHub { key count } byValueChain { key count }
  submissionsPerHour { key count } } ... on Error { message } }
  evaluationProgress(callId: $c) { __typename ... on EvaluationProgress { applications inEvaluation assignments submitted
    completeApplications flaggedApplications } }
  ranking(callId: $c) { __typename ... on Ranking { budget total resultsPublished entries { applicationId organisation
    rank decision weightedTotal total scores thresholdsFailed tieBreak explanation requestedAmount } } }
  call(id: $c) { id title lifecycle status timezone rubric { criteria { key label } } } hubs { code name } valueChains { code name } countries { code name } }`;

const ASSIGN = `mutation($c: ID!) { assignEvaluators(callId: $c) { __typename
  ... on AssignmentReport { assigned minLoad maxLoad shortfalls { applicationId reason } } ... on Error { message } } }`;
const TITLES = `query($c: ID!) { assignmentMatrix(callId: $c) { __typename ... on AssignmentMatrix { applications { applicationId title } } } }`;

// What an assignment run did, each short application named by its title with the reason.
export async function assignmentSummary(callId, report) {
  const text = `${counted(report.assigned, "assignment")}; loads ${report.minLoad}–${report.maxLoad}; ${report.shortfalls.length} short`;
  if (!report.shortfalls.length) return text;
  const matrix = (await gql(TITLES, { c: callId })).assignmentMatrix;
  const titles = new Map((matrix.applications || []).map((a) => [a.applicationId, a.title]));
  return [`${text}:`, h("ul", { class: "shortfalls" }, report.shortfalls.map((s) => h("li", {},
    h("strong", {}, titles.get(s.applicationId) || `Application ${s.applicationId.slice(0, 8)}`), `: ${s.reason}`)))];
}

// Buckets keyed by a code, shown by name.
const named = (buckets, things) => buckets.map((b) => ({ ...b, key: namer(things)(b.key) }));

// How many entries have each value, lowest value first.
function distribution(values) {
  const counts = new Map();
  for (const v of values) counts.set(v, (counts.get(v) || 0) + 1);
  return [...counts].sort((a, b) => a[0] - b[0]).map(([key, count]) => ({ key: String(key), count }));
}

// A criterion by its rubric label (its key only if the rubric does not name it).
const labeller = (criteria) => (key) => criteria.find((c) => c.key === key)?.label || key;
// Scores in the rubric's order (the JSON's own order is the server's), any others after.
const scoresText = (scores, criteria, labelOf) => [...criteria.map((c) => c.key).filter((k) => k in scores),
  ...Object.keys(scores).filter((k) => !criteria.some((c) => c.key === k))].map((k) => `${labelOf(k)} ${scores[k]}`).join(", ");

function scoreCharts(entries, labelOf) {
  const criteria = [...new Set(entries.flatMap((e) => Object.keys(e.scores)))].sort();
  return [
    bars("Total scores", distribution(entries.filter((e) => e.total != null).map((e) => e.total))),
    ...criteria.map((k) => bars(`Consensus scores: ${labelOf(k)}`,
      distribution(entries.filter((e) => e.scores[k] != null).map((e) => e.scores[k])))),
  ];
}

const PUBLISH_QUESTION = "Publish the results? Every applicant is told their outcome at once, and this cannot be undone.";

export async function teamCallPage(callId) {
  const show = screen();
  if (!teamOnly(show)) return;
  const isAdmin = account()?.role === "ADMIN";
  const heading = h("h1", {}, "Call");
  const counter = h("p", { class: "counter", "aria-live": "polite", id: "live-count" }, "…");
  // Outlives every refresh, so what an action did stays on screen.
  const status = h("div", { role: "status", id: "team-status", tabindex: "-1" });
  const body = h("div", {});
  const say = (text, ok = true) => status.replaceChildren(ok ? h("div", { class: "notice" }, text) : problem(text));

  async function refresh() {
    const data = await gql(STATS, { c: callId });
    const stats = data.callStatistics.__typename === "CallStatistics" ? data.callStatistics : null;
    const ranking = data.ranking.__typename === "Ranking" ? data.ranking : null;
    const progress = data.evaluationProgress.__typename === "EvaluationProgress" ? data.evaluationProgress : null;
    // Assigning and publishing are for a closed call whose results are not out yet.
    showActions(["CLOSED", "IN_EVALUATION"].includes(data.call?.status) && !ranking?.resultsPublished, ranking);
    heading.textContent = data.call?.title || "Call";
    const labelOf = labeller(data.call?.rubric.criteria || []);
    const csvOut = h("div", {});
    body.replaceChildren(...[
      // Two different counts, each named for what it counts.
      progress?.assignments ? h("section", { id: "evaluation-progress", "aria-label": "Evaluation" }, h("h2", {}, `${ranking?.resultsPublished ? "Applications evaluated" : "Applications in evaluation"}: ${progress.inEvaluation}`),
        h("p", {}, `${progress.completeApplications} of ${progress.inEvaluation} applications in evaluation are complete; `,
          `${progress.submitted} of ${progress.assignments} evaluations submitted; ${progress.flaggedApplications} need a moderator.`,
          // Ineligible applications are never assigned: counted apart, not as unfinished.
          progress.applications > progress.inEvaluation ? ` Not evaluated: ${counted(progress.applications - progress.inEvaluation, "application")} (ineligible, or eligibility not yet checked).` : "")) : null,
      stats ? h("section", { id: "submitted-applications" }, h("h2", {}, `Submitted applications: ${stats.submitted}`),
        h("p", { class: "muted" }, `${counted(stats.total, "application")} in all: the charts count drafts and withdrawn ones too.`),
        bars("Submissions per hour (UTC)", stats.submissionsPerHour.map((b) => ({ ...b, key: HOUR.format(new Date(b.key)) }))),
        bars("By status", stats.byStatus), bars("By country", named(stats.byCountry, data.countries)), bars("By hub", named(stats.byHub, data.hubs)),
        bars("By value chain", named(stats.byValueChain, data.valueChains))) : h("p", { class: "muted" }, data.callStatistics.message),
      // An open call has nothing to rank: said, with no empty table and no file to download.
      ranking && !ranking.entries.length ? h("section", {}, h("h2", {}, "Ranking"),
        h("p", { class: "muted", id: "no-ranking" }, "Nothing to rank yet: applications are ranked once the call has closed and their eligibility is checked.")) : null,
      ranking?.entries.length ? h("section", {}, h("h2", {}, "Ranking"),
        h("p", {}, `Budget ${money(ranking.budget)}. `, ranking.resultsPublished ? "Results are published." : "",
          " ", h("button", { type: "button", class: "secondary", onclick: guard(csvOut, async () => {
            csvOut.replaceChildren();
            const { rankingCsv } = await gql(`query($c: ID!) { rankingCsv(callId: $c) }`, { c: callId });
            const link = h("a", { href: URL.createObjectURL(new Blob([rankingCsv], { type: "text/csv" })), download: `ranking-${fileStem(data.call?.title) || callId}.csv` });
            link.click();
          }) }, "Download CSV")), csvOut,
        scoreCharts(ranking.entries, labelOf),
        h("div", { class: "scroll" }, h("table", { id: "ranking" },
          h("thead", {}, h("tr", {}, ["Rank", "Organisation", "Decision", "Weighted", "Scores", "Why"].map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", {}, ranking.entries.map((e) => h("tr", {},
            h("td", {}, e.rank ?? "—"), h("td", {}, h("a", { href: `#/team/${callId}/applications/${e.applicationId}`, title: "The application" }, e.organisation)), h("td", {}, e.decision.replace("_", " ")),
            h("td", {}, e.weightedTotal ?? h("span", { class: "muted" }, e.decision === "pending" ? "not yet" : "not ranked")), h("td", {}, scoresText(e.scores, data.call?.rubric.criteria || [], labelOf)),
            h("td", {}, e.explanation))))))) : null,
      // Hub managers see the queue; only the programme team settles it.
      ranking ? await disagreementQueue(callId, data.call?.rubric.criteria || [], isAdmin ? settled : null) : null,
    ].filter(Boolean));
  }

  // Right after an action the page is re-read, then says what the action did; the message
  // stays true even when the re-read fails.
  const after = (text) => refresh().then(() => say(text),
    (error) => say([text, ` The page could not be refreshed: ${error.message}`].flat(), false));
  async function settled(text) {
    await after(text);
    status.focus(); // the Set button is gone with the settled row
  }

  // `ask` is a question a person answers before an action that cannot be undone; `refusal`
  // says, before asking, why the action would be refused (a UI audit was asked to confirm,
  // then refused).
  const act = (label, mutation, done, ask = null, refusal = null) => h("button", { type: "button", onclick: guard(status, async () => {
    const why = refusal?.();
    if (why) return say(why, false);
    if (ask && !window.confirm(ask)) return say(`${label}: cancelled, nothing changed.`);
    const result = Object.values(await gql(mutation, { c: callId }))[0];
    if (result.message) say(result.message, false); else await after(await done(result));
  }) }, label);

  // Gone once the results are out: nothing about the evaluation changes then.
  const actions = h("div", { class: "row" });
  const showActions = (open, ranking) => actions.replaceChildren(...(isAdmin && open ? [
    act("Assign evaluators", ASSIGN, (r) => assignmentSummary(callId, r)),
    act("Publish results", `mutation($c: ID!) { publishResults(callId: $c) { __typename ... on Error { message } } }`,
      () => "Results published: applicants can see their outcome.", PUBLISH_QUESTION, () => {
        const pending = (ranking?.entries || []).filter((e) => e.decision === "pending").length;
        return pending ? `${pending === 1 ? "1 application still lacks" : `${pending} applications still lack`} a consensus; finish evaluation and moderation first. Nothing was published.` : null;
      }),
  ] : []));
  await refresh();
  show(
    heading,
    callNav(callId, "Overview"),
    h("section", { class: "card", "aria-label": "Live submissions" }, h("h2", {}, "Submitted applications (live)"), counter),
    actions,
    status,
    body,
  );
  // One subscription for the page's whole visit: refreshes never open another. A new figure
  // also re-reads the counts below it, at most every few seconds, so the page never shows
  // "1" live above "Submitted applications: 0".
  let shown = null;
  let rereading = null;
  const reread = () => {
    rereading ??= setTimeout(() => { rereading = null; if (body.isConnected) refresh().catch(() => {}); }, REREAD_MS);
  };
  return subscribe(`subscription($c: ID!) { submissionCount(callId: $c) }`, { c: callId },
    (d) => {
      if (shown !== null && d.submissionCount !== shown) reread();
      shown = d.submissionCount;
      counter.textContent = d.submissionCount;
    }, (message) => { counter.textContent = message; });
}

const REREAD_MS = 2000;

const QUEUE = `query($c: ID!) { disagreements(callId: $c) { applicationId title criteria scores
  evaluations { evaluator scores comments } } }`;

// `settled` is null for a reader who may not settle: the queue without its forms.
async function disagreementQueue(callId, criteria, settled) {
  const { disagreements } = await gql(QUEUE, { c: callId });
  const labelOf = labeller(criteria);
  return h("section", { id: "disagreements" }, h("h2", {}, "Disagreements"),
    settled ? null : h("p", { class: "muted" }, "Only the programme team settles a disagreement."),
    disagreements.length ? disagreements.map((d) => h("article", { class: "card", "aria-label": d.title },
      h("h3", {}, h("a", { href: `#/team/${callId}/applications/${d.applicationId}` }, d.title)),
      h("p", {}, d.criteria.map((k) => `${labelOf(k)} scored ${d.scores[k].join(", ")}`).join("; ")),
      d.criteria.map((criterion) => h("div", { class: "scroll" }, h("table", { class: "evaluations" },
        h("caption", {}, `${labelOf(criterion)}: each evaluator's score and comment`),
        h("thead", {}, h("tr", {}, ["Evaluator", "Score", "Comment"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, d.evaluations.map((e) => h("tr", {}, h("th", { scope: "row" }, e.evaluator),
          h("td", {}, e.scores[criterion] ?? "—"), h("td", {}, e.comments[criterion] || "—"))))))),
      settled && h("p", { class: "help" }, "A consensus you set, and its justification, are part of the evaluation summary the applicant reads with the outcome."),
      settled && d.criteria.map((criterion) => settleForm(callId, d, criterion, labelOf(criterion), settled)))) :
      h("p", { class: "muted" }, "No disagreement to settle."));
}

function settleForm(callId, d, criterion, name, settled) {
  const score = h("input", { type: "number", min: "0", max: "5", step: "0.5", required: true,
    "aria-label": `Consensus for ${name}` });
  const why = h("input", { type: "text", required: true, "aria-label": `Justification for ${name}`,
    placeholder: "Justification, the applicant reads it (20 characters or more)" });
  const out = h("div", {});
  return h("form", { class: "row", novalidate: true, "aria-label": `Settle ${name}`, onsubmit: guard(out, async () => {
    // The browser's own checks catch a blank, out-of-range or non-half-point score.
    if (!score.checkValidity()) return out.replaceChildren(problem("Enter a score from 0 to 5 in half points."));
    if (!why.value.trim()) return out.replaceChildren(problem("Give a justification."));
    out.replaceChildren();
    const r = (await gql(`mutation($c: ID!, $a: ID!, $k: String!, $s: Float!, $j: String!) { setConsensus(callId: $c,
      applicationId: $a, criterion: $k, score: $s, justification: $j) { __typename
      ... on ValidationErrors { errors { message } } ... on Error { message } } }`,
    { c: callId, a: d.applicationId, k: criterion, s: score.valueAsNumber, j: why.value })).setConsensus;
    if (r.__typename !== "RankingEntry") return out.replaceChildren(problem((r.errors || [r]).map((e) => e.message).join("; ")));
    await settled(`Consensus for ${name} of “${d.title}” set to ${score.valueAsNumber}.`);
  }) }, h("strong", {}, name), score, why, h("button", { type: "submit" }, "Set"), out);
}
