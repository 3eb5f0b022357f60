// A call's applications for the programme team and hub managers: a filtered, paginated list
// and a read-only view of what was submitted.
import { label, labelNode } from "../form.js";
import { gql } from "../graphql.js";
import { field, fileSize, guard, h, money, problem, screen, when } from "../ui.js";
import { callNav, namer, teamOnly } from "./team.js";

const PAGE_SIZE = 25;
// The filters, in the order the form shows them; each is also a key of the hash's query.
const FILTERS = ["search", "status", "country", "hub", "valueChain", "organisationType", "eligibility"];

const LIST = `query($c: ID!, $f: ApplicationFilter, $after: String, $first: Int!) {
  callApplications(callId: $c, filter: $f, after: $after, first: $first) { __typename
    ... on ApplicationConnection { total nextCursor items { id title status eligibility hub
      organisation { name type country countryPart } receipt { number submittedAt } } }
    ... on Error { message } } }`;
const CHOICES = `query($c: ID!) { call(id: $c) { id title timezone } countries { code name } hubs { code name }
  valueChains { code name } organisationTypes { code name } }`;

// The hash's query (`#/team/<call>/applications?country=BE`), so a reload keeps the filters.
const hashQuery = () => new URLSearchParams(location.hash.split("?")[1] || "");
const lower = (text) => text.toLowerCase().replace("_", " ");

function choice(labelText, name, value, options) {
  const select = h("select", { name }, h("option", { value: "" }, "Any"),
    options.map(([code, text]) => h("option", { value: code, selected: code === value }, text)));
  return field(labelText, select);
}

export async function applicationsPage(callId) {
  const show = screen();
  if (!teamOnly(show)) return;
  const { call, countries, hubs, valueChains, organisationTypes } = await gql(CHOICES, { c: callId });
  if (!call) return show(h("h1", {}, "Applications"), problem("This call does not exist or is not yours to see."));
  const name = { country: namer(countries), hub: namer(hubs), type: namer(organisationTypes) };
  const query = hashQuery();
  const pick = (items) => items.map((i) => [i.code, i.name]);
  const search = h("input", { type: "search", name: "search", value: query.get("search") || "" });
  const form = h("form", { class: "filters", role: "search", "aria-label": "Filter applications" },
    field("Search (title, organisation, receipt number)", search),
    choice("Status", "status", query.get("status"), ["DRAFT", "SUBMITTED", "WITHDRAWN"].map((s) => [s, lower(s)])),
    choice("Country", "country", query.get("country"), pick(countries)),
    choice("Hub", "hub", query.get("hub"), pick(hubs)),
    choice("Value chain", "valueChain", query.get("valueChain"), pick(valueChains)),
    choice("Organisation type", "organisationType", query.get("organisationType"), pick(organisationTypes)),
    choice("Eligibility", "eligibility", query.get("eligibility"), ["PENDING", "ELIGIBLE", "INELIGIBLE"].map((s) => [s, lower(s)])),
    h("div", { class: "row" }, h("button", { type: "submit" }, "Search"),
      h("button", { type: "button", class: "secondary", onclick: () => {
        for (const k of FILTERS) form.elements[k].value = "";
        form.requestSubmit();
      } }, "Clear filters")));
  const results = h("div", { "aria-live": "polite", id: "application-results" });

  // `after` is the cursor of the page shown (none: the first page).
  async function load(after = null) {
    const filter = Object.fromEntries(FILTERS.map((k) => [k, form.elements[k].value.trim()]).filter(([, v]) => v));
    const params = new URLSearchParams(filter);
    if (after) params.set("after", after);
    // Written into the address without a new visit: the page stays, the reload keeps it.
    history.replaceState(null, "", `#/team/${callId}/applications${params.size ? `?${params}` : ""}`);
    const found = (await gql(LIST, { c: callId, f: filter, after, first: PAGE_SIZE })).callApplications;
    if (found.__typename !== "ApplicationConnection") return results.replaceChildren(problem(found.message));
    results.replaceChildren(
      h("p", { id: "application-count" }, `${found.total === 1 ? "1 application matches" : `${found.total} applications match`}.`),
      found.items.length ? h("div", { class: "scroll" }, h("table", { id: "applications", "aria-label": "Applications" },
        h("thead", {}, h("tr", {}, ["Title", "Organisation", "Country", "Hub", "Status", "Eligibility", "Receipt", "Submitted"]
          .map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, found.items.map((a) => h("tr", {},
          h("th", { scope: "row" }, h("a", { href: `#/team/${callId}/applications/${a.id}` }, titleOf(a))),
          h("td", {}, a.organisation.name, h("br"), h("span", { class: "muted" }, name.type(a.organisation.type))),
          h("td", {}, countryText(a.organisation, name.country)), h("td", {}, a.hub ? name.hub(a.hub) : "—"),
          h("td", {}, lower(a.status)), h("td", {}, lower(a.eligibility)),
          h("td", {}, a.receipt?.number || "—"), h("td", {}, a.receipt ? when(a.receipt.submittedAt, call.timezone) : "—")))))) :
        h("p", { class: "muted" }, "No application matches these filters."),
      h("div", { class: "row" },
        after ? h("button", { type: "button", class: "secondary", onclick: guard(results, () => load()) }, "First page") : null,
        found.nextCursor ? h("button", { type: "button", onclick: guard(results, () => load(found.nextCursor)) }, "Next page") : null));
  }

  form.addEventListener("submit", guard(results, () => load()));
  // A changed list box applies at once; the search box on Enter or the Search button.
  form.addEventListener("change", guard(results, (event) => (event.target.tagName === "SELECT" ? load() : null)));
  await load(query.get("after"));
  show(h("h1", {}, `Applications: ${call.title}`), callNav(callId, "Applications"), form, results);
}

const countryText = (organisation, countryName) => countryName(organisation.country)
  + (organisation.countryPart ? ` (${organisation.countryPart.toLowerCase()})` : "");

// One answer as a person reads it, in `lang` (files are listed with their download links
// instead). form.js has no such function yet: it renders questions to answer, not answers.
export function answerText(question, value, { lang = "en", countryName, currency = "EUR" } = {}) {
  if (value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length)) return "Not answered";
  const option = (v) => label(question.options.find((o) => o.value === v)?.labels, lang) || v;
  switch (question.type) {
    case "SINGLE_CHOICE": return option(value);
    case "MULTIPLE_CHOICE": return value.map(option).join(", ");
    case "DECLARATION": return value ? "Yes" : "No";
    case "COUNTRY": return countryName ? countryName(value) : value;
    case "REQUESTED_AMOUNT": return money(value, currency);
    default: return String(value);
  }
}

const VIEW = `query($id: ID!) { application(id: $id) { id title status hub requestedAmount answers eligibility eligibilityReasons
  organisation { name type country countryPart website } contact { name email role } team { name email role }
  attachments { id questionKey fileName size downloadUrl } receipt { number version submittedAt fingerprint }
  versions { version number submittedAt fingerprint }
  call { id title timezone currency form { questions { key type labels { lang text } options { value labels { lang text } } } } } }
  countries { code name } organisationTypes { code name } hubs { code name } }`;

// A draft never submitted is the applicant's own: the team knows only that it is there.
const NEVER_SUBMITTED = "Not submitted yet: what the applicant has typed is theirs until they submit it.";
const titleOf = (a) => a.title || (a.status === "SUBMITTED" ? "Untitled" : "Draft, not submitted");
const pairs = (rows) => h("dl", { class: "facts" }, rows.filter(([, v]) => v !== null && v !== undefined && v !== "")
  .flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));

export async function applicationPage(callId, applicationId) {
  const show = screen();
  if (!teamOnly(show)) return;
  const { application: a, countries, organisationTypes, hubs } = await gql(VIEW, { id: applicationId });
  if (!a || a.call?.id !== callId) return show(h("h1", {}, "Application"), problem("This application does not exist or is not yours to see."));
  const zone = a.call.timezone;
  const countryName = namer(countries);
  const files = (key) => a.attachments.filter((f) => f.questionKey === key);
  if (!a.versions.length) {
    return show(h("h1", {}, titleOf(a)), callNav(callId, "Applications"),
      h("p", {}, h("a", { href: `#/team/${callId}/applications` }, `All applications of ${a.call.title}`)),
      h("p", { id: "never-submitted" }, NEVER_SUBMITTED),
      pairs([["Status", a.status.toLowerCase()], ["Hub", a.hub ? namer(hubs)(a.hub) : null]]));
  }
  show(
    h("h1", {}, titleOf(a)),
    callNav(callId, "Applications"),
    h("p", {}, h("a", { href: `#/team/${callId}/applications` }, `All applications of ${a.call.title}`)),
    h("p", { class: "muted" }, "What the applicant submitted last (read-only); unsubmitted edits are not shown."),
    h("section", { "aria-labelledby": "receipt-h" }, h("h2", { id: "receipt-h" }, "Submission"),
      a.receipt ? pairs([["Receipt", a.receipt.number], ["Version", a.receipt.version],
        ["Submitted", when(a.receipt.submittedAt, zone)], ["Fingerprint", h("code", {}, a.receipt.fingerprint)]])
        : h("p", {}, `Not submitted (${a.status.toLowerCase()}).`),
      a.versions.length ? h("div", { class: "scroll" }, h("table", { id: "versions" }, h("caption", {}, "All submitted versions (the last one counts)"),
        h("thead", {}, h("tr", {}, ["Version", "Receipt", "Submitted", "Fingerprint"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, a.versions.map((v) => h("tr", {}, h("th", { scope: "row" }, v.version), h("td", {}, v.number),
          h("td", {}, when(v.submittedAt, zone)), h("td", {}, h("code", {}, v.fingerprint))))))) : null),
    h("section", { "aria-labelledby": "eligibility-h" }, h("h2", { id: "eligibility-h" }, `Eligibility: ${a.eligibility.toLowerCase()}`),
      a.eligibilityReasons.length ? h("ul", {}, a.eligibilityReasons.map((r) => h("li", {}, r)))
        : h("p", {}, a.eligibility === "PENDING" ? "Decided when the call closes." : "No reason against it.")),
    h("section", { "aria-labelledby": "organisation-h" }, h("h2", { id: "organisation-h" }, "Organisation and contact"),
      pairs([["Organisation", a.organisation.name], ["Type", namer(organisationTypes)(a.organisation.type)],
        ["Country", countryText(a.organisation, countryName)], ["Hub", a.hub ? namer(hubs)(a.hub) : null],
        ["Website", a.organisation.website ? h("a", { href: a.organisation.website, rel: "noopener noreferrer" }, a.organisation.website) : null],
        ["Contact", a.contact.name || a.contact.email ? [a.contact.name, a.contact.role ? ` (${a.contact.role})` : "",
          a.contact.email ? [" · ", h("a", { href: `mailto:${a.contact.email}` }, a.contact.email)] : ""] : null],
        ["Team", a.team.length ? a.team.map((p) => `${p.name}${p.role ? ` (${p.role})` : ""}`).join(", ") : null],
        ["Requested", a.requestedAmount != null ? money(a.requestedAmount, a.call.currency) : null]])),
    h("section", { "aria-labelledby": "answers-h" }, h("h2", { id: "answers-h" }, "Answers"),
      h("dl", { class: "answers" }, a.call.form.questions.flatMap((q) => [
        h("dt", {}, labelNode(q.labels, "en")),
        h("dd", { "data-question": q.key }, q.type === "FILE"
          ? (files(q.key).length ? h("ul", {}, files(q.key).map((f) => h("li", {},
            h("a", { href: f.downloadUrl, download: f.fileName }, f.fileName), ` (${fileSize(f.size)})`))) : "No file")
          : answerText(q, a.answers[q.key], { countryName, currency: a.call.currency })),
      ]))),
  );
}
