import { account, gql } from "../graphql.js";
import { countdown, h, hasClosed, instant, money, screen, tickCountdowns } from "../ui.js";

const LIST = `{ hubs { code name hostOrganisation missions { id title challenges { id title } } }
  calls { id title status opensAt closesAt timezone budget maxGrant programmeWide hub { code name } } }`;

// An upcoming call says when it opens (a UI audit's visitor read only a countdown to its close);
// a closed one when it closed.
const when = (c) => hasClosed(c) ? h("p", {}, h("strong", {}, "Closed"), " on ", instant(c.closesAt, c.timezone))
  : c.status === "OPEN"
    ? h("p", {}, h("strong", { "data-countdown": c.closesAt }, countdown(c.closesAt)), " · closes ", instant(c.closesAt, c.timezone))
    : h("p", {}, h("strong", {}, "Opens ", instant(c.opensAt, c.timezone)), " · closes ", instant(c.closesAt, c.timezone));

const MINE = "{ myApplications { id status call { id } } }";
// What an applicant can do here follows their own application to the call, if any (a UI
// audit's applicant was offered Apply after withdrawing, to a page that only said withdrawn).
function applyAction(call, mine) {
  const own = mine.find((a) => a.call?.id === call.id);
  const go = (label) => h("a", { class: "button", href: `#/apply/${call.id}` }, label);
  if (!own) return go("Apply");
  if (own.status === "WITHDRAWN") return h("p", { class: "notice" }, "You have withdrawn your application to this call.");
  return own.status === "DRAFT" ? go("Continue your application") : go("See or change your application");
}

export async function callsPage() {
  const show = screen();
  const data = await gql(LIST);
  const open = data.calls.filter((c) => c.status === "OPEN" || c.status === "UPCOMING");
  show(
    h("h1", {}, "Open calls"),
    open.length ? open.map((c) => h("article", { class: "card" },
      h("h2", {}, h("a", { href: `#/call/${c.id}` }, c.title)),
      h("p", {}, h("span", { class: "tag" }, c.status.toLowerCase()), " ",
        c.programmeWide ? "All hubs" : `Hub ${c.hub.name}`, " · up to ", money(c.maxGrant), " per project"),
      when(c),
    )) : h("p", {}, "No call is open right now."),
    h("h2", {}, "Hubs and their missions"),
    data.hubs.map((hub) => h("details", { class: "card" },
      h("summary", {}, `${hub.name} · ${hub.hostOrganisation}`),
      hub.missions.length ? h("ul", {}, hub.missions.map((m) => h("li", {}, m.title,
        m.challenges.length ? h("ul", {}, m.challenges.map((ch) => h("li", {}, ch.title))) : null)))
        : h("p", { class: "muted" }, "No mission yet."))),
  );
  return tickCountdowns();
}

const ONE = `query($id: ID!) { call(id: $id) { id title description status opensAt closesAt timezone maxGrant budget
  hubs { name } challenges { title mission { title } } form { questions { key label } }
  eligibleCountries { code part name } organisationTypes } organisationTypes { code name } }`;
const coverage = (c) => `${c.name}${c.part ? ` (${c.part.toLowerCase()})` : ""}`;

export async function callPage(id) {
  const show = screen();
  const me = account();
  const applicant = me?.role === "APPLICANT";
  const [{ call, organisationTypes }, mine] = await Promise.all([gql(ONE, { id }), applicant ? gql(MINE) : null]);
  if (!call) return show(h("h1", {}, "No such call"));
  const typeNames = Object.fromEntries(organisationTypes.map((t) => [t.code, t.name]));
  show(
    h("h1", {}, call.title), h("p", {}, call.description),
    when(call),
    h("p", {}, `Budget ${money(call.budget)}, at most ${money(call.maxGrant)} per project; hubs: `,
      call.hubs.map((x) => x.name).join(", ")),
    h("h2", {}, "Challenges"), h("ul", {}, call.challenges.map((c) => h("li", {}, `${c.title} (${c.mission.title})`))),
    // Said before anyone applies (a UI audit's applicant from an ineligible region learnt
    // it only after submitting).
    h("h2", {}, "Who can apply"),
    h("p", { id: "eligible-countries" }, "Organisations based in: ", call.eligibleCountries.map(coverage).join(", "), "."),
    h("p", { id: "eligible-types" }, "Organisation types: ",
      call.organisationTypes.length ? call.organisationTypes.map((t) => typeNames[t] || t).join(", ") : "any", "."),
    call.status === "OPEN"
      ? (me ? (applicant ? applyAction(call, mine.myApplications)
        : h("p", { class: "muted" }, "Applications are made from an applicant's account."))
        : h("p", {}, h("a", { href: "#/signup" }, "Sign up"), " or ", h("a", { href: "#/signin" }, "sign in"), " to apply."))
      : call.status === "UPCOMING"
        ? h("p", { class: "notice" }, "Applications open on ", instant(call.opensAt, call.timezone), ".",
          me ? "" : [" Meanwhile you can ", h("a", { href: "#/signup" }, "sign up"), "."])
        : h("p", { class: "notice" }, "This call does not take applications now."),
  );
  return tickCountdowns();
}
