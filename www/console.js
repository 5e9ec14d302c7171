/*
 * console-cockpit admin console: sign-in, service status and accounts.
 *
 * Plain ES module, no build step, no external resources. Every piece of
 * text that comes from the API is put on the page with textContent, never
 * as markup. The master key lives in sessionStorage only.
 */

const KEY_STORAGE = "console-cockpit.master-key";
const KEY_MIN_LENGTH = 32;
const PAGE_SIZE = 50;
const SEARCH_DELAY_MS = 250;
const STATUS_EVERY_MS = 30000;

const state = {
  q: "",
  status: "",
  items: [],
  cursor: null,
  generation: 0,        /* bumped by every list load; stale answers are dropped */
  rows: new Map(),      /* account id -> <tr> */
  selected: null,       /* the account shown in the detail panel */
  searchTimer: 0,
  statusTimer: 0,
};

const $ = (id) => document.getElementById(id);

/* ---------------------------------------------------------------- key */

function storedKey() {
  try {
    return sessionStorage.getItem(KEY_STORAGE);
  } catch {
    return null;
  }
}

function storeKey(key) {
  try {
    sessionStorage.setItem(KEY_STORAGE, key);
    return true;
  } catch {
    return false;
  }
}

function forgetKey() {
  try {
    sessionStorage.removeItem(KEY_STORAGE);
  } catch {
    /* nothing stored, nothing to forget */
  }
}

/* ---------------------------------------------------------------- API */

async function readBody(res) {
  const text = await res.text().catch(() => "");
  if (text === "") {
    return null;
  }
  const type = res.headers.get("Content-Type") || "";
  if (!type.includes("json")) {
    return text;
  }
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/*
 * One request to the API. Returns {status, body}: status 0 when the server
 * could not be reached, body the parsed JSON (or null).
 */
async function api(method, path, { body, key = storedKey() } = {}) {
  const headers = { Accept: "application/json" };
  const init = { method, headers, cache: "no-store", credentials: "same-origin" };
  if (key) {
    headers.Authorization = `Bearer ${key}`;
  }
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch {
    return { status: 0, body: null };
  }
  return { status: res.status, body: await readBody(res) };
}

/* An authenticated call: a 401 sends the operator back to sign in. */
async function call(method, path, body) {
  const r = await api(method, path, { body });
  if (r.status === 401) {
    signOut("The master key was not accepted. Sign in again.");
  }
  return r;
}

/* The {code, message, field} of a failed answer, made up when absent. */
function errorOf(r) {
  const e = r.body && typeof r.body === "object" ? r.body.error : null;
  if (e && typeof e.message === "string") {
    return {
      code: String(e.code || ""),
      message: e.message,
      field: typeof e.field === "string" ? e.field : null,
      requestId: typeof e.request_id === "string" ? e.request_id : null,
    };
  }
  if (r.status === 0) {
    return { code: "network_error", message: "Cannot reach the server.", field: null, requestId: null };
  }
  return { code: "http_" + r.status, message: `The server answered ${r.status}.`, field: null, requestId: null };
}

function describeError(e) {
  const text = sentence(e.message);
  return e.code === "internal_error" && e.requestId
    ? `${text} Request id: ${e.requestId}.`
    : text;
}

function sentence(s) {
  const t = s.trim();
  if (t === "") {
    return t;
  }
  const first = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(first) ? first : first + ".";
}

function accountPath(id) {
  return "/v1/accounts/" + encodeURIComponent(id);
}

/* ------------------------------------------------------------ helpers */

function announce(message) {
  const el = $("announcer");
  el.textContent = "";
  window.setTimeout(() => {
    el.textContent = message;
  }, 50);
}

function showText(el, text) {
  el.textContent = text;
  el.hidden = text === "";
}

function formatTime(iso) {
  if (typeof iso !== "string") {
    return "";
  }
  /* Date.parse is only sure of milliseconds; the API gives microseconds. */
  const d = new Date(iso.replace(/(\.\d{3})\d+/, "$1"));
  if (Number.isNaN(d.getTime())) {
    return iso;
  }
  return new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" }).format(d);
}

function setTime(el, iso) {
  el.dateTime = typeof iso === "string" ? iso : "";
  el.textContent = formatTime(iso);
  el.title = typeof iso === "string" ? iso : "";
}

function statusBadge(el, status) {
  el.className = "badge " + (status === "active" || status === "suspended" ? status : "");
  el.textContent = status === "active" ? "Active" : status === "suspended" ? "Suspended" : String(status);
}

function setBusy(button, busy) {
  button.disabled = busy;
  button.setAttribute("aria-busy", busy ? "true" : "false");
}

/* ------------------------------------------------------ form messages */

function fieldInput(form, name) {
  const el = form.elements.namedItem(name);
  return el instanceof HTMLInputElement ? el : null;
}

function setFieldError(form, name, message) {
  const input = fieldInput(form, name);
  const out = $(`${form.id}-${name}-error`);
  if (!input || !out) {
    return false;
  }
  input.setAttribute("aria-invalid", "true");
  showText(out, message);
  return true;
}

function setFormError(form, message) {
  showText($(`${form.id}-error`), message);
}

function setFormNote(form, message) {
  $(`${form.id}-note`).textContent = message;
}

function clearFormMessages(form) {
  for (const el of form.querySelectorAll("[aria-invalid]")) {
    el.removeAttribute("aria-invalid");
  }
  for (const el of form.querySelectorAll(".field-error")) {
    showText(el, "");
  }
  setFormError(form, "");
  const note = $(`${form.id}-note`);
  if (note) {
    note.textContent = "";
  }
}

/* Shows an API error next to its field when there is one, else on the form. */
function showApiError(form, r) {
  const e = errorOf(r);
  if (e.field && setFieldError(form, e.field, sentence(e.message))) {
    fieldInput(form, e.field).focus();
    return;
  }
  setFormError(form, describeError(e));
}

/* ------------------------------------------------------------- status */

function setStatusItem(id, valueId, stateName, text) {
  $(id).dataset.state = stateName;
  $(valueId).textContent = text;
}

function renderHealth(r) {
  if (r.status === 200) {
    setStatusItem("status-health", "health-value", "ok", "OK");
  } else if (r.status === 0) {
    setStatusItem("status-health", "health-value", "bad", "Unreachable");
  } else {
    setStatusItem("status-health", "health-value", "bad", `HTTP ${r.status}`);
  }
}

function readinessLabel(code) {
  switch (code) {
    case "schema_mismatch":
      return "Schema mismatch";
    case "database_unavailable":
      return "Database unavailable";
    default:
      return "Not ready";
  }
}

function renderReadiness(r) {
  const detail = $("status-detail");
  if (r.status === 200 && r.body && r.body.status === "ready") {
    setStatusItem("status-readiness", "readiness-value", "ok", "Ready");
    setStatusItem("status-schema", "schema-value", "ok", String(r.body.schema_version));
    showText(detail, "");
    return;
  }
  setStatusItem("status-schema", "schema-value", "unknown", "—");
  if (r.status === 0) {
    setStatusItem("status-readiness", "readiness-value", "bad", "Unreachable");
    showText(detail, "");
    return;
  }
  const e = errorOf(r);
  setStatusItem("status-readiness", "readiness-value", "bad", readinessLabel(e.code));
  showText(detail, sentence(e.message));
}

async function refreshStatus() {
  const [health, readiness] = await Promise.all([
    api("GET", "/health"),
    api("GET", "/readiness"),
  ]);
  renderHealth(health);
  renderReadiness(readiness);
  const now = new Intl.DateTimeFormat(undefined, { timeStyle: "medium" }).format(new Date());
  $("status-checked").textContent = `Checked ${now}`;
}

function startStatusTimer() {
  window.clearInterval(state.statusTimer);
  state.statusTimer = window.setInterval(() => {
    if (!document.hidden) {
      refreshStatus();
    }
  }, STATUS_EVERY_MS);
}

/* ------------------------------------------------------------ session */

function showSignIn(message) {
  $("session").hidden = true;
  $("accounts-view").hidden = true;
  $("sign-in").hidden = false;
  const form = $("sign-in-form");
  clearFormMessages(form);
  if (message) {
    setFormError(form, message);
  }
  fieldInput(form, "key").focus();
}

function showConsole() {
  $("sign-in").hidden = true;
  $("session").hidden = false;
  $("accounts-view").hidden = false;
}

function resetAccounts() {
  state.generation++;
  state.items = [];
  state.cursor = null;
  state.rows.clear();
  state.selected = null;
  state.q = "";
  state.status = "";
  window.clearTimeout(state.searchTimer);
  $("filters").reset();
  $("accounts-body").replaceChildren();
  $("accounts-table").setAttribute("aria-busy", "false");
  setBusy($("load-more"), false);
  $("detail").hidden = true;
  $("list-count").textContent = "";
  $("load-more").hidden = true;
  showText($("list-empty"), "");
  showText($("list-error"), "");
  for (const id of ["create-form", "edit-form"]) {
    $(id).reset();
    clearFormMessages($(id));
  }
}

function signOut(message) {
  forgetKey();
  resetAccounts();
  showSignIn(message || "");
  announce(message || "Signed out.");
}

/*
 * Checks a key by asking for one account. Authentication runs before
 * anything else, so any answer but 401, 403 or no answer means it holds.
 */
async function checkKey(key) {
  const r = await api("GET", "/v1/accounts?limit=1", { key });
  if (r.status === 401) {
    return "This key was not accepted.";
  }
  if (r.status === 403) {
    return "This key may not manage accounts.";
  }
  if (r.status === 0) {
    return "Cannot reach the server.";
  }
  return "";
}

async function onSignIn(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const input = fieldInput(form, "key");
  const button = form.querySelector("button[type=submit]");
  const key = input.value.trim();
  clearFormMessages(form);
  if (key.length < KEY_MIN_LENGTH) {
    setFieldError(form, "key", `The master key has at least ${KEY_MIN_LENGTH} characters.`);
    input.focus();
    return;
  }
  setBusy(button, true);
  const problem = await checkKey(key);
  setBusy(button, false);
  if (problem) {
    setFieldError(form, "key", problem);
    input.focus();
    return;
  }
  if (!storeKey(key)) {
    setFormError(form, "This browser does not allow session storage, which the console needs.");
    return;
  }
  input.value = "";
  enterConsole();
  announce("Signed in.");
}

function enterConsole() {
  showConsole();
  $("accounts-title").focus();
  loadAccounts(false);
}

/* ----------------------------------------------------------- the list */

function listPath(cursor) {
  const p = new URLSearchParams();
  p.set("limit", String(PAGE_SIZE));
  if (state.q) {
    p.set("q", state.q);
  }
  if (state.status) {
    p.set("status", state.status);
  }
  if (cursor) {
    p.set("cursor", cursor);
  }
  return "/v1/accounts?" + p.toString();
}

function cell(className, child) {
  const td = document.createElement("td");
  if (className) {
    td.className = className;
  }
  td.append(child);
  return td;
}

function accountRow(account) {
  const tr = document.createElement("tr");
  tr.dataset.id = account.id;
  const open = document.createElement("button");
  open.type = "button";
  open.className = "row-link";
  open.textContent = account.name;
  const slug = document.createElement("code");
  slug.textContent = account.slug;
  const badge = document.createElement("span");
  statusBadge(badge, account.status);
  const created = document.createElement("time");
  setTime(created, account.created_at);
  tr.append(cell("name", open), cell("slug", slug), cell("status", badge), cell("created", created));
  if (state.selected && state.selected.id === account.id) {
    tr.setAttribute("aria-current", "true");
  }
  return tr;
}

function appendRows(items) {
  const body = $("accounts-body");
  for (const account of items) {
    const tr = accountRow(account);
    state.rows.set(account.id, tr);
    body.append(tr);
  }
}

function replaceRow(account) {
  const old = state.rows.get(account.id);
  state.items = state.items.map((a) => (a.id === account.id ? account : a));
  if (!old) {
    return;
  }
  const tr = accountRow(account);
  old.replaceWith(tr);
  state.rows.set(account.id, tr);
}

function renderListFoot() {
  const n = state.items.length;
  const filtered = state.q !== "" || state.status !== "";
  showText($("list-empty"), n > 0 ? "" : filtered ? "No accounts match." : "No accounts yet. Create the first one.");
  const noun = n === 1 ? "account" : "accounts";
  $("list-count").textContent = n === 0 ? "" : state.cursor ? `Showing ${n} ${noun}; more to load` : `Showing all ${n} ${noun}`;
  $("load-more").hidden = !state.cursor;
}

/*
 * Loads the first page (append false) or the next one. A load started
 * later wins: the answer to an older one is dropped.
 */
async function loadAccounts(append) {
  const generation = ++state.generation;
  const table = $("accounts-table");
  const more = $("load-more");
  table.setAttribute("aria-busy", "true");
  setBusy(more, true);
  const r = await call("GET", listPath(append ? state.cursor : null));
  if (generation !== state.generation) {
    return;
  }
  table.setAttribute("aria-busy", "false");
  setBusy(more, false);
  if (r.status === 401) {
    return;
  }
  if (r.status !== 200 || !r.body || !Array.isArray(r.body.items)) {
    showText($("list-error"), describeError(errorOf(r)));
    return;
  }
  showText($("list-error"), "");
  if (!append) {
    state.items = [];
    state.rows.clear();
    $("accounts-body").replaceChildren();
  }
  state.items = state.items.concat(r.body.items);
  state.cursor = typeof r.body.next_cursor === "string" ? r.body.next_cursor : null;
  appendRows(r.body.items);
  renderListFoot();
  if (append) {
    announce(`Loaded ${r.body.items.length} more.`);
  }
}

function onSearchInput(event) {
  window.clearTimeout(state.searchTimer);
  const value = event.currentTarget.value.trim();
  state.searchTimer = window.setTimeout(() => {
    if (value !== state.q) {
      state.q = value;
      loadAccounts(false);
    }
  }, SEARCH_DELAY_MS);
}

function onFilterSubmit(event) {
  event.preventDefault();
  window.clearTimeout(state.searchTimer);
  state.q = $("filter-q").value.trim();
  loadAccounts(false);
}

function onStatusChange(event) {
  state.status = event.currentTarget.value;
  loadAccounts(false);
}

function onRowClick(event) {
  const tr = event.target.closest("tr[data-id]");
  if (tr) {
    openDetail(tr.dataset.id, true);
  }
}

/* --------------------------------------------------------- the detail */

function markSelected(id) {
  for (const [rowId, tr] of state.rows) {
    if (rowId === id) {
      tr.setAttribute("aria-current", "true");
    } else {
      tr.removeAttribute("aria-current");
    }
  }
}

function fillEditForm(account) {
  const form = $("edit-form");
  for (const name of ["name", "slug"]) {
    const input = fieldInput(form, name);
    input.value = account[name];
    input.defaultValue = account[name];
  }
}

function renderDetail(account) {
  state.selected = account;
  $("detail-title").textContent = account.name;
  $("detail-id").textContent = account.id;
  statusBadge($("detail-status"), account.status);
  setTime($("detail-created"), account.created_at);
  setTime($("detail-updated"), account.updated_at);
  fillEditForm(account);
  $("detail-body").hidden = false;
}

async function openDetail(id, focus) {
  const panel = $("detail");
  state.selected = { id };
  markSelected(id);
  panel.hidden = false;
  $("detail-title").textContent = "Account";
  $("detail-body").hidden = true;
  showText($("detail-error"), "");
  clearFormMessages($("edit-form"));
  $("detail-loading").hidden = false;
  if (focus) {
    $("detail-title").focus();
  }
  const r = await call("GET", accountPath(id));
  if (!state.selected || state.selected.id !== id) {
    return;
  }
  $("detail-loading").hidden = true;
  if (r.status === 200 && r.body) {
    renderDetail(r.body);
    replaceRow(r.body);
    return;
  }
  if (r.status !== 401) {
    showText($("detail-error"), r.status === 404 ? "This account no longer exists." : describeError(errorOf(r)));
  }
}

function closeDetail() {
  const id = state.selected ? state.selected.id : null;
  state.selected = null;
  $("detail").hidden = true;
  markSelected(null);
  const tr = id ? state.rows.get(id) : null;
  if (tr) {
    tr.querySelector(".row-link").focus();
  } else {
    $("accounts-title").focus();
  }
}

/* The members of the edit form that differ from the account. */
function editChanges(form, account) {
  const changes = {};
  for (const name of ["name", "slug"]) {
    const value = fieldInput(form, name).value.trim();
    if (value !== account[name]) {
      changes[name] = value;
    }
  }
  return changes;
}

async function onEditSubmit(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const account = state.selected;
  if (!account || !account.id || account.name === undefined) {
    return;
  }
  clearFormMessages(form);
  const changes = editChanges(form, account);
  for (const name of ["name", "slug"]) {
    if (changes[name] === "") {
      setFieldError(form, name, `Enter a ${name}.`);
      fieldInput(form, name).focus();
      return;
    }
  }
  if (Object.keys(changes).length === 0) {
    setFormNote(form, "Nothing to change.");
    return;
  }
  const button = form.querySelector("button[type=submit]");
  setBusy(button, true);
  const r = await call("PATCH", accountPath(account.id), changes);
  setBusy(button, false);
  if (r.status === 200 && r.body) {
    renderDetail(r.body);
    replaceRow(r.body);
    setFormNote(form, "Saved.");
    return;
  }
  if (r.status !== 401) {
    showApiError(form, r);
  }
}

function onEditReset(event) {
  clearFormMessages(event.currentTarget);
}

/* ------------------------------------------------------------- create */

function createBody(form) {
  const body = { name: fieldInput(form, "name").value.trim() };
  const slug = fieldInput(form, "slug").value.trim();
  if (slug !== "") {
    body.slug = slug;
  }
  return body;
}

async function onCreateSubmit(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearFormMessages(form);
  const body = createBody(form);
  if (body.name === "") {
    setFieldError(form, "name", "Enter a name.");
    fieldInput(form, "name").focus();
    return;
  }
  const button = form.querySelector("button[type=submit]");
  setBusy(button, true);
  const r = await call("POST", "/v1/accounts", body);
  setBusy(button, false);
  if (r.status === 201 && r.body) {
    form.reset();
    setFormNote(form, `Created “${r.body.name}”.`);
    announce(`Account ${r.body.name} created.`);
    await loadAccounts(false);
    openDetail(r.body.id, false);
    return;
  }
  if (r.status !== 401) {
    showApiError(form, r);
  }
}

/* ------------------------------------------------------------ wiring */

function onKeydown(event) {
  if (event.key === "Escape" && !$("detail").hidden && $("detail").contains(document.activeElement)) {
    closeDetail();
    return;
  }
  const typing = event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement;
  if (event.key === "/" && !typing && !$("accounts-view").hidden && !event.ctrlKey && !event.metaKey) {
    event.preventDefault();
    $("filter-q").focus();
  }
}

function wire() {
  $("sign-in-form").addEventListener("submit", onSignIn);
  $("sign-out").addEventListener("click", () => signOut(""));
  $("status-refresh").addEventListener("click", refreshStatus);
  $("filters").addEventListener("submit", onFilterSubmit);
  $("filter-q").addEventListener("input", onSearchInput);
  $("filter-status").addEventListener("change", onStatusChange);
  $("accounts-body").addEventListener("click", onRowClick);
  $("load-more").addEventListener("click", () => loadAccounts(true));
  $("detail-close").addEventListener("click", closeDetail);
  $("edit-form").addEventListener("submit", onEditSubmit);
  $("edit-form").addEventListener("reset", onEditReset);
  $("create-form").addEventListener("submit", onCreateSubmit);
  document.addEventListener("keydown", onKeydown);
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) {
      refreshStatus();
    }
  });
}

function start() {
  wire();
  refreshStatus();
  startStatusTimer();
  if (storedKey()) {
    showConsole();
    loadAccounts(false);
  } else {
    showSignIn("");
  }
}

start();
