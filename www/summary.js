/*
 * The super admin's summary: every account with its status, plan, users
 * and credits, the platform's totals, and bulk actions on the accounts
 * selected (suspend, reactivate, change plan, grant credits). A bulk
 * action runs dry first and shows each account's outcome; Apply is
 * offered only for the action just tried, on the same accounts.
 */
import {
  $, announce, call, clearFormMessages, count, errorOf, failure, fieldInput, h, setBusy, setFieldError,
  setFormError, showApiError, showText, badge,
} from "./common.js";
import { createPicker, pickerError } from "./picker.js";
import { describePlan, planSearchFor } from "./account.js";

const PAGE_SIZE = 50;
const DELAY_MS = 250;
const MAX_BULK = 500;
const CREDITS = /^(?:0|[1-9][0-9]{0,11})(?:\.[0-9]{1,6})?$/;
const ACTION_WORDS = { suspend: "Suspend", activate: "Reactivate", change_plan: "Change plan", grant_credits: "Grant credits" };
const OUTCOME_WORDS = { changed: "Changed", would_change: "Would change", unchanged: "Unchanged", failed: "Failed" };
const ANY_PLAN = Object.freeze({ id: "", slug: null, name: "Any plan", any: true });

const page = {
  generation: 0,
  items: [],
  cursor: null,
  selected: new Map(),  /* account id -> {name, slug} */
  names: new Map(),
  tried: null,          /* the body of the last dry run, as JSON: what Apply would send */
  timer: 0,
  filterPlan: null,
  bulkPlan: null,
  wired: false,
};

export function open() {
  wire();
  load(false);
  renderSelection();
}

export function leave() {
  page.generation++;
  window.clearTimeout(page.timer);
  page.items = [];
  page.cursor = null;
  page.selected.clear();
  page.tried = null;
  $("summary-filters").reset();
  $("bulk-form").reset();
  clearFormMessages($("bulk-form"));
  page.filterPlan.set(ANY_PLAN);
  page.bulkPlan.set(null);
  syncAction();
  $("summary-body").replaceChildren();
  $("bulk-results").hidden = true;
}

/* ------------------------------------------------------------ the table */

function query(cursor) {
  const p = new URLSearchParams({ limit: String(PAGE_SIZE) });
  const q = $("summary-filters-q").value.trim();
  const status = $("summary-filters-status").value;
  const plan = page.filterPlan.value();
  if (q) {
    p.set("q", q);
  }
  if (status) {
    p.set("status", status);
  }
  if (plan && !plan.any && plan.slug) {
    p.set("plan", plan.slug);
  }
  if (cursor) {
    p.set("cursor", cursor);
  }
  return "/v1/super-admin/summary?" + p.toString();
}

function renderTotals(totals) {
  for (const k of ["accounts", "active", "suspended", "users", "credits_granted", "credits_used", "open_alerts"]) {
    const v = totals && totals[k] !== undefined && totals[k] !== null ? String(totals[k]) : "—";
    $(`total-${k}`).textContent = v;
  }
}

function row(a) {
  const box = h("input", {
    type: "checkbox", className: "select-box", checked: page.selected.has(a.account_id),
    dataset: { id: a.account_id }, "aria-label": `Select ${a.name}`,
  });
  const plan = a.plan && typeof a.plan === "object" ? a.plan : null;
  return h("tr", { dataset: { id: a.account_id }, className: page.selected.has(a.account_id) ? "selected" : "" },
    h("td", { className: "select-col" }, box),
    h("td", { className: "name" }, h("a", { href: "#/accounts/" + encodeURIComponent(a.account_id), className: "strong" }, a.name),
      h("code", { className: "muted small block" }, a.slug)),
    h("td", null, badge(a.status)),
    h("td", { className: "plan" }, plan ? plan.name : h("span", { className: "muted" }, "No plan")),
    h("td", { className: "num" }, String(a.users ?? 0)),
    h("td", { className: "num" }, String(a.credits_granted ?? "0")),
    h("td", { className: "num" }, String(a.credits_used ?? "0")),
    h("td", { className: "num" }, String(a.open_alerts ?? 0)));
}

function syncSelectAll() {
  const boxes = [...$("summary-body").querySelectorAll("input.select-box")];
  const on = boxes.filter((b) => b.checked).length;
  const all = $("summary-select-all");
  all.checked = boxes.length > 0 && on === boxes.length;
  all.indeterminate = on > 0 && on < boxes.length;
  all.disabled = boxes.length === 0;
}

function renderFoot() {
  const n = page.items.length;
  const filtered = query(null) !== `/v1/super-admin/summary?limit=${PAGE_SIZE}`;
  showText($("summary-empty"), n > 0 ? "" : filtered ? "No accounts match." : "No accounts yet.");
  $("summary-count").textContent = n === 0 ? "" : page.cursor ? `Showing ${count(n, "account")}; more to load` : `Showing all ${count(n, "account")}`;
  $("summary-more").hidden = !page.cursor;
  syncSelectAll();
}

async function load(more) {
  const generation = ++page.generation;
  const table = $("summary-table");
  table.setAttribute("aria-busy", "true");
  setBusy($("summary-more"), true);
  const r = await call("GET", query(more ? page.cursor : null), undefined, { platform: true });
  if (generation !== page.generation) {
    return;
  }
  table.setAttribute("aria-busy", "false");
  setBusy($("summary-more"), false);
  if (r.status !== 200 || !r.body || !Array.isArray(r.body.items)) {
    showText($("summary-error"), failure("Cannot load the summary", r));
    return;
  }
  showText($("summary-error"), "");
  renderTotals(r.body.totals);
  for (const a of r.body.items) {
    page.names.set(a.account_id, { name: a.name, slug: a.slug });
  }
  page.items = more ? page.items.concat(r.body.items) : r.body.items;
  page.cursor = typeof r.body.next_cursor === "string" ? r.body.next_cursor : null;
  if (more) {
    $("summary-body").append(...r.body.items.map(row));
    announce(`Loaded ${count(r.body.items.length, "more account")}.`);
  } else {
    $("summary-body").replaceChildren(...page.items.map(row));
  }
  renderFoot();
}

function onSearchInput() {
  window.clearTimeout(page.timer);
  page.timer = window.setTimeout(() => load(false), DELAY_MS);
}

/* ------------------------------------------------------------ selection */

function renderSelection() {
  const n = page.selected.size;
  $("bulk-selected").textContent = n === 0 ? "No account selected." : `${count(n, "account")} selected.`;
  invalidate();
}

function select(id, on) {
  if (on) {
    page.selected.set(id, page.names.get(id) || { name: id, slug: "" });
  } else {
    page.selected.delete(id);
  }
  const tr = $("summary-body").querySelector(`tr[data-id="${CSS.escape(id)}"]`);
  if (tr) {
    tr.classList.toggle("selected", on);
  }
}

function onBoxChange(event) {
  const box = event.target.closest("input.select-box");
  if (!box) {
    return;
  }
  select(box.dataset.id, box.checked);
  syncSelectAll();
  renderSelection();
}

function onSelectAll(event) {
  const on = event.currentTarget.checked;
  for (const box of $("summary-body").querySelectorAll("input.select-box")) {
    box.checked = on;
    select(box.dataset.id, on);
  }
  syncSelectAll();
  renderSelection();
}

/* ---------------------------------------------------------------- bulk */

function syncAction() {
  const action = $("bulk-form-action").value;
  $("bulk-form-plan-slot").hidden = action !== "change_plan";
  $("bulk-credits-field").hidden = action !== "grant_credits";
  $("bulk-reason-field").hidden = action !== "grant_credits";
  invalidate();
}

/* Anything changed since the dry run: Apply waits for another. */
function invalidate() {
  page.tried = null;
  $("bulk-apply").disabled = true;
  $("bulk-apply-hint").hidden = false;
}

/* The request the form describes, or null (the errors shown). */
function bulkBody(form) {
  clearFormMessages(form);
  pickerError(page.bulkPlan, "");
  const action = fieldInput(form, "action").value;
  const body = { action, account_ids: [...page.selected.keys()] };
  if (body.account_ids.length === 0) {
    setFormError(form, "Select one or more accounts in the table first.");
    return null;
  }
  if (body.account_ids.length > MAX_BULK) {
    setFormError(form, `Select at most ${MAX_BULK} accounts at a time.`);
    return null;
  }
  if (action === "change_plan") {
    const plan = page.bulkPlan.value();
    if (!plan) {
      pickerError(page.bulkPlan, "Choose the plan to move the accounts to.");
      page.bulkPlan.focus();
      return null;
    }
    body.plan = plan.slug;
  }
  if (action === "grant_credits") {
    const credits = fieldInput(form, "credits").value.trim();
    if (!CREDITS.test(credits) || !/[1-9]/.test(credits)) {
      setFieldError(form, "credits", "Enter a positive number of credits, with at most six decimals.");
      fieldInput(form, "credits").focus();
      return null;
    }
    body.credits = credits;
    const reason = fieldInput(form, "reason").value.trim();
    if (reason) {
      body.reason = reason;
    }
  }
  return body;
}

function outcomeRow(result) {
  const who = page.selected.get(result.account_id) || page.names.get(result.account_id);
  const e = result.error;
  const why = !e ? "" : typeof e === "string" ? e : typeof e.message === "string" ? e.message : String(e.code || "");
  const kind = result.outcome === "failed" ? "failed" : result.outcome === "unchanged" ? "" : "active";
  return h("tr", { dataset: { id: result.account_id, outcome: result.outcome } },
    h("td", null, who ? who.name : result.account_id),
    h("td", null, h("span", { className: `badge ${kind}` }, OUTCOME_WORDS[result.outcome] || String(result.outcome))),
    h("td", null, why));
}

function showResults(answer) {
  const c = answer.counts || {};
  const dry = answer.dry_run === true;
  const verb = ACTION_WORDS[answer.action] || answer.action;
  $("bulk-results-title").textContent = dry ? `Dry run: ${verb}` : `Done: ${verb}`;
  const changed = dry ? "would change" : "changed";
  $("bulk-results-counts").textContent =
    `${count(c.changed ?? 0, "account")} ${changed}, ${c.unchanged ?? 0} unchanged, ${c.failed ?? 0} failed.` +
    (dry ? " Nothing has changed yet." : "");
  $("bulk-results-body").replaceChildren(...(answer.results || []).map(outcomeRow));
  $("bulk-results").hidden = false;
  $("bulk-results-title").focus();
}

async function send(body, button) {
  const form = $("bulk-form");
  setBusy(button, true);
  const r = await call("POST", "/v1/super-admin/bulk-actions", body, { platform: true });
  setBusy(button, false);
  if (r.status === 200 && r.body && Array.isArray(r.body.results)) {
    return r.body;
  }
  const e = errorOf(r);
  if (e.field === "plan") {
    pickerError(page.bulkPlan, e.message);
  } else {
    showApiError(form, r);
  }
  return null;
}

async function onDryRun(event) {
  event.preventDefault();
  const body = bulkBody(event.currentTarget);
  if (!body) {
    return;
  }
  invalidate();
  const answer = await send({ ...body, dry_run: true }, $("bulk-dry-run"));
  if (!answer) {
    return;
  }
  showResults(answer);
  page.tried = JSON.stringify(body);
  $("bulk-apply").disabled = false;
  $("bulk-apply-hint").hidden = true;
}

async function onApply() {
  if (!page.tried) {
    return;
  }
  const body = JSON.parse(page.tried);
  const answer = await send({ ...body, dry_run: false }, $("bulk-apply"));
  invalidate();
  if (!answer) {
    return;
  }
  showResults(answer);
  /* Accounts that are gone leave the selection. */
  for (const result of answer.results) {
    if (result.outcome === "failed" && result.error && result.error.code === "not_found") {
      page.selected.delete(result.account_id);
    }
  }
  renderSelection();
  announce(`${ACTION_WORDS[answer.action] || answer.action}: ${answer.counts?.changed ?? 0} changed, ${answer.counts?.failed ?? 0} failed.`);
  load(false);
}

function wire() {
  if (page.wired) {
    return;
  }
  page.wired = true;
  page.filterPlan = createPicker({
    id: "summary-filters-plan", label: "Plan", placeholder: "Any plan",
    search: planSearchFor(true), describe: (p) => (p.any ? { key: "", name: p.name } : describePlan(p)), fixed: [ANY_PLAN],
    onChange: () => load(false),
  });
  page.filterPlan.set(ANY_PLAN);
  $("summary-plan-slot").append(page.filterPlan.element);
  page.bulkPlan = createPicker({
    id: "bulk-form-plan", label: "New plan", placeholder: "Search plans",
    search: planSearchFor(false), describe: describePlan, onChange: invalidate,
  });
  $("bulk-form-plan-slot").append(page.bulkPlan.element);
  $("summary-filters").addEventListener("submit", (e) => {
    e.preventDefault();
    load(false);
  });
  $("summary-filters-q").addEventListener("input", onSearchInput);
  $("summary-filters-status").addEventListener("change", () => load(false));
  $("summary-body").addEventListener("change", onBoxChange);
  $("summary-select-all").addEventListener("change", onSelectAll);
  $("summary-more").addEventListener("click", () => load(true));
  const form = $("bulk-form");
  form.addEventListener("submit", onDryRun);
  $("bulk-form-action").addEventListener("change", syncAction);
  for (const name of ["credits", "reason"]) {
    fieldInput(form, name).addEventListener("input", invalidate);
  }
  $("bulk-apply").addEventListener("click", onApply);
  syncAction();
}
