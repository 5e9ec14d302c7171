/*
 * console-cockpit admin console: sign-in, the shell (who is signed in, in
 * which account), service status and accounts.
 *
 * Plain ES module, no build step, no external resources. Every piece of
 * text that comes from the API is put on the page with textContent, never
 * as markup. The session lives in cookies the server sets: an HttpOnly
 * one the page never sees, and cockpit_csrf, whose value every write
 * echoes in X-CSRF-Token. The only thing kept in sessionStorage is the
 * account a super admin chose to act in, sent as X-Account-Id.
 *
 * This module is the shell: sign-in, who is signed in, the account
 * switcher, the pages' navigation (the address's hash) and the accounts
 * list; each other page has its module.
 */

import {
  $, accountPath, announce, call, api, clearFormMessages, configure, describeError, errorOf, fieldInput,
  setBusy, setFieldError, setFormError, setFormNote, setTime, showApiError, showText, statusBadge, sentence,
} from "./common.js";
import * as accountPage from "./account.js";
import * as auditPage from "./audit.js";
import * as summaryPage from "./summary.js";
import * as cataloguePage from "./catalogue.js";
import * as directoryPage from "./directory.js";
import * as budgetsPage from "./budgets.js";
import * as invitePage from "./invite.js";

const ACTING_STORAGE = "console-cockpit.acting-account";
const OLD_KEY_STORAGE = "console-cockpit.master-key";  /* the master-key sign-in, gone */
const PAGE_SIZE = 50;
const SEARCH_DELAY_MS = 250;
const SWITCHER_PAGE_SIZE = 20;
const SWITCHER_DELAY_MS = 200;
const STATUS_EVERY_MS = 30000;
const RETURN_TO_MAX = 512;

const ROLE_WORDS = {
  super_admin: "Super admin",
  account_admin: "Account admin",
  end_user: "End user",
};

const METHOD_WORDS = {
  sso: "Single sign-on",
  break_glass: "Break-glass",
};

const KIND_WORDS = {
  token: "Access token",
  api_key: "API key",
  master_key: "Master key",
};

/* What ?signin_error=<code> means, for the person who just tried. */
const SIGNIN_ERRORS = {
  state_invalid: "The sign-in expired or was started in another tab. Sign in again.",
  idp_error: "The identity provider did not sign you in: it reported an error, or the sign-in was cancelled. Try again.",
  code_refused: "The identity provider refused to complete the sign-in. Try again.",
  token_invalid: "The identity provider's answer could not be verified, so you were not signed in. Try again, and tell the platform operators if it keeps happening.",
  account_unresolved: "You signed in, but your user belongs to no account in this console. Ask your organisation's administrator for access.",
};

const state = {
  context: null,        /* GET /v1/me/context while signed in, else null */
  acting: null,         /* {id, name}: the account a super admin acts in */
  view: null,           /* the id of the view shown in main */
  q: "",
  status: "",
  items: [],
  cursor: null,
  generation: 0,        /* bumped by every list load; stale answers are dropped */
  rows: new Map(),      /* account id -> <tr> */
  selected: null,       /* the account shown in the detail panel */
  searchTimer: 0,
  statusTimer: 0,
  contextGeneration: 0, /* bumped by every context load */
};

/* The account switcher (a combobox with a listbox popup). */
const sw = {
  options: [],          /* [{id, name, slug, status, platform}] as shown */
  active: -1,           /* index of the highlighted option, or -1 */
  query: "",            /* what the last search asked for */
  timer: 0,
  generation: 0,        /* bumped by every search; stale answers are dropped */
  moved: false,         /* the arrow keys moved the highlight since the last keystroke */
};


/* ------------------------------------------------------------ storage */

function storedActing() {
  try {
    const v = JSON.parse(sessionStorage.getItem(ACTING_STORAGE) || "null");
    return v && typeof v.id === "string" && typeof v.name === "string" ? { id: v.id, name: v.name } : null;
  } catch {
    return null;
  }
}

function storeActing(acting) {
  try {
    if (acting) {
      sessionStorage.setItem(ACTING_STORAGE, JSON.stringify({ id: acting.id, name: acting.name }));
    } else {
      sessionStorage.removeItem(ACTING_STORAGE);
    }
  } catch {
    /* no session storage: the choice lasts until the page is left */
  }
}

function setActing(acting) {
  state.acting = acting;
  storeActing(acting);
}

/* The master key an older console kept in this tab: not wanted any more. */
function forgetOldKey() {
  try {
    sessionStorage.removeItem(OLD_KEY_STORAGE);
  } catch {
    /* nothing stored, nothing to forget */
  }
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

/* ------------------------------------------------------------ sign-in */

const VIEWS = ["loading", "sign-in", "accounts-view", "account-view", "me-view", "audit-view", "summary-view", "catalogue-view",
  "directory-view", "invite-view", "budgets-view"];

/* The pages with a module of their own, by view: each has open() and leave(). */
const PAGES = {
  "account-view": accountPage,
  "audit-view": auditPage,
  "summary-view": summaryPage,
  "catalogue-view": cataloguePage,
  "directory-view": directoryPage,
  "invite-view": invitePage,
  "budgets-view": budgetsPage,
};

/*
 * The message for ?signin_error=<code>, which the server's callback adds
 * when a sign-in fails; the parameter is taken off the address bar.
 * "" when there is none.
 */
function takeSigninError() {
  const params = new URLSearchParams(window.location.search);
  const code = params.get("signin_error");
  if (code === null) {
    return "";
  }
  params.delete("signin_error");
  const rest = params.toString();
  history.replaceState(history.state, "", window.location.pathname + (rest ? "?" + rest : "") + window.location.hash);
  if (Object.hasOwn(SIGNIN_ERRORS, code)) {
    return SIGNIN_ERRORS[code];
  }
  /* An unknown code is named only when it looks like one. */
  return /^[a-z_]{1,40}$/.test(code)
    ? `Signing in failed (${code}). Try again.`
    : "Signing in failed. Try again.";
}

/* Where single sign-on comes back to: this page, as a path the server accepts. */
function returnTo() {
  const here = window.location.pathname + window.location.hash;
  return here.length <= RETURN_TO_MAX && /^\/(?![/\\])[\x21-\x5b\x5d-\x7e]*$/.test(here) ? here : "/";
}

/* Shows one view of main (or none) and leaves the accounts list when it goes. */
function showView(id) {
  const changed = state.view !== id;
  if (changed && state.view === "accounts-view") {
    resetAccounts();
  }
  if (changed && Object.hasOwn(PAGES, state.view)) {
    PAGES[state.view].leave();
  }
  for (const v of VIEWS) {
    $(v).hidden = v !== id;
  }
  state.view = id;
  return changed;
}

function hideShell() {
  closeSwitcher(true);
  $("session").hidden = true;
  $("context-bar").hidden = true;
  $("page-nav").hidden = true;
  $("banner-break-glass").hidden = true;
  showText($("banner-suspended"), "");
  showText($("shell-error"), "");
}

/* The sign-in page; message (a sentence) says why it is shown. */
function showSignIn(message, focus) {
  state.context = null;
  hideShell();
  showView("sign-in");
  const form = $("break-glass-form");
  clearFormMessages(form);
  fieldInput(form, "password").value = "";
  showText($("sign-in-error"), message || "");
  if (focus) {
    $("sign-in-title").focus();
  }
  loadMethods();
}

let methodsGeneration = 0;
let loginUrl = "/v1/auth/login";

/* Asks which ways of signing in are open and shows those. */
async function loadMethods() {
  const generation = ++methodsGeneration;
  $("sign-in-loading").hidden = false;
  $("sso").hidden = true;
  $("break-glass").hidden = true;
  $("sign-in-none").hidden = true;
  const r = await api("GET", "/v1/auth/methods", { platform: true });
  if (generation !== methodsGeneration || state.view !== "sign-in") {
    return;
  }
  $("sign-in-loading").hidden = true;
  if (r.status !== 200 || !r.body || typeof r.body !== "object") {
    const error = $("sign-in-error");
    const why = `Cannot find out how to sign in: ${describeError(errorOf(r))} Reload the page to try again.`;
    showText(error, error.hidden ? why : `${error.textContent} ${why}`);
    return;
  }
  const sso = r.body.sso && r.body.sso.available === true;
  const breakGlass = r.body.break_glass && r.body.break_glass.available === true;
  const url = sso ? r.body.sso.login_url : null;
  loginUrl = typeof url === "string" && /^\/(?![/\\])/.test(url) ? url : "/v1/auth/login";
  $("sso").hidden = !sso;
  $("break-glass").hidden = !breakGlass;
  $("sign-in-none").hidden = sso || breakGlass;
}

function onSsoClick(event) {
  setBusy(event.currentTarget, true);
  const sep = loginUrl.includes("?") ? "&" : "?";
  window.location.assign(`${loginUrl}${sep}return_to=${encodeURIComponent(returnTo())}`);
}

/* "15 minutes" for a Retry-After of 900 seconds. */
function waitText(retryAfter) {
  const n = Number.parseInt(retryAfter || "", 10);
  if (!Number.isFinite(n) || n <= 0) {
    return "a while";
  }
  if (n < 60) {
    return n === 1 ? "a second" : `${n} seconds`;
  }
  const m = Math.ceil(n / 60);
  return m === 1 ? "a minute" : `${m} minutes`;
}

async function onBreakGlass(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const user = fieldInput(form, "username");
  const password = fieldInput(form, "password");
  clearFormMessages(form);
  showText($("sign-in-error"), "");
  if (user.value.trim() === "") {
    setFieldError(form, "username", "Enter the break-glass username.");
    user.focus();
    return;
  }
  if (password.value === "") {
    setFieldError(form, "password", "Enter the break-glass password.");
    password.focus();
    return;
  }
  const button = form.querySelector("button[type=submit]");
  setBusy(button, true);
  const r = await api("POST", "/v1/auth/break-glass", {
    body: { username: user.value.trim(), password: password.value },
    platform: true,
  });
  setBusy(button, false);
  if (r.status === 200) {
    form.reset();
    await enter({ focus: true, announceText: "Signed in with the break-glass credential." });
    return;
  }
  if (r.status === 401) {
    password.value = "";
    setFormError(form, "The username or password is wrong. Failed attempts are recorded.");
    password.focus();
    return;
  }
  if (r.status === 429) {
    setFormError(form, `Too many failed break-glass attempts. Wait ${waitText(r.headers.get("Retry-After"))} before trying again.`);
    return;
  }
  if (r.status === 403) {
    setFormError(form, "Break-glass sign-in is switched off on this server. Sign in with single sign-on instead.");
    return;
  }
  showApiError(form, r);
}

/* ------------------------------------------------------------ the shell */

/*
 * GET /v1/me/context as the console now stands. A choice of account that
 * the server does not know (or a stored one that is malformed) is
 * forgotten, and the platform asked instead.
 */
async function loadContext() {
  let r = await api("GET", "/v1/me/context");
  if (state.acting && (r.status === 400 || (r.status === 200 && r.body && r.body.role === "super_admin" && !r.body.account))) {
    setActing(null);
    r = await api("GET", "/v1/me/context");
  }
  if (r.status === 200 && (!r.body || typeof r.body !== "object" || typeof r.body.role !== "string")) {
    return { status: -1, body: null, headers: r.headers };
  }
  if (r.status === 200 && r.body.role !== "super_admin") {
    setActing(null);  /* the header means nothing for anyone else */
  }
  return r;
}

/* Loads who is signed in and shows the shell, or the sign-in page. */
async function enter({ focus = false, message = "", announceText = "" } = {}) {
  const generation = ++state.contextGeneration;
  const r = await loadContext();
  if (generation !== state.contextGeneration) {
    return;
  }
  if (r.status === 200) {
    showShell(r.body, focus);
    if (announceText) {
      announce(announceText);
    }
    return;
  }
  if (r.status === 401) {
    showSignIn(message, focus || message !== "");
    return;
  }
  const why = r.status === -1
    ? "The server's answer about who you are was not understood."
    : `The console cannot tell who you are: ${describeError(errorOf(r))}`;
  showSignIn(message ? `${message} ${why}` : why, true);
}

function displayName(context) {
  const u = context.user || {};
  if (typeof u.display_name === "string" && u.display_name !== "") {
    return u.display_name;
  }
  if (typeof u.email === "string" && u.email !== "") {
    return u.email;
  }
  const actor = String(u.actor || u.subject || "Unknown user");
  return actor.startsWith("break-glass:") ? actor.slice("break-glass:".length) : actor;
}

function roleWords(role) {
  return Object.hasOwn(ROLE_WORDS, role) ? ROLE_WORDS[role] : String(role);
}

/* How the caller signed in, in words; "" when unknown. */
function methodWords(auth) {
  if (!auth || typeof auth !== "object") {
    return "";
  }
  if (Object.hasOwn(METHOD_WORDS, auth.method)) {
    return METHOD_WORDS[auth.method];
  }
  return Object.hasOwn(KIND_WORDS, auth.kind) ? KIND_WORDS[auth.kind] : "";
}

function renderWho(context) {
  const u = context.user || {};
  const name = displayName(context);
  $("who-name").textContent = name;
  const email = typeof u.email === "string" && u.email !== name ? u.email : "";
  showText($("who-email"), email);
  const role = $("who-role");
  role.textContent = roleWords(context.role);
  role.className = "badge role " + (Object.hasOwn(ROLE_WORDS, context.role) ? context.role.replace("_", "-") : "");
  const method = $("who-method");
  const breakGlass = context.auth && context.auth.method === "break_glass";
  method.textContent = methodWords(context.auth);
  method.hidden = method.textContent === "";
  method.className = "badge " + (breakGlass ? "warn" : "info");
  method.title = breakGlass ? "Signed in with the emergency break-glass credential" : "";
  $("banner-break-glass").hidden = !breakGlass;
}

function renderContextBar(context) {
  const account = context.account && typeof context.account === "object" ? context.account : null;
  const superAdmin = context.role === "super_admin";
  const suspended = account !== null && account.status === "suspended";
  $("context-bar").hidden = false;
  $("switcher").hidden = !superAdmin;
  $("context-account").hidden = superAdmin;
  if (superAdmin) {
    if (account && state.acting) {
      setActing({ id: account.id, name: account.name });  /* the name may have changed */
    }
    if (!switcherOpen()) {
      $("switcher-input").value = currentChoiceName();
    }
    showText($("switcher-status-badge"), suspended ? "Suspended" : "");
    $("switcher-status-badge").className = "badge suspended";
  } else {
    $("who-account").textContent = account ? account.name : "None";
    const badge = $("who-account-status");
    if (suspended) {
      statusBadge(badge, account.status);
    }
    badge.hidden = !suspended;
  }
  const banner = $("banner-suspended");
  if (!suspended) {
    showText(banner, "");
  } else if (superAdmin) {
    showText(banner, `The account ${account.name} is suspended. As a super admin you still see it; its own users are turned away.`);
  } else {
    showText(banner, `Your account, ${account.name}, is suspended. Until the platform operators reactivate it, its details cannot be read or changed here.`);
  }
}

/*
 * The page the address's hash asks for, as this role may see it:
 * {view, title (for the focus), nav (the link to mark), id?}. A hash
 * naming no page (or one the role does not get) gives the role's first.
 */
function route(context) {
  const hash = window.location.hash;
  const account = context.account && typeof context.account === "object" ? context.account : null;
  const superAdmin = context.role === "super_admin";
  if (superAdmin && !account) {
    const m = /^#\/accounts\/([0-9a-fA-F-]{36})$/.exec(hash);
    if (m) {
      return { view: "account-view", title: "account-title", nav: "accounts", id: m[1].toLowerCase() };
    }
    if (hash === "#/summary") {
      return { view: "summary-view", title: "summary-title", nav: "summary" };
    }
    if (hash === "#/catalogue") {
      return { view: "catalogue-view", title: "catalogue-title", nav: "catalogue" };
    }
    if (hash === "#/audit") {
      return { view: "audit-view", title: "audit-title", nav: "audit" };
    }
    return { view: "accounts-view", title: "accounts-title", nav: "accounts" };
  }
  if ((superAdmin || context.role === "account_admin") && account) {
    if (hash === "#/audit") {
      return { view: "audit-view", title: "audit-title", nav: "audit" };
    }
    const d = /^#\/directory(?:\/(copilot|console)(?:\/(users|teams|orgs|invites))?)?$/.exec(hash);
    if (d) {
      return { view: "directory-view", title: "directory-title", nav: "directory", id: `${d[1] || "copilot"}/${d[2] || "users"}` };
    }
    if (hash === "#/budgets") {
      return { view: "budgets-view", title: "budgets-title", nav: "budgets" };
    }
    return { view: "account-view", title: "account-title", nav: "account", id: account.id };
  }
  return { view: "me-view", title: "me-title", nav: null };
}

const NAV = {
  platform: [["accounts", "#/accounts", "Accounts"], ["summary", "#/summary", "Summary"],
    ["catalogue", "#/catalogue", "Plans & features"], ["audit", "#/audit", "Audit log"]],
  account: [["account", "#/account", "Account"], ["directory", "#/directory", "Directory"], ["budgets", "#/budgets", "Budgets"],
    ["audit", "#/audit", "Audit log"]],
};

/* The links to the pages the role gets, the current one marked. */
function renderNav(context, current) {
  const nav = $("page-nav");
  const superAdmin = context.role === "super_admin";
  const links = current === null ? [] : superAdmin && !context.account ? NAV.platform : NAV.account;
  nav.hidden = links.length === 0;
  $("page-nav-list").replaceChildren(...links.map(([key, href, text]) => {
    const a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    a.className = "nav-link";
    a.dataset.page = key;
    if (key === current) {
      a.setAttribute("aria-current", "page");
    }
    const li = document.createElement("li");
    li.append(a);
    return li;
  }));
}

/* The shell for context: header, banners, and the page the role gets. */
function showShell(context, focus) {
  state.context = context;
  showText($("shell-error"), "");
  $("session").hidden = false;
  renderWho(context);
  renderContextBar(context);
  const account = context.account && typeof context.account === "object" ? context.account : null;
  const where = route(context);
  renderNav(context, where.nav);
  const changed = showView(where.view);
  if (where.view === "accounts-view") {
    if (changed) {
      loadAccounts(false);
    }
  } else if (where.view === "me-view") {
    renderMePage(context, account);
  } else {
    PAGES[where.view].open({ context, account, id: where.id || null, superAdmin: context.role === "super_admin" });
  }
  if (focus) {
    $(where.title).focus();
  }
}

/* The hash changed (a link, back or forward): the page it names. */
function onHashChange() {
  if (inviteToken()) {
    showInvitePage();
  } else if (state.view === "invite-view") {
    enter({ focus: true });
  } else if (state.context && state.view !== "sign-in" && state.view !== "loading") {
    showShell(state.context, true);
  }
}

/* The token of an invite's link (#/invite/<token>), or null. */
function inviteToken() {
  const m = /^#\/invite\/([A-Za-z0-9_-]{8,200})$/.exec(window.location.hash);
  return m ? m[1] : null;
}

/* An invite's page: public, whoever is signed in; the shell comes back after. */
function showInvitePage() {
  state.context = null;
  state.contextGeneration++;
  hideShell();
  showView("invite-view");
  invitePage.open(inviteToken());
  $("invite-title").focus();
}

/* Leaves the shell: nothing of the session stays on the page. */
function leaveShell() {
  state.context = null;
  state.contextGeneration++;
  setActing(null);
  hideShell();
  showView(null);
}

function sessionEnded(message) {
  leaveShell();
  showSignIn(message, true);
}

async function onSignOut() {
  const button = $("sign-out");
  setBusy(button, true);
  const r = await api("POST", "/v1/auth/logout", { platform: true });
  setBusy(button, false);
  if (r.status !== 200 && r.status !== 401) {
    showText($("shell-error"), `Signing out failed: ${describeError(errorOf(r))}`);
    return;
  }
  const url = r.status === 200 && r.body && typeof r.body.end_session_url === "string" ? r.body.end_session_url : "";
  leaveShell();
  if (/^https?:\/\//i.test(url)) {
    /* Signed out here; the identity provider ends its session and comes back. */
    showText($("loading"), "Signed out. Signing out of single sign-on…");
    showView("loading");
    announce("Signed out.");
    window.location.assign(url);
    return;
  }
  showSignIn("", true);
  announce("Signed out.");
}

/* ----------------------------------------------------- the end user page */

function renderMePage(context, account) {
  const u = context.user || {};
  $("me-name").textContent = typeof u.display_name === "string" && u.display_name !== "" ? u.display_name : "—";
  $("me-email").textContent = typeof u.email === "string" && u.email !== "" ? u.email : "—";
  $("me-role").textContent = roleWords(context.role);
  $("me-account").textContent = account ? account.name : "None";
  $("me-method").textContent = methodWords(context.auth) || "—";
}

/* ------------------------------------------------------ account switcher */

const PLATFORM_OPTION = Object.freeze({ id: "", name: "Whole platform", slug: "", status: "", platform: true });

function switcherOpen() {
  return !$("switcher-popup").hidden;
}

function currentChoiceName() {
  return state.acting ? state.acting.name : PLATFORM_OPTION.name;
}

function isCurrent(option) {
  return option.platform ? !state.acting : state.acting !== null && state.acting.id === option.id;
}

function setExpanded(open) {
  $("switcher-popup").hidden = !open;
  $("switcher-input").setAttribute("aria-expanded", open ? "true" : "false");
  $("switcher-toggle").setAttribute("aria-expanded", open ? "true" : "false");
}

function optionElement(option, i) {
  const li = document.createElement("li");
  li.id = `switcher-option-${i}`;
  li.setAttribute("role", "option");
  li.setAttribute("aria-selected", "false");
  li.className = "combo-option" + (option.platform ? " platform" : "");
  li.dataset.index = String(i);
  const name = document.createElement("span");
  name.className = "option-name";
  name.textContent = option.name;
  li.append(name);
  const detail = document.createElement(option.platform ? "span" : "code");
  detail.className = "option-detail";
  detail.textContent = option.platform ? "All accounts" : option.slug;
  li.append(detail);
  li.title = option.platform ? option.name : `${option.name} (${option.slug})`;
  const tags = document.createElement("span");
  tags.className = "option-tags";
  if (option.status === "suspended") {
    const badge = document.createElement("span");
    statusBadge(badge, option.status);
    tags.append(badge);
  }
  if (isCurrent(option)) {
    li.classList.add("current");
    const mark = document.createElement("span");
    mark.className = "option-current";
    mark.textContent = "Current";
    tags.append(mark);
  }
  if (tags.childElementCount > 0) {
    li.append(tags);
  }
  return li;
}

function renderSwitcher() {
  $("switcher-list").replaceChildren(...sw.options.map(optionElement));
  sw.active = -1;
  $("switcher-input").removeAttribute("aria-activedescendant");
}

function setActive(i) {
  sw.active = i >= 0 && i < sw.options.length ? i : -1;
  let activeElement = null;
  for (const li of $("switcher-list").children) {
    const on = Number(li.dataset.index) === sw.active;
    li.setAttribute("aria-selected", on ? "true" : "false");
    li.classList.toggle("active", on);
    if (on) {
      activeElement = li;
    }
  }
  const input = $("switcher-input");
  if (activeElement) {
    input.setAttribute("aria-activedescendant", activeElement.id);
    activeElement.scrollIntoView({ block: "nearest" });
  } else {
    input.removeAttribute("aria-activedescendant");
  }
}

function optionKey(option) {
  return option ? (option.platform ? "" : option.id) : null;
}

function setSwitcherStatus(text) {
  $("switcher-status").textContent = text;
}

function switcherSummary(q, n, more) {
  const noun = n === 1 ? "account" : "accounts";
  if (q === "") {
    return more ? `The first ${n} ${noun}. Type to search them all.` : `${n} ${noun}.`;
  }
  if (n === 0) {
    return `No account matches “${q}”.`;
  }
  return `${n} ${noun} match${n === 1 ? "es" : ""} “${q}”${more ? "; type more to narrow it down" : ""}.`;
}

/*
 * Searches the platform's accounts (never inside the account acted in)
 * and shows them after Whole platform. after: "auto" highlights the
 * first account found unless the arrow keys moved meanwhile, "last" the
 * last option, "keep" whatever was highlighted.
 */
async function searchSwitcher(q, after) {
  const generation = ++sw.generation;
  const list = $("switcher-list");
  list.setAttribute("aria-busy", "true");
  setSwitcherStatus("Searching…");
  const p = new URLSearchParams({ limit: String(SWITCHER_PAGE_SIZE) });
  if (q !== "") {
    p.set("q", q);
  }
  const r = await call("GET", "/v1/accounts?" + p.toString(), undefined, { platform: true });
  if (generation !== sw.generation || !switcherOpen()) {
    return;
  }
  list.setAttribute("aria-busy", "false");
  if (r.status !== 200 || !r.body || !Array.isArray(r.body.items)) {
    if (r.status !== 401) {
      setSwitcherStatus(`Cannot search accounts: ${describeError(errorOf(r))}`);
    }
    return;
  }
  const keep = optionKey(sw.options[sw.active]);
  sw.options = [PLATFORM_OPTION, ...r.body.items];
  sw.query = q;
  renderSwitcher();
  if (after === "last") {
    setActive(sw.options.length - 1);
  } else if (after === "auto" && !sw.moved) {
    setActive(q !== "" && sw.options.length > 1 ? 1 : -1);
  } else {
    setActive(keep === null ? -1 : sw.options.findIndex((o) => optionKey(o) === keep));
  }
  setSwitcherStatus(switcherSummary(q, r.body.items.length, typeof r.body.next_cursor === "string"));
}

/* Opens the list of every account (no search); highlights first, last or none. */
function openSwitcher(highlight) {
  window.clearTimeout(sw.timer);
  setExpanded(true);
  if (sw.query !== "") {
    sw.options = [PLATFORM_OPTION];
  } else if (sw.options.length === 0) {
    sw.options = [PLATFORM_OPTION];
  }
  renderSwitcher();
  sw.moved = highlight !== "none";
  if (highlight === "first") {
    setActive(0);
  }
  searchSwitcher("", highlight === "last" ? "last" : "keep");
}

function closeSwitcher(restore) {
  window.clearTimeout(sw.timer);
  sw.generation++;
  setExpanded(false);
  setActive(-1);
  $("switcher-list").setAttribute("aria-busy", "false");
  if (restore) {
    $("switcher-input").value = currentChoiceName();
  }
}

function moveActive(delta) {
  const n = sw.options.length;
  if (n === 0) {
    return;
  }
  sw.moved = true;
  if (sw.active < 0) {
    setActive(delta > 0 ? 0 : n - 1);
  } else {
    setActive((sw.active + delta + n) % n);
  }
}

async function chooseOption(option) {
  if (!option) {
    return;
  }
  const before = state.acting ? state.acting.id : "";
  closeSwitcher(false);
  setActing(option.platform ? null : { id: option.id, name: option.name });
  $("switcher-input").value = currentChoiceName();
  if (optionKey(option) === before) {
    return;
  }
  const generation = ++state.contextGeneration;
  const r = await loadContext();
  if (generation !== state.contextGeneration || !state.context) {
    return;
  }
  if (r.status === 200) {
    showShell(r.body, false);
    announce(state.acting ? `Now acting inside the account ${state.acting.name}.` : "Now acting for the whole platform.");
  } else if (r.status === 401) {
    sessionEnded("Your session has ended. Sign in again.");
  } else {
    showText($("shell-error"), `Cannot switch accounts: ${describeError(errorOf(r))}`);
  }
}

function onSwitcherInput(event) {
  const q = event.currentTarget.value.trim();
  if (!switcherOpen()) {
    setExpanded(true);
    renderSwitcher();
  }
  sw.moved = false;
  setActive(-1);
  window.clearTimeout(sw.timer);
  sw.timer = window.setTimeout(() => searchSwitcher(q, "auto"), SWITCHER_DELAY_MS);
}

function onSwitcherKeydown(event) {
  const open = switcherOpen();
  switch (event.key) {
    case "ArrowDown":
      event.preventDefault();
      if (!open) {
        openSwitcher(event.altKey ? "none" : "first");
      } else if (!event.altKey) {
        moveActive(1);
      }
      break;
    case "ArrowUp":
      event.preventDefault();
      if (!open) {
        openSwitcher(event.altKey ? "none" : "last");
      } else if (event.altKey) {
        closeSwitcher(true);
      } else {
        moveActive(-1);
      }
      break;
    case "Enter":
      if (open) {
        event.preventDefault();
        if (sw.active >= 0) {
          chooseOption(sw.options[sw.active]);
        }
      }
      break;
    case "Escape":
      if (open || event.currentTarget.value !== currentChoiceName()) {
        event.preventDefault();
        event.stopPropagation();
        closeSwitcher(true);
      }
      break;
    case "Tab":
      if (open) {
        closeSwitcher(true);
      }
      break;
    default:
      break;
  }
}

function onSwitcherClick(event) {
  if (!switcherOpen()) {
    openSwitcher("none");
    event.currentTarget.select();
  }
}

function onSwitcherToggle() {
  const input = $("switcher-input");
  if (switcherOpen()) {
    closeSwitcher(true);
  } else {
    input.focus();
    openSwitcher("none");
    input.select();
  }
}

function onOptionClick(event) {
  const li = event.target.closest("[role=option]");
  if (li) {
    chooseOption(sw.options[Number(li.dataset.index)]);
  }
}

function onSwitcherFocusOut(event) {
  if (!$("switcher-combo").contains(event.relatedTarget)) {
    closeSwitcher(true);
  }
}

/* ----------------------------------------------------------- the list */

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
  $("detail-open").href = "#/accounts/" + encodeURIComponent(account.id);
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
  $("sso-button").addEventListener("click", onSsoClick);
  $("break-glass-form").addEventListener("submit", onBreakGlass);
  $("sign-out").addEventListener("click", onSignOut);
  $("status-refresh").addEventListener("click", refreshStatus);

  const input = $("switcher-input");
  input.addEventListener("input", onSwitcherInput);
  input.addEventListener("keydown", onSwitcherKeydown);
  input.addEventListener("click", onSwitcherClick);
  $("switcher-toggle").addEventListener("mousedown", (event) => event.preventDefault());
  $("switcher-toggle").addEventListener("click", onSwitcherToggle);
  /* A press on an option keeps the focus in the input; the click chooses. */
  $("switcher-list").addEventListener("mousedown", (event) => event.preventDefault());
  $("switcher-list").addEventListener("click", onOptionClick);
  $("switcher-combo").addEventListener("focusout", onSwitcherFocusOut);

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
  window.addEventListener("hashchange", onHashChange);
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) {
      refreshStatus();
    }
  });
  /* Back from the identity provider through the history cache: the page
     is as it was left (the sign-in button busy, or signing out); ask again. */
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) {
      setBusy($("sso-button"), false);
      state.acting = storedActing();
      enter();
    }
  });
}

function start() {
  configure({ acting: () => state.acting, signedIn: () => state.context !== null, ended: sessionEnded });
  wire();
  forgetOldKey();
  refreshStatus();
  startStatusTimer();
  state.acting = storedActing();
  const signinError = takeSigninError();
  if (inviteToken() && signinError === "") {
    showInvitePage();
    return;
  }
  enter({ message: signinError });
}

start();
