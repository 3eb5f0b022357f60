// A person's own account: the address and whether it is confirmed, language and optional
// mails, the password, signing out everywhere, two-factor sign-in; and the mails they got.
import { ACCOUNT, account, gql, remember, signedIn, signOut } from "../graphql.js";
import { field, fieldErrors, guard, h, instant, languageSelect, problem, screen } from "../ui.js";
import { AUTH_FIELDS, newPassword, refuse } from "./auth.js";
import { resendButton } from "./links.js";
import { dataSection } from "./privacy.js";

const ME = `{ me { ${ACCOUNT} language notifications { draftReminders evaluationReminders dailyDigest } } }`;
const PREFERENCES = `mutation($i: PreferencesInput!) { updatePreferences(input: $i) { __typename
  ... on Account { language } ... on ValidationErrors { errors { field message } } ... on Error { message } } }`;
const CHANGE_PASSWORD = `mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { ${AUTH_FIELDS} } }`;
const SIGN_OUT_EVERYWHERE = `mutation { signOutEverywhere { __typename ... on Error { message } } }`;
const SET_UP = `mutation { setUpTwoFactor { __typename ... on TwoFactorSetup { secret qrSvg } ... on Error { message } } }`;
const ENABLE = `mutation($c: String!) { enableTwoFactor(code: $c) { __typename ... on RecoveryCodes { codes token account { ${ACCOUNT} } }
  ... on ValidationErrors { errors { field message } } ... on Error { message } } }`;
const DISABLE = `mutation($c: String!) { disableTwoFactor(code: $c) { __typename
  ... on ValidationErrors { errors { field message } } ... on Error { message } } }`;
const ERASE = `mutation($p: String!) { eraseMyAccount(password: $p) { __typename ... on AccountErased { message }
  ... on ValidationErrors { errors { field message } } ... on Error { message } } }`;
const NOTIFICATIONS = `query($n: Int!, $o: Int!) { myNotifications(first: $n, offset: $o) { id subject text createdAt } }`;

const STAFF = new Set(["ADMIN", "HUB_MANAGER"]);
// The optional mails, each offered to those it can reach.
const OPTIONAL = [
  ["draftReminders", "Reminders before a call closes while my application is still a draft", (role) => role === "APPLICANT"],
  ["evaluationReminders", "Reminders before the evaluation deadline for evaluations I have not submitted", (role) => role === "EVALUATOR"],
  ["dailyDigest", "A daily digest of each open call (submissions and drafts)", (role) => STAFF.has(role)],
];

const signedOutScreen = (show) => show(h("h1", {}, "Your account"),
  h("p", {}, h("a", { href: "#/signin" }, "Sign in"), " to see your account."));

export async function accountPage() {
  const show = screen();
  if (!account()) return signedOutScreen(show);
  const { me } = await gql(ME);
  if (!me) return signedOutScreen(show);
  remember({ ...account(), ...me });
  const mustAddFactor = me.twoFactorRequired && !me.twoFactorEnabled;
  show(h("h1", {}, "Your account"),
    mustAddFactor ? h("p", { class: "notice bad", role: "alert" },
      "Set up two-factor sign-in first: the team's pages open once it is on.") : null,
    addressSection(me), preferencesSection(me), passwordSection(), twoFactorSection(me), signOutSection(show), dataSection(),
    me.role === "APPLICANT" ? eraseSection(show) : null);
}

function section(id, title, ...children) {
  return h("section", { class: "card", "aria-labelledby": id }, h("h2", { id }, title), ...children);
}

function addressSection(me) {
  const out = h("div", {});
  return section("address-h", "E-mail address", h("p", {}, h("strong", {}, me.email), " · ",
    me.emailConfirmed ? "confirmed" : h("span", { class: "bad" }, "not confirmed yet")),
  me.emailConfirmed ? null : [h("p", {}, "Open the link we e-mailed you to confirm it; you need a confirmed address to submit."),
    h("p", {}, resendButton(out)), out]);
}

function preferencesSection(me) {
  const out = h("div", { "aria-live": "polite" });
  const offered = OPTIONAL.filter(([, , reaches]) => reaches(me.role));
  const form = h("form", { novalidate: true, onsubmit: guard(out, async () => {
    const input = { language: form.language.value };
    for (const [key] of offered) input[key] = form.elements[key].checked;
    const result = (await gql(PREFERENCES, { i: input })).updatePreferences;
    if (result.__typename === "Account") return out.replaceChildren(h("p", { class: "notice", role: "status" }, "Your preferences are saved."));
    refuse(form, null, out, result);
  }) },
  field("Language of the messages we send you", languageSelect("language", me.language)),
  offered.length ? h("fieldset", {}, h("legend", {}, "Optional e-mails"), offered.map(([key, text]) =>
    h("label", { class: "check" }, h("input", { type: "checkbox", name: key, checked: me.notifications[key] }), text))) : null,
  h("p", { class: "help" }, "Receipts, links and news about your own work always reach you."),
  h("p", {}, h("button", { type: "submit" }, "Save preferences")), out);
  return section("preferences-h", "Language and e-mails", form);
}

function passwordSection() {
  const out = h("div", { "aria-live": "polite" });
  const button = h("button", { type: "submit" }, "Change the password");
  const password = newPassword("newPassword");
  const form = h("form", { novalidate: true, onsubmit: guard(out, async () => {
    if (!password.check()) return out.replaceChildren();
    const result = (await gql(CHANGE_PASSWORD, { c: form.currentPassword.value, n: password.value() })).changePassword;
    if (result.__typename !== "AuthPayload") return refuse(form, button, out, result);
    signedIn(result);
    form.reset();
    fieldErrors(form, []);
    out.replaceChildren(h("p", { class: "notice", role: "status" }, "Your password is changed; every other sign-in was ended."));
  }) },
  field("Current password", h("input", { type: "password", name: "currentPassword", autocomplete: "current-password" })),
  password.nodes, h("p", {}, button), out);
  return section("password-h", "Password", form);
}

function signOutSection(show) {
  const out = h("div", {});
  return section("everywhere-h", "Sign out everywhere",
    h("p", {}, "Ends every sign-in of this account, on every device, this one too."),
    h("p", {}, h("button", { type: "button", class: "secondary", onclick: guard(out, async () => {
      if (!confirm("Sign out on every device, this one too?")) return;
      const result = (await gql(SIGN_OUT_EVERYWHERE)).signOutEverywhere;
      if (result.__typename !== "SignedOut") return out.replaceChildren(problem(result.message));
      signOut();
      show(h("h1", {}, "Signed out everywhere"), h("p", { class: "notice", role: "status" },
        "Every sign-in of your account has ended."), h("p", {}, h("a", { href: "#/signin" }, "Sign in again")));
    }) }, "Sign out everywhere")), out);
}

// Erasure on request: the password again, what goes and what stays said before, signed out after.
function eraseSection(show) {
  const out = h("div", { "aria-live": "polite" });
  const button = h("button", { type: "submit", class: "secondary" }, "Delete my account and data");
  const form = h("form", { novalidate: true, onsubmit: guard(out, async () => {
    if (!confirm("Delete your account and personal data for good? This cannot be undone.")) return;
    const result = (await gql(ERASE, { p: form.erasePassword.value })).eraseMyAccount;
    if (result.__typename === "ValidationErrors") {
      return fieldErrors(form, result.errors.map((e) => ({ ...e, field: "erasePassword" })));
    }
    if (result.__typename !== "AccountErased") return out.replaceChildren(problem(result.message));
    signOut();
    show(h("h1", {}, "Your account is deleted"), h("p", { class: "notice", role: "status" }, result.message));
  }) },
  h("p", {}, "Your name, e-mail address, organisation, answers and files are erased from the portal, and the e-mails "
    + "sent to you lose their content. Applications whose results are not published yet are withdrawn."),
  h("p", {}, "Kept without your name, because the programme must account for its decisions: the scores, decisions "
    + "and ranks of applications already decided, and the audit record of what was done."),
  field("Your password", h("input", { type: "password", name: "erasePassword", autocomplete: "current-password" })),
  h("p", {}, button), out);
  return section("erase-h", "Delete my account and data", form);
}

function twoFactorSection(me) {
  const host = h("div", {});
  const title = "Two-factor sign-in";
  if (me.twoFactorEnabled) {
    host.append(h("p", {}, "On: signing in asks for a code from your authenticator app (or a recovery code)."),
      me.twoFactorRequired ? h("p", { class: "muted" }, "Your role requires it, so it stays on.") : disableForm(host));
    return section("two-factor-h", title, host);
  }
  const out = h("div", {});
  host.append(h("p", {}, me.twoFactorRequired ? "Your role requires it." : "Optional: a code from an app on your phone as well as the password."),
    h("p", {}, h("button", { type: "button", onclick: guard(out, async () => {
      const setup = (await gql(SET_UP)).setUpTwoFactor;
      if (setup.__typename !== "TwoFactorSetup") return out.replaceChildren(problem(setup.message));
      host.replaceChildren(enableForm(setup, host));
    }) }, "Set up two-factor sign-in")), out);
  return section("two-factor-h", title, host);
}

// The QR code goes in as an image (a data: URL), never as markup in the page.
const qrImage = (svg) => h("img", { class: "qr", alt: "QR code to scan with your authenticator app", width: "200", height: "200",
  src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}` });

function enableForm(setup, host) {
  const out = h("div", { "aria-live": "polite" });
  const form = h("form", { novalidate: true, onsubmit: guard(out, async () => {
    const result = (await gql(ENABLE, { c: form.code.value.trim() })).enableTwoFactor;
    if (result.__typename !== "RecoveryCodes") return refuse(form, null, out, result);
    // Every earlier sign-in ended: the new token is this one; with it a setup-only team
    // member may use the team's pages now.
    signedIn(result);
    host.replaceChildren(h("p", { class: "notice", role: "status" }, "Two-factor sign-in is on."),
      h("p", {}, h("strong", {}, "Your recovery codes, shown only now."),
        " Keep them somewhere safe (printed, or in a password manager): each one signs you in once when your phone is not at hand."),
      h("ul", { id: "recovery-codes", class: "codes" }, result.codes.map((c) => h("li", {}, h("code", {}, c)))));
  }) },
  h("ol", {}, h("li", {}, "Scan this code with an authenticator app (or type the key below into it)."),
    h("li", {}, "Enter the 6-digit code the app shows.")),
  qrImage(setup.qrSvg), h("p", {}, "Key: ", h("code", { class: "secret", id: "totp-secret" }, setup.secret)),
  field("Code from the app", h("input", { type: "text", name: "code", inputmode: "numeric", autocomplete: "one-time-code" })),
  h("p", {}, h("button", { type: "submit" }, "Turn on")), out);
  return form;
}

function disableForm(host) {
  const out = h("div", { "aria-live": "polite" });
  const form = h("form", { novalidate: true, class: "row add", onsubmit: guard(out, async () => {
    const result = (await gql(DISABLE, { c: form.code.value.trim() })).disableTwoFactor;
    if (result.__typename !== "Account") return refuse(form, null, out, result);
    remember({ ...account(), twoFactorEnabled: false });
    host.replaceChildren(h("p", { class: "notice", role: "status" }, "Two-factor sign-in is off."));
  }) }, field("Code to turn it off", h("input", { type: "text", name: "code", autocomplete: "one-time-code" })),
  h("button", { type: "submit", class: "secondary" }, "Turn off"), out);
  return form;
}

const PAGE = 20;

// The portal's own links in a mail's text open as links, as in the mail itself; any other
// address stays text (a name or title an applicant typed may hold one).
const URL_IN_TEXT = /(https?:\/\/[^\s<>"]*[^\s<>".,;:!?)])/;
function withLinks(text) {
  const own = `${location.origin}/`;
  return text.split(URL_IN_TEXT).map((part, i) => (i % 2 && part.startsWith(own) ? h("a", { href: part }, part) : part));
}

export async function notificationsPage() {
  const show = screen();
  if (!account()) return show(h("h1", {}, "Notifications"), h("p", {}, h("a", { href: "#/signin" }, "Sign in"), " to see your mails."));
  const list = h("div", { id: "notifications" });
  const more = h("div", {});
  let offset = 0;
  async function load() {
    const { myNotifications } = await gql(NOTIFICATIONS, { n: PAGE, o: offset });
    offset += myNotifications.length;
    list.append(...myNotifications.map((n) => h("article", { class: "card" }, h("h2", {}, n.subject),
      h("p", { class: "muted" }, h("time", { datetime: n.createdAt }, instant(n.createdAt))), h("div", { class: "mail-text" }, withLinks(n.text)))));
    if (!offset) list.replaceChildren(h("p", { class: "muted" }, "No mail yet."));
    more.replaceChildren(myNotifications.length === PAGE ? h("button", { type: "button", class: "secondary",
      onclick: guard(more, load) }, "Show older") : "");
  }
  await load();
  show(h("h1", {}, "Notifications"), h("p", { class: "muted" }, "The e-mails the portal sent you, newest first."), list, more);
}
