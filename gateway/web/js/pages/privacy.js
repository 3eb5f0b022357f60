// "Your data" on the account page: everything the portal holds about the signed-in person as
// one zip, fetched with the access token and saved as a file (like the other downloads).
import { signOut, token } from "../graphql.js";
import { fileSize, guard, h } from "../ui.js";

const ARCHIVE = "/me/archive.zip";

function fileNameOf(response) {
  const named = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
  return named ? named[1] : "portal-data.zip";
}

async function refusal(response) {
  if (response.status === 401) { signOut(); return "Your session has ended: sign in again."; }
  try { return (await response.json()).message || `The download failed (${response.status}).`; }
  catch { return `The download failed (${response.status}); try again in a moment.`; }
}

async function download(out) {
  out.replaceChildren(h("p", { class: "notice", role: "status" }, "Gathering your data…"));
  let response;
  try { response = await fetch(ARCHIVE, { headers: { Authorization: `Bearer ${token()}` } }); }
  catch { throw new Error("The server could not be reached: check your connection and try again."); }
  if (!response.ok) throw new Error(await refusal(response));
  const blob = await response.blob();
  const name = fileNameOf(response);
  const link = h("a", { href: URL.createObjectURL(blob), download: name }, name);
  out.replaceChildren(h("p", { class: "notice", role: "status" }, "Your data is ready: ", link, ` (${fileSize(blob.size)}).`));
  link.click();
}

export function dataSection() {
  const out = h("div", { "aria-live": "polite" });
  return h("section", { class: "card", "aria-labelledby": "data-h" }, h("h2", { id: "data-h" }, "Your data"),
    h("p", {}, "One zip file with everything the portal holds about you: your account, each application with ",
      "its answers, versions, files and outcome, your submission receipts, and every e-mail we sent you. ",
      "A README inside says what each file is."),
    h("p", {}, h("button", { type: "button", onclick: guard(out, () => download(out)) }, "Download all my data")), out);
}
