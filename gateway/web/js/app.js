// A hash router over the pages; each page is a function that renders into <main>.
import { account, SessionEnded, signOut } from "./graphql.js";
import { currentRoute, h, newRoute, problem, screen, unloadLoses, unsavedQuestion } from "./ui.js";
import { callsPage, callPage } from "./pages/calls.js";
import { rememberPage, signInPage, signUpPage } from "./pages/auth.js";
import { confirmPage, forgotPage, invitationPage, resetPage } from "./pages/links.js";
import { accountPage, notificationsPage } from "./pages/account.js";
import { mailPage } from "./pages/mail.js";
import { auditPage } from "./pages/audit.js";
import { accountsPage } from "./pages/accounts.js";
import { applyPage, receiptPage } from "./pages/apply.js";
import { minePage, myApplicationPage } from "./pages/mine.js";
import { assignmentPage, assignmentsPage } from "./pages/evaluate.js";
import { teamCallPage, teamPage } from "./pages/team.js";
import { applicationPage, applicationsPage } from "./pages/applications.js";
import { poolPage } from "./pages/pool.js";
import { editorPage, manageListPage, newCallPage } from "./pages/author.js";
import { missionsPage } from "./pages/missions.js";

const routes = [
  [/^\/?$/, callsPage], [/^\/call\/(.+)$/, callPage], [/^\/signin$/, signInPage], [/^\/signup$/, signUpPage],
  [/^\/forgot$/, forgotPage], [/^\/confirm\/(.+)$/, confirmPage], [/^\/reset\/(.+)$/, resetPage],
  [/^\/invitation\/(.+)$/, invitationPage], [/^\/account$/, accountPage], [/^\/notifications$/, notificationsPage],
  [/^\/apply\/(.+)$/, applyPage], [/^\/receipt\/([^/]+)(?:\/(\d+))?$/, receiptPage], [/^\/mine$/, minePage], [/^\/mine\/(.+)$/, myApplicationPage],
  [/^\/evaluate$/, assignmentsPage], [/^\/evaluate\/(.+)$/, assignmentPage],
  // Mail, audit and accounts before a call's id (no call has those ids).
  [/^\/team$/, teamPage], [/^\/team\/mail$/, mailPage], [/^\/team\/audit$/, auditPage], [/^\/team\/accounts$/, accountsPage], [/^\/team\/([^/?]+)$/, teamCallPage],
  // The applications list keeps its filters in the hash's query (read by the page itself).
  [/^\/team\/([^/?]+)\/applications(?:\?.*)?$/, applicationsPage], [/^\/team\/([^/?]+)\/applications\/([^/?]+)$/, applicationPage],
  [/^\/team\/([^/?]+)\/(?:pool|assignments)$/, poolPage],
  [/^\/manage$/, manageListPage], [/^\/manage\/new$/, newCallPage], [/^\/manage\/(.+)$/, editorPage], [/^\/missions$/, missionsPage],
];

let leave = null; // what the current page needs to stop (a live subscription, a timer)

function renderWho() {
  const me = account();
  const who = document.getElementById("who");
  const role = me?.role;
  for (const link of document.querySelectorAll("nav [data-role]")) {
    const wanted = link.dataset.role;
    link.hidden = !(role && (wanted === role.toLowerCase() || wanted === "any"
      || (wanted === "team" && (role === "ADMIN" || role === "HUB_MANAGER"))));
  }
  who.replaceChildren(...(me
    ? [h("a", { href: "#/account", title: "Your account" }, `${me.displayName} · ${me.role.toLowerCase().replace("_", " ")}`),
       h("button", { class: "secondary", type: "button", onclick: () => { signOut(); location.hash = "#/"; } }, "Sign out")]
    : [h("a", { href: "#/signin" }, "Sign in"), " · ", h("a", { href: "#/signup" }, "Sign up")]));
}

// How long the next page waits for the last one's leaving work (a save on a slow network).
const LEAVE_WAIT_MS = 3000;

let shownHash = location.hash;
let returning = false; // the hash put back after the visitor chose to stay

async function route() {
  if (returning) { returning = false; return; }
  const question = unsavedQuestion();
  if (question && !window.confirm(question)) {
    returning = true;
    location.hash = shownHash;
    return;
  }
  shownHash = location.hash;
  if (leave) {
    const leaving = leave();
    leave = null;
    await Promise.race([leaving, new Promise((done) => setTimeout(done, LEAVE_WAIT_MS))]);
  }
  const mine = newRoute();
  const show = screen();
  renderWho();
  rememberPage(location.hash);
  // A malformed escape (a link cut short: "%E0%A4%A") is no page, not an uncaught error.
  let path;
  try { path = decodeURIComponent(location.hash.replace(/^#/, "")); } catch { path = null; }
  for (const [pattern, page] of path === null ? [] : routes) {
    const match = path.match(pattern);
    if (match) {
      try {
        const stop = await page(...match.slice(1));
        // A page that finishes loading after the visitor moved on is stopped at once.
        if (typeof stop === "function") { if (mine === currentRoute()) leave = stop; else stop(); }
      }
      catch (error) {
        if (error instanceof SessionEnded) show(h("h1", {}, "Signed out"), h("p", {}, "Your session has ended. ", h("a", { href: "#/signin" }, "Sign in again"), "."));
        else show(h("h1", {}, "Something went wrong"), problem(error.message));
      }
      return;
    }
  }
  show(h("h1", {}, "Not found"), h("p", {}, h("a", { href: "#/" }, "Back to the calls")));
}

window.addEventListener("hashchange", route);
// "Skip to content" moves the focus to the page, not the router to a page named "main".
document.querySelector("a.skip").addEventListener("click", (event) => {
  event.preventDefault();
  document.getElementById("main").focus();
});
// Closing or reloading the tab: the browser asks its own question.
window.addEventListener("beforeunload", (event) => { if (unloadLoses()) event.preventDefault(); });
window.addEventListener("portal:signed-in", renderWho);
window.addEventListener("portal:signed-out", renderWho);
route();
