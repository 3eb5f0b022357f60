// The portal's only way to its data: GraphQL over HTTP, multipart for files, WebSocket
// (graphql-transport-ws) for live counts. The access token lives in localStorage.

const ENDPOINT = "/graphql";

// What the pages keep of the signed-in account (the header, the role's pages, the
// second-factor notice).
export const ACCOUNT = "id email displayName role hub emailConfirmed twoFactorEnabled twoFactorRequired";

export function token() { return localStorage.getItem("portal.token"); }
export function account() { return JSON.parse(localStorage.getItem("portal.account") || "null"); }
export function remember(me) { localStorage.setItem("portal.account", JSON.stringify(me)); }
export function signedIn(payload) {
  localStorage.setItem("portal.token", payload.token);
  remember(payload.account);
  window.dispatchEvent(new Event("portal:signed-in"));
}
// Also after a 401: the page hears of it, so the header stops offering "Sign out".
export function signOut() {
  localStorage.removeItem("portal.token");
  localStorage.removeItem("portal.account");
  window.dispatchEvent(new Event("portal:signed-out"));
}

export class GraphQLError extends Error {}
// The session ended (a sign-out elsewhere, a password change, its time): the page says so and
// offers to sign in, not "Something went wrong".
export class SessionEnded extends GraphQLError {}

// What a failed HTTP answer means to a person; proxies answer 413/502 with HTML, not JSON.
function httpFailure(status, body) {
  if (status === 401) { signOut(); return new SessionEnded("Your session has ended: sign in again."); }
  if (body?.errors?.length) return new GraphQLError(body.errors.map((e) => e.message).join("; "));
  if (status === 413) return new GraphQLError("The file is too large.");
  if (body?.message) return new GraphQLError(body.message);
  if (status >= 500) return new GraphQLError(`The server is unavailable (${status}); try again in a moment.`);
  return new GraphQLError(`The request failed (${status}).`);
}

function parsed(text) {
  try { return JSON.parse(text); } catch { return null; }
}

export async function gql(query, variables = {}) {
  const headers = { "Content-Type": "application/json" };
  if (token()) headers.Authorization = `Bearer ${token()}`;
  let response;
  try { response = await fetch(ENDPOINT, { method: "POST", headers, body: JSON.stringify({ query, variables }) }); }
  catch { throw new GraphQLError("The server could not be reached: check your connection and try again."); }
  const body = parsed(await response.text());
  if (response.ok && body && !body.errors?.length) return body.data;
  throw httpFailure(response.status, body);
}

// One file, following the GraphQL multipart request spec; progress comes from the XHR.
export function upload(query, variables, fileVariable, file, onProgress) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    form.append("operations", JSON.stringify({ query, variables: { ...variables, [fileVariable]: null } }));
    form.append("map", JSON.stringify({ 0: [`variables.${fileVariable}`] }));
    form.append("0", file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", ENDPOINT);
    xhr.setRequestHeader("X-Portal-Upload", "1");
    if (token()) xhr.setRequestHeader("Authorization", `Bearer ${token()}`);
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
    xhr.onload = () => {
      const body = parsed(xhr.responseText);
      if (xhr.status >= 200 && xhr.status < 300 && body?.data && !body.errors?.length) resolve(body.data);
      else reject(httpFailure(xhr.status, body));
    };
    xhr.onerror = () => reject(new GraphQLError("The upload was interrupted."));
    xhr.send(form);
  });
}

// The server's refusals (graphql-transport-ws close codes): reconnecting would be refused again.
const REFUSED = new Set([4400, 4401, 4403, 4406]);
const FIRST_RETRY_MS = 500;
const LAST_RETRY_MS = 10000;

// A live subscription that outlives a dropped socket or a gateway restart: it reconnects with
// a doubling, jittered delay (0.5 s up to 10 s) and subscribes again; the server then sends the
// current value first, so nothing missed meanwhile stays missing. `onStatus` (optional) hears
// "reconnecting" and "live"; without it a drop is told through `onError`. Call the result to stop.
export function subscribe(query, variables, onNext, onError, onStatus) {
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${ENDPOINT}`;
  let socket = null;
  let stopped = false;
  let retries = 0;
  let timer = null;
  const transient = (state, text) => (onStatus ? onStatus(state) : onError(text));
  const fatal = (message) => { stopped = true; socket?.close(); onError(message); };

  function connect() {
    socket = new WebSocket(url, "graphql-transport-ws");
    const mine = socket;
    mine.onopen = () => mine.send(JSON.stringify({ type: "connection_init",
      payload: token() ? { Authorization: `Bearer ${token()}` } : {} }));
    mine.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.type === "connection_ack") mine.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query, variables } }));
      else if (message.type === "next") {
        if (message.payload.errors) return fatal(message.payload.errors[0].message);
        retries = 0;
        onStatus?.("live");
        onNext(message.payload.data);
      } else if (message.type === "error") fatal(message.payload[0]?.message || "The live updates were refused.");
      else if (message.type === "ping") mine.send(JSON.stringify({ type: "pong" }));
    };
    mine.onclose = (event) => {
      if (stopped || mine !== socket) return;
      if (REFUSED.has(event.code)) return fatal(event.reason || "The live updates were refused.");
      const ceiling = Math.min(LAST_RETRY_MS, FIRST_RETRY_MS * 2 ** retries++);
      transient("reconnecting", "Reconnecting…");
      timer = setTimeout(connect, ceiling / 2 + Math.random() * (ceiling / 2)); // jitter: clients part ways after a restart
    };
  }
  connect();
  return () => { stopped = true; clearTimeout(timer); socket.close(); };
}
