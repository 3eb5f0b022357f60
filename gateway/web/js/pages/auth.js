// Signing up and in: field errors beside their controls, a wait after too many attempts shown
// as a live countdown, the second factor asked for only when the account has one.
import { ACCOUNT, gql, signedIn } from "../graphql.js";
import { field, fieldErrors, guard, h, holdOff, languageSelect, LANGUAGES, mailboxNotice, problem, screen, setError } from "../ui.js";

export const AUTH_FIELDS = `__typename ... on AuthPayload { token account { ${ACCOUNT} } }
  ... on TooManyAttempts { retryAfterSeconds } ... on ValidationErrors { errors { field message } } ... on Error { message }`;

const SIGN_IN = `mutation($e: String!, $p: String!, $c: String) { signIn(email: $e, password: $p, code: $c) { ${AUTH_FIELDS} } }`;
const SIGN_UP = `mutation($i: SignUpInput!) { signUp(input: $i) { __typename ... on SignUpAccepted { email }
  ... on TooManyAttempts { retryAfterSeconds } ... on ValidationErrors { errors { field message } } ... on Error { message } } }`;

export const PASSWORD_HELP = "At least 10 characters, hard to guess: not a common password, a name or one character repeated.";

// Where a person lands once signed in: an admin or hub manager who must add a second factor
// first goes to their account page, where it is set up.
export function enter(payload, next = "#/") {
  signedIn(payload);
  const me = payload.account;
  location.hash = me.twoFactorRequired && !me.twoFactorEnabled ? "#/account" : next;
}

// The home of each role after an invitation is accepted.
export const homeOf = (role) => (role === "EVALUATOR" ? "#/evaluate" : role === "APPLICANT" ? "#/" : "#/team");

// Signing in leads back to the page the visitor was on (a call, My applications), else to the
// role's home (found in a UI audit: every sign-in landed on the list of calls).
const BACK = "portal.back";
const ENTRANCES = /^#\/(signin|signup|forgot|confirm\/|reset\/|invitation\/)/;
export function rememberPage(hash) { if (!ENTRANCES.test(hash)) sessionStorage.setItem(BACK, hash); }
function pageBack(role) {
  const back = sessionStorage.getItem(BACK);
  return back && back !== "#/" && back !== "#" ? back : homeOf(role);
}

// A refused AuthResult (or any typed refusal) in the form: field errors beside their controls,
// a wait as a countdown on `button`.
export function refuse(form, button, out, result) {
  if (result.__typename === "TooManyAttempts") return holdOff(button, out, result.retryAfterSeconds);
  const rest = fieldErrors(form, result.errors);
  out.replaceChildren(...(result.errors ? (rest ? [problem(rest)] : []) : [problem(result.message)]));
}

// A new password typed twice; `check()` marks a mismatch beside the repeat and says whether
// the two agree.
export function newPassword(name = "password", labelText = "New password") {
  const first = h("input", { type: "password", name, autocomplete: "new-password", required: true });
  const again = h("input", { type: "password", name: "repeat", autocomplete: "new-password", required: true });
  const repeat = field("Repeat the new password", again);
  const check = () => {
    const same = first.value === again.value;
    setError(repeat, same ? null : "The two passwords differ.");
    return same;
  };
  return { nodes: [field(labelText, first, { help: PASSWORD_HELP }), repeat], value: () => first.value, check };
}

export function signInPage() {
  const show = screen();
  const out = h("div", { "aria-live": "polite" });
  const button = h("button", { type: "submit" }, "Sign in");
  const codeInput = h("input", { type: "text", name: "code", autocomplete: "one-time-code", spellcheck: "false" });
  const code = field("Code", codeInput, { help: "The 6 digits your authenticator app shows now, or one of your recovery codes." });
  code.hidden = true;
  const form = h("form", { novalidate: true, onsubmit: guard(out, async () => {
    out.replaceChildren(h("p", { class: "status" }, "Signing in…"));
    const variables = { e: form.email.value.trim(), p: form.password.value, c: code.hidden ? null : codeInput.value.trim() || null };
    const result = (await gql(SIGN_IN, variables)).signIn;
    if (result.__typename === "AuthPayload") return enter(result, pageBack(result.account.role));
    if (result.__typename === "SecondFactorRequired") {
      const first = code.hidden;
      code.hidden = false;
      codeInput.focus();
      return out.replaceChildren(first ? h("p", { class: "notice", role: "status" }, "Your password is right. Now enter the code from your authenticator app.")
        : problem(result.message));
    }
    refuse(form, button, out, result);
  }) },
  field("E-mail", h("input", { type: "email", name: "email", autocomplete: "username", required: true })),
  field("Password", h("input", { type: "password", name: "password", autocomplete: "current-password", required: true })),
  code, h("p", {}, button), out);
  show(h("h1", {}, "Sign in"), form,
    h("p", {}, h("a", { href: "#/forgot" }, "Forgot your password?")),
    h("p", {}, "New here? ", h("a", { href: "#/signup" }, "Sign up to apply"), "."));
}

// The browser's language when the portal speaks it, else English.
const preferredLanguage = () => {
  const mine = (navigator.language || "en").slice(0, 2);
  return LANGUAGES.some(([code]) => code === mine) ? mine : "en";
};

export function signUpPage() {
  const show = screen();
  const out = h("div", { "aria-live": "polite" });
  const button = h("button", { type: "submit" }, "Create account");
  const form = h("form", { novalidate: true, onsubmit: guard(out, async () => {
    const input = { email: form.email.value.trim(), password: form.password.value, displayName: form.displayName.value.trim(),
      language: form.language.value };
    const result = (await gql(SIGN_UP, { i: input })).signUp;
    if (result.__typename !== "SignUpAccepted") return refuse(form, button, out, result);
    await accepted(result.email, input.password);
  }) },
  field("Your name", h("input", { type: "text", name: "displayName", autocomplete: "name", required: true })),
  field("E-mail", h("input", { type: "email", name: "email", autocomplete: "email", required: true })),
  field("Password", h("input", { type: "password", name: "password", autocomplete: "new-password", required: true }), { help: PASSWORD_HELP }),
  field("Language of the messages we send you", languageSelect("language", preferredLanguage())),
  h("p", {}, button), out);

  // The same message whatever the address; signing in works only when the account is new
  // (or the password is the owner's), and drafting needs no confirmed address.
  async function accepted(email, password) {
    const notice = mailboxNotice(`Check your mailbox: we sent a link to ${email}. Open it to confirm your address.`,
      "Drafting an application needs no confirmed address; submitting one does.");
    const hint = h("p", {}, "No mail after a few minutes? Look in the spam folder, or ",
      h("a", { href: "#/signup" }, "sign up again"), " with the right address.");
    show(h("h1", {}, "Check your mailbox"), notice, hint);
    const result = (await gql(SIGN_IN, { e: email, p: password, c: null }).catch(() => null))?.signIn;
    if (result?.__typename !== "AuthPayload") return;
    signedIn(result);
    // Signed in, the account exists: the mail is sent again from it, not by signing up again.
    hint.replaceChildren("No mail after a few minutes? Look in the spam folder, or send it again from ",
      h("a", { href: "#/account" }, "your account"), ".");
    notice.append(h("p", {}, "You are signed in. ", h("a", { href: "#/" }, "See the open calls"), " and start drafting."));
  }
  show(h("h1", {}, "Sign up to apply"), form, h("p", {}, "Have an account? ", h("a", { href: "#/signin" }, "Sign in"), "."));
}
