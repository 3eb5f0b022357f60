// The portal's only way to its data: GraphQL over HTTP, multipart for files, WebSocket
// (graphql-transport-ws) for live counts. The access token lives in localStorage.

const ENDPOINT = "/graphql";

export function token() { return localStorage.getItem("portal.token"); }
export function account() { return JSON.parse(localStorage.getItem("portal.account") || "null"); }
export function signedIn(payload) {
  localStorage.setItem("portal.token", payload.token);
  localStorage.setItem("portal.account", JSON.stringify(payload.account));
}
export function signOut() { localStorage.removeItem("portal.token"); localStorage.removeItem("portal.account"); }

export class GraphQLError extends Error {}

export async function gql(query, variables = {}) {
  const headers = { "Content-Type": "application/json" };
  if (token()) headers.Authorization = `Bearer ${token()}`;
  const response = await fetch(ENDPOINT, { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  const body = await response.json();
  if (response.status === 401) { signOut(); throw new GraphQLError("Your session has expired: sign in again."); }
  if (body.errors && body.errors.length) throw new GraphQLError(body.errors.map((e) => e.message).join("; "));
  return body.data;
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
      try {
        const body = JSON.parse(xhr.responseText);
        if (body.errors && body.errors.length) reject(new GraphQLError(body.errors[0].message));
        else if (body.data) resolve(body.data);
        else reject(new GraphQLError(body.message || `Upload failed (${xhr.status})`));
      } catch { reject(new GraphQLError(`Upload failed (${xhr.status})`)); }
    };
    xhr.onerror = () => reject(new GraphQLError("The upload was interrupted."));
    xhr.send(form);
  });
}

export function subscribe(query, variables, onNext, onError) {
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${ENDPOINT}`;
  const socket = new WebSocket(url, "graphql-transport-ws");
  socket.onopen = () => socket.send(JSON.stringify({ type: "connection_init",
    payload: token() ? { Authorization: `Bearer ${token()}` } : {} }));
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "connection_ack") socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query, variables } }));
    else if (message.type === "next") {
      if (message.payload.errors) onError(message.payload.errors[0].message); else onNext(message.payload.data);
    } else if (message.type === "error") onError(message.payload[0]?.message || "subscription refused");
    else if (message.type === "ping") socket.send(JSON.stringify({ type: "pong" }));
  };
  return () => socket.close();
}
