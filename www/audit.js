/*
 * The audit log viewer: GET /v1/audit, newest first, a page at a time,
 * filtered by account (super admins: a searchable picker, or the
 * platform's own chain), actor, action, target and a UTC time range. An
 * event's actor, action or target narrows the log to it when clicked.
 */
import {
  $, accountPath, announce, call, clearFormMessages, count, failure, fieldInput, h, setBusy, setFieldError,
  showApiError, showText,
} from "./common.js";
import { createPicker, localSearch } from "./picker.js";

const PAGE_SIZE = 50;
const DELAY_MS = 300;

/* The actions the programs record; the filter also takes any other. */
const ACTIONS = [
  "account.create", "account.update", "account.suspend", "account.activate", "account.delete",
  "account.sso.update", "account.sso.delete", "account.admin.add", "account.admin.update", "account.admin.remove",
  "account.feature_pack.update", "account.plan.change", "account.console_model_policy.update",
  "account.entitlement.set", "account.entitlement.clear", "credits.grant",
  "api_key.create", "api_key.rotate", "api_key.revoke",
  "plan.create", "plan.update", "plan.delete", "feature.create", "feature.update", "feature.delete",
  "session.sign_in", "session.sign_out", "break_glass.sign_in", "break_glass.refused",
  "break_glass.set", "break_glass.enable", "break_glass.disable",
];

const ALL = Object.freeze({ id: "", name: "All accounts", slug: "", fixed: true });
const PLATFORM = Object.freeze({ id: "platform", name: "The platform only", slug: "", fixed: true });

const page = {
  generation: 0,
  platform: false,      /* a super admin for the whole platform: every chain */
  items: [],
  cursor: null,
  target: null,         /* {type, id, label} */
  names: new Map(),     /* account id -> name, for the Account column */
  asking: new Set(),
  timer: 0,
  accountPicker: null,
  actionPicker: null,
  wired: false,
};

export function open({ context, superAdmin }) {
  wire();
  page.platform = superAdmin && !context.account;
  $("audit-account-slot").hidden = !page.platform;
  $("audit-account-head").hidden = !page.platform;
  $("audit-lead").textContent = page.platform
    ? "Every change on the platform, newest first. Times are UTC."
    : `Every change in ${context.account ? context.account.name : "the account"}, newest first. Times are UTC.`;
  load(false);
}

export function leave() {
  page.generation++;
  window.clearTimeout(page.timer);
  page.items = [];
  page.cursor = null;
  page.target = null;
  $("audit-filters").reset();
  clearFormMessages($("audit-filters"));
  page.accountPicker.set(ALL);
  page.actionPicker.set("");
  $("audit-body").replaceChildren();
  $("audit-target").hidden = true;
}

/* "2026-03-01T10:20" from a datetime-local input as RFC 3339 UTC. */
function utc(value) {
  if (value === "") {
    return null;
  }
  return (value.length === 16 ? value + ":00" : value) + "Z";
}

function query(cursor) {
  const p = new URLSearchParams({ limit: String(PAGE_SIZE) });
  const form = $("audit-filters");
  const account = page.platform ? page.accountPicker.value() : null;
  if (account && account.id !== "") {
    p.set("account_id", account.id);
  }
  const actor = fieldInput(form, "actor").value.trim();
  if (actor) {
    p.set("actor", actor);
  }
  const action = page.actionPicker.value();
  const actionText = typeof action === "string" ? action.trim() : action ? action.key : "";
  if (actionText) {
    p.set("action", actionText);
  }
  const type = page.target ? page.target.type : fieldInput(form, "target_type").value;
  if (type) {
    p.set("target_type", type);
  }
  if (page.target && page.target.id) {
    p.set("target_id", page.target.id);
  }
  for (const name of ["from", "to"]) {
    const v = utc(fieldInput(form, name).value);
    if (v) {
      p.set(name, v);
    }
  }
  if (cursor) {
    p.set("cursor", cursor);
  }
  return "/v1/audit?" + p.toString();
}

function shortId(id) {
  return /^[0-9a-f]{8}-/.test(id) ? id.slice(0, 8) + "…" : id;
}

function targetLabel(e) {
  if (!e.target_id) {
    return e.target_type;
  }
  if (e.target_type === "account" && page.names.has(e.target_id)) {
    return `account ${page.names.get(e.target_id)}`;
  }
  return `${e.target_type} ${shortId(e.target_id)}`;
}

function accountCell(e) {
  if (!e.account_id) {
    return h("span", { className: "muted" }, "Platform");
  }
  const name = page.names.get(e.account_id);
  return h("a", { href: "#/accounts/" + encodeURIComponent(e.account_id), className: "account-ref", dataset: { account: e.account_id }, title: e.account_id },
    name || shortId(e.account_id));
}

function filterButton(kind, value, text, label) {
  return h("button", { type: "button", className: "row-link", dataset: { filter: kind, value }, title: label, "aria-label": `${text}: ${label}` }, text);
}

function details(e) {
  const facts = [["Event", `#${e.id}, number ${e.seq} of its chain`], ["Request", e.request_id || "—"],
    ["Before", e.before_digest || "—"], ["After", e.after_digest || "—"], ["Hash", e.hash]];
  return h("details", { className: "event-details" }, h("summary", null, "Details"),
    h("dl", { className: "facts small" }, facts.map(([k, v]) => h("div", null, h("dt", null, k), h("dd", null, h("code", null, v))))));
}

function eventRow(e) {
  const when = typeof e.occurred_at === "string" ? e.occurred_at.slice(0, 19).replace("T", " ") : "";
  const target = e.target_id
    ? filterButton("target", e.target_id, targetLabel(e), `only events about ${e.target_type} ${e.target_id}`)
    : h("span", null, e.target_type);
  target.dataset.type = e.target_type;
  const td = (className, label, ...children) => h("td", { className, dataset: { label } }, ...children);
  return h("tr", { dataset: { id: String(e.id) } },
    td("when", "When (UTC)", h("time", { dateTime: e.occurred_at, title: e.occurred_at }, when)),
    page.platform ? td("account", "Account", accountCell(e)) : null,
    td("actor", "Actor", filterButton("actor", e.actor, e.actor, `only events by ${e.actor}`),
      h("span", { className: "muted small block" }, e.actor_role)),
    td("action", "Action", filterButton("action", e.action, e.action, `only ${e.action} events`), details(e)),
    td("target", "Target", target));
}

function renderFoot() {
  const n = page.items.length;
  const filtered = query(null) !== `/v1/audit?limit=${PAGE_SIZE}`;
  showText($("audit-empty"), n > 0 ? "" : filtered ? "No events match these filters." : "No events yet.");
  $("audit-count").textContent = n === 0 ? "" : page.cursor ? `Showing ${count(n, "event")}; older ones to load` : `Showing all ${count(n, "event")}`;
  $("audit-more").hidden = !page.cursor;
}

/* Names the accounts of the events shown (super admins), a few at a time. */
async function nameAccounts(items, generation) {
  const wanted = [...new Set(items.flatMap((e) => [e.account_id, e.target_type === "account" ? e.target_id : null]))]
    .filter((id) => typeof id === "string" && /^[0-9a-f-]{36}$/.test(id) && !page.names.has(id) && !page.asking.has(id));
  for (const id of wanted) {
    page.asking.add(id);
  }
  await Promise.all(wanted.map(async (id) => {
    const r = await call("GET", accountPath(id), undefined, { platform: true });
    page.asking.delete(id);
    page.names.set(id, r.status === 200 && r.body ? r.body.name : "(deleted account)");
  }));
  if (generation === page.generation && wanted.length > 0) {
    $("audit-body").replaceChildren(...page.items.map(eventRow));
  }
}

async function load(more) {
  const generation = ++page.generation;
  const table = $("audit-table");
  table.setAttribute("aria-busy", "true");
  setBusy($("audit-more"), true);
  showText($("audit-error"), "");
  if (!more) {
    clearFormMessages($("audit-filters"));
  }
  const r = await call("GET", query(more ? page.cursor : null));
  if (generation !== page.generation) {
    return;
  }
  table.setAttribute("aria-busy", "false");
  setBusy($("audit-more"), false);
  if (r.status !== 200 || !r.body || !Array.isArray(r.body.items)) {
    if (r.status === 400) {
      showApiError($("audit-filters"), r);
    } else {
      showText($("audit-error"), failure("Cannot load the audit log", r));
    }
    if (!more) {
      page.items = [];
      page.cursor = null;
      $("audit-body").replaceChildren();
      $("audit-count").textContent = "";
      $("audit-more").hidden = true;
      showText($("audit-empty"), "");
    }
    return;
  }
  page.items = more ? page.items.concat(r.body.items) : r.body.items;
  page.cursor = typeof r.body.next_cursor === "string" ? r.body.next_cursor : null;
  if (more) {
    $("audit-body").append(...r.body.items.map(eventRow));
    announce(`Loaded ${count(r.body.items.length, "older event")}.`);
  } else {
    $("audit-body").replaceChildren(...page.items.map(eventRow));
  }
  renderFoot();
  if (page.platform) {
    nameAccounts(r.body.items, generation);
  }
}

function setTarget(target) {
  page.target = target;
  $("audit-target").hidden = !target;
  $("audit-target-text").textContent = target ? target.label : "";
  fieldInput($("audit-filters"), "target_type").disabled = target !== null;
}

function onRowClick(event) {
  const b = event.target.closest("button[data-filter]");
  if (!b) {
    return;
  }
  const form = $("audit-filters");
  if (b.dataset.filter === "actor") {
    fieldInput(form, "actor").value = b.dataset.value;
  } else if (b.dataset.filter === "action") {
    page.actionPicker.set(b.dataset.value);
  } else {
    setTarget({ type: b.dataset.type, id: b.dataset.value, label: b.textContent });
  }
  announce("The log is filtered.");
  load(false);
  $("audit-title").focus();
}

function onFilterChange(event) {
  if (event.target.closest(".picker")) {
    return;  /* the pickers say when they change */
  }
  if (event.target.name === "actor") {
    return;
  }
  load(false);
}

function onActorInput() {
  window.clearTimeout(page.timer);
  page.timer = window.setTimeout(() => load(false), DELAY_MS);
}

function onSubmit(event) {
  event.preventDefault();
  window.clearTimeout(page.timer);
  const form = event.currentTarget;
  const from = fieldInput(form, "from").value;
  const to = fieldInput(form, "to").value;
  if (from && to && utc(from) >= utc(to)) {
    clearFormMessages(form);
    setFieldError(form, "to", "Choose a time after From.");
    return;
  }
  load(false);
}

function onReset() {
  window.setTimeout(() => {
    clearFormMessages($("audit-filters"));
    page.accountPicker.set(ALL);
    page.actionPicker.set("");
    setTarget(null);
    load(false);
  }, 0);
}

async function searchAccounts(q) {
  const p = new URLSearchParams({ limit: "20" });
  if (q) {
    p.set("q", q);
  }
  const r = await call("GET", "/v1/accounts?" + p.toString(), undefined, { platform: true });
  if (r.status !== 200 || !r.body || !Array.isArray(r.body.items)) {
    return { error: failure("Cannot search accounts", r) || "Cannot search accounts." };
  }
  for (const a of r.body.items) {
    page.names.set(a.id, a.name);
  }
  return { items: r.body.items, more: typeof r.body.next_cursor === "string" };
}

function wire() {
  if (page.wired) {
    return;
  }
  page.wired = true;
  page.accountPicker = createPicker({
    id: "audit-filters-account", label: "Account", placeholder: "All accounts",
    search: searchAccounts, fixed: [ALL, PLATFORM],
    describe: (a) => (a.fixed
      ? { key: a.id, name: a.name, detail: a.id === "" ? "Every chain" : "Sign-ins, break-glass, catalogue changes" }
      : { key: a.id, name: a.name, detail: a.slug, title: `${a.name} (${a.slug})` }),
    onChange: () => load(false),
  });
  page.accountPicker.set(ALL);
  $("audit-account-slot").append(page.accountPicker.element);
  page.actionPicker = createPicker({
    id: "audit-filters-action", label: "Action", placeholder: "Any action", freeText: true,
    hint: "Type an action, or choose one of those the console knows with the arrow keys and Enter.",
    search: localSearch(ACTIONS.map((a) => ({ key: a })), (a) => ({ key: a.key, name: a.key })),
    describe: (a) => ({ key: a.key, name: a.key }),
    onChange: () => load(false),
  });
  $("audit-action-slot").append(page.actionPicker.element);
  const form = $("audit-filters");
  form.addEventListener("submit", onSubmit);
  form.addEventListener("reset", onReset);
  form.addEventListener("change", onFilterChange);
  fieldInput(form, "actor").addEventListener("input", onActorInput);
  $("audit-body").addEventListener("click", onRowClick);
  $("audit-more").addEventListener("click", () => load(true));
  $("audit-target-clear").addEventListener("click", () => {
    setTarget(null);
    load(false);
    fieldInput($("audit-filters"), "target_type").focus();
  });
}
