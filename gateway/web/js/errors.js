// Field errors from the registry shown beside the controls they name. A block (a field or a
// fieldset) carries its input path in data-slot, e.g. "form.questions.2.maxLength"; an error
// whose path has no block goes to its nearest parent block, and every error is also listed in
// a summary whose links take the author to the control. No registry to keep in step: the
// blocks are found in the DOM, so re-rendered sections need no bookkeeping.
import { counted, h, labelName, markControl, nextId } from "./ui.js";

// The registry writes list positions as [2], GraphQL clients often as .2: one form for both.
export const normalise = (path) => path.replace(/\[(\d+)\]/g, ".$1");

// Marks `node` as the block for `path` and gives it an error line if it has none yet.
export function slot(path, node) {
  node.dataset.slot = normalise(path);
  if (!node.querySelector(":scope > .error")) node.append(h("p", { class: "error", hidden: true }));
  const error = node.querySelector(":scope > .error");
  error.id ||= nextId("error");
  return node;
}

// The controls a block owns (not those of a nested block).
const ownControls = (block) => [...block.querySelectorAll("input, select, textarea")]
  .filter((control) => control.closest("[data-slot]") === block);

function mark(block, message) {
  const error = block.querySelector(":scope > .error");
  error.hidden = !message;
  error.textContent = message || "";
  for (const control of ownControls(block)) markControl(control, error, message);
}

export function blockFor(root, path) {
  let at = normalise(path);
  while (at) {
    const block = root.querySelector(`[data-slot="${CSS.escape(at)}"]`);
    if (block) return block;
    at = at.includes(".") ? at.slice(0, at.lastIndexOf(".")) : "";
  }
  return null;
}

// What the author reads for a block: its data-name, else its label or legend, without the
// required mark, after the item of a list it belongs to ("Question 2 · Label").
const ownName = (node) => labelName(node.dataset.name || node.querySelector(":scope > label, :scope > legend")?.textContent || "");
export function blockName(block) {
  const item = block.parentElement?.closest("fieldset.item");
  return [item ? ownName(item) : null, ownName(block)].filter(Boolean).join(" · ");
}

function reveal(block) {
  for (let node = block; node; node = node.parentElement) if (node.tagName === "DETAILS") node.open = true;
  const control = ownControls(block).find((c) => !c.disabled) || block.querySelector("input, select, textarea, button");
  control?.focus();
}

// Clears every block under `root`, shows `errors` beside theirs, and fills `summary` (focused,
// so a screen reader hears it). Returns how many errors found no block.
export function showErrors(root, summary, errors, heading, { focus = true } = {}) {
  for (const block of root.querySelectorAll("[data-slot]")) mark(block, null);
  summary.replaceChildren();
  if (!errors.length) return 0;
  const byBlock = new Map();
  let unmatched = 0;
  const lines = errors.map((e) => {
    const block = blockFor(root, e.field);
    if (!block) { unmatched += 1; return h("li", {}, `${e.field}: ${e.message}`); }
    byBlock.set(block, [...(byBlock.get(block) || []), e.message]);
    const path = normalise(e.field);
    return h("li", {}, h("a", { href: location.hash, onclick: (event) => {
      event.preventDefault();
      const again = blockFor(root, path); // found again: the section may have been re-rendered
      if (again) reveal(again);
    } }, blockName(block) || e.field), `: ${e.message}`);
  });
  for (const [block, messages] of byBlock) mark(block, messages.join("; "));
  summary.replaceChildren(h("div", { class: "notice bad", role: "alert" },
    h("strong", {}, heading || `Please fix ${counted(errors.length, "problem")}:`), h("ul", {}, lines)));
  if (focus) summary.focus();
  return unmatched;
}
