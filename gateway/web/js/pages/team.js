// The programme team's and hub managers' dashboard.
import { account, gql, subscribe } from "../graphql.js";
import { bars, h, money, screen, when } from "../ui.js";

export async function teamPage() {
  const show = screen();
  const { calls } = await gql(`{ calls { id title status lifecycle closesAt timezone programmeWide hub { name } } }`);
  show(h("h1", {}, "Calls"), h("div", { class: "scroll" }, h("table", {},
    h("thead", {}, h("tr", {}, ["Call", "Status", "Closes", "Hub"].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, calls.map((c) => h("tr", {},
      h("td", {}, h("a", { href: `#/team/${c.id}` }, c.title)), h("td", {}, c.status.toLowerCase().replace("_", " ")),
      h("td", {}, when(c.closesAt, c.timezone)), h("td", {}, c.programmeWide ? "All hubs" : c.hub?.name)))))));
}

const STATS = `query($c: ID!) { callStatistics(callId: $c) { __typename ... on CallStatistics { total
  byStatus { key count } byCountry { key count } byHub { key count } byValueChain { key count }
  submissionsPerHour { key count } } ... on Error { message } }
  evaluationProgress(callId: $c) { __typename ... on EvaluationProgress { applications assignments submitted
    completeApplications flaggedApplications } }
  ranking(callId: $c) { __typename ... on Ranking { budget total resultsPublished entries { applicationId organisation
    rank decision weightedTotal scores thresholdsFailed tieBreak explanation requestedAmount } } }
  call(id: $c) { id title lifecycle status } }`;

export async function teamCallPage(callId) {
  const show = screen();
  const data = await gql(STATS, { c: callId });
  const isAdmin = account()?.role === "ADMIN";
  const counter = h("p", { class: "counter", "aria-live": "polite", id: "live-count" }, "…");
  const messages = h("div", { role: "status", "aria-live": "polite" });
  const stats = data.callStatistics.__typename === "CallStatistics" ? data.callStatistics : null;
  const ranking = data.ranking.__typename === "Ranking" ? data.ranking : null;
  const progress = data.evaluationProgress.__typename === "EvaluationProgress" ? data.evaluationProgress : null;
  const act = (label, mutation, after) => h("button", { type: "button", onclick: async () => {
    const result = Object.values(await gql(mutation, { c: callId }))[0];
    messages.replaceChildren(h("p", { class: result.__typename.endsWith("Report") || result.__typename === "Ranking" ? "notice" : "notice bad" },
      after(result)));
    if (result.__typename === "AssignmentReport" || result.__typename === "Ranking") setTimeout(() => teamCallPage(callId), 400);
  } }, label);
  const scoreBuckets = {};
  for (const e of ranking?.entries || []) if (e.total != null) scoreBuckets[e.total] = (scoreBuckets[e.total] || 0) + 1;

  show(
    h("h1", {}, data.call?.title || "Call"),
    h("section", { class: "card", "aria-label": "Live submissions" }, h("h2", {}, "Submitted applications (live)"), counter),
    messages,
    isAdmin ? h("div", { class: "row" },
      act("Assign evaluators", `mutation($c: ID!) { assignEvaluators(callId: $c) { __typename
        ... on AssignmentReport { assigned minLoad maxLoad shortfalls { applicationId reason } } ... on Error { message } } }`,
        (r) => r.message || `${r.assigned} assignments; loads ${r.minLoad}–${r.maxLoad}; ${r.shortfalls.length} short`),
      act("Publish results", `mutation($c: ID!) { publishResults(callId: $c) { __typename ... on Error { message } } }`,
        (r) => r.message || "Results published: applicants can see their outcome."),
    ) : null,
    progress ? h("p", {}, `Evaluation: ${progress.submitted} of ${progress.assignments} evaluations submitted; `,
      `${progress.completeApplications} of ${progress.applications} applications complete; ${progress.flaggedApplications} need a moderator.`) : null,
    stats ? h("section", {}, h("h2", {}, `Applications (${stats.total})`),
      bars("Submissions per hour (UTC)", stats.submissionsPerHour.map((b) => ({ ...b, key: b.key.slice(5, 16).replace("T", " ") }))),
      bars("By status", stats.byStatus), bars("By country", stats.byCountry), bars("By hub", stats.byHub),
      bars("By value chain", stats.byValueChain)) : h("p", { class: "muted" }, data.callStatistics.message),
    ranking ? h("section", {}, h("h2", {}, "Ranking"),
      h("p", {}, `Budget ${money(ranking.budget)}. `, ranking.resultsPublished ? "Results are published." : "",
        " ", h("button", { type: "button", class: "secondary", onclick: async () => {
          const { rankingCsv } = await gql(`query($c: ID!) { rankingCsv(callId: $c) }`, { c: callId });
          const link = h("a", { href: URL.createObjectURL(new Blob([rankingCsv], { type: "text/csv" })), download: `ranking-${callId}.csv` });
          link.click();
        } }, "Download CSV")),
      bars("Total scores", Object.entries(scoreBuckets).sort((a, b) => a[0] - b[0]).map(([key, count]) => ({ key, count }))),
      h("div", { class: "scroll" }, h("table", { id: "ranking" },
        h("thead", {}, h("tr", {}, ["Rank", "Applicant", "Decision", "Weighted", "Scores", "Why"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, ranking.entries.map((e) => h("tr", {},
          h("td", {}, e.rank ?? "—"), h("td", {}, e.organisation), h("td", {}, e.decision.replace("_", " ")),
          h("td", {}, e.weightedTotal ?? "—"), h("td", {}, Object.entries(e.scores).map(([k, v]) => `${k} ${v}`).join(", ")),
          h("td", {}, e.explanation))))))) : null,
    isAdmin && ranking ? await disagreementQueue(callId) : null,
  );
  const stop = subscribe(`subscription($c: ID!) { submissionCount(callId: $c) }`, { c: callId },
    (d) => { counter.textContent = d.submissionCount; }, (message) => { counter.textContent = message; });
  return stop;
}

async function disagreementQueue(callId) {
  const { disagreements } = await gql(`query($c: ID!) { disagreements(callId: $c) { applicationId criteria scores } }`, { c: callId });
  return h("section", {}, h("h2", {}, "Disagreements"), disagreements.length ? disagreements.map((d) => h("div", { class: "card" },
    h("p", {}, `Application ${d.applicationId.slice(0, 8)}: `, d.criteria.map((k) => `${k} scored ${d.scores[k].join(", ")}`).join("; ")),
    d.criteria.map((criterion) => {
      const score = h("input", { type: "number", min: "0", max: "5", step: "0.5", "aria-label": `Consensus for ${criterion}` });
      const why = h("input", { type: "text", "aria-label": `Justification for ${criterion}`, placeholder: "Justification (20 characters or more)" });
      const out = h("span", { role: "status" });
      return h("div", { class: "row" }, h("strong", {}, criterion), score, why, h("button", { type: "button", onclick: async () => {
        const r = (await gql(`mutation($c: ID!, $a: ID!, $k: String!, $s: Float!, $j: String!) { setConsensus(callId: $c,
          applicationId: $a, criterion: $k, score: $s, justification: $j) { __typename
          ... on ValidationErrors { errors { message } } ... on Error { message } } }`,
        { c: callId, a: d.applicationId, k: criterion, s: Number(score.value), j: why.value })).setConsensus;
        out.textContent = r.__typename === "RankingEntry" || r.__typename === "Conflict" ? "Settled." : (r.errors || [r]).map((e) => e.message).join("; ");
      } }, "Set"), out);
    }))) : h("p", { class: "muted" }, "No disagreement to settle."));
}
