// A call's evaluators: invitations to the programme, the call's pool with a capacity each, and
// the assignment matrix (who evaluates what, loads, conflicts, shortfalls, moves by hand).
// The programme team changes them; the call's hub managers read.
import { account, gql } from "../graphql.js";
import { field, fieldErrors, guard, h, problem, screen } from "../ui.js";
import { assignmentSummary, callNav, namer, teamOnly } from "./team.js";

const CHOICES = `query($c: ID!) { call(id: $c) { id title } hubs { code name } valueChains { code name } }`;
const EVALUATOR = "accountId name email organisation expertise hubs languages";
const POOL = `query($c: ID!) { callPool(callId: $c) { capacity assigned submitted evaluator { ${EVALUATOR} } } }`;
const EVALUATORS = `query($x: String, $hub: String) { evaluators(expertise: $x, hub: $hub) { ${EVALUATOR} capacity active } }`;
const INVITE = `mutation($i: EvaluatorInput!) { inviteEvaluator(input: $i) { __typename
  ... on EvaluatorInvitation { invitationSentTo evaluator { accountId name email } }
  ... on ValidationErrors { errors { field message } } ... on Error { message } } }`;
const SET_MEMBER = `mutation($c: ID!, $e: ID!, $n: Int!) { setPoolMember(callId: $c, accountId: $e, capacity: $n) { __typename
  ... on PoolMember { capacity evaluator { name } } ... on ValidationErrors { errors { field message } } ... on Error { message } } }`;
const REPORT = `__typename ... on AssignmentReport { assigned minLoad maxLoad shortfalls { applicationId reason } } ... on Error { message }`;
const REMOVE = `mutation($c: ID!, $e: ID!) { removePoolMember(callId: $c, accountId: $e) { ${REPORT} } }`;
const ASSIGN = `mutation($c: ID!) { assignEvaluators(callId: $c) { ${REPORT} } }`;
const REPAIR = `mutation($c: ID!) { repairAssignments(callId: $c) { ${REPORT} } }`;
const MOVE = `mutation($a: ID!, $e: ID!) { moveAssignment(assignmentId: $a, toEvaluator: $e) { __typename
  ... on MatrixCell { evaluatorName } ... on ValidationErrors { errors { field message } } ... on Error { message } } }`;
const MATRIX = `query($c: ID!) { assignmentMatrix(callId: $c) { __typename ... on AssignmentMatrix {
  evaluators { accountId name capacity load }
  applications { applicationId title organisation country hub shortfall
    assignments { assignmentId evaluatorId evaluatorName status } conflicts { evaluatorId evaluatorName reason } } }
  ... on Error { message } } }`;

// The invitation's fields as the form labels them, so a refusal names what a person sees.
const INVITE_LABELS = { email: "E-mail", displayName: "Name", organisation: "Organisation", expertise: "Expertise",
  hubs: "Hubs", languages: "Languages", capacity: "Capacity" };
const STATUS = { not_started: "not started", draft: "draft", submitted: "submitted (locked)" };

// A failed result's messages (field errors named by their label; a label "" for the control
// the message stands beside), or null on success.
function refusal(result, labels = {}) {
  const named = (e) => (e.field in labels ? labels[e.field] : e.field);
  if (result.errors) return result.errors.map((e) => (named(e) ? `${named(e)}: ${e.message}` : e.message)).join("; ");
  return result.message || null;
}

const list = (codes, name) => (codes.length ? codes.map(name).join(", ") : "—");

function checkboxes(legend, name, things) {
  return h("fieldset", {}, h("legend", {}, legend), h("div", { class: "checks" }, things.map((t) =>
    h("label", { class: "check" }, h("input", { type: "checkbox", name, value: t.code }), t.name))));
}
const checked = (form, name) => [...form.querySelectorAll(`input[name=${name}]:checked`)].map((i) => i.value);

export async function poolPage(callId) {
  const show = screen();
  if (!teamOnly(show)) return;
  const isAdmin = account()?.role === "ADMIN";
  const { call, hubs, valueChains } = await gql(CHOICES, { c: callId });
  if (!call) return show(h("h1", {}, "Pool & assignments"), problem("This call does not exist or is not yours to see."));
  const hubName = namer(hubs), chainName = namer(valueChains);
  const status = h("div", { role: "status", id: "pool-status", tabindex: "-1" });
  const say = (text, ok = true) => status.replaceChildren(ok ? h("div", { class: "notice" }, text) : problem(text));
  const poolHost = h("section", { "aria-labelledby": "pool-h" });
  const matrixHost = h("section", { "aria-labelledby": "matrix-h" });
  const programmeHost = h("div", {});
  let inPool = new Set();

  async function refresh() {
    const [{ callPool }, { assignmentMatrix }] = await Promise.all([gql(POOL, { c: callId }), gql(MATRIX, { c: callId })]);
    inPool = new Set(callPool.map((m) => m.evaluator.accountId));
    poolHost.replaceChildren(...poolSection(callPool).filter(Boolean));
    matrixHost.replaceChildren(...matrixSection(assignmentMatrix).filter(Boolean));
    if (isAdmin) await findEvaluators();
  }
  // What an action did, then the page re-read (the message stays when the re-read fails).
  const after = async (text) => {
    try { await refresh(); say(text); } catch (error) { say([text, ` The page could not be refreshed: ${error.message}`].flat(), false); }
  };

  function poolSection(members) {
    return [h("h2", { id: "pool-h" }, `This call's pool (${members.length})`),
      members.length ? h("div", { class: "scroll" }, h("table", { id: "pool" },
        h("thead", {}, h("tr", {}, ["Evaluator", "Expertise", "Hubs", "Capacity for this call", "Assigned", "Submitted", isAdmin ? "Remove" : null]
          .filter(Boolean).map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, members.map((m) => {
          const who = m.evaluator.name;
          const out = h("div", {});
          const capacity = h("input", { type: "number", min: "1", step: "1", value: m.capacity, "aria-label": `Capacity of ${who}` });
          return h("tr", {}, h("th", { scope: "row" }, who, h("br"), h("span", { class: "muted" }, m.evaluator.email)),
            h("td", {}, list(m.evaluator.expertise, chainName)), h("td", {}, list(m.evaluator.hubs, hubName)),
            h("td", {}, isAdmin ? h("form", { class: "row", "aria-label": `Capacity of ${who}`, onsubmit: guard(out, async () => {
              const r = (await gql(SET_MEMBER, { c: callId, e: m.evaluator.accountId, n: capacity.valueAsNumber || 0 })).setPoolMember;
              const why = refusal(r, { capacity: "Capacity" });
              if (why) return out.replaceChildren(problem(why));
              await after(`${who} may now take ${r.capacity} applications of this call.`);
            }) }, capacity, h("button", { type: "submit", class: "secondary" }, "Save"), out) : m.capacity),
            h("td", {}, m.assigned), h("td", {}, m.submitted),
            isAdmin ? h("td", {}, h("button", { type: "button", class: "secondary", "aria-label": `Remove ${who}`, onclick: guard(out, async () => {
              if (!confirm(`Remove ${who} from this call's pool? Their unfinished assignments go to others.`)) return;
              const r = (await gql(REMOVE, { c: callId, e: m.evaluator.accountId })).removePoolMember;
              const why = refusal(r);
              if (why) return out.replaceChildren(problem(why));
              await after(`${who} left the pool; their unfinished assignments went to others (${r.assigned} assignments now).`);
            }) }, "Remove")) : null);
        })))) : h("p", { class: "muted" }, "Nobody is in this call's pool yet.")];
  }

  function matrixSection(matrix) {
    const heading = h("h2", { id: "matrix-h" }, "Assignments");
    if (matrix.__typename !== "AssignmentMatrix") return [heading, h("p", { class: "muted" }, matrix.message)];
    const { evaluators, applications } = matrix;
    const actions = isAdmin ? h("div", { class: "row" },
      action("Assign evaluators", ASSIGN, "assignEvaluators"), action("Repair", REPAIR, "repairAssignments")) : null;
    if (!applications.length) return [heading, actions, h("p", { class: "muted" }, "No eligible application to assign yet.")];
    const short = applications.filter((a) => a.shortfall);
    return [heading, actions,
      h("div", { class: "scroll" }, h("table", { id: "loads" }, h("caption", {}, "Load per evaluator (assignments / capacity)"),
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Evaluator"), h("th", { scope: "col" }, "Load / capacity"))),
        h("tbody", {}, evaluators.map((e) => h("tr", {}, h("th", { scope: "row" }, e.name),
          h("td", { class: e.load > e.capacity ? "bad" : null }, `${e.load} / ${e.capacity}`)))))),
      short.length ? h("div", { class: "notice bad", id: "shortfalls" }, h("strong", {}, `${short.length} application${short.length === 1 ? " is" : "s are"} short of evaluators:`),
        h("ul", {}, short.map((a) => h("li", {}, h("strong", {}, a.title), `: ${a.shortfall}`)))) : null,
      h("div", { class: "scroll" }, h("table", { id: "matrix", class: "matrix" },
        h("caption", {}, "Who evaluates what (a row per application, a column per evaluator)"),
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Application"),
          evaluators.map((e) => h("th", { scope: "col" }, e.name, h("br"), h("span", { class: "muted" }, `${e.load} / ${e.capacity}`))))),
        h("tbody", {}, applications.map((a) => h("tr", {},
          h("th", { scope: "row" }, h("a", { href: `#/team/${callId}/applications/${a.applicationId}` }, a.title),
            h("br"), h("span", { class: "muted" }, [a.organisation, a.country, a.hub && hubName(a.hub)].filter(Boolean).join(" · "))),
          evaluators.map((e) => h("td", {}, cell(a, e)))))))),
      isAdmin ? h("section", { "aria-labelledby": "moves-h" }, h("h3", { id: "moves-h" }, "Move an assignment by hand"),
        h("p", { class: "muted" }, "The same rules hold as for the automatic assignment: no conflict, capacity respected, a submitted evaluation stays."),
        applications.filter((a) => a.assignments.length).map((a) => h("div", { class: "moves" }, h("h4", {}, a.title),
          a.assignments.map((cellData) => moveControl(a, cellData, evaluators))))) : null,
    ];
  }

  function cell(application, evaluator) {
    const assigned = application.assignments.find((c) => c.evaluatorId === evaluator.accountId);
    if (assigned) return STATUS[assigned.status] || assigned.status;
    const conflict = application.conflicts.find((c) => c.evaluatorId === evaluator.accountId);
    return conflict ? h("span", { class: "bad" }, `conflict: ${conflict.reason}`) : "";
  }

  // Another pool evaluator for one assignment, each choice saying what would stop the move; a
  // refusal is shown beside the control. A submitted evaluation stays where it is.
  function moveControl(application, assignment, evaluators) {
    if (assignment.status === "submitted") {
      return h("p", { class: "muted" }, `${assignment.evaluatorName}: evaluation submitted, it stays.`);
    }
    const out = h("div", {});
    const holders = new Set(application.assignments.map((c) => c.evaluatorId));
    const conflicted = new Set(application.conflicts.map((c) => c.evaluatorId));
    const obstacles = (e) => [holders.has(e.accountId) && "already assigned", conflicted.has(e.accountId) && "conflict",
      e.load >= e.capacity && "full"].filter(Boolean);
    const others = evaluators.filter((e) => e.accountId !== assignment.evaluatorId);
    // A choice the move would refuse is shown, greyed, with its reason; none left: said so.
    if (others.every((e) => obstacles(e).length)) {
      return h("p", { class: "muted" }, `${assignment.evaluatorName}: no other evaluator of the pool can take it (each is already assigned, in conflict or full).`);
    }
    const target = h("select", { "aria-label": `Move ${assignment.evaluatorName}'s assignment of ${application.title} to` },
      others.map((e) => {
        const why = obstacles(e);
        return h("option", { value: e.accountId, disabled: why.length > 0 }, `${e.name} (${e.load} / ${e.capacity})${why.length ? ` — ${why.join(", ")}` : ""}`);
      }));
    return h("form", { class: "row move", "aria-label": `Move ${assignment.evaluatorName}'s assignment of ${application.title}`,
      onsubmit: guard(out, async () => {
        const r = (await gql(MOVE, { a: assignment.assignmentId, e: target.value })).moveAssignment;
        const why = refusal(r, { toEvaluator: "" });
        if (why) return out.replaceChildren(problem(why));
        await after(`“${application.title}” moved from ${assignment.evaluatorName} to ${r.evaluatorName}.`);
      }) }, h("span", {}, `${assignment.evaluatorName} → `), target, h("button", { type: "submit", class: "secondary" }, "Move"), out);
  }

  function action(label, mutation, name) {
    return h("button", { type: "button", onclick: guard(status, async () => {
      const r = (await gql(mutation, { c: callId }))[name];
      const why = refusal(r);
      if (why) return say(why, false);
      await after(await assignmentSummary(callId, r));
    }) }, label);
  }

  // The programme's evaluators, filtered by value chain and hub, each ready to pick.
  const expertise = h("select", { name: "expertise" }, h("option", { value: "" }, "Any"), valueChains.map((v) => h("option", { value: v.code }, v.name)));
  const hub = h("select", { name: "hub" }, h("option", { value: "" }, "Any"), hubs.map((x) => h("option", { value: x.code }, x.name)));
  const found = h("div", { id: "programme-evaluators" });
  // Each change of a filter asks again; only the newest answer is shown (an older one arriving
  // late would replace the table under a capacity being typed), and aria-busy until it is.
  let asked = 0;
  async function findEvaluators() {
    const mine = ++asked;
    found.setAttribute("aria-busy", "true");
    let evaluators;
    try {
      ({ evaluators } = await gql(EVALUATORS, { x: expertise.value || null, hub: hub.value || null }));
    } finally {
      if (mine === asked) found.removeAttribute("aria-busy");
    }
    if (mine !== asked) return;
    const active = evaluators.filter((e) => e.active);
    found.replaceChildren(active.length ? h("div", { class: "scroll" }, h("table", {},
      h("thead", {}, h("tr", {}, ["Evaluator", "Organisation", "Expertise", "Hubs", "Languages", "This call"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, active.map((e) => h("tr", {}, h("th", { scope: "row" }, e.name, h("br"), h("span", { class: "muted" }, e.email)),
        h("td", {}, e.organisation || "—"), h("td", {}, list(e.expertise, chainName)), h("td", {}, list(e.hubs, hubName)),
        h("td", {}, e.languages.join(", ")), h("td", {}, inPool.has(e.accountId) ? "In the pool" : pickControl(e))))))) :
      h("p", { class: "muted" }, "No evaluator matches."));
  }

  function pickControl(evaluator) {
    const out = h("div", {});
    const capacity = h("input", { type: "number", min: "1", step: "1", value: Math.min(evaluator.capacity, 10),
      "aria-label": `Capacity of ${evaluator.name} for this call` });
    return h("form", { class: "row", "aria-label": `Add ${evaluator.name}`, onsubmit: guard(out, async () => {
      const r = (await gql(SET_MEMBER, { c: callId, e: evaluator.accountId, n: capacity.valueAsNumber || 0 })).setPoolMember;
      const why = refusal(r, { capacity: "Capacity" });
      if (why) return out.replaceChildren(problem(why));
      await after(`${evaluator.name} joined the pool with a capacity of ${r.capacity}.`);
    }) }, capacity, h("button", { type: "submit" }, "Add to pool"), out);
  }

  function inviteForm() {
    const out = h("div", {});
    const form = h("form", { id: "invite", "aria-label": "Invite an evaluator", novalidate: true, onsubmit: guard(out, async () => {
      const input = { email: form.elements.email.value.trim(), displayName: form.elements.displayName.value.trim(),
        organisation: form.elements.organisation.value.trim(), expertise: checked(form, "expertise"), hubs: checked(form, "hubs"),
        languages: form.elements.languages.value.split(",").map((l) => l.trim()).filter(Boolean),
        capacity: form.elements.capacity.valueAsNumber || 0 };
      const r = (await gql(INVITE, { i: input })).inviteEvaluator;
      if (r.__typename !== "EvaluatorInvitation") {
        const rest = r.errors ? fieldErrors(form, r.errors, INVITE_LABELS) : r.message;
        return out.replaceChildren(...(rest ? [problem(rest)] : []));
      }
      fieldErrors(form, []);
      form.reset();
      out.replaceChildren(h("div", { class: "notice", role: "status" },
        `Invitation sent to ${r.invitationSentTo}: ${r.evaluator.name} sets a password from the e-mail's link.`));
      await findEvaluators();
    }) },
    h("div", { class: "pair" },
      field("E-mail", h("input", { type: "email", name: "email", required: true, autocomplete: "off" })),
      field("Name", h("input", { type: "text", name: "displayName", required: true })),
      field("Organisation", h("input", { type: "text", name: "organisation" })),
      field("Languages", h("input", { type: "text", name: "languages", value: "en" }), { help: "Codes, separated by commas (en, fr, de)." }),
      field("Capacity", h("input", { type: "number", name: "capacity", min: "1", value: "30" }), { help: "The most applications they take in any call." })),
    checkboxes("Expertise", "expertise", valueChains), checkboxes("Hubs", "hubs", hubs),
    h("button", { type: "submit" }, "Invite"), out);
    return form;
  }

  await refresh();
  const filters = h("form", { class: "row add", "aria-label": "Find evaluators", onsubmit: guard(found, findEvaluators) },
    field("Expertise (value chain)", expertise), field("Hub", hub), h("button", { type: "submit", class: "secondary" }, "Find"));
  filters.addEventListener("change", guard(found, findEvaluators));
  programmeHost.replaceChildren(
    h("section", { "aria-labelledby": "programme-h" }, h("h2", { id: "programme-h" }, "Programme evaluators"),
      h("p", { class: "muted" }, "Pick evaluators into this call's pool with a capacity for this call; assignment draws only on the pool."),
      filters, found),
    h("details", { class: "card" }, h("summary", {}, "Invite an evaluator to the programme"), inviteForm()));
  show(h("h1", {}, `Pool & assignments: ${call.title}`), callNav(callId, "Pool & assignments"),
    isAdmin ? null : h("p", { class: "muted" }, "Only the programme team changes the pool and the assignments."),
    status, poolHost, matrixHost, isAdmin ? programmeHost : null);
}
