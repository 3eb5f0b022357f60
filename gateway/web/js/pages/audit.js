// The programme team's audit log: who did what to which thing, when, how it ended and from
// where; filters, paging, the CSV export and whether the history's hash chain is intact.
import { account, gql, token } from "../graphql.js";
import { field, guard, h, instant, pager, problem, screen } from "../ui.js";
import { teamOnly } from "./team.js";

const LOG = `query($a: ID, $t: String, $x: String, $s: DateTime, $u: DateTime, $n: Int!, $o: Int!) {
  auditLog(actorId: $a, targetId: $t, action: $x, since: $s, until: $u, first: $n, offset: $o) {
    totalCount items { sequence at actorId actorName actorRole action targetType targetId outcome source } } }`;
const CHAIN = "{ auditChain { intact entries firstBrokenSequence } }";
const PAGE = 50;

export const ACTIONS = {
  "application.read": "Read an application", "attachment.link": "Opened a file",
  "evaluation.read": "Read an evaluation sheet", "auditLog.export": "Exported the audit log",
  startApplication: "Started an application", saveApplication: "Saved an application",
  uploadAttachment: "Uploaded a file", removeAttachment: "Removed a file",
  submitApplication: "Submitted an application", withdrawApplication: "Withdrew an application",
  createCall: "Created a call", updateCall: "Changed a call", cloneCall: "Copied a call",
  publishCall: "Published a call", transitionCall: "Moved a call to another stage",
  createMission: "Created a mission", updateMission: "Changed a mission",
  createChallenge: "Created a challenge", updateChallenge: "Changed a challenge",
  inviteEvaluator: "Invited an evaluator", removeEvaluator: "Removed an evaluator",
  declareConflict: "Declared a conflict of interest", assignEvaluators: "Assigned evaluators",
  setPoolMember: "Put an evaluator in a call's pool", removePoolMember: "Took an evaluator out of a call's pool",
  moveAssignment: "Moved an assignment", repairAssignments: "Repaired assignments",
  saveEvaluation: "Saved an evaluation", submitEvaluation: "Submitted an evaluation",
  setConsensus: "Set a consensus score", publishResults: "Published results",
  signUp: "Signed up", signIn: "Signed in", confirmEmail: "Confirmed an e-mail address",
  resendConfirmation: "Asked for the confirmation mail again", requestPasswordReset: "Asked for a password reset",
  resetPassword: "Reset a password", acceptInvitation: "Accepted an invitation", changePassword: "Changed their password",
  signOutEverywhere: "Signed out everywhere", updatePreferences: "Changed their preferences",
  setUpTwoFactor: "Began setting up two-factor sign-in", enableTwoFactor: "Turned on two-factor sign-in",
  disableTwoFactor: "Turned off two-factor sign-in", createAccount: "Created an account",
  disableAccount: "Disabled an account", enableAccount: "Enabled an account", deleteAccount: "Erased an account",
  eraseMyAccount: "Erased their own account", retryMail: "Sent a mail again",
};
const ROLES = { anonymous: "Not signed in", applicant: "Applicant", evaluator: "Evaluator",
  hub_manager: "Hub manager", admin: "Programme team", system: "The portal" };
const OUTCOMES = { ok: "Done", Forbidden: "Refused: not allowed", NotAuthenticated: "Refused: not signed in",
  NotFound: "Not found or not theirs", ValidationErrors: "Refused: invalid input", Conflict: "Refused: not possible now",
  TooManyAttempts: "Refused: too many attempts", InvalidLink: "Refused: invalid or used link",
  SecondFactorRequired: "Asked for the second factor", EmailNotConfirmed: "Refused: e-mail not confirmed",
  FileTooLarge: "Refused: file too large", ServiceUnavailable: "Failed: a service was unavailable",
  internal_error: "Failed on our side" };
const THINGS = { application: "Application", attachment: "File", assignment: "Assignment", call: "Call",
  account: "Account", mission: "Mission", challenge: "Challenge", mail: "Mail", audit_log: "Audit log" };

// Unknown codes still read as words: `setSomething` → "set something".
const words = (code) => code.replace(/[._]/g, " ").replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
export const actionName = (code) => ACTIONS[code] || words(code);
const roleName = (code) => ROLES[code] || words(code);
const outcomeName = (code) => OUTCOMES[code] || words(code);
const thingName = (code) => THINGS[code] || words(code);

// A date field's day, from its start in the viewer's zone; `until` is the day after (exclusive).
function dayStart(value, plusDays = 0) {
  if (!value) return null;
  const day = new Date(`${value}T00:00`);
  day.setDate(day.getDate() + plusDays);
  return day.toISOString();
}

export async function auditPage() {
  const show = screen();
  if (!teamOnly(show)) return;
  const heading = h("h1", {}, "Audit log");
  if (account().role !== "ADMIN") return show(heading, h("p", { class: "notice" }, "The audit log is for the programme team."));
  const actor = h("input", { type: "search", name: "actorId", placeholder: "an account id" });
  const target = h("input", { type: "search", name: "targetId", placeholder: "an application, call or account id" });
  const action = h("select", { name: "action" }, h("option", { value: "" }, "Every action"),
    Object.entries(ACTIONS).map(([code, text]) => h("option", { value: code }, text)));
  const since = h("input", { type: "date", name: "since" });
  const until = h("input", { type: "date", name: "until" });
  const chain = h("div", { id: "chain", role: "status" }, h("p", { class: "muted" }, "Checking the history…"));
  const list = h("div", { id: "audit" });
  const status = h("div", { role: "status" });
  let offset = 0;

  const filters = () => ({ a: actor.value.trim() || null, t: target.value.trim() || null, x: action.value || null,
    s: dayStart(since.value), u: dayStart(until.value, 1) });
  async function load() {
    const { auditLog } = await gql(LOG, { ...filters(), n: PAGE, o: offset });
    list.replaceChildren(summaryLine(auditLog), ...(auditLog.items.length ? [table(auditLog.items)] : []), pages(auditLog.totalCount));
  }
  const reload = guard(status, async () => { offset = 0; await load(); });
  const filterBy = (input, value) => (event) => { input.value = value; reload(event); };

  const summaryLine = ({ totalCount, items }) => h("p", { class: "muted" }, totalCount
    ? `${offset + 1}–${offset + items.length} of ${totalCount.toLocaleString("en")} entr${totalCount === 1 ? "y" : "ies"}, newest first.`
    : "No entry matches.");

  function pages(total) {
    const go = (at) => guard(status, async () => { offset = at; await load(); });
    return pager({ offset, size: PAGE, total, go });
  }

  // Four columns, so a phone shows a whole entry: what it did, to which thing, how it ended.
  function table(items) {
    return h("div", { class: "scroll" }, h("table", { id: "audit-entries" },
      h("caption", { class: "muted" }, "Audit entries, newest first"),
      h("thead", {}, h("tr", {}, ["When", "Who", "What", "From"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, items.map(row))));
  }

  // A long id shows its start; the whole id is the button's title and what it filters by.
  const idButton = (input, id, what) => h("button", { type: "button", class: "link", title: id,
    "aria-label": `Only the entries of ${what} ${id}`, onclick: filterBy(input, id) }, h("code", {}, id.length > 12 ? `${id.slice(0, 8)}…` : id));

  function row(entry) {
    const name = entry.actorName || "Erased or unknown account";
    const who = entry.actorId
      ? h("button", { type: "button", class: "link", title: "Show only this person's entries", onclick: filterBy(actor, entry.actorId) }, name)
      : h("span", {}, entry.actorRole === "system" ? "The portal" : "Someone not signed in");
    const thing = thingName(entry.targetType);
    return h("tr", {},
      h("td", {}, h("time", { datetime: entry.at }, instant(entry.at)), h("div", { class: "muted" }, `No. ${entry.sequence}`)),
      h("td", {}, who, h("div", { class: "muted" }, roleName(entry.actorRole))),
      h("th", { scope: "row" }, actionName(entry.action),
        h("div", { class: "muted" }, thing, entry.targetId ? [" ", idButton(target, entry.targetId, thing.toLowerCase())] : null),
        h("div", { class: entry.outcome === "ok" ? "muted" : "bad" }, outcomeName(entry.outcome))),
      h("td", {}, entry.source || "—"));
  }

  async function checkChain() {
    const { auditChain: c } = await gql(CHAIN);
    const count = c.entries.toLocaleString("en");
    chain.replaceChildren(c.intact
      ? h("p", { class: "notice" }, `History intact: ${count} entr${c.entries === 1 ? "y" : "ies"}.`)
      : h("p", { class: "notice bad" }, `History broken at entry ${c.firstBrokenSequence.toLocaleString("en")} of ${count}: `
        + "it was changed, or an entry just before it was removed."));
  }

  // The export streams from the gateway (a long history is no GraphQL string); filters as on screen.
  const download = guard(status, async () => {
    const query = new URLSearchParams();
    const f = filters();
    for (const [name, value] of [["actorId", f.a], ["targetId", f.t], ["action", f.x], ["since", f.s], ["until", f.u]]) {
      if (value) query.set(name, value);
    }
    const response = await fetch(`/audit.csv?${query}`, { headers: { Authorization: `Bearer ${token()}` } });
    if (!response.ok) {
      const body = await response.json().catch(() => null);
      return status.replaceChildren(problem(body?.message || `The export failed (${response.status}).`));
    }
    const link = h("a", { href: URL.createObjectURL(await response.blob()), download: "audit-log.csv" });
    link.click();
    URL.revokeObjectURL(link.href);
  });

  const form = h("form", { class: "filters", role: "search", "aria-label": "Filter the audit log", onsubmit: reload },
    field("Thing (id)", target), field("Person (account id)", actor), field("Action", action), field("From", since), field("To", until),
    h("div", { class: "row" }, h("button", { type: "submit" }, "Search"),
      h("button", { type: "button", class: "secondary", onclick: download }, "Download CSV")));
  action.addEventListener("change", reload);
  await load();
  show(heading, h("p", {}, h("a", { href: "#/team" }, "Back to the calls")), chain, form, status, list);
  guard(chain, checkChain)({ type: "load" });
}
