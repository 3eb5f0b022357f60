// The programme team's view of the mail outbox: what went out, what waits, what failed (with
// a retry), each message previewed as its recipient reads it.
import { account, gql } from "../graphql.js";
import { counted, field, fileSize, guard, h, instant, pager, problem, screen } from "../ui.js";
import { teamOnly } from "./team.js";

const MAIL = "id to subject kind language state attempts lastError createdAt sentAt text html attachments { fileName contentType size }";
const OUTBOX = `query($s: MailState, $t: String, $n: Int!, $o: Int!) { mailOutbox(state: $s, to: $t, first: $n, offset: $o) {
  totalCount items { ${MAIL} } } }`;
const RETRY = `mutation($id: ID!) { retryMail(id: $id) { __typename ... on Mail { ${MAIL} } ... on Error { message } } }`;

export const MAIL_KINDS = {
  confirm_email: "Address confirmation", reset_password: "Password reset", invitation: "Invitation",
  sign_up_repeated: "Sign-up with a known address", password_changed: "Password changed",
  submission_receipt: "Submission receipt", draft_reminder_72h: "Draft reminder (72 h)", draft_reminder_24h: "Draft reminder (24 h)",
  evaluation_assigned: "Evaluation assigned", evaluation_reminder: "Evaluation reminder",
  assignment_moved_away: "Assignment moved away", outcome: "Outcome", daily_digest: "Daily digest",
};
const STATES = [["", "All"], ["QUEUED", "Queued"], ["SENT", "Sent"], ["FAILED", "Failed"]];
const stateName = (state) => STATES.find(([code]) => code === state)?.[1].toLowerCase() || state;
const kindName = (kind) => MAIL_KINDS[kind] || kind.replaceAll("_", " ");
const PAGE = 50;

export async function mailPage() {
  const show = screen();
  if (!teamOnly(show)) return;
  const heading = h("h1", {}, "Mail");
  if (account().role !== "ADMIN") return show(heading, h("p", { class: "notice" }, "The mail outbox is for the programme team."));
  const state = h("select", { name: "state" }, STATES.map(([code, text]) => h("option", { value: code }, text)));
  const to = h("input", { type: "search", name: "to", placeholder: "part of an address" });
  const list = h("div", { id: "outbox" });
  const status = h("div", { role: "status" });
  let offset = 0;

  const filters = () => ({ s: state.value || null, t: to.value.trim() || null });
  async function load() {
    const { mailOutbox } = await gql(OUTBOX, { ...filters(), n: PAGE, o: offset });
    list.replaceChildren(summaryLine(mailOutbox), ...(mailOutbox.items.length ? [table(mailOutbox.items)] : []), pages(mailOutbox.totalCount));
  }
  const reload = guard(status, async () => { offset = 0; await load(); });

  const summaryLine = ({ totalCount, items }) => h("p", { class: "muted" }, totalCount
    ? `${offset + 1}–${offset + items.length} of ${counted(totalCount, "message")}, newest first.` : "No message matches.");

  function pages(total) {
    const go = (at) => guard(status, async () => { offset = at; await load(); });
    return pager({ offset, size: PAGE, total, go });
  }

  function table(items) {
    return h("div", { class: "scroll" }, h("table", { id: "mail" },
      h("thead", {}, h("tr", {}, ["To", "Subject", "Kind", "State", "Attempts", "Created"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, items.map(row))));
  }

  function row(mail) {
    const out = h("div", {});
    const preview = h("tr", { hidden: true }, h("td", { colspan: "6" }, out));
    const toggle = h("button", { type: "button", class: "secondary small", "aria-expanded": "false",
      "aria-label": `Preview “${mail.subject}” to ${mail.to}`, onclick: () => {
        const open = preview.hidden;
        preview.hidden = !open;
        toggle.setAttribute("aria-expanded", String(open));
        if (open && !out.childNodes.length) out.replaceChildren(previewOf(mail));
      } }, "Preview");
    const retry = mail.state === "FAILED" ? h("button", { type: "button", class: "small", onclick: guard(out, async () => {
      const result = (await gql(RETRY, { id: mail.id })).retryMail;
      if (result.__typename !== "Mail") {
        preview.hidden = false;
        return out.replaceChildren(problem(result.message));
      }
      status.replaceChildren(h("p", { class: "notice" }, `“${mail.subject}” to ${mail.to} is queued again.`));
      await load();
    }) }, "Retry") : null;
    // The actions sit under the subject: a phone shows them without scrolling the table.
    return [h("tr", {}, h("td", {}, mail.to), h("th", { scope: "row" }, mail.subject, h("div", { class: "row" }, toggle, retry)),
      h("td", {}, kindName(mail.kind)),
      h("td", { class: mail.state === "FAILED" ? "bad" : null }, stateName(mail.state),
        mail.lastError ? h("div", { class: "muted" }, mail.lastError) : null),
      h("td", {}, mail.attempts), h("td", {}, h("time", { datetime: mail.createdAt }, instant(mail.createdAt)),
        mail.sentAt ? h("div", { class: "muted" }, "sent ", instant(mail.sentAt)) : null)), preview];
  }

  // sandbox="" : the HTML runs no script, submits no form and reaches nothing of the portal.
  function previewOf(mail) {
    return h("div", { class: "mail-preview" },
      h("h3", {}, "Plain text"), h("pre", { class: "mail-text" }, mail.text),
      mail.html ? [h("h3", {}, "HTML"), h("iframe", { sandbox: "", srcdoc: mail.html, title: `HTML of “${mail.subject}”`, class: "mail-html" })] : null,
      h("h3", {}, "Attachments"), mail.attachments.length ? h("ul", {}, mail.attachments.map((a) =>
        h("li", {}, `${a.fileName} (${a.contentType}, ${fileSize(a.size)})`))) : h("p", { class: "muted" }, "None."));
  }

  const form = h("form", { class: "filters", role: "search", "aria-label": "Filter the mail", onsubmit: reload },
    field("Recipient", to), field("State", state), h("div", { class: "row" }, h("button", { type: "submit" }, "Search")));
  state.addEventListener("change", reload);
  await load();
  show(heading, h("p", {}, h("a", { href: "#/team" }, "Back to the calls")), form, status, list);
}
