// The programme team's accounts: find them by role or name, invite staff (an e-mailed link
// to set a password), disable, enable and delete (an erasure, on the person's written request).
import { account, gql } from "../graphql.js";
import { field, fieldErrors, guard, h, languageSelect, problem, screen } from "../ui.js";
import { refuse } from "./auth.js";
import { namer, teamOnly } from "./team.js";

const ACCOUNTS = `query($r: Role, $s: String, $n: Int!, $o: Int!) { accounts(role: $r, search: $s, first: $n, offset: $o) {
  id email displayName role hub active emailConfirmed twoFactorEnabled } hubs { code name } }`;
const CREATE = `mutation($i: AccountInput!) { createAccount(input: $i) { __typename ... on Account { email displayName }
  ... on ValidationErrors { errors { field message } } ... on Error { message } } }`;
const SWITCH = {
  disable: `mutation($id: ID!) { disableAccount(id: $id) { __typename ... on Account { active } ... on Error { message } } }`,
  enable: `mutation($id: ID!) { enableAccount(id: $id) { __typename ... on Account { active } ... on Error { message } } }`,
};
const DELETE = `mutation($id: ID!) { deleteAccount(id: $id) { __typename ... on Account { active } ... on Error { message } } }`;
const ROLES = [["APPLICANT", "Applicant"], ["EVALUATOR", "Evaluator"], ["HUB_MANAGER", "Hub manager"], ["ADMIN", "Programme team (admin)"]];
const roleName = (role) => ROLES.find(([code]) => code === role)?.[1] || role;
const PAGE = 50;

export async function accountsPage() {
  const show = screen();
  if (!teamOnly(show)) return;
  const heading = h("h1", {}, "Accounts");
  if (account().role !== "ADMIN") return show(heading, h("p", { class: "notice" }, "Accounts are managed by the programme team."));
  const role = h("select", { name: "role" }, h("option", { value: "" }, "Every role"), ROLES.map(([code, text]) => h("option", { value: code }, text)));
  const search = h("input", { type: "search", name: "search", placeholder: "name or address" });
  const list = h("div", { id: "accounts" });
  const status = h("div", { role: "status", id: "accounts-status" });
  let offset = 0;
  let hubName = (code) => code;
  let hubs = [];

  async function load() {
    const data = await gql(ACCOUNTS, { r: role.value || null, s: search.value.trim() || null, n: PAGE, o: offset });
    hubs = data.hubs;
    hubName = namer(hubs);
    list.replaceChildren(data.accounts.length ? table(data.accounts) : h("p", { class: "muted" }, "No account matches."),
      h("p", { class: "row" },
        offset ? h("button", { type: "button", class: "secondary", onclick: go(Math.max(0, offset - PAGE)) }, "Previous") : null,
        data.accounts.length === PAGE ? h("button", { type: "button", class: "secondary", onclick: go(offset + PAGE) }, "Next") : null));
  }
  const go = (at) => guard(status, async () => { offset = at; await load(); });
  const reload = go(0);

  const table = (accounts) => h("div", { class: "scroll" }, h("table", {},
    h("thead", {}, h("tr", {}, ["Name", "E-mail", "Role", "Hub", "State", ""].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, accounts.map((a) => h("tr", {}, h("th", { scope: "row" }, a.displayName), h("td", {}, a.email),
      h("td", {}, roleName(a.role)), h("td", {}, a.hub ? hubName(a.hub) : "—"),
      h("td", { class: a.active ? null : "bad" }, a.active ? "active" : "disabled", a.emailConfirmed ? "" : " · address not confirmed",
        a.twoFactorEnabled ? " · two-factor on" : ""),
      h("td", {}, a.id === account().id ? h("span", { class: "muted" }, "you") : h("span", { class: "row" }, switchButton(a), deleteButton(a))))))));

  function deleteButton(a) {
    return h("button", { type: "button", class: "secondary small", "aria-label": `Delete ${a.displayName}`, onclick: guard(status, async () => {
      if (!confirm(`Delete ${a.displayName}'s account? Everything held about them is erased from every part of the portal; this cannot be undone.`)) return;
      const result = (await gql(DELETE, { id: a.id })).deleteAccount;
      if (result.__typename !== "Account") return status.replaceChildren(problem(result.message));
      status.replaceChildren(h("p", { class: "notice" }, `${a.displayName}'s account is deleted: their data is erased.`));
      await load();
    }) }, "Delete");
  }

  function switchButton(a) {
    const action = a.active ? "disable" : "enable";
    const label = `${a.active ? "Disable" : "Enable"} ${a.displayName}`;
    return h("button", { type: "button", class: "secondary small", "aria-label": label, onclick: guard(status, async () => {
      if (a.active && !confirm(`Disable ${a.displayName}? Their sign-ins end at once.`)) return;
      const result = Object.values(await gql(SWITCH[action], { id: a.id }))[0];
      if (result.__typename !== "Account") return status.replaceChildren(problem(result.message));
      status.replaceChildren(h("p", { class: "notice" }, `${a.displayName} is ${result.active ? "enabled" : "disabled"}.`));
      await load();
    }) }, a.active ? "Disable" : "Enable");
  }

  function inviteForm() {
    const out = h("div", { "aria-live": "polite" });
    const hub = h("select", { name: "hub" }, h("option", { value: "" }, "None"), hubs.map((x) => h("option", { value: x.code }, x.name)));
    const form = h("form", { id: "invite-account", novalidate: true, onsubmit: guard(out, async () => {
      const input = { email: form.email.value.trim(), displayName: form.displayName.value.trim(), role: form.role.value,
        hub: hub.value || null, language: form.language.value };
      const result = (await gql(CREATE, { i: input })).createAccount;
      if (result.__typename !== "Account") return refuse(form, null, out, result);
      form.reset();
      fieldErrors(form, []);
      out.replaceChildren(h("p", { class: "notice", role: "status" },
        `Invitation sent to ${result.email}: ${result.displayName} sets a password from the e-mail's link.`));
      await load();
    }) }, h("div", { class: "pair" },
      field("E-mail", h("input", { type: "email", name: "email", autocomplete: "off" })),
      field("Name", h("input", { type: "text", name: "displayName" })),
      field("Role", h("select", { name: "role" }, ROLES.filter(([code]) => code !== "APPLICANT").map(([code, text]) =>
        h("option", { value: code }, text)))),
      field("Hub (hub managers)", hub), field("Language of the messages we send them", languageSelect("language", "en"))),
    h("p", {}, h("button", { type: "submit" }, "Send the invitation")), out);
    return form;
  }

  await load();
  const filters = h("form", { class: "filters", role: "search", "aria-label": "Find accounts", onsubmit: reload },
    field("Name or e-mail", search), field("Role", role), h("div", { class: "row" }, h("button", { type: "submit" }, "Search")));
  role.addEventListener("change", reload);
  show(heading, h("p", {}, h("a", { href: "#/team" }, "Back to the calls")),
    h("details", { class: "card" }, h("summary", {}, "Invite a staff member or an evaluator"), inviteForm()),
    filters, status, list);
}
