// Tiny DOM helpers: every text goes in as text, never as HTML.

export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2).toLowerCase(), value);
    else if (key === "class") node.className = value;
    else if (value === true) node.setAttribute(key, "");
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

let generation = 0;
export function newRoute() { generation += 1; }

// A page's own `show`: once the visitor has moved on, a late answer no longer paints over
// the page they are on.
export function screen() {
  const mine = generation;
  return (...nodes) => {
    if (mine !== generation) return;
    const main = document.getElementById("main");
    main.replaceChildren(...nodes.flat(Infinity).filter((n) => n !== null && n !== undefined && n !== false));
    main.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  };
}

let uid = 0;
export const nextId = (prefix) => `${prefix}-${++uid}`;

export function field(labelText, control, { help, errorId } = {}) {
  const id = control.id || nextId("f");
  control.id = id;
  const helpNode = help ? h("p", { class: "help", id: `${id}-help` }, help) : null;
  if (helpNode) control.setAttribute("aria-describedby", helpNode.id);
  const error = h("p", { class: "error", id: errorId || `${id}-error`, role: "alert", hidden: true });
  return h("div", { class: "field" }, h("label", { for: id }, labelText), helpNode, control, error);
}

export function setError(container, message) {
  const error = container.querySelector(".error");
  if (!error) return;
  error.hidden = !message;
  error.textContent = message || "";
  const control = container.querySelector("input, select, textarea");
  if (control) control.setAttribute("aria-invalid", message ? "true" : "false");
}

export function money(amount, currency = "EUR") {
  return new Intl.NumberFormat(undefined, { style: "currency", currency, maximumFractionDigits: 0 }).format(amount);
}

export function when(iso, timeZone) {
  // dateStyle cannot be combined with timeZoneName, so the zone is named separately.
  const date = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short", timeZone }).format(new Date(iso));
  const zone = new Intl.DateTimeFormat(undefined, { timeZone, timeZoneName: "short" }).formatToParts(new Date(iso))
    .find((p) => p.type === "timeZoneName")?.value;
  return zone ? `${date} ${zone}` : date;
}

export function countdown(iso) {
  const ms = new Date(iso) - Date.now();
  if (ms <= 0) return "closed";
  const days = Math.floor(ms / 86400000), hours = Math.floor((ms % 86400000) / 3600000);
  const minutes = Math.floor((ms % 3600000) / 60000);
  return days ? `${days} d ${hours} h left` : `${hours} h ${minutes} min left`;
}

export function bars(title, buckets) {
  const max = Math.max(1, ...buckets.map((b) => b.count));
  return h("figure", { class: "chart" }, h("figcaption", {}, h("strong", {}, title)),
    buckets.length ? buckets.map((b) => h("div", { class: "bar" },
      h("span", {}, b.key), h("span", { "aria-hidden": "true" }, h("span", { class: "fill", style: `width:${(100 * b.count) / max}%` })),
      h("span", {}, b.count))) : h("p", { class: "muted" }, "Nothing yet."));
}
