import { gql, signedIn } from "../graphql.js";
import { field, h, setError, screen } from "../ui.js";

const AUTH_FIELDS = `__typename ... on AuthPayload { token account { id email displayName role hub } }
  ... on ValidationErrors { errors { field message } } ... on Error { message }`;

function form(title, inputs, submitLabel, onSubmit) {
  const show = screen();
  const status = h("p", { role: "status", class: "status" });
  const node = h("form", { novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    status.textContent = "…";
    try { status.textContent = await onSubmit(node) || ""; } catch (error) { status.textContent = error.message; }
  } }, ...inputs, h("p", {}, h("button", { type: "submit" }, submitLabel)), status);
  show(h("h1", {}, title), node);
}

function done(result, node) {
  if (result.__typename === "AuthPayload") {
    signedIn(result);
    window.dispatchEvent(new Event("portal:signed-in"));
    location.hash = "#/";
    return "";
  }
  for (const e of result.errors || []) {
    const input = node.querySelector(`[name=${e.field}]`);
    if (input) setError(input.closest(".field"), e.message);
  }
  return result.message;
}

export function signInPage() {
  form("Sign in", [
    field("E-mail", h("input", { type: "email", name: "email", autocomplete: "username", required: true })),
    field("Password", h("input", { type: "password", name: "password", autocomplete: "current-password", required: true })),
  ], "Sign in", async (node) => {
    const data = await gql(`mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { ${AUTH_FIELDS} } }`,
      { e: node.email.value, p: node.password.value });
    return done(data.signIn, node);
  });
}

export function signUpPage() {
  form("Sign up to apply", [
    field("Your name", h("input", { type: "text", name: "displayName", autocomplete: "name", required: true })),
    field("E-mail", h("input", { type: "email", name: "email", autocomplete: "email", required: true })),
    field("Password", h("input", { type: "password", name: "password", autocomplete: "new-password", required: true }),
      { help: "At least 10 characters." }),
  ], "Create account", async (node) => {
    const input = { email: node.email.value, password: node.password.value, displayName: node.displayName.value };
    const data = await gql(`mutation($i: SignUpInput!) { signUp(input: $i) { ${AUTH_FIELDS} } }`, { i: input });
    return done(data.signUp, node);
  });
}
