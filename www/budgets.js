/*
 * Budgets (account admins, and super admins acting inside an account),
 * for Copilot: the account's credits this period, its Budget Plan, the
 * Credit Pools as a tree (the account's Unallocated pool, the
 * organisations, teams and users allocated from it), equal distribution,
 * User Overrides, the Effective Allocation of a chosen user, spend over
 * time (a chart drawn here, in SVG) and alerts with their webhook.
 *
 * The API is budgets.fcgi under /v1/budgets/copilot/. Credits are decimal
 * strings: shown as the API writes them (grouped by thousands), never
 * computed with floating point; numbers are used only to size the bars.
 * Everything from the API is put on the page as text. The page builds its
 * own markup (index.html holds only the empty #budgets-view).
 */
import {
  $, allPages, announce, call, clearFormMessages, count, describeError, errorOf, failure, fieldInput, formatTime, h,
  setBusy, setFieldError, setFormError, setFormNote, showText, timeElement,
} from "./common.js";
import { createPicker, localSearch, pickerError } from "./picker.js";

const B = "/v1/budgets/copilot";
const PAGE_SIZE = 50;
const PICK_SIZE = 20;
const CHART_DAYS = 30;
const DAY_MS = 86400000;
const CREDITS = /^(?:0|[1-9][0-9]{0,11})(?:\.[0-9]{1,6})?$/;
const CREDITS_HINT = "A number of credits, up to six decimals, e.g. 250.5.";
const SVG = "http://www.w3.org/2000/svg";

const CYCLES = [["monthly", "Monthly"], ["weekly", "Weekly"], ["daily", "Daily"], ["none", "No cycle (one period)"]];
const SCOPE_WORDS = { account: "Account", organisation: "Organisation", team: "Team", user: "User" };
const SCOPE_ORDER = { account: 0, organisation: 1, team: 2, user: 3 };
const RULE_WORDS = { account: "Account", allocation: "Allocation", override: "User Override", inheritance: "Inheritance" };
const DELIVERY = {
  pending: ["Pending", "info"],
  delivered: ["Delivered", "active"],
  failed: ["Failed", "failed"],
  no_webhook: ["No webhook", "inactive"],
};
/* Where a refusal without a field belongs, by its code. */
const CODE_FIELDS = {
  insufficient_unallocated: "credits",
  allocations_exceed: "credits",
  below_spend: "credits",
  override_set: "scope",
  has_allocations: null,
};

const page = {
  wired: false,
  generation: 0,
  account: null,        /* {id, name}: the account acted in */
  allocation: null,     /* GET account-allocation */
  pools: [],            /* GET allocations: items */
  byKey: new Map(),     /* "type:id" -> pool */
  plan: null,           /* the active Budget Plan, or null */
  plans: [],
  plansCursor: null,
  overrides: [],
  alerts: [],
  alertsCursor: null,
  pickers: {},
  dialogs: {},
  editing: null,        /* the pool the allocation dialog changes, or null for a new one */
  deleting: null,       /* the pool the delete dialog is about */
  overrideEditing: null,
  tried: null,          /* the equal distribution previewed, as JSON: what Apply sends */
  chart: null,          /* {range, items} the chart shows */
  chartWidth: 0,
  seq: {},
};

const enc = encodeURIComponent;

export function open({ account }) {
  wire();
  const id = account ? account.id : "";
  if (!page.account || page.account.id !== id) {
    reset();
  }
  page.account = account ? { id: account.id, name: account.name } : null;
  page.generation++;
  $("budgets-lead").textContent = `The Copilot credits of ${account ? account.name : "the account"}: its Budget Plan, ` +
    "the Credit Pools allocated from its Unallocated credits, User Overrides, and what has been spent.";
  loadAll();
}

export function leave() {
  page.generation++;
  for (const d of Object.values(page.dialogs)) {
    if (d.dialog.open) {
      d.dialog.close();
    }
  }
  page.account = null;
  reset();
}

function reset() {
  page.allocation = null;
  page.pools = [];
  page.byKey.clear();
  page.plan = null;
  page.plans = [];
  page.overrides = [];
  page.alerts = [];
  page.tried = null;
  if (!page.wired) {
    return;
  }
  for (const id of ["budgets-pools-body", "budgets-plans-body", "budgets-overrides-body", "budgets-alerts-body",
    "budgets-effective-body", "budgets-models-body", "budgets-grants-list"]) {
    $(id).replaceChildren();
  }
  for (const id of ["budgets-error", "budgets-plan-error", "budgets-pools-error", "budgets-overrides-error",
    "budgets-effective-error", "budgets-spend-error", "budgets-alerts-error", "budgets-webhook-error"]) {
    showText($(id), "");
  }
  $("budgets-pools-note").textContent = "";
  page.pickers.effective.set(null);
  $("budgets-effective-result").hidden = true;
  hideSecret();
  $("budgets-chart").replaceChildren();
  page.chart = null;
  defaultRange();
}

/* A check that the answer about to be shown is still wanted: the last of its name, on this page. */
function ticket(name) {
  const n = (page.seq[name] = (page.seq[name] || 0) + 1);
  const g = page.generation;
  return () => page.seq[name] === n && page.generation === g;
}

function loadAll() {
  loadAllocation();
  loadPools();
  loadPlan();
  loadPlans(false);
  loadOverrides();
  loadAlerts(false);
  loadWebhook();
  loadSpend();
  const user = page.pickers.effective.value();
  if (user) {
    loadEffective(user);
  }
}

/* After a change to the pools: what it changed. */
function refreshPools() {
  loadAllocation();
  loadPools();
  loadOverrides();
  const user = page.pickers.effective.value();
  if (user) {
    loadEffective(user);
  }
}

/* ------------------------------------------------------------ words */

/* "1234567.5" as "1,234,567.5": grouped, never through a float. */
function credits(s) {
  if (typeof s !== "string" && typeof s !== "number") {
    return "—";
  }
  return String(s).replace(/^(-?)(\d+)/, (m, sign, int) => sign + int.replace(/\B(?=(\d{3})+(?!\d))/g, ","));
}

/* Only for sizing bars and the chart. */
function amount(s) {
  const n = Number(s);
  return Number.isFinite(n) ? n : 0;
}

/* A time in UTC, said so: an anchor is a UTC wall time. */
function utcText(iso) {
  if (typeof iso !== "string") {
    return "—";
  }
  const d = new Date(iso.replace(/(\.\d{3})\d+/, "$1"));
  return Number.isNaN(d.getTime()) ? iso
    : `${new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }).format(d)} UTC`;
}

function periodText(p) {
  if (!p || typeof p !== "object" || typeof p.start !== "string") {
    return "—";
  }
  return `${formatTime(p.start)} – ${typeof p.end === "string" ? formatTime(p.end) : "no end"}`;
}

function scopeWord(type) {
  return Object.hasOwn(SCOPE_WORDS, type) ? SCOPE_WORDS[type] : String(type);
}

function ruleWord(rule) {
  return Object.hasOwn(RULE_WORDS, rule) ? RULE_WORDS[rule] : String(rule);
}

const keyOf = (scope) => (scope && typeof scope === "object" ? `${scope.type}:${scope.id}` : "");

function scopeName(scope) {
  if (!scope || typeof scope !== "object") {
    return "—";
  }
  if (typeof scope.name === "string" && scope.name !== "") {
    return scope.name;
  }
  if (scope.type === "account") {
    return page.account ? page.account.name : "The account";
  }
  const pool = page.byKey.get(keyOf(scope));
  return pool && pool.scope && pool.scope.name ? pool.scope.name : `${scopeWord(scope.type)} ${scope.id}`;
}

/* The scope a pool's credits came from, in words. */
function sourceName(scope) {
  if (!scope) {
    return "—";
  }
  return scope.type === "account" ? "the account's Unallocated credits" : scopeName(scope);
}

function userName(u) {
  return u.display_name || [u.given_name, u.family_name].filter(Boolean).join(" ") || u.email || u.id;
}

function ruleBadge(rule) {
  return h("span", { className: `badge rule-${Object.hasOwn(RULE_WORDS, rule) ? rule : "other"}` }, ruleWord(rule));
}

function typeBadge(type) {
  return h("span", { className: "badge scope-type" }, scopeWord(type));
}

/* ----------------------------------------------------------- markup */

function field(formId, name, label, input, hint) {
  const id = `${formId}-${name}`;
  input.id = id;
  input.name = name;
  input.setAttribute("aria-describedby", [hint ? `${id}-hint` : "", `${id}-error`].filter(Boolean).join(" "));
  return h("div", { className: "field", id: `${id}-field` },
    h("label", { for: id }, label), input,
    hint ? h("p", { className: "hint", id: `${id}-hint` }, hint) : null,
    h("p", { className: "field-error", id: `${id}-error`, hidden: true }));
}

function textInput(props = {}) {
  return h("input", { type: "text", autocomplete: "off", autocapitalize: "off", spellcheck: false, ...props });
}

function creditsInput() {
  return textInput({ inputMode: "decimal", maxLength: 20, placeholder: "e.g. 250.5" });
}

function button(id, text, kind = "secondary", props = {}) {
  return h("button", { type: "button", className: `button ${kind}`, id, ...props }, text);
}

function table(id, caption, heads) {
  return h("div", { className: "table-wrap" },
    h("table", { className: "data-table", id: `${id}-table`, "aria-busy": "false" },
      h("caption", { className: "visually-hidden" }, caption),
      h("thead", null, h("tr", null, heads.map(([text, cls]) => h("th", { scope: "col", className: cls || "" },
        text === "" ? h("span", { className: "visually-hidden" }, "Actions") : text)))),
      h("tbody", { id: `${id}-body` })),
    h("p", { className: "empty", id: `${id}-empty`, hidden: true }));
}

function sectionHead(id, title, ...actions) {
  return h("div", { className: "section-head" }, h("h3", { id: `${id}-title` }, title),
    actions.length ? h("div", { className: "actions" }, actions) : null);
}

function errorLine(id) {
  return h("p", { className: "alert error", id, role: "alert", hidden: true });
}

/* A modal dialog holding one form: <id>-form, its title <id>-title. */
function makeDialog(id, title, lead, fields, actions) {
  const form = h("form", { id: `${id}-form`, className: "form", noValidate: true },
    h("h3", { id: `${id}-title` }, title),
    h("p", { className: "muted", id: `${id}-lead`, hidden: !lead }, lead || ""),
    fields,
    h("p", { className: "form-error", id: `${id}-form-error`, role: "alert", hidden: true }),
    h("p", { className: "form-note", id: `${id}-form-note`, role: "status" }),
    h("div", { className: "actions" }, actions,
      h("button", { type: "button", className: "button ghost", dataset: { close: "" } }, "Cancel")));
  const dialog = h("dialog", { className: "dialog budgets-dialog", id, "aria-labelledby": `${id}-title`, "aria-describedby": `${id}-lead` },
    form);
  const d = { id, dialog, form, opener: null };
  form.addEventListener("click", (e) => {
    if (e.target.closest("button[data-close]")) {
      dialog.close();
    }
  });
  dialog.addEventListener("close", () => {
    if (d.opener && d.opener.isConnected) {
      d.opener.focus();
    }
  });
  page.dialogs[id] = d;
  return d;
}

function openDialog(d, opener, focus) {
  d.opener = opener || document.activeElement;
  clearFormMessages(d.form);
  for (const p of d.form.querySelectorAll("input[role=combobox]")) {
    pickerError({ input: p }, "");
  }
  d.dialog.showModal();
  (focus || d.form.querySelector("input:not([disabled]), select:not([disabled])"))?.focus();
}

function build() {
  const view = $("budgets-view");
  view.replaceChildren(
    h("div", { className: "view-head budgets-head" },
      h("h2", { id: "budgets-title", tabIndex: -1 }, "Budgets"),
      h("p", { className: "muted", id: "budgets-lead" }),
      button("budgets-refresh", "Refresh", "ghost small", { title: "Load everything on this page again" })),
    errorLine("budgets-error"),
    h("dl", { className: "totals", id: "budgets-totals", "aria-label": "The account's credits this period" },
      [["credits", "Credits per period"], ["allocated", "Allocated"], ["unallocated", "Unallocated"], ["spent", "Spent"],
        ["held", "Held"], ["remaining", "Remaining"], ["period", "Period"]].map(([k, word]) =>
        h("div", { className: `total-${k}` }, h("dt", null, word), h("dd", { id: `budgets-total-${k}` }, "—")))),
    h("details", { className: "budgets-grants", id: "budgets-grants" },
      h("summary", { id: "budgets-grants-summary" }, "Grants"),
      h("ul", { className: "plain-list", id: "budgets-grants-list" })),
    planSection(),
    poolsSection(),
    overridesSection(),
    effectiveSection(),
    spendSection(),
    alertsSection());
  for (const d of [planDialog(), allocateDialog(), deleteDialog(), distributeDialog(), overrideDialog()]) {
    view.append(d.dialog);
  }
}

function planSection() {
  return h("section", { className: "panel budgets-section", id: "budgets-plan", "aria-labelledby": "budgets-plan-title" },
    sectionHead("budgets-plan", "Budget Plan",
      button("budgets-plan-edit", "Edit plan", "secondary", { hidden: true }),
      button("budgets-plan-new", "New plan", "primary")),
    errorLine("budgets-plan-error"),
    h("p", { className: "muted", id: "budgets-plan-none", hidden: true },
      "No Budget Plan yet: the account has one period, from its creation with no end, and alerts at 80% and 100%."),
    h("dl", { className: "facts", id: "budgets-plan-facts", hidden: true },
      [["name", "Name"], ["cycle", "Cycle"], ["anchor", "Anchor"], ["thresholds", "Alert thresholds"],
        ["period", "Current period"], ["since", "Since"]].map(([k, word]) =>
        h("div", null, h("dt", null, word), h("dd", { id: `budgets-plan-${k}` })))),
    h("h4", { className: "subhead" }, "Plan history"),
    table("budgets-plans", "Every Budget Plan of the account, newest first",
      [["Name"], ["Cycle"], ["Anchor"], ["Alert thresholds"], ["Made"], ["Active until"]]),
    h("div", { className: "list-foot" },
      h("span", { className: "muted", id: "budgets-plans-count", "aria-live": "polite" }),
      button("budgets-plans-more", "Load more", "secondary", { hidden: true })));
}

function poolsSection() {
  return h("section", { className: "panel budgets-section", id: "budgets-pools", "aria-labelledby": "budgets-pools-title" },
    sectionHead("budgets-pools", "Credit Pools",
      button("budgets-allocate", "Allocate…", "primary"),
      button("budgets-distribute", "Distribute equally…")),
    h("p", { className: "muted" }, "Credits go from the account's Unallocated pool to organisations, teams and users, " +
      "and from an organisation or team on to what is inside it. A pool never gives out more than it has unallocated; " +
      "deleting an allocation gives its credits back."),
    errorLine("budgets-pools-error"),
    h("p", { className: "alert ok", id: "budgets-pools-note", role: "status", hidden: true }),
    table("budgets-pools", "The Credit Pools as a tree: each pool under the one it was allocated from",
      [["Pool"], ["Credits", "num"], ["Used this period"], ["Remaining", "num"], ["Unallocated", "num"], [""]]));
}

function overridesSection() {
  return h("section", { className: "panel budgets-section", id: "budgets-overrides", "aria-labelledby": "budgets-overrides-title" },
    sectionHead("budgets-overrides", "User Overrides", button("budgets-override-new", "Set a User Override…")),
    h("p", { className: "muted" }, "A User Override is a user's own limit; equal distribution leaves it alone."),
    errorLine("budgets-overrides-error"),
    table("budgets-overrides", "User Overrides", [["User"], ["Credits", "num"], ["Spent", "num"], ["Remaining", "num"], [""]]));
}

function effectiveSection() {
  const s = h("section", { className: "panel budgets-section", id: "budgets-effective", "aria-labelledby": "budgets-effective-title" },
    sectionHead("budgets-effective", "Effective Allocation"),
    h("p", { className: "muted" }, "What a user may spend this period: every level on their path, and the rule that decides it."),
    h("div", { id: "budgets-effective-slot" }),
    errorLine("budgets-effective-error"),
    h("div", { id: "budgets-effective-result", hidden: true },
      h("p", { className: "effective-summary", id: "budgets-effective-summary", role: "status" }),
      table("budgets-effective", "Each level of the user's path",
        [["Level"], ["Rule"], ["Limit", "num"], ["Spent", "num"], ["Held", "num"], ["Remaining", "num"]])));
  return s;
}

function spendSection() {
  const form = h("form", { className: "filters", id: "budgets-spend-form", "aria-label": "The days to show", noValidate: true },
    field("budgets-spend-form", "from", "From", h("input", { type: "date" })),
    field("budgets-spend-form", "to", "To", h("input", { type: "date" })),
    h("div", { className: "actions" }, h("button", { type: "submit", className: "button secondary" }, "Show")),
    h("p", { className: "form-error", id: "budgets-spend-form-error", role: "alert", hidden: true }));
  return h("section", { className: "panel budgets-section", id: "budgets-spend", "aria-labelledby": "budgets-spend-title" },
    sectionHead("budgets-spend", "Spend over time"),
    form,
    errorLine("budgets-spend-error"),
    h("figure", { className: "chart" },
      h("div", { className: "chart-box", id: "budgets-chart" }),
      h("figcaption", { className: "muted small", id: "budgets-chart-caption" })),
    h("details", { className: "chart-numbers" }, h("summary", null, "The numbers by day"),
      table("budgets-days", "Credits spent by day", [["Day"], ["Credits", "num"]])),
    h("h4", { className: "subhead" }, "By model"),
    table("budgets-models", "Credits spent by model", [["Model"], ["Credits", "num"], ["Share"]]),
    h("p", { className: "muted small", id: "budgets-models-more" }));
}

function alertsSection() {
  const form = h("form", { className: "form", id: "budgets-webhook-form", noValidate: true },
    field("budgets-webhook-form", "url", "Webhook URL", textInput({ type: "url", inputMode: "url", maxLength: 2000, placeholder: "https://…" }),
      "Alerts are POSTed here as JSON, signed with the secret shown once when the URL is saved."),
    h("label", { className: "check", id: "budgets-webhook-rotate", hidden: true },
      h("input", { type: "checkbox", name: "rotate_secret", id: "budgets-webhook-form-rotate_secret" }),
      "Make a new signing secret (the old one stops signing at once)"),
    h("p", { className: "form-error", id: "budgets-webhook-form-error", role: "alert", hidden: true }),
    h("p", { className: "form-note", id: "budgets-webhook-form-note", role: "status" }),
    h("div", { className: "actions" },
      h("button", { type: "submit", className: "button primary", id: "budgets-webhook-save" }, "Save webhook"),
      button("budgets-webhook-remove", "Remove webhook", "ghost", { hidden: true })));
  return h("section", { className: "panel budgets-section", id: "budgets-alerts", "aria-labelledby": "budgets-alerts-title" },
    sectionHead("budgets-alerts", "Alerts"),
    h("p", { className: "muted" }, "One alert per pool, threshold and period, when spend crosses a threshold of the Budget Plan."),
    errorLine("budgets-alerts-error"),
    table("budgets-alerts", "Alerts, newest first", [["Pool"], ["Threshold", "num"], ["Period"], ["Spent of limit", "num"], ["Delivery"], ["Raised"]]),
    h("div", { className: "list-foot" },
      h("span", { className: "muted", id: "budgets-alerts-count", "aria-live": "polite" }),
      button("budgets-alerts-more", "Load more", "secondary", { hidden: true })),
    h("h4", { className: "subhead", id: "budgets-webhook-title" }, "Webhook"),
    errorLine("budgets-webhook-error"),
    h("p", { className: "muted", id: "budgets-webhook-state" }),
    h("div", { className: "secret", id: "budgets-webhook-secret", role: "status", hidden: true },
      h("p", null, h("strong", null, "The webhook's signing secret."), " Copy it now: it is not shown again."),
      h("code", { id: "budgets-webhook-secret-value" }),
      h("div", { className: "actions" },
        button("budgets-webhook-secret-copy", "Copy", "secondary", { className: "button secondary small" }),
        button("budgets-webhook-secret-hide", "Done", "ghost", { className: "button ghost small" })),
      h("p", { className: "hint", id: "budgets-webhook-secret-copied", "aria-live": "polite" })),
    form);
}

/* ------------------------------------------------------------ header */

async function loadAllocation() {
  const still = ticket("allocation");
  const r = await call("GET", `${B}/account-allocation`);
  if (!still()) {
    return;
  }
  if (r.status !== 200 || !r.body || typeof r.body !== "object") {
    showText($("budgets-error"), failure("Cannot load the account's credits", r));
    return;
  }
  showText($("budgets-error"), "");
  page.allocation = r.body;
  const a = r.body;
  for (const k of ["credits", "allocated", "unallocated", "spent", "held", "remaining"]) {
    $(`budgets-total-${k}`).textContent = credits(a[k]);
  }
  $("budgets-total-period").textContent = periodText(a.period);
  const grants = Array.isArray(a.grants) ? a.grants : [];
  $("budgets-grants-summary").textContent = grants.length ? `Grants (${grants.length})` : "Grants: none";
  $("budgets-grants-list").replaceChildren(...grants.map((g) => h("li", null,
    h("span", { className: "strong" }, `${credits(g.credits)} credits`), " ",
    h("span", { className: "muted" }, g.reason ? `· ${g.reason} ` : "", `· by ${g.granted_by || "—"} · `), timeElement(g.granted_at))));
}

/* ------------------------------------------------------------- plans */

async function loadPlan() {
  const still = ticket("plan");
  const r = await call("GET", `${B}/plans/active`);
  if (!still()) {
    return;
  }
  if (r.status !== 200 || !r.body) {
    showText($("budgets-plan-error"), failure("Cannot load the Budget Plan", r));
    return;
  }
  showText($("budgets-plan-error"), "");
  const p = r.body.plan && typeof r.body.plan === "object" ? r.body.plan : null;
  page.plan = p;
  $("budgets-plan-none").hidden = p !== null;
  $("budgets-plan-facts").hidden = p === null;
  $("budgets-plan-edit").hidden = p === null;
  $("budgets-plan-new").textContent = p ? "New plan" : "Make a plan";
  if (p) {
    $("budgets-plan-name").textContent = p.name;
    $("budgets-plan-cycle").textContent = cycleWord(p.cycle);
    $("budgets-plan-anchor").textContent = utcText(p.anchor);
    $("budgets-plan-thresholds").textContent = thresholdsText(p.alert_thresholds);
    $("budgets-plan-period").textContent = periodText(r.body.period);
    $("budgets-plan-since").replaceChildren(timeElement(p.created_at));
  }
}

function cycleWord(cycle) {
  const c = CYCLES.find(([v]) => v === cycle);
  return c ? c[1] : String(cycle);
}

function thresholdsText(t) {
  return Array.isArray(t) && t.length ? t.map((x) => `${x}%`).join(", ") : "—";
}

async function loadPlans(more) {
  const still = ticket("plans");
  const t = $("budgets-plans-table");
  t.setAttribute("aria-busy", "true");
  setBusy($("budgets-plans-more"), true);
  const p = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (more && page.plansCursor) {
    p.set("cursor", page.plansCursor);
  }
  const r = await call("GET", `${B}/plans?${p}`);
  if (!still()) {
    return;
  }
  t.setAttribute("aria-busy", "false");
  setBusy($("budgets-plans-more"), false);
  if (r.status !== 200 || !r.body || !Array.isArray(r.body.items)) {
    showText($("budgets-plan-error"), failure("Cannot load the plan history", r));
    return;
  }
  page.plans = more ? page.plans.concat(r.body.items) : r.body.items;
  page.plansCursor = typeof r.body.next_cursor === "string" ? r.body.next_cursor : null;
  $("budgets-plans-body").replaceChildren(...page.plans.map((x) => h("tr", { dataset: { id: x.id } },
    h("td", { className: "name" }, h("span", { className: "strong" }, x.name)),
    h("td", null, cycleWord(x.cycle)),
    h("td", null, h("time", { dateTime: x.anchor || "" }, utcText(x.anchor))),
    h("td", null, thresholdsText(x.alert_thresholds)),
    h("td", null, timeElement(x.created_at)),
    h("td", null, x.active_until ? timeElement(x.active_until) : h("span", { className: "badge active" }, "Active")))));
  showText($("budgets-plans-empty"), page.plans.length ? "" : "No plans yet.");
  $("budgets-plans-count").textContent = page.plansCursor ? `Showing ${count(page.plans.length, "plan")}; more to load` : "";
  $("budgets-plans-more").hidden = !page.plansCursor;
}

function planDialog() {
  const id = "budgets-plan-dialog";
  const f = `${id}-form`;
  const d = makeDialog(id, "New Budget Plan", "", [
    field(f, "name", "Name", textInput({ maxLength: 200 })),
    field(f, "cycle", "Cycle", h("select", null, CYCLES.map(([v, word]) => h("option", { value: v }, word))),
      "When spend starts again from zero: each day, week or month from the anchor, or never."),
    field(f, "anchor", "Anchor (UTC)", h("input", { type: "datetime-local", step: 60 }),
      "Where the periods are counted from, in UTC. Empty: the start of this day, week or month."),
    field(f, "alert_thresholds", "Alert thresholds (%)", textInput({ maxLength: 60, placeholder: "80, 100" }),
      "1 to 10 percentages of a pool's credits, ascending, separated by commas."),
  ], [h("button", { type: "submit", className: "button primary", id: `${id}-save` }, "Save plan")]);
  d.form.addEventListener("submit", onPlanSubmit);
  return d;
}

/* "2024-05-01T00:00" (a UTC wall time) from an API time, and back. */
function localValue(iso) {
  return typeof iso === "string" ? iso.slice(0, 16) : "";
}

function isoValue(local) {
  return local ? `${local.length === 16 ? local + ":00" : local}Z` : "";
}

function openPlanDialog(edit, opener) {
  const d = page.dialogs["budgets-plan-dialog"];
  const p = edit ? page.plan : null;
  d.editing = p;
  $("budgets-plan-dialog-title").textContent = p ? `Edit the Budget Plan ${p.name}` : "New Budget Plan";
  const lead = $("budgets-plan-dialog-lead");
  showText(lead, p ? "A changed cycle or anchor starts a new period now; past periods keep their spend."
    : "The new plan replaces the active one from now on; past periods keep their spend.");
  const form = d.form;
  fieldInput(form, "name").value = p ? p.name : "";
  fieldInput(form, "cycle").value = p ? p.cycle : "monthly";
  fieldInput(form, "anchor").value = p ? localValue(p.anchor) : "";
  fieldInput(form, "alert_thresholds").value = p && Array.isArray(p.alert_thresholds) ? p.alert_thresholds.join(", ") : "80, 100";
  openDialog(d, opener);
}

function parseThresholds(text) {
  const parts = text.split(/[\s,;%]+/).filter((x) => x !== "");
  if (parts.length === 0 || parts.some((x) => !/^[0-9]{1,3}$/.test(x))) {
    return null;
  }
  return parts.map(Number);
}

function planBody(form, p) {
  const body = {};
  const name = fieldInput(form, "name").value.trim();
  if (name === "") {
    setFieldError(form, "name", "Give the plan a name.");
    return null;
  }
  const thresholds = parseThresholds(fieldInput(form, "alert_thresholds").value);
  if (!thresholds) {
    setFieldError(form, "alert_thresholds", "Write whole percentages separated by commas, e.g. 80, 100.");
    return null;
  }
  const cycle = fieldInput(form, "cycle").value;
  const anchor = isoValue(fieldInput(form, "anchor").value);
  if (!p || name !== p.name) {
    body.name = name;
  }
  if (!p || cycle !== p.cycle) {
    body.cycle = cycle;
  }
  if (anchor && (!p || anchor.slice(0, 16) !== String(p.anchor).slice(0, 16))) {
    body.anchor = anchor;
  }
  if (!p || JSON.stringify(thresholds) !== JSON.stringify(p.alert_thresholds)) {
    body.alert_thresholds = thresholds;
  }
  return body;
}

async function onPlanSubmit(event) {
  event.preventDefault();
  const d = page.dialogs["budgets-plan-dialog"];
  const form = d.form;
  clearFormMessages(form);
  const p = d.editing;
  const body = planBody(form, p);
  if (!body) {
    form.querySelector("[aria-invalid=true]")?.focus();
    return;
  }
  if (p && Object.keys(body).length === 0) {
    setFormNote(form, "Nothing to change.");
    return;
  }
  const save = $("budgets-plan-dialog-save");
  setBusy(save, true);
  const r = p ? await call("PATCH", `${B}/plans/${enc(p.id)}`, body) : await call("POST", `${B}/plans`, body);
  setBusy(save, false);
  if ((r.status === 200 || r.status === 201) && r.body) {
    d.dialog.close();
    announce(p ? `Budget Plan ${r.body.name || p.name} saved.` : `Budget Plan ${r.body.name || body.name} made.`);
    loadPlan();
    loadPlans(false);
    loadAllocation();
    refreshPools();
    return;
  }
  showRefusal(d, r);
}

/* ----------------------------------------------------- Credit Pools */

async function loadPools() {
  const still = ticket("pools");
  const t = $("budgets-pools-table");
  t.setAttribute("aria-busy", "true");
  const got = await allPages(`${B}/allocations`, 10000);
  if (!still()) {
    return;
  }
  t.setAttribute("aria-busy", "false");
  if (!got.ok) {
    showText($("budgets-pools-error"), failure("Cannot load the Credit Pools", got.r));
    return;
  }
  showText($("budgets-pools-error"), "");
  page.pools = got.items;
  page.byKey = new Map(page.pools.map((p) => [keyOf(p.scope), p]));
  renderPools();
}

/* The pools in tree order, each with its depth: a parent before its children. */
function poolTree(pools) {
  const byKey = new Map(pools.map((p) => [keyOf(p.scope), p]));
  const children = new Map();
  const roots = [];
  for (const p of pools) {
    const parent = p.allocated_from ? keyOf(p.allocated_from) : "";
    if (parent && byKey.has(parent) && parent !== keyOf(p.scope)) {
      if (!children.has(parent)) {
        children.set(parent, []);
      }
      children.get(parent).push(p);
    } else {
      roots.push(p);
    }
  }
  const order = (a, b) => (SCOPE_ORDER[a.scope.type] ?? 9) - (SCOPE_ORDER[b.scope.type] ?? 9) ||
    String(a.scope.name || "").localeCompare(String(b.scope.name || ""));
  const out = [];
  const seen = new Set();
  const walk = (p, depth) => {
    const k = keyOf(p.scope);
    if (seen.has(k)) {
      return;
    }
    seen.add(k);
    out.push({ pool: p, depth });
    for (const c of (children.get(k) || []).sort(order)) {
      walk(c, depth + 1);
    }
  };
  for (const p of roots.sort(order)) {
    walk(p, 0);
  }
  return out;
}

/* Spent and held against credits, as a bar and in words. */
function usageBar(p) {
  const total = amount(p.credits);
  const spent = amount(p.spent);
  const held = amount(p.held);
  const pct = (x) => (total > 0 ? Math.min(100, (x / total) * 100) : 0);
  const sp = h("span", { className: "bar-spent" });
  const hd = h("span", { className: "bar-held" });
  sp.style.width = `${pct(spent)}%`;
  hd.style.width = `${Math.min(pct(held), 100 - pct(spent))}%`;
  const over = total > 0 && spent + held >= total;
  const words = `${credits(p.spent)} spent, ${credits(p.held)} held of ${credits(p.credits)}`;
  return h("div", { className: "usage" },
    h("div", { className: `bar${over ? " full" : ""}`, role: "img", "aria-label": words, title: words }, sp, hd),
    h("span", { className: "usage-words small muted" }, `${credits(p.spent)} spent`, amount(p.held) > 0 ? ` · ${credits(p.held)} held` : ""));
}

function poolRow({ pool: p, depth }) {
  const s = p.scope || {};
  const name = scopeName(s);
  const actions = h("div", { className: "row-actions" });
  const key = keyOf(s);
  if (s.type === "organisation" || s.type === "team" || s.type === "account") {
    actions.append(h("button", { type: "button", className: "button secondary small", dataset: { act: "allocate-from", key },
      "aria-label": `Allocate from ${name}` }, "Allocate"));
  }
  if (p.rule === "override") {
    actions.append(h("button", { type: "button", className: "button ghost small", dataset: { act: "override", key },
      "aria-label": `Change the User Override of ${name}` }, "Change"));
  } else if (s.type !== "account") {
    actions.append(h("button", { type: "button", className: "button ghost small", dataset: { act: "edit", key },
      "aria-label": `Change the allocation of ${name}` }, "Change"));
    actions.append(h("button", { type: "button", className: "button ghost small danger-text", dataset: { act: "delete", key },
      "aria-label": `Delete the allocation of ${name}` }, "Delete"));
  }
  return h("tr", { dataset: { key, depth: String(depth), rule: p.rule }, className: `depth-${Math.min(depth, 4)}` },
    h("td", { className: "name" }, h("div", { className: "pool-name" },
      h("span", { className: "tree-mark", "aria-hidden": "true" }, depth > 0 ? "└" : ""),
      h("span", { className: "pool-label" },
        h("span", { className: "strong" }, name), " ",
        typeBadge(s.type), p.rule === "override" ? ruleBadge("override") : null,
        s.type === "account" ? h("span", { className: "muted small block" }, "The account: its Unallocated pool")
          : h("span", { className: "muted small block" }, `From ${sourceName(p.allocated_from)}`)))),
    h("td", { className: "num" }, credits(p.credits)),
    h("td", { className: "usage-cell" }, usageBar(p)),
    h("td", { className: "num" }, credits(p.remaining)),
    h("td", { className: "num" }, s.type === "user" ? "—" : credits(p.unallocated)),
    h("td", { className: "actions-cell" }, actions));
}

function renderPools() {
  const rows = poolTree(page.pools);
  $("budgets-pools-body").replaceChildren(...rows.map(poolRow));
  showText($("budgets-pools-empty"), rows.length ? "" : "No Credit Pools yet.");
}

function onPoolAction(event) {
  const b = event.target.closest("button[data-act]");
  if (!b) {
    return;
  }
  const pool = page.byKey.get(b.dataset.key);
  if (!pool) {
    return;
  }
  if (b.dataset.act === "edit") {
    openAllocateDialog({ pool }, b);
  } else if (b.dataset.act === "allocate-from") {
    openAllocateDialog({ from: pool }, b);
  } else if (b.dataset.act === "delete") {
    openDeleteDialog(pool, b);
  } else if (b.dataset.act === "override") {
    openOverrideDialog(overrideOfPool(pool), b);
  }
}

/* -------------------------------------------------- scope searching */

function describeScope(type, x) {
  const pool = page.byKey.get(`${type}:${x.id}`);
  const tags = !pool ? [] : [h("span", { className: `badge ${pool.rule === "override" ? "rule-override" : "role"}` },
    pool.rule === "override" ? `User Override: ${credits(pool.credits)}` : `${credits(pool.credits)} credits`)];
  if (type === "user") {
    return { key: x.id, name: userName(x), detail: x.email, title: x.email, tags };
  }
  if (type === "team") {
    return { key: x.id, name: x.name, detail: x.organisation ? x.organisation.name : "", tags };
  }
  return { key: x.id, name: x.name, detail: x.is_global ? "Everyone in the account" : `${count(x.teams ?? 0, "team")}`, tags };
}

const SEARCH_PATHS = { organisation: "/v1/copilot/orgs", team: "/v1/copilot/teams", user: "/v1/copilot/users" };

async function searchScope(type, q) {
  const p = new URLSearchParams({ limit: String(PICK_SIZE), sort: "name" });
  if (q) {
    p.set("q", q);
  }
  if (type === "user") {
    p.set("status", "active");
  }
  const r = await call("GET", `${SEARCH_PATHS[type]}?${p}`);
  if (r.status !== 200 || !r.body || !Array.isArray(r.body.items)) {
    return { error: failure(`Cannot search the ${scopeWord(type).toLowerCase()}s`, r) || "Cannot search." };
  }
  return { items: r.body.items, more: typeof r.body.next_cursor === "string" };
}

/* The pools credits can be allocated from: the account's and the organisations' and teams'. */
function sourcePools() {
  return poolTree(page.pools).map((x) => x.pool).filter((p) => p.scope && p.scope.type !== "user");
}

function describeSource(p) {
  const s = p.scope;
  return {
    key: keyOf(s),
    name: s.type === "account" ? "Unallocated (the account)" : scopeName(s),
    detail: `${scopeWord(s.type)} · ${credits(p.unallocated)} unallocated`,
  };
}

/* ------------------------------------------------ allocation dialog */

function allocateDialog() {
  const id = "budgets-allocate-dialog";
  const f = `${id}-form`;
  const type = h("select", null, [["organisation", "Organisation"], ["team", "Team"], ["user", "User"]]
    .map(([v, word]) => h("option", { value: v }, word)));
  page.pickers.scope = createPicker({
    id: `${f}-scope`, label: "Allocate to", placeholder: "Search by name",
    search: (q) => searchScope(fieldInput(page.dialogs[id].form, "scope_type").value, q),
    describe: (x) => describeScope(fieldInput(page.dialogs[id].form, "scope_type").value, x),
    onChange: () => scopeChosen(),
  });
  page.pickers.from = createPicker({
    id: `${f}-from`, label: "From", placeholder: "Unallocated (the account)",
    hint: "The pool the credits come from: the account's Unallocated credits, or an organisation's or team's.",
    search: localSearch(() => sourcePools(), describeSource), describe: describeSource,
  });
  const d = makeDialog(id, "Allocate credits", "Give an organisation, a team or a user credits per period, from the " +
    "account's Unallocated credits or from a pool above them.", [
    field(f, "scope_type", "Kind", type),
    page.pickers.scope.element,
    page.pickers.from.element,
    field(f, "credits", "Credits per period", creditsInput(), CREDITS_HINT),
  ], [h("button", { type: "submit", className: "button primary", id: `${id}-save` }, "Allocate")]);
  type.addEventListener("change", () => {
    page.pickers.scope.set(null);
    pickerError(page.pickers.scope, "");
    $(`${id}-scope-note`).textContent = "";
  });
  page.pickers.scope.element.append(h("p", { className: "hint", id: `${id}-scope-note`, "aria-live": "polite" }));
  d.form.addEventListener("submit", onAllocateSubmit);
  return d;
}

/* A scope chosen that has a pool already: say so, and offer its amount to change. */
function scopeChosen() {
  const d = page.dialogs["budgets-allocate-dialog"];
  const type = fieldInput(d.form, "scope_type").value;
  const x = page.pickers.scope.value();
  const pool = x ? page.byKey.get(`${type}:${x.id}`) : null;
  $("budgets-allocate-dialog-scope-note").textContent = !pool ? ""
    : pool.rule === "override" ? `${scopeName(pool.scope)} has a User Override of ${credits(pool.credits)} credits per period: change it under User Overrides.`
      : `${scopeName(pool.scope)} has ${credits(pool.credits)} credits per period from ${sourceName(pool.allocated_from)}; saving sets the new amount.`;
}

function sourceOf(pool) {
  const from = pool && pool.allocated_from ? page.byKey.get(keyOf(pool.allocated_from)) : null;
  return from || page.pools.find((p) => p.scope && p.scope.type === "account") || null;
}

/* {pool}: change its amount; {from}: a new allocation from that pool; {}: a new one from Unallocated. */
function openAllocateDialog({ pool = null, from = null }, opener) {
  const d = page.dialogs["budgets-allocate-dialog"];
  page.editing = pool;
  const form = d.form;
  const type = fieldInput(form, "scope_type");
  type.value = pool ? pool.scope.type : from && from.scope.type === "organisation" ? "team" : from && from.scope.type === "team" ? "user" : "organisation";
  type.disabled = pool !== null;
  page.pickers.scope.set(pool ? { ...pool.scope, display_name: pool.scope.name } : null);
  page.pickers.scope.disable(pool !== null);
  page.pickers.from.set(pool ? sourceOf(pool) : from || sourceOf(null));
  page.pickers.from.disable(pool !== null);
  fieldInput(form, "credits").value = pool ? String(pool.credits) : "";
  $("budgets-allocate-dialog-title").textContent = pool ? `Change the allocation of ${scopeName(pool.scope)}` : "Allocate credits";
  $("budgets-allocate-dialog-save").textContent = pool ? "Save" : "Allocate";
  $("budgets-allocate-dialog-scope-note").textContent = "";
  openDialog(d, opener, pool ? fieldInput(form, "credits") : type);
}

function creditsValid(form, name, positive) {
  const input = fieldInput(form, name);
  const v = input.value.trim();
  if (!CREDITS.test(v) || (positive && !/[1-9]/.test(v))) {
    setFieldError(form, name, positive ? "Enter a positive number of credits, with at most six decimals."
      : "Enter a number of credits, with at most six decimals.");
    input.focus();
    return null;
  }
  return v;
}

function allocateBody(form) {
  const pool = page.editing;
  const type = pool ? pool.scope.type : fieldInput(form, "scope_type").value;
  const chosen = pool ? pool.scope : page.pickers.scope.value();
  if (!chosen) {
    pickerError(page.pickers.scope, `Choose the ${scopeWord(type).toLowerCase()} to allocate to.`);
    page.pickers.scope.focus();
    return null;
  }
  const amountText = creditsValid(form, "credits", false);
  if (amountText === null) {
    return null;
  }
  const body = { scope: { type, id: chosen.id }, credits: amountText };
  const from = page.pickers.from.value();
  if (from && from.scope) {
    body.from = from.scope.type === "account" ? { type: "account" } : { type: from.scope.type, id: from.scope.id };
  }
  return body;
}

async function onAllocateSubmit(event) {
  event.preventDefault();
  const d = page.dialogs["budgets-allocate-dialog"];
  clearFormMessages(d.form);
  pickerError(page.pickers.scope, "");
  pickerError(page.pickers.from, "");
  const body = allocateBody(d.form);
  if (!body) {
    return;
  }
  const save = $("budgets-allocate-dialog-save");
  setBusy(save, true);
  const r = await call("POST", `${B}/allocations/upsert`, body);
  setBusy(save, false);
  if ((r.status === 200 || r.status === 201) && r.body) {
    d.dialog.close();
    const text = `${scopeName(r.body.scope)} has ${credits(r.body.credits)} credits per period from ${sourceName(r.body.allocated_from)}.`;
    notePools(r.status === 201 ? `Allocated: ${text}` : `Changed: ${text}`);
    refreshPools();
    return;
  }
  showRefusal(d, r);
}

function notePools(text) {
  showText($("budgets-pools-note"), text);
  announce(text);
}

/*
 * A refusal shown in a dialog by its field: a picker's or an input's
 * error, else the form's. Fields like "scope.id" belong to "scope".
 */
function showRefusal(d, r) {
  if (r.status === 401) {
    return;
  }
  const e = errorOf(r);
  const field = e.field !== null ? e.field : Object.hasOwn(CODE_FIELDS, e.code) ? CODE_FIELDS[e.code] : null;
  const first = field ? field.split(/[.[\]]/).filter((x) => x !== "")[0] : null;
  const picker = first ? Object.values(page.pickers).find((p) => p.input.id === `${d.form.id}-${first}` && d.form.contains(p.input)) : null;
  if (picker) {
    pickerError(picker, describeError(e));
    picker.focus();
    return;
  }
  if (first && setFieldError(d.form, first, describeError(e))) {
    fieldInput(d.form, first)?.focus();
    return;
  }
  setFormError(d.form, describeError(e));
}

/* --------------------------------------------------- delete dialog */

function deleteDialog() {
  const id = "budgets-delete-dialog";
  const d = makeDialog(id, "Delete the allocation?", "", [],
    [h("button", { type: "submit", className: "button danger", id: `${id}-confirm` }, "Delete allocation")]);
  d.form.addEventListener("submit", onDeleteSubmit);
  return d;
}

function openDeleteDialog(pool, opener) {
  const d = page.dialogs["budgets-delete-dialog"];
  page.deleting = pool;
  const name = scopeName(pool.scope);
  $("budgets-delete-dialog-title").textContent = `Delete the allocation of ${name}?`;
  showText($("budgets-delete-dialog-lead"), `Its unspent credits this period, ${credits(pool.remaining)} of ` +
    `${credits(pool.credits)}, go back to ${sourceName(pool.allocated_from)}. What it spent stays in its history` +
    (amount(pool.spent) > 0 ? ` (${credits(pool.spent)} this period).` : "."));
  openDialog(d, opener, $("budgets-delete-dialog-confirm"));
}

async function onDeleteSubmit(event) {
  event.preventDefault();
  const d = page.dialogs["budgets-delete-dialog"];
  const pool = page.deleting;
  if (!pool) {
    return;
  }
  clearFormMessages(d.form);
  const confirm = $("budgets-delete-dialog-confirm");
  setBusy(confirm, true);
  const q = new URLSearchParams({ scope_type: pool.scope.type, scope_id: pool.scope.id });
  const r = await call("DELETE", `${B}/allocations?${q}`);
  setBusy(confirm, false);
  if (r.status === 200 && r.body) {
    d.opener = $("budgets-allocate");
    d.dialog.close();
    notePools(`Deleted the allocation of ${scopeName(pool.scope)}: ${credits(r.body.returned)} credits went back to ` +
      `${sourceName(pool.allocated_from)}.`);
    refreshPools();
    return;
  }
  showRefusal(d, r);
}

/* -------------------------------------------- equal distribution */

function distributeDialog() {
  const id = "budgets-distribute-dialog";
  const f = `${id}-form`;
  const type = h("select", null, [["account", "Everyone in the account"], ["organisation", "An organisation"], ["team", "A team"]]
    .map(([v, word]) => h("option", { value: v }, word)));
  page.pickers.distributeScope = createPicker({
    id: `${f}-scope`, label: "Which one", placeholder: "Search by name",
    search: (q) => searchScope(fieldInput(page.dialogs[id].form, "scope_type").value, q),
    describe: (x) => describeScope(fieldInput(page.dialogs[id].form, "scope_type").value, x),
    onChange: invalidateDistribution,
  });
  const d = makeDialog(id, "Distribute equally", "Give every user of a scope the same credits per period. What does not " +
    "divide evenly stays unallocated; users with a User Override are left alone.", [
    field(f, "scope_type", "Share among", type),
    page.pickers.distributeScope.element,
    field(f, "credits", "Credits to share", creditsInput(), "In all, per period; each user gets an equal part."),
    h("div", { className: "distribute-result", id: `${id}-result`, hidden: true },
      h("h4", { id: `${id}-result-title`, tabIndex: -1 }, "Preview"),
      h("p", { id: `${id}-result-text` })),
  ], [
    h("button", { type: "submit", className: "button secondary", id: `${id}-preview` }, "Preview"),
    h("button", { type: "button", className: "button primary", id: `${id}-apply`, disabled: true }, "Apply"),
  ]);
  type.addEventListener("change", () => {
    syncDistributeType();
    invalidateDistribution();
  });
  fieldInput(d.form, "credits").addEventListener("input", invalidateDistribution);
  d.form.addEventListener("submit", onPreview);
  d.form.querySelector(`#${id}-apply`).addEventListener("click", onApply);
  return d;
}

function syncDistributeType() {
  const d = page.dialogs["budgets-distribute-dialog"];
  const type = fieldInput(d.form, "scope_type").value;
  page.pickers.distributeScope.element.hidden = type === "account";
  page.pickers.distributeScope.set(null);
  pickerError(page.pickers.distributeScope, "");
}

function invalidateDistribution() {
  page.tried = null;
  $("budgets-distribute-dialog-apply").disabled = true;
}

function openDistributeDialog(opener) {
  const d = page.dialogs["budgets-distribute-dialog"];
  d.form.reset();
  syncDistributeType();
  invalidateDistribution();
  $("budgets-distribute-dialog-result").hidden = true;
  openDialog(d, opener);
}

function distributeBody(form) {
  const type = fieldInput(form, "scope_type").value;
  const body = { scope: { type } };
  if (type !== "account") {
    const x = page.pickers.distributeScope.value();
    if (!x) {
      pickerError(page.pickers.distributeScope, `Choose the ${scopeWord(type).toLowerCase()}.`);
      page.pickers.distributeScope.focus();
      return null;
    }
    body.scope.id = x.id;
  }
  const v = creditsValid(form, "credits", true);
  if (v === null) {
    return null;
  }
  body.credits = v;
  return body;
}

function showDistribution(answer, dry) {
  const id = "budgets-distribute-dialog";
  const users = Number(answer.users) || 0;
  const skipped = Number(answer.skipped_overrides) || 0;
  const text = `${count(users, "user")} ${dry ? "would get" : "got"} ${credits(answer.each)} credits each per period; ` +
      `${credits(answer.remainder)} ${dry ? "would stay" : "stay"} unallocated` +
      (skipped > 0 ? `; ${count(skipped, "user")} with a User Override ${skipped === 1 ? "is" : "are"} left alone.` : ".");
  $(`${id}-result-title`).textContent = dry ? "Preview: nothing has changed yet" : "Done";
  $(`${id}-result-text`).textContent = text;
  $(`${id}-result`).hidden = false;
}

async function sendDistribution(body, button) {
  const d = page.dialogs["budgets-distribute-dialog"];
  clearFormMessages(d.form);
  pickerError(page.pickers.distributeScope, "");
  setBusy(button, true);
  const r = await call("POST", `${B}/distribute/equal`, body);
  setBusy(button, false);
  if (r.status === 200 && r.body) {
    return r.body;
  }
  showRefusal(d, r);
  return null;
}

async function onPreview(event) {
  event.preventDefault();
  const d = page.dialogs["budgets-distribute-dialog"];
  clearFormMessages(d.form);
  const body = distributeBody(d.form);
  if (!body) {
    return;
  }
  invalidateDistribution();
  const answer = await sendDistribution({ ...body, dry_run: true }, $("budgets-distribute-dialog-preview"));
  if (!answer) {
    return;
  }
  showDistribution(answer, true);
  page.tried = JSON.stringify(body);
  $("budgets-distribute-dialog-apply").disabled = false;
  $("budgets-distribute-dialog-result-title").focus();
}

async function onApply() {
  if (!page.tried) {
    return;
  }
  const body = JSON.parse(page.tried);
  const answer = await sendDistribution({ ...body, dry_run: false }, $("budgets-distribute-dialog-apply"));
  invalidateDistribution();
  if (!answer) {
    return;
  }
  showDistribution(answer, false);
  $("budgets-distribute-dialog-result-title").focus();
  notePools(`Distributed equally: ${count(Number(answer.users) || 0, "user")} got ${credits(answer.each)} credits each; ` +
    `${credits(answer.remainder)} stay unallocated.`);
  refreshPools();
}

/* ------------------------------------------------ User Overrides */

async function loadOverrides() {
  const still = ticket("overrides");
  const t = $("budgets-overrides-table");
  t.setAttribute("aria-busy", "true");
  const got = await allPages(`${B}/overrides`, 10000);
  if (!still()) {
    return;
  }
  t.setAttribute("aria-busy", "false");
  if (!got.ok) {
    showText($("budgets-overrides-error"), failure("Cannot load the User Overrides", got.r));
    return;
  }
  showText($("budgets-overrides-error"), "");
  page.overrides = got.items;
  $("budgets-overrides-body").replaceChildren(...page.overrides.map(overrideRow));
  showText($("budgets-overrides-empty"), page.overrides.length ? "" : "No User Overrides.");
}

/* An override's user as {id, name, email}, from a User Override or its pool. */
function overrideUser(o) {
  const u = o.user && typeof o.user === "object" ? o.user : o.scope || {};
  return { id: u.id, name: u.display_name || u.name || u.email || u.id, email: u.email || "" };
}

function overrideOfPool(pool) {
  return page.overrides.find((o) => overrideUser(o).id === pool.scope.id) || { ...pool, user: { id: pool.scope.id, name: pool.scope.name } };
}

function overrideRow(o) {
  const u = overrideUser(o);
  return h("tr", { dataset: { user: u.id } },
    h("td", { className: "name" }, h("span", { className: "strong" }, u.name),
      u.email && u.email !== u.name ? h("span", { className: "muted small block" }, u.email) : null),
    h("td", { className: "num" }, credits(o.credits)),
    h("td", { className: "num" }, credits(o.spent)),
    h("td", { className: "num" }, credits(o.remaining)),
    h("td", { className: "actions-cell" }, h("div", { className: "row-actions" },
      h("button", { type: "button", className: "button ghost small", dataset: { act: "change", user: u.id },
        "aria-label": `Change the User Override of ${u.name}` }, "Change"),
      h("button", { type: "button", className: "button ghost small danger-text", dataset: { act: "remove", user: u.id, armed: "false" },
        "aria-label": `Remove the User Override of ${u.name}` }, "Remove"))));
}

async function onOverrideAction(event) {
  const b = event.target.closest("button[data-act]");
  if (!b) {
    return;
  }
  const o = page.overrides.find((x) => overrideUser(x).id === b.dataset.user);
  if (!o) {
    return;
  }
  const u = overrideUser(o);
  if (b.dataset.act === "change") {
    openOverrideDialog(o, b);
    return;
  }
  if (b.dataset.armed !== "true") {
    b.dataset.armed = "true";
    b.textContent = "Confirm remove";
    return;
  }
  showText($("budgets-overrides-error"), "");
  setBusy(b, true);
  const r = await call("DELETE", `${B}/overrides/${enc(u.id)}`);
  setBusy(b, false);
  if (r.status === 200) {
    announce(`The User Override of ${u.name} removed.`);
    $("budgets-override-new").focus();
    refreshPools();
    return;
  }
  b.dataset.armed = "false";
  b.textContent = "Remove";
  showText($("budgets-overrides-error"), failure(`Cannot remove the User Override of ${u.name}`, r));
}

function overrideDialog() {
  const id = "budgets-override-dialog";
  const f = `${id}-form`;
  page.pickers.overrideUser = createPicker({
    id: `${f}-user`, label: "User", placeholder: "Search users by name or email",
    search: (q) => searchScope("user", q), describe: (x) => describeScope("user", x),
  });
  const d = makeDialog(id, "Set a User Override", "The user's own limit per period, whatever their teams and " +
    "organisations have; equal distribution leaves it alone.", [
    page.pickers.overrideUser.element,
    field(f, "credits", "Credits per period", creditsInput(), CREDITS_HINT),
  ], [h("button", { type: "submit", className: "button primary", id: `${id}-save` }, "Set override")]);
  d.form.addEventListener("submit", onOverrideSubmit);
  return d;
}

function openOverrideDialog(o, opener) {
  const d = page.dialogs["budgets-override-dialog"];
  page.overrideEditing = o;
  const u = o ? overrideUser(o) : null;
  page.pickers.overrideUser.set(u ? { id: u.id, display_name: u.name, email: u.email } : null);
  page.pickers.overrideUser.disable(u !== null);
  fieldInput(d.form, "credits").value = o ? String(o.credits ?? "") : "";
  $("budgets-override-dialog-title").textContent = u ? `Change the User Override of ${u.name}` : "Set a User Override";
  openDialog(d, opener, u ? fieldInput(d.form, "credits") : page.pickers.overrideUser.input);
}

async function onOverrideSubmit(event) {
  event.preventDefault();
  const d = page.dialogs["budgets-override-dialog"];
  clearFormMessages(d.form);
  pickerError(page.pickers.overrideUser, "");
  const user = page.pickers.overrideUser.value();
  if (!user) {
    pickerError(page.pickers.overrideUser, "Choose the user.");
    page.pickers.overrideUser.focus();
    return;
  }
  const v = creditsValid(d.form, "credits", false);
  if (v === null) {
    return;
  }
  const save = $("budgets-override-dialog-save");
  setBusy(save, true);
  const r = await call("POST", `${B}/overrides`, { user: user.id, credits: v });
  setBusy(save, false);
  if ((r.status === 200 || r.status === 201) && r.body) {
    d.dialog.close();
    const text = `${userName(user)} has a User Override of ${credits(v)} credits per period.`;
    announce(text);
    notePools(text);
    refreshPools();
    return;
  }
  showRefusal(d, r);
}

/* ----------------------------------------- Effective Allocation */

async function loadEffective(user) {
  const still = ticket("effective");
  const t = $("budgets-effective-table");
  t.setAttribute("aria-busy", "true");
  showText($("budgets-effective-error"), "");
  const r = await call("GET", `${B}/effective-allocation?${new URLSearchParams({ user: user.id })}`);
  if (!still()) {
    return;
  }
  t.setAttribute("aria-busy", "false");
  if (r.status !== 200 || !r.body || !Array.isArray(r.body.levels)) {
    $("budgets-effective-result").hidden = true;
    showText($("budgets-effective-error"), failure(`Cannot find the Effective Allocation of ${userName(user)}`, r));
    return;
  }
  const a = r.body;
  $("budgets-effective-summary").replaceChildren(
    h("span", { className: "strong" }, userName(user)), ` may spend ${credits(a.remaining)} more credits this period ` +
    `(${periodText(a.period)}). Their own limit is decided by `, ruleBadge(a.user_rule),
    a.limited_by ? `. The level that limits them first: ${scopeName(a.limited_by)} (${scopeWord(a.limited_by.type).toLowerCase()}).` : ".");
  $("budgets-effective-body").replaceChildren(...a.levels.map((l) => h("tr", { dataset: { scope: keyOf(l.scope), rule: l.rule } },
    h("td", { className: "name" }, h("span", { className: "strong" }, scopeName(l.scope)), " ", typeBadge(l.scope?.type),
      l.allocated_from ? h("span", { className: "muted small block" }, `From ${sourceName(l.allocated_from)}`) : null),
    h("td", null, ruleWord(l.rule)),
    h("td", { className: "num" }, l.limit === null || l.limit === undefined ? "No limit" : credits(l.limit)),
    h("td", { className: "num" }, credits(l.spent)),
    h("td", { className: "num" }, credits(l.held)),
    h("td", { className: "num" }, l.remaining === null || l.remaining === undefined ? "—" : credits(l.remaining)))));
  showText($("budgets-effective-empty"), a.levels.length ? "" : "No limited level on this user's path.");
  $("budgets-effective-result").hidden = false;
}

/* ------------------------------------------------ spend over time */

function isoDay(ms) {
  return new Date(ms).toISOString().slice(0, 10);
}

function defaultRange() {
  const form = $("budgets-spend-form");
  const today = Date.parse(`${isoDay(Date.now())}T00:00:00Z`);
  fieldInput(form, "from").value = isoDay(today - (CHART_DAYS - 1) * DAY_MS);
  fieldInput(form, "to").value = isoDay(today);
}

function spendRange() {
  const form = $("budgets-spend-form");
  clearFormMessages(form);
  const from = fieldInput(form, "from").value;
  const to = fieldInput(form, "to").value;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(from)) {
    setFieldError(form, "from", "Choose the first day.");
    return null;
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(to) || to < from) {
    setFieldError(form, "to", "Choose a last day on or after the first.");
    return null;
  }
  if ((Date.parse(to) - Date.parse(from)) / DAY_MS > 366) {
    setFieldError(form, "to", "Show at most a year at a time.");
    return null;
  }
  return { from, to };
}

async function loadSpend() {
  const range = spendRange();
  if (!range) {
    return;
  }
  const still = ticket("spend");
  /* to is the last day shown; the API's to is excluded: the next day's start. */
  const q = (by) => new URLSearchParams({ by, from: range.from, to: isoDay(Date.parse(range.to) + DAY_MS) });
  $("budgets-models-table").setAttribute("aria-busy", "true");
  $("budgets-chart").setAttribute("aria-busy", "true");
  const [days, models] = await Promise.all([allPages(`${B}/cost-breakdown?${q("day")}`, 400),
    call("GET", `${B}/cost-breakdown?${q("model")}&limit=${PAGE_SIZE}`)]);
  if (!still()) {
    return;
  }
  $("budgets-models-table").setAttribute("aria-busy", "false");
  $("budgets-chart").setAttribute("aria-busy", "false");
  const bad = !days.ok ? days.r : models.status !== 200 || !models.body || !Array.isArray(models.body.items) ? models : null;
  if (bad) {
    showText($("budgets-spend-error"), failure("Cannot load the spend", bad));
    return;
  }
  showText($("budgets-spend-error"), "");
  page.chart = { range, items: days.items };
  drawChart(range, days.items);
  renderModels(models.body.items, typeof models.body.next_cursor === "string");
}

/* An SVG element with attributes (never markup). */
function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) {
    el.setAttribute(k, String(v));
  }
  for (const c of children) {
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/* A round number at or above x, for the top of the axis. */
function niceCeil(x) {
  if (x <= 0) {
    return 1;
  }
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 2.5, 5, 10]) {
    if (m * p >= x) {
      return m * p;
    }
  }
  return 10 * p;
}

function shortDay(day) {
  return new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", timeZone: "UTC" }).format(new Date(`${day}T00:00:00Z`));
}

/* Credits per day as bars, every day of the range in its place. */
function drawChart(range, items) {
  const byDay = new Map(items.map((x) => [String(x.day), x]));
  const days = [];
  for (let t = Date.parse(range.from); t <= Date.parse(range.to); t += DAY_MS) {
    days.push(isoDay(t));
  }
  const box = $("budgets-chart");
  page.chartWidth = box.clientWidth;
  const W = Math.max(320, Math.round(box.clientWidth - 18) || 720);
  const H = 220;
  const left = 56;
  const right = 8;
  const top = 12;
  const bottom = 28;
  const plotW = W - left - right;
  const plotH = H - top - bottom;
  const max = niceCeil(Math.max(0, ...items.map((x) => amount(x.credits))));
  const slot = plotW / Math.max(1, days.length);
  const barW = Math.max(1, Math.min(24, slot * 0.7));
  const total = items.reduce((n, x) => n + (amount(x.credits) > 0 ? 1 : 0), 0);
  const chart = svg("svg", {
    viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "img", "aria-labelledby": "budgets-chart-caption",
    class: "spend-chart", "data-points": total,
  });
  for (const f of [0, 0.5, 1]) {
    const y = top + plotH - f * plotH;
    chart.append(svg("line", { x1: left, x2: W - right, y1: y, y2: y, class: f === 0 ? "axis" : "grid" }));
    chart.append(svg("text", { x: left - 6, y: y + 4, class: "tick", "text-anchor": "end" }, credits(String(+(max * f).toFixed(6)))));
  }
  days.forEach((day, i) => {
    const x = byDay.get(day);
    const v = x ? amount(x.credits) : 0;
    if (v > 0) {
      const hgt = Math.max(1, (v / max) * plotH);
      chart.append(svg("rect", {
        x: left + i * slot + (slot - barW) / 2, y: top + plotH - hgt, width: barW, height: hgt, class: "bar",
        "data-day": day, "data-credits": x.credits,
      }, svg("title", {}, `${shortDay(day)}: ${credits(x.credits)} credits`)));
    }
  });
  const labels = days.length <= 1 ? [0] : [0, Math.floor((days.length - 1) / 2), days.length - 1];
  for (const i of labels) {
    chart.append(svg("text", { x: left + i * slot + slot / 2, y: H - 8, class: "tick", "text-anchor": "middle" }, shortDay(days[i])));
  }
  box.replaceChildren(chart);
  const sum = items.map((x) => x.credits);
  $("budgets-chart-caption").textContent = total === 0
    ? `No credits spent from ${shortDay(range.from)} to ${shortDay(range.to)}.`
    : `Credits spent per day, ${shortDay(range.from)} to ${shortDay(range.to)}: ${count(total, "day")} with spend, ` +
      `at most ${credits(String(items.reduce((m, x) => (amount(x.credits) > amount(m) ? x.credits : m), "0")))} in a day.`;
  $("budgets-days-body").replaceChildren(...items.filter((x) => amount(x.credits) > 0).map((x) => h("tr", null,
    h("td", null, String(x.day)), h("td", { className: "num" }, credits(x.credits)))));
  showText($("budgets-days-empty"), sum.length ? "" : "No spend in these days.");
}

function renderModels(items, more) {
  const total = items.reduce((n, x) => n + amount(x.credits), 0);
  $("budgets-models-body").replaceChildren(...items.map((x) => {
    const pct = total > 0 ? (amount(x.credits) / total) * 100 : 0;
    const bar = h("span", { className: "bar-spent" });
    bar.style.width = `${pct}%`;
    return h("tr", { dataset: { model: String(x.model) } },
      h("td", { className: "name" }, h("code", null, String(x.model))),
      h("td", { className: "num" }, credits(x.credits)),
      h("td", { className: "usage-cell" }, h("div", { className: "usage" },
        h("div", { className: "bar", role: "img", "aria-label": `${pct.toFixed(1)}% of the spend` }, bar),
        h("span", { className: "small muted" }, `${pct.toFixed(1)}%`))));
  }));
  showText($("budgets-models-empty"), items.length ? "" : "No spend in these days.");
  $("budgets-models-more").textContent = more ? `The ${count(items.length, "model")} with the most credits; the share is of these.` : "";
}

/* ---------------------------------------------------------- alerts */

async function loadAlerts(more) {
  const still = ticket("alerts");
  const t = $("budgets-alerts-table");
  t.setAttribute("aria-busy", "true");
  setBusy($("budgets-alerts-more"), true);
  const p = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (more && page.alertsCursor) {
    p.set("cursor", page.alertsCursor);
  }
  const r = await call("GET", `${B}/alerts?${p}`);
  if (!still()) {
    return;
  }
  t.setAttribute("aria-busy", "false");
  setBusy($("budgets-alerts-more"), false);
  if (r.status !== 200 || !r.body || !Array.isArray(r.body.items)) {
    showText($("budgets-alerts-error"), failure("Cannot load the alerts", r));
    return;
  }
  showText($("budgets-alerts-error"), "");
  page.alerts = more ? page.alerts.concat(r.body.items) : r.body.items;
  page.alertsCursor = typeof r.body.next_cursor === "string" ? r.body.next_cursor : null;
  $("budgets-alerts-body").replaceChildren(...page.alerts.map(alertRow));
  showText($("budgets-alerts-empty"), page.alerts.length ? "" : "No alerts: no pool has crossed a threshold.");
  $("budgets-alerts-count").textContent = page.alerts.length === 0 ? "" : page.alertsCursor
    ? `Showing ${count(page.alerts.length, "alert")}; more to load` : `Showing all ${count(page.alerts.length, "alert")}`;
  $("budgets-alerts-more").hidden = !page.alertsCursor;
  if (more) {
    announce(`Loaded ${count(r.body.items.length, "more alert")}.`);
  }
}

function deliveryBadge(a) {
  const [word, cls] = DELIVERY[a.delivery] || [String(a.delivery), ""];
  const b = h("span", { className: `badge ${cls}` }, word);
  const more = [];
  if (a.attempts) {
    more.push(count(Number(a.attempts), "attempt"));
  }
  if (a.last_error && a.delivery !== "delivered") {
    more.push(a.last_error);
  }
  return [b, more.length ? h("span", { className: "muted small block" }, more.join(" · ")) : null];
}

function alertRow(a) {
  return h("tr", { dataset: { id: a.id || "", scope: keyOf(a.scope), threshold: String(a.threshold) } },
    h("td", { className: "name" }, h("span", { className: "strong" }, scopeName(a.scope)), " ", typeBadge(a.scope?.type)),
    h("td", { className: "num" }, `${a.threshold}%`),
    h("td", null, periodText(a.period)),
    h("td", { className: "num" }, `${credits(a.spent)} of ${credits(a.limit)}`),
    h("td", null, deliveryBadge(a)),
    h("td", null, timeElement(a.created_at)));
}

async function loadWebhook() {
  const still = ticket("webhook");
  const r = await call("GET", `${B}/alerts/webhook`);
  if (!still()) {
    return;
  }
  if (r.status !== 200 && r.status !== 404) {
    showText($("budgets-webhook-error"), failure("Cannot load the webhook", r));
    return;
  }
  showText($("budgets-webhook-error"), "");
  renderWebhook(r.status === 200 && r.body && typeof r.body.url === "string" ? r.body : null);
}

function renderWebhook(w) {
  const input = fieldInput($("budgets-webhook-form"), "url");
  input.value = w ? w.url : "";
  input.defaultValue = input.value;
  $("budgets-webhook-state").textContent = w
    ? `Alerts are delivered to this URL${w.updated_at ? `, set ${formatTime(w.updated_at)}` : ""}.`
    : "No webhook: alerts are listed here only (delivery: No webhook).";
  $("budgets-webhook-remove").hidden = !w;
  $("budgets-webhook-rotate").hidden = !w;
  fieldInput($("budgets-webhook-form"), "rotate_secret").checked = false;
  resetArmed($("budgets-webhook-remove"), "Remove webhook");
}

async function onWebhookSubmit(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearFormMessages(form);
  const url = fieldInput(form, "url").value.trim();
  if (!/^https?:\/\/\S+$/i.test(url)) {
    setFieldError(form, "url", "Enter the URL alerts go to, starting with https://.");
    fieldInput(form, "url").focus();
    return;
  }
  const save = $("budgets-webhook-save");
  setBusy(save, true);
  const body = { url };
  if (fieldInput(form, "rotate_secret").checked) {
    body.rotate_secret = true;
  }
  const r = await call("PUT", `${B}/alerts/webhook`, body);
  setBusy(save, false);
  if ((r.status === 200 || r.status === 201) && r.body) {
    renderWebhook(r.body);
    if (typeof r.body.secret === "string") {
      showSecret(r.body.secret);
    }
    setFormNote(form, "Saved.");
    announce(typeof r.body.secret === "string" ? "Webhook saved. Copy its signing secret now." : "Webhook saved.");
    return;
  }
  if (r.status !== 401) {
    const e = errorOf(r);
    if (!(e.field && setFieldError(form, e.field, describeError(e)))) {
      setFormError(form, describeError(e));
    }
  }
}

async function onWebhookRemove(event) {
  const b = event.currentTarget;
  if (b.dataset.armed !== "true") {
    b.dataset.armed = "true";
    b.textContent = "Confirm: remove the webhook";
    return;
  }
  const form = $("budgets-webhook-form");
  clearFormMessages(form);
  setBusy(b, true);
  const r = await call("DELETE", `${B}/alerts/webhook`);
  setBusy(b, false);
  if (r.status === 200 || r.status === 204) {
    renderWebhook(null);
    hideSecret();
    setFormNote(form, "Removed: alerts are no longer delivered.");
    announce("Webhook removed.");
    fieldInput(form, "url").focus();
    return;
  }
  resetArmed(b, "Remove webhook");
  setFormError(form, failure("Cannot remove the webhook", r));
}

function resetArmed(b, text) {
  b.dataset.armed = "false";
  b.textContent = text;
}

function showSecret(secret) {
  $("budgets-webhook-secret-value").textContent = secret;
  $("budgets-webhook-secret-copied").textContent = "";
  $("budgets-webhook-secret").hidden = false;
  $("budgets-webhook-secret-copy").focus();
}

function hideSecret() {
  $("budgets-webhook-secret").hidden = true;
  $("budgets-webhook-secret-value").textContent = "";
  $("budgets-webhook-secret-copied").textContent = "";
}

async function onCopySecret() {
  const text = $("budgets-webhook-secret-value").textContent;
  try {
    await navigator.clipboard.writeText(text);
    $("budgets-webhook-secret-copied").textContent = "Copied.";
  } catch {
    const range = document.createRange();
    range.selectNodeContents($("budgets-webhook-secret-value"));
    window.getSelection().removeAllRanges();
    window.getSelection().addRange(range);
    $("budgets-webhook-secret-copied").textContent = "The browser did not let the console copy it: the secret is selected, copy it with the keyboard.";
  }
}

/* ---------------------------------------------------------- wiring */

function wire() {
  if (page.wired) {
    return;
  }
  build();
  page.wired = true;
  page.pickers.effective = createPicker({
    id: "budgets-effective-user", label: "User", placeholder: "Search users by name or email",
    search: (q) => searchScope("user", q), describe: (x) => describeScope("user", x),
    onChange: (u) => {
      if (u) {
        loadEffective(u);
      } else {
        $("budgets-effective-result").hidden = true;
      }
    },
  });
  $("budgets-effective-slot").replaceWith(page.pickers.effective.element);
  /* The chart is drawn to its box's width: drawn again when that changes. */
  new ResizeObserver(() => {
    const w = $("budgets-chart").clientWidth;
    if (page.chart && w > 0 && Math.abs(w - (page.chartWidth || 0)) > 24) {
      drawChart(page.chart.range, page.chart.items);
    }
  }).observe($("budgets-chart"));
  defaultRange();
  $("budgets-refresh").addEventListener("click", () => {
    loadAll();
    announce("Budgets loaded again.");
  });
  $("budgets-plan-new").addEventListener("click", (e) => openPlanDialog(false, e.currentTarget));
  $("budgets-plan-edit").addEventListener("click", (e) => openPlanDialog(true, e.currentTarget));
  $("budgets-plans-more").addEventListener("click", () => loadPlans(true));
  $("budgets-allocate").addEventListener("click", (e) => openAllocateDialog({}, e.currentTarget));
  $("budgets-distribute").addEventListener("click", (e) => openDistributeDialog(e.currentTarget));
  $("budgets-pools-body").addEventListener("click", onPoolAction);
  $("budgets-override-new").addEventListener("click", (e) => openOverrideDialog(null, e.currentTarget));
  $("budgets-overrides-body").addEventListener("click", onOverrideAction);
  $("budgets-spend-form").addEventListener("submit", (e) => {
    e.preventDefault();
    loadSpend();
  });
  $("budgets-alerts-more").addEventListener("click", () => loadAlerts(true));
  $("budgets-webhook-form").addEventListener("submit", onWebhookSubmit);
  $("budgets-webhook-remove").addEventListener("click", onWebhookRemove);
  $("budgets-webhook-secret-copy").addEventListener("click", onCopySecret);
  $("budgets-webhook-secret-hide").addEventListener("click", () => {
    hideSecret();
    fieldInput($("budgets-webhook-form"), "url").focus();
  });
}

