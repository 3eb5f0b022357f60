// The pages the e-mailed links open: confirm an address, ask for and use a password reset,
// accept an invitation. Each link works once and expires; a refused one says what to do next.
import { account, gql, remember, signOut } from "../graphql.js";
import { field, flashNext, guard, h, holdOff, mailboxNotice, problem, screen } from "../ui.js";
import { AUTH_FIELDS, enter, homeOf, newPassword, refuse } from "./auth.js";

const CONFIRM = `mutation($t: String!) { confirmEmail(token: $t) { __typename ... on EmailConfirmed { email } ... on Error { message } } }`;
const RESEND = `mutation { resendConfirmation { __typename ... on MailQueued { message }
  ... on TooManyAttempts { retryAfterSeconds } ... on Error { message } } }`;
const REQUEST_RESET = `mutation($e: String!) { requestPasswordReset(email: $e) { __typename
  ... on TooManyAttempts { retryAfterSeconds } ... on ValidationErrors { errors { field message } } ... on Error { message } } }`;
const RESET = `mutation($t: String!, $p: String!) { resetPassword(token: $t, password: $p) { __typename
  ... on PasswordResetDone { email } ... on ValidationErrors { errors { field message } } ... on Error { message } } }`;
const RESET_LINK = `query($t: String!) { passwordResetLink(token: $t) { __typename ... on PasswordResetLink { email } } }`;
const INVITATION = `query($t: String!) { invitation(token: $t) { __typename
  ... on InvitationDetails { email displayName role } ... on Error { message } } }`;
const ACCEPT = `mutation($t: String!, $p: String!) { acceptInvitation(token: $t, password: $p) { ${AUTH_FIELDS} } }`;

const USED_UP = "This link does not work any more: it was used already, it has expired, or it was copied incompletely.";
const INVITED_AS = { EVALUATOR: "an evaluator", HUB_MANAGER: "a hub manager", ADMIN: "a member of the programme team",
  APPLICANT: "an applicant" };

// "Send the link again" for the signed-in person; its answer (or the wait) shown in `out`.
export function resendButton(out, label = "Send the link again") {
  const button = h("button", { type: "button", class: "secondary" }, label);
  button.addEventListener("click", guard(out, async () => {
    const result = (await gql(RESEND)).resendConfirmation;
    if (result.__typename === "MailQueued") {
      return out.replaceChildren(mailboxNotice(`Check your mailbox: we sent a new link to ${account()?.email}.`));
    }
    if (result.__typename === "TooManyAttempts") holdOff(button, out, result.retryAfterSeconds);
    else out.replaceChildren(problem(result.message));
  }));
  return button;
}

// Confirming marks the address in the stored account too, so the pages stop asking for it.
function confirmedHere(email) {
  const me = account();
  if (me?.email === email) remember({ ...me, emailConfirmed: true });
}

async function nextStep() {
  if (!account()) return h("p", {}, h("a", { href: "#/signin" }, "Sign in"), " to continue.");
  if (account().role !== "APPLICANT") return h("p", {}, h("a", { href: homeOf(account().role) }, "Continue"));
  const { myApplications } = await gql(`{ myApplications { status call { id title status } } }`);
  const draft = myApplications.find((a) => a.status === "DRAFT" && a.call?.status === "OPEN");
  return draft ? h("p", {}, h("a", { href: `#/apply/${draft.call.id}` }, `Continue your application to ${draft.call.title}`))
    : h("p", {}, h("a", { href: "#/" }, "See the open calls"), " to start an application.");
}

export async function confirmPage(token) {
  const show = screen();
  const result = (await gql(CONFIRM, { t: token })).confirmEmail;
  if (result.__typename === "EmailConfirmed") {
    confirmedHere(result.email);
    return show(h("h1", {}, "Address confirmed"),
      h("p", { class: "notice", role: "status" }, `Your e-mail address ${result.email} is confirmed.`), await nextStep());
  }
  const out = h("div", {});
  show(h("h1", {}, "This link does not work"), problem(USED_UP),
    account() ? [h("p", {}, "Ask for a new confirmation link:"), h("p", {}, resendButton(out, "Send me a new link")), out]
      : h("p", {}, h("a", { href: "#/signin" }, "Sign in"), " and ask for a new link on your account page — or, if your address is confirmed already, just carry on."));
}

export function forgotPage() {
  const show = screen();
  const out = h("div", { "aria-live": "polite" });
  const button = h("button", { type: "submit" }, "Send me a link");
  const form = h("form", { novalidate: true, onsubmit: guard(out, async () => {
    const email = form.email.value.trim();
    const result = (await gql(REQUEST_RESET, { e: email })).requestPasswordReset;
    if (result.__typename !== "MailQueued") return refuse(form, button, out, result);
    show(h("h1", {}, "Check your mailbox"),
      mailboxNotice(`Check your mailbox: if an account uses ${email}, we sent it a link to choose a new password.`,
        "The link works once, for 60 minutes."),
      h("p", {}, "Remembered it after all? ", h("a", { href: "#/signin" }, "Sign in"), "."));
  }) },
  h("p", {}, "Give the address you sign in with; we e-mail you a link to choose a new password."),
  field("E-mail", h("input", { type: "email", name: "email", autocomplete: "username", required: true })),
  h("p", {}, button), out);
  show(h("h1", {}, "Forgot your password?"), form);
}

// A new password from a link; `submit(password)` returns the typed result.
function passwordForm(button, out, submit, done) {
  const password = newPassword();
  const form = h("form", { novalidate: true, onsubmit: guard(out, async () => {
    if (!password.check()) return out.replaceChildren();
    const result = await submit(password.value());
    if (result.__typename === "InvalidLink") return done(null);
    if (result.errors || result.__typename === "TooManyAttempts") return refuse(form, button, out, result);
    done(result);
  }) }, password.nodes, h("p", {}, button), out);
  return form;
}

export async function resetPage(token) {
  const show = screen();
  const out = h("div", { "aria-live": "polite" });
  const heading = h("h1", {}, "Choose a new password");
  const usedUp = () => show(heading, problem(USED_UP), h("p", {}, h("a", { href: "#/forgot" }, "Ask for a new link"), "."));
  // A link already used or expired says so at once, before a new password is typed for nothing.
  const link = (await gql(RESET_LINK, { t: token })).passwordResetLink;
  if (link.__typename !== "PasswordResetLink") return usedUp();
  const form = passwordForm(h("button", { type: "submit" }, "Change the password"), out,
    async (password) => (await gql(RESET, { t: token, p: password })).resetPassword,
    (result) => {
      if (!result) return usedUp();
      if (result.__typename !== "PasswordResetDone") return out.replaceChildren(problem(result.message));
      signOut(); // this browser's sign-in ended with every other one
      show(h("h1", {}, "Password changed"), h("p", { class: "notice", role: "status" },
        "Your password is changed; every other sign-in was ended."), h("p", {}, h("a", { href: "#/signin" }, "Sign in"),
        ` with ${result.email} and your new password.`));
    });
  show(heading, h("p", {}, `For ${link.email}.`), form);
}

export async function invitationPage(token) {
  const show = screen();
  const details = (await gql(INVITATION, { t: token })).invitation;
  const heading = h("h1", {}, "Your invitation");
  const me = account();
  const refused = () => show(heading, problem(USED_UP), me
    ? h("p", {}, `You are signed in as ${me.email}. `, h("a", { href: homeOf(me.role) }, "Go on to your page"), ".")
    : h("p", {}, "Ask the programme team for a new invitation. Set your password already? ", h("a", { href: "#/signin" }, "Sign in"), "."));
  if (details.__typename !== "InvitationDetails") return refused();
  const out = h("div", { "aria-live": "polite" });
  const form = passwordForm(h("button", { type: "submit" }, "Set my password"), out,
    async (password) => (await gql(ACCEPT, { t: token, p: password })).acceptInvitation,
    (result) => {
      if (!result) return refused();
      if (result.__typename !== "AuthPayload") return out.replaceChildren(problem(result.message));
      flashNext("Your password is set and you are signed in.");
      enter(result, homeOf(result.account.role));
    });
  show(heading, h("p", { class: "notice" }, `Welcome ${details.displayName}, you are invited as ${INVITED_AS[details.role] || "a member"}.`),
    h("p", {}, `Choose a password for ${details.email}; you sign in with this address from now on.`), form);
}
