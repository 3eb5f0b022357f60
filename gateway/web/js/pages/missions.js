// Missions and their challenges, hub by hub. Everybody reads them; hub managers write their
// own hub's, the programme team any hub's (the registry checks it again), and the team sees
// which hubs still lack the mission every hub needs.
import { account, gql } from "../graphql.js";
import { showErrors, slot } from "../errors.js";
import { counted, field, guard, h, screen } from "../ui.js";

const ERRORS = "... on ValidationErrors { errors { field message } } ... on Error { message }";
const DATA = `{ hubs { code name hostOrganisation missions { id title description strategies valueChains { code name }
  challenges { id title description strategies } } } valueChains { code name } strategies { code name targeted } }`;
const SAVES = {
  createMission: `mutation($i: MissionInput!) { createMission(input: $i) { __typename ... on Mission { id title } ${ERRORS} } }`,
  updateMission: `mutation($id: ID!, $i: MissionUpdateInput!) { updateMission(id: $id, input: $i) { __typename ... on Mission { id title } ${ERRORS} } }`,
  createChallenge: `mutation($i: ChallengeInput!) { createChallenge(input: $i) { __typename ... on Challenge { id title } ${ERRORS} } }`,
  updateChallenge: `mutation($id: ID!, $i: ChallengeUpdateInput!) { updateChallenge(id: $id, input: $i) { __typename ... on Challenge { id title } ${ERRORS} } }`,
};

let flash = null; // said once on the page painted after a save

const mayManage = (me, hub) => me && (me.role === "ADMIN" || (me.role === "HUB_MANAGER" && me.hub === hub));

export async function missionsPage() {
  const show = screen();
  const me = account();
  const data = await gql(DATA);
  const without = me?.role === "ADMIN" ? (await gql("{ hubsWithoutMission { code name } }")).hubsWithoutMission : null;
  const strategyName = Object.fromEntries(data.strategies.map((x) => [x.code, x]));
  // The hub manager's own hub first: that is where they write.
  const hubs = [...data.hubs].sort((a, b) => (b.code === me?.hub) - (a.code === me?.hub));
  const status = h("p", { class: "notice", role: "status", hidden: !flash }, flash || "");
  flash = null;
  const reload = (message) => { flash = message; return missionsPage(); };

  const strategies = (codes) => (codes.length ? h("p", {}, h("strong", {}, "Strategies: "), codes.map((c, i) => [i ? ", " : "",
    strategyName[c]?.name || c, strategyName[c]?.targeted ? [" ", h("span", { class: "tag" }, "targeted")] : null])) : null);

  // The form for a new or an existing mission or challenge; `save(values)` returns the result.
  function editor({ legend, values, withChains, hubChoice, submitLabel, save, onCancel }) {
    const summary = h("div", { tabindex: "-1" });
    const chosen = { chains: new Set(values.valueChains || []), strategies: new Set(values.strategies || []) };
    const box = (set, code, text) => h("label", { class: "check" }, h("input", { type: "checkbox", value: code, checked: set.has(code),
      onchange: (e) => { if (e.target.checked) set.add(code); else set.delete(code); } }), " ", text);
    const title = h("input", { type: "text", value: values.title || "", "aria-required": "true" });
    const description = h("textarea", {}, values.description || "");
    const hub = hubChoice ? h("select", {}, hubChoice.map((x) => h("option", { value: x.code }, x.name))) : null;
    const form = h("form", { class: "card", novalidate: true, onsubmit: guard(summary, async () => {
      const result = await save({ hub: hub?.value, title: title.value, description: description.value,
        valueChains: [...chosen.chains], strategies: [...chosen.strategies] });
      if (result.errors || !result.id) {
        showErrors(form, summary, result.errors || [], result.errors ? `Not saved: ${counted(result.errors.length, "problem")}.` : null);
        if (!result.errors) summary.replaceChildren(h("p", { class: "notice bad", role: "alert" }, `Not saved: ${result.message}`));
        return;
      }
      await reload(`Saved “${result.title}”.`);
    }) }, h("fieldset", {}, h("legend", {}, legend), summary,
      hub ? slot("hub", field("Hub", hub)) : null,
      slot("title", field("Title *", title)),
      slot("description", field("Description", description)),
      withChains ? slot("valueChains", h("fieldset", {}, h("legend", {}, "Value chains *"),
        h("div", { class: "checks" }, data.valueChains.map((v) => box(chosen.chains, v.code, v.name))))) : null,
      slot("strategies", h("fieldset", {}, h("legend", {}, "Circular strategies"),
        h("p", { class: "help" }, "The programme targets the ones marked “targeted”."),
        h("div", { class: "checks" }, data.strategies.map((x) => box(chosen.strategies, x.code,
          [x.name, x.targeted ? [" ", h("span", { class: "tag" }, "targeted")] : null]))))),
      h("div", { class: "row" }, h("button", { type: "submit" }, submitLabel),
        onCancel ? h("button", { type: "button", class: "secondary", onclick: onCancel }, "Cancel") : null)));
    return form;
  }
  const answer = async (name, variables) => Object.values(await gql(SAVES[name], variables))[0];

  // A card that turns into its editor in place, and back on Cancel.
  function editButton(card, text, name, open) {
    const button = h("button", { type: "button", class: "secondary small", "aria-label": `${text} ${name}`, onclick: () => {
      const form = open(() => { form.replaceWith(card); button.focus(); });
      card.replaceWith(form);
      form.querySelector("input")?.focus();
    } }, text);
    return button;
  }

  function challengeCard(hub, c) {
    const card = h("li", { class: "challenge" }, h("strong", {}, c.title), c.description ? h("p", {}, c.description) : null,
      strategies(c.strategies));
    if (mayManage(me, hub.code)) {
      card.append(h("p", {}, editButton(card, "Edit challenge", c.title, (cancel) => editor({ legend: `Edit challenge: ${c.title}`,
        values: c, submitLabel: "Save challenge", onCancel: cancel,
        save: ({ title, description, strategies: s }) => answer("updateChallenge", { id: c.id, i: { title, description, strategies: s } }) }))));
    }
    return card;
  }

  function missionCard(hub, m) {
    const manage = mayManage(me, hub.code);
    const card = h("article", { class: "card" }, h("h3", {}, m.title), m.description ? h("p", {}, m.description) : null,
      h("p", {}, h("strong", {}, "Value chains: "), m.valueChains.map((v) => v.name).join(", ")), strategies(m.strategies),
      h("h4", {}, `Challenges (${m.challenges.length})`),
      m.challenges.length ? h("ul", {}, m.challenges.map((c) => challengeCard(hub, c))) : h("p", { class: "muted" }, "No challenge yet."));
    if (!manage) return card;
    const edit = editButton(card, "Edit mission", m.title, (cancel) => editor({ legend: `Edit mission: ${m.title}`, withChains: true,
      values: { ...m, valueChains: m.valueChains.map((v) => v.code) }, submitLabel: "Save mission", onCancel: cancel,
      save: ({ title, description, valueChains, strategies: s }) => answer("updateMission", { id: m.id, i: { title, description, valueChains, strategies: s } }) }));
    card.insertBefore(h("p", {}, edit), card.querySelector("h4"));
    card.append(h("details", {}, h("summary", {}, `New challenge under “${m.title}”`),
      editor({ legend: `New challenge for ${m.title}`, values: {}, submitLabel: "Create challenge",
        save: ({ title, description, strategies: s }) => answer("createChallenge", { i: { missionId: m.id, title, description, strategies: s } }) })));
    return card;
  }

  const manageable = hubs.filter((x) => mayManage(me, x.code));
  show(
    h("h1", {}, "Missions and challenges"),
    h("p", {}, "Each hub sets missions for the programme's value chains and derives concrete challenges from them; open calls target the challenges."),
    status,
    without ? h("section", { class: "notice", "aria-labelledby": "without-title" }, h("h2", { id: "without-title" }, "Hubs still without a mission"),
      without.length ? h("ul", {}, without.map((x) => h("li", {}, `${x.name} (${x.code})`))) : h("p", {}, "Every hub has at least one mission.")) : null,
    manageable.length ? h("details", { class: "new-mission" }, h("summary", {}, "Write a new mission"),
      editor({ legend: "New mission", values: {}, withChains: true, hubChoice: manageable, submitLabel: "Create mission",
        save: (v) => answer("createMission", { i: { hub: v.hub, title: v.title, description: v.description, valueChains: v.valueChains,
          strategies: v.strategies } }) })) : null,
    hubs.map((hub) => h("section", { "aria-labelledby": `hub-${hub.code}` }, h("h2", { id: `hub-${hub.code}` }, `${hub.name} · ${hub.hostOrganisation}`),
      hub.missions.length ? hub.missions.map((m) => missionCard(hub, m)) : h("p", { class: "muted" }, "No mission yet."))),
  );
}
