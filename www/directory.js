/*
 * The directory (account admins, and super admins acting inside an
 * account): the users, teams and organisations of each product domain,
 * and invites into it. Copilot and Console have their own directory; a
 * switch chooses which one, the tabs which page:
 * #/directory/<copilot|console>/<users|teams|orgs|invites>. People are
 * chosen with searchable pickers, never by typing an id.
 */
import {
  $, allPages, announce, badge, call, clearFormMessages, count, describeError, errorOf, failure, fieldInput, h,
  setBusy, setFieldError, setFormError, setFormNote, setTime, showApiError, showText, statusBadge, timeElement,
} from "./common.js";
import { createPicker, pickerError } from "./picker.js";

const PAGE_SIZE = 50;
const PICK_SIZE = 20;
const SEARCH_DELAY_MS = 250;
const MEMBERS_AT_ONCE = 100;  /* the API adds at most this many in one request */

const DOMAINS = [["copilot", "Copilot"], ["console", "Console"]];
const TABS = [["users", "Users"], ["teams", "Teams"], ["orgs", "Organisations"], ["invites", "Invites"]];
const INVITE_STATES = {
  pending: ["Pending", "info"],
  accepted: ["Accepted", "active"],
  revoked: ["Revoked", "revoked"],
  expired: ["Expired", "inactive"],
};

const page = {
  wired: false,
  generation: 0,
  account: "",          /* the account acted in: a change starts afresh */
  domain: "copilot",
  tab: "users",
  lists: {},            /* name -> list state (see makeList) */
  user: null,           /* the user in the panel */
  team: null,           /* the team in the panel ({} for a new one) */
  org: null,
  orgNames: new Map(),  /* organisation id -> name, for invites */
  teamNames: new Map(),
  pickers: {},
  members: {},          /* "teams" and "orgs": the members section of the panel */
  timers: {},
};

const domainWord = () => DOMAINS.find(([d]) => d === page.domain)[1];
const path = (rest) => `/v1/${page.domain}/${rest}`;
const enc = encodeURIComponent;

/* id: "copilot/users" and the like, from the address; null for the defaults. */
function parseId(id) {
  const [domain, tab] = String(id || "").split("/");
  return {
    domain: DOMAINS.some(([d]) => d === domain) ? domain : "copilot",
    tab: TABS.some(([t]) => t === tab) ? tab : "users",
  };
}

export function open({ account, id }) {
  wire();
  const where = parseId(id);
  const accountId = account ? account.id : "";
  const fresh = accountId !== page.account || where.domain !== page.domain;
  page.account = accountId;
  page.domain = where.domain;
  page.tab = where.tab;
  const generation = ++page.generation;
  if (fresh) {
    resetAll();
  }
  renderBar();
  for (const [t] of TABS) {
    $(`dir-${t}`).hidden = t !== page.tab;
  }
  $("directory-lead").textContent = `The people of ${account ? account.name : "the account"} in ${domainWord()}, ` +
    "their teams and organisations, and invites. Each product has a directory of its own.";
  loadTab(generation);
}

export function leave() {
  page.generation++;
  page.account = "";
  resetAll();
}

function resetAll() {
  closeUser(false);
  closeTeam(false);
  closeOrg(false);
  for (const list of Object.values(page.lists)) {
    list.generation++;
    list.items = [];
    list.cursor = null;
    $(`${list.name}-body`).replaceChildren();
    $(`${list.name}-count`).textContent = "";
    $(`${list.name}-more`).hidden = true;
    showText($(`${list.name}-empty`), "");
    showText($(`${list.name}-error`), "");
  }
  for (const id of ["users-filters", "teams-filters", "invites-filters"]) {
    $(id).reset();
  }
  for (const t of Object.values(page.timers)) {
    window.clearTimeout(t);
  }
  page.pickers.teamsOrg.set(null);
  resetInviteForm();
  hideLink();
  page.orgNames.clear();
  page.teamNames.clear();
}

function loadTab(generation) {
  if (page.tab === "users") {
    loadList(page.lists.users, false);
  } else if (page.tab === "teams") {
    loadList(page.lists.teams, false);
  } else if (page.tab === "orgs") {
    loadList(page.lists.orgs, false);
  } else {
    loadNames(generation).then(() => loadList(page.lists.invites, false));
  }
}

function tabHref(domain, tab) {
  return `#/directory/${domain}/${tab}`;
}

function renderBar() {
  $("dir-domains").replaceChildren(...DOMAINS.map(([d, word]) => h("li", null,
    h("a", { href: tabHref(d, page.tab), className: "segment", "aria-current": d === page.domain ? "page" : null,
      dataset: { domain: d } }, word))));
  $("dir-tabs").replaceChildren(...TABS.map(([t, word]) => h("li", null,
    h("a", { href: tabHref(page.domain, t), className: "tab", "aria-current": t === page.tab ? "page" : null,
      dataset: { tab: t } }, word))));
}

/* --------------------------------------------------------------- lists */

/*
 * A list with Load more: its elements are <name>-table, -body, -count,
 * -more, -empty and -error; query() gives its parameters, row(item) a
 * <tr>, empty(filtered) the sentence when there is nothing.
 */
function makeList(name, spec) {
  const list = { name, items: [], cursor: null, generation: 0, ...spec };
  page.lists[name] = list;
  $(`${name}-more`).addEventListener("click", () => loadList(list, true));
  return list;
}

async function loadList(list, append) {
  const generation = ++list.generation;
  const table = $(`${list.name}-table`);
  const more = $(`${list.name}-more`);
  table.setAttribute("aria-busy", "true");
  setBusy(more, true);
  const p = new URLSearchParams({ limit: String(PAGE_SIZE) });
  for (const [k, v] of Object.entries(list.query())) {
    if (v) {
      p.set(k, v);
    }
  }
  if (append && list.cursor) {
    p.set("cursor", list.cursor);
  }
  const r = await call("GET", `${list.path()}?${p}`);
  if (generation !== list.generation) {
    return;
  }
  table.setAttribute("aria-busy", "false");
  setBusy(more, false);
  if (r.status !== 200 || !r.body || !Array.isArray(r.body.items)) {
    showText($(`${list.name}-error`), failure(`Cannot load the ${list.noun}s`, r));
    return;
  }
  showText($(`${list.name}-error`), "");
  list.items = append ? list.items.concat(r.body.items) : r.body.items;
  list.cursor = typeof r.body.next_cursor === "string" ? r.body.next_cursor : null;
  renderList(list);
  if (append) {
    announce(`Loaded ${r.body.items.length} more.`);
  }
}

function renderList(list) {
  $(`${list.name}-body`).replaceChildren(...list.items.map((item) => {
    const tr = list.row(item);
    tr.dataset.id = item.id;
    if (list.selected && list.selected() === item.id) {
      tr.setAttribute("aria-current", "true");
    }
    return tr;
  }));
  const n = list.items.length;
  const filtered = Object.values(list.query()).some((v) => v);
  showText($(`${list.name}-empty`), n > 0 ? "" : list.empty(filtered));
  $(`${list.name}-count`).textContent = n === 0 ? "" : list.cursor
    ? `Showing ${count(n, list.noun)}; more to load`
    : `Showing all ${count(n, list.noun)}`;
  $(`${list.name}-more`).hidden = !list.cursor;
}

/* Puts item in place of the row with its id (when shown). */
function replaceItem(list, item) {
  list.items = list.items.map((x) => (x.id === item.id ? item : x));
  renderList(list);
}

/* Reloads the first page of a list after typing stops. */
function debounced(name, list) {
  window.clearTimeout(page.timers[name]);
  page.timers[name] = window.setTimeout(() => loadList(list, false), SEARCH_DELAY_MS);
}

function rowLink(text, dataset) {
  return h("button", { type: "button", className: "row-link", dataset }, text);
}

/* --------------------------------------------------------------- users */

function userName(u) {
  return u.display_name || [u.given_name, u.family_name].filter(Boolean).join(" ") || u.email;
}

function userRow(u) {
  return h("tr", null,
    h("td", { className: "name" }, rowLink(userName(u), { user: u.id }),
      h("span", { className: "muted small block" }, u.email)),
    h("td", { className: "status" }, badge(u.status), u.signed_in ? null : h("span", { className: "muted small block" }, "Not signed in yet")),
    h("td", { className: "num" }, String(u.teams ?? 0)),
    h("td", null, timeElement(u.enrolled_at)));
}

function usersQuery() {
  return {
    q: fieldInput($("users-filters"), "q").value.trim(),
    status: fieldInput($("users-filters"), "status").value,
    sort: fieldInput($("users-filters"), "sort").value === "name" ? "name" : "",
  };
}

function renderUser(u) {
  page.user = u;
  $("user-panel-title").textContent = userName(u);
  $("user-email").textContent = u.email;
  statusBadge($("user-status"), u.status);
  $("user-signed-in").textContent = u.signed_in ? "Yes" : "Not yet";
  setTime($("user-enrolled"), u.enrolled_at);
  const form = $("user-form");
  for (const k of ["display_name", "given_name", "family_name"]) {
    fieldInput(form, k).value = u[k] || "";
  }
  const active = u.status === "active";
  $("user-deactivate").hidden = !active;
  $("user-activate").hidden = active;
  resetArmed($("user-deactivate"), "Deactivate");
  $("user-status-hint").textContent = active
    ? `Deactivating ends their teams and organisations in ${domainWord()}; their history stays.`
    : `Inactive in ${domainWord()}: they cannot sign in to it and belong to no team. Reactivating counts against the users quota.`;
  $("user-body").hidden = false;
}

async function openUser(id, focus) {
  page.user = { id };
  renderList(page.lists.users);
  $("user-panel").hidden = false;
  $("user-body").hidden = true;
  $("user-loading").hidden = false;
  showText($("user-error"), "");
  clearFormMessages($("user-form"));
  if (focus) {
    $("user-panel-title").focus();
  }
  const generation = page.generation;
  const r = await call("GET", path(`users/${enc(id)}`));
  if (generation !== page.generation || !page.user || page.user.id !== id) {
    return;
  }
  $("user-loading").hidden = true;
  if (r.status !== 200 || !r.body) {
    showText($("user-error"), failure("Cannot load the user", r));
    return;
  }
  renderUser(r.body);
  replaceItem(page.lists.users, r.body);
  loadUserTeams(r.body, generation);
}

/* The teams a user is in (GET …/users/{user}/teams), with their role. */
async function loadUserTeams(u, generation) {
  const list = $("user-teams");
  list.replaceChildren();
  if (!u.teams) {
    $("user-teams-note").textContent = "In no team.";
    return;
  }
  $("user-teams-note").textContent = `In ${count(u.teams, "team")}. Finding them…`;
  const got = await allPages(path(`users/${enc(u.id)}/teams`), 1000);
  if (generation !== page.generation || !page.user || page.user.id !== u.id) {
    return;
  }
  if (!got.ok) {
    $("user-teams-note").textContent = `In ${count(u.teams, "team")}; they could not be listed.`;
    return;
  }
  $("user-teams-note").textContent = `In ${count(got.items.length, "team")}:`;
  list.replaceChildren(...got.items.map((t) => h("li", null,
    h("a", { href: tabHref(page.domain, "teams"), dataset: { team: t.team_id } }, t.name),
    h("span", { className: "muted" }, ` · ${t.organisation ? t.organisation.name : ""}${t.role === "lead" ? " · lead" : ""}`))));
}

function closeUser(focus) {
  const id = page.user ? page.user.id : null;
  page.user = null;
  $("user-panel").hidden = true;
  if (page.lists.users) {
    renderList(page.lists.users);
  }
  if (focus) {
    const b = id ? $("users-body").querySelector(`button[data-user="${CSS.escape(id)}"]`) : null;
    (b || $("users-filters-q")).focus();
  }
}

async function onUserSubmit(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const u = page.user;
  if (!u || !u.email) {
    return;
  }
  clearFormMessages(form);
  const changes = {};
  for (const k of ["display_name", "given_name", "family_name"]) {
    const v = fieldInput(form, k).value.trim();
    if (v !== (u[k] || "")) {
      if (v === "") {
        setFieldError(form, k, "A name cannot be emptied; give a new one.");
        fieldInput(form, k).focus();
        return;
      }
      changes[k] = v;
    }
  }
  if (Object.keys(changes).length === 0) {
    setFormNote(form, "Nothing to change.");
    return;
  }
  const button = form.querySelector("button[type=submit]");
  setBusy(button, true);
  const r = await call("PATCH", path(`users/${enc(u.id)}`), changes);
  setBusy(button, false);
  if (r.status === 200 && r.body) {
    renderUser(r.body);
    replaceItem(page.lists.users, r.body);
    setFormNote(form, "Saved.");
    return;
  }
  showApiError(form, r);
}

async function setUserStatus(event, status) {
  const button = event.currentTarget;
  const u = page.user;
  if (!u || !u.email) {
    return;
  }
  if (status === "inactive" && button.dataset.armed !== "true") {
    button.dataset.armed = "true";
    button.textContent = `Confirm: deactivate ${userName(u)}`;
    return;
  }
  clearFormMessages($("user-form"));
  setBusy(button, true);
  const r = await call("PATCH", path(`users/${enc(u.id)}`), { status });
  setBusy(button, false);
  resetArmed(button, "Deactivate");
  if (r.status === 200 && r.body) {
    renderUser(r.body);
    replaceItem(page.lists.users, r.body);
    loadUserTeams(r.body, page.generation);
    const words = status === "active" ? "reactivated" : "deactivated";
    setFormNote($("user-form"), `${userName(r.body)} ${words}.`);
    announce(`${userName(r.body)} ${words}.`);
    return;
  }
  showApiError($("user-form"), r);
}

async function onUserCreate(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearFormMessages(form);
  const body = {};
  for (const k of ["email", "display_name", "given_name", "family_name"]) {
    const v = fieldInput(form, k).value.trim();
    if (v !== "") {
      body[k] = v;
    }
  }
  if (!body.email) {
    setFieldError(form, "email", "Enter the user's email.");
    fieldInput(form, "email").focus();
    return;
  }
  const button = form.querySelector("button[type=submit]");
  setBusy(button, true);
  const r = await call("POST", path("users"), body);
  setBusy(button, false);
  if (r.status === 201 && r.body) {
    form.reset();
    setFormNote(form, `Added ${userName(r.body)} to ${domainWord()}.`);
    announce(`User ${userName(r.body)} added.`);
    await loadList(page.lists.users, false);
    openUser(r.body.id, false);
    return;
  }
  showApiError(form, r);
}

/* ----------------------------------------------------- organisations */

function describeOrg(o) {
  return {
    key: o.id, name: o.name,
    detail: o.all ? "Every organisation" : `${count(o.teams ?? 0, "team")} · ${count(o.members ?? 0, "member")}`,
    tags: o.is_global ? [h("span", { className: "badge role" }, "Global")] : [],
  };
}

async function searchOrgs(q) {
  const p = new URLSearchParams({ limit: String(PICK_SIZE), sort: "name" });
  if (q) {
    p.set("q", q);
  }
  const r = await call("GET", `${path("orgs")}?${p}`);
  if (r.status !== 200 || !r.body || !Array.isArray(r.body.items)) {
    return { error: failure("Cannot search the organisations", r) || "Cannot search." };
  }
  for (const o of r.body.items) {
    page.orgNames.set(o.id, o.name);
  }
  return { items: r.body.items, more: typeof r.body.next_cursor === "string" };
}

function orgRow(o) {
  return h("tr", null,
    h("td", { className: "name" }, rowLink(o.name, { org: o.id }),
      o.is_global ? h("span", { className: "badge role" }, "Global") : null,
      o.description ? h("span", { className: "muted small block" }, o.description) : null),
    h("td", { className: "num" }, String(o.teams ?? 0)),
    h("td", { className: "num" }, String(o.members ?? 0)));
}

function openOrg(o) {
  closeTeamPanelOnly();
  page.org = o || {};
  const form = $("org-form");
  form.reset();
  clearFormMessages(form);
  fieldInput(form, "name").value = o ? o.name : "";
  fieldInput(form, "description").value = o && o.description ? o.description : "";
  $("org-save").textContent = o ? "Save organisation" : "Create organisation";
  $("org-delete").hidden = !o || o.is_global === true;
  $("org-global-hint").hidden = !(o && o.is_global);
  resetArmed($("org-delete"), "Delete organisation");
  $("org-panel-title").textContent = o ? o.name : "New organisation";
  $("org-panel").hidden = false;
  renderList(page.lists.orgs);
  page.members.orgs.show(o);
  $("org-panel-title").focus();
}

function closeOrg(focus) {
  page.org = null;
  $("org-panel").hidden = true;
  page.members.orgs.show(null);
  if (page.lists.orgs) {
    renderList(page.lists.orgs);
  }
  if (focus) {
    $("org-new").focus();
  }
}

function textChanges(form, item, names) {
  const body = {};
  for (const k of names) {
    const v = fieldInput(form, k).value.trim();
    if (!item.id || v !== (item[k] || "")) {
      body[k] = v;
    }
  }
  return body;
}

async function onOrgSubmit(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const o = page.org;
  if (!o) {
    return;
  }
  clearFormMessages(form);
  const body = textChanges(form, o, ["name", "description"]);
  if (body.name === "") {
    setFieldError(form, "name", "Enter a name.");
    fieldInput(form, "name").focus();
    return;
  }
  if (!o.id && body.description === "") {
    delete body.description;
  }
  if (o.id && Object.keys(body).length === 0) {
    setFormNote(form, "Nothing to change.");
    return;
  }
  const button = $("org-save");
  setBusy(button, true);
  const r = o.id ? await call("PATCH", path(`orgs/${enc(o.id)}`), body) : await call("POST", path("orgs"), body);
  setBusy(button, false);
  if ((r.status === 200 || r.status === 201) && r.body) {
    await loadList(page.lists.orgs, false);
    openOrg(r.body);
    setFormNote(form, r.status === 201 ? `Created “${r.body.name}”.` : "Saved.");
    announce(r.status === 201 ? `Organisation ${r.body.name} created.` : `Organisation ${r.body.name} saved.`);
    return;
  }
  showApiError(form, r);
}

const DELETE_REFUSALS = {
  cannot_delete_global: "the global organisation stays as long as the account.",
  organisation_not_empty: "it still has teams. Move them to another organisation, or delete them, first.",
};

async function onOrgDelete(event) {
  const button = event.currentTarget;
  const o = page.org;
  if (!o || !o.id) {
    return;
  }
  if (button.dataset.armed !== "true") {
    button.dataset.armed = "true";
    button.textContent = `Confirm: delete ${o.name}`;
    return;
  }
  clearFormMessages($("org-form"));
  setBusy(button, true);
  const r = await call("DELETE", path(`orgs/${enc(o.id)}`));
  setBusy(button, false);
  resetArmed(button, "Delete organisation");
  if (r.status === 200) {
    closeOrg(true);
    announce(`Organisation ${o.name} deleted.`);
    loadList(page.lists.orgs, false);
    return;
  }
  const e = errorOf(r);
  if (r.status === 409 && Object.hasOwn(DELETE_REFUSALS, e.code)) {
    setFormError($("org-form"), `Not deleted: ${DELETE_REFUSALS[e.code]}`);
    return;
  }
  showApiError($("org-form"), r);
}

/* --------------------------------------------------------------- teams */

function teamRow(t) {
  return h("tr", null,
    h("td", { className: "name" }, rowLink(t.name, { team: t.id }),
      t.description ? h("span", { className: "muted small block" }, t.description) : null),
    h("td", null, t.organisation ? t.organisation.name : "—"),
    h("td", { className: "num" }, String(t.members ?? 0)));
}

function teamsQuery() {
  const org = page.pickers.teamsOrg.value();
  return { q: fieldInput($("teams-filters"), "q").value.trim(), organisation_id: org && !org.all ? org.id : "" };
}

function openTeam(t) {
  closeOrgPanelOnly();
  page.team = t || {};
  const form = $("team-form");
  form.reset();
  clearFormMessages(form);
  pickerError(page.pickers.teamOrg, "");
  fieldInput(form, "name").value = t ? t.name : "";
  fieldInput(form, "description").value = t && t.description ? t.description : "";
  const filterOrg = page.pickers.teamsOrg.value();
  page.pickers.teamOrg.set(t ? t.organisation : filterOrg && !filterOrg.all ? filterOrg : null);
  $("team-save").textContent = t ? "Save team" : "Create team";
  $("team-delete").hidden = !t;
  resetArmed($("team-delete"), "Delete team");
  $("team-panel-title").textContent = t ? t.name : "New team";
  $("team-panel").hidden = false;
  renderList(page.lists.teams);
  page.members.teams.show(t);
  $("team-panel-title").focus();
}

function closeTeam(focus) {
  page.team = null;
  $("team-panel").hidden = true;
  page.members.teams.show(null);
  if (page.lists.teams) {
    renderList(page.lists.teams);
  }
  if (focus) {
    $("team-new").focus();
  }
}

/* Teams and organisations are on different tabs: only one panel is open. */
function closeTeamPanelOnly() {
  page.team = null;
  $("team-panel").hidden = true;
}

function closeOrgPanelOnly() {
  page.org = null;
  $("org-panel").hidden = true;
}

async function onTeamSubmit(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const t = page.team;
  if (!t) {
    return;
  }
  clearFormMessages(form);
  pickerError(page.pickers.teamOrg, "");
  const body = textChanges(form, t, ["name", "description"]);
  if (body.name === "") {
    setFieldError(form, "name", "Enter a name.");
    fieldInput(form, "name").focus();
    return;
  }
  if (!t.id && body.description === "") {
    delete body.description;
  }
  const org = page.pickers.teamOrg.value();
  if (org && (!t.id || !t.organisation || org.id !== t.organisation.id)) {
    body.organisation_id = org.id;
  }
  if (!org && !t.id && page.domain === "console") {
    pickerError(page.pickers.teamOrg, "Choose the team's organisation: Console teams need one.");
    page.pickers.teamOrg.focus();
    return;
  }
  if (t.id && Object.keys(body).length === 0) {
    setFormNote(form, "Nothing to change.");
    return;
  }
  const button = $("team-save");
  setBusy(button, true);
  const r = t.id ? await call("PATCH", path(`teams/${enc(t.id)}`), body) : await call("POST", path("teams"), body);
  setBusy(button, false);
  if ((r.status === 200 || r.status === 201) && r.body) {
    await loadList(page.lists.teams, false);
    openTeam(r.body);
    setFormNote(form, r.status === 201 ? `Created “${r.body.name}”.` : "Saved.");
    announce(r.status === 201 ? `Team ${r.body.name} created.` : `Team ${r.body.name} saved.`);
    return;
  }
  if (errorOf(r).field === "organisation_id") {
    pickerError(page.pickers.teamOrg, errorOf(r).message);
    page.pickers.teamOrg.focus();
    return;
  }
  showApiError(form, r);
}

async function onTeamDelete(event) {
  const button = event.currentTarget;
  const t = page.team;
  if (!t || !t.id) {
    return;
  }
  if (button.dataset.armed !== "true") {
    button.dataset.armed = "true";
    button.textContent = `Confirm: delete ${t.name} and its ${count(t.members ?? 0, "membership")}`;
    return;
  }
  clearFormMessages($("team-form"));
  setBusy(button, true);
  const r = await call("DELETE", path(`teams/${enc(t.id)}`));
  setBusy(button, false);
  resetArmed(button, "Delete team");
  if (r.status === 200) {
    closeTeam(true);
    announce(`Team ${t.name} deleted.`);
    loadList(page.lists.teams, false);
    return;
  }
  showApiError($("team-form"), r);
}

/* ------------------------------------------------------------- members */

function describeUser(u) {
  return {
    key: u.id, name: userName(u), detail: u.email, title: u.email,
    tags: u.status !== "active" ? [badge(u.status)] : [],
  };
}

async function searchUsers(q, status = "active") {
  const p = new URLSearchParams({ limit: String(PICK_SIZE), sort: "name" });
  if (q) {
    p.set("q", q);
  }
  if (status) {
    p.set("status", status);
  }
  const r = await call("GET", `${path("users")}?${p}`);
  if (r.status !== 200 || !r.body || !Array.isArray(r.body.items)) {
    return { error: failure("Cannot search the users", r) || "Cannot search." };
  }
  return { items: r.body.items, more: typeof r.body.next_cursor === "string" };
}

/*
 * The members section of a team's or an organisation's panel (kind
 * "teams" or "orgs"): the members with Load more, each with a role to
 * change in place and Remove, and a form adding many at once with a
 * searchable multi-user picker and a role.
 */
function membersSection(kind, roles, slot) {
  const id = `${kind === "teams" ? "team" : "org"}-members`;
  const m = { kind, id, roles, parent: null, items: [], cursor: null, generation: 0 };
  m.picker = createPicker({
    id: `${id}-form-users`, label: "People to add", placeholder: "Search users by name or email", multiple: true,
    search: (q) => searchUsers(q), describe: describeUser,
  });
  const role = h("select", { id: `${id}-form-role`, name: "role" },
    roles.map(([v, word]) => h("option", { value: v }, word)));
  m.table = h("table", { className: "data-table", id: `${id}-table`, "aria-busy": "false" },
    h("caption", { className: "visually-hidden" }, "Members"),
    h("thead", null, h("tr", null, h("th", { scope: "col" }, "Member"), h("th", { scope: "col" }, "Role"),
      h("th", { scope: "col" }, h("span", { className: "visually-hidden" }, "Actions")))),
    m.body = h("tbody", { id: `${id}-body` }));
  m.empty = h("p", { className: "empty", id: `${id}-empty`, hidden: true });
  m.count = h("span", { className: "muted", id: `${id}-count`, "aria-live": "polite" });
  m.more = h("button", { type: "button", className: "button secondary", id: `${id}-more`, hidden: true }, "Load more");
  m.error = h("p", { className: "form-error", id: `${id}-error`, role: "alert", hidden: true });
  m.form = h("form", { id: `${id}-form`, className: "form", noValidate: true },
    h("h4", null, "Add members"),
    m.picker.element,
    h("div", { className: "field" }, h("label", { for: `${id}-form-role` }, "Role"), role),
    h("p", { className: "form-error", id: `${id}-form-error`, role: "alert", hidden: true }),
    h("p", { className: "form-note", id: `${id}-form-note`, role: "status" }),
    h("div", { className: "actions" }, h("button", { type: "submit", className: "button primary" }, "Add members")));
  m.section = h("section", { className: "members", id, "aria-labelledby": `${id}-title`, hidden: true },
    h("h4", { id: `${id}-title` }, "Members"),
    m.error,
    h("div", { className: "table-wrap" }, m.table, m.empty),
    h("div", { className: "list-foot" }, m.count, m.more),
    m.form);
  slot.replaceWith(m.section);
  m.more.addEventListener("click", () => loadMembers(m, true));
  m.body.addEventListener("click", (e) => {
    const b = e.target.closest("button[data-remove]");
    if (b) {
      removeMember(m, b);
    }
  });
  m.body.addEventListener("change", (e) => {
    const select = e.target.closest("select[data-role-of]");
    if (select) {
      changeRole(m, select);
    }
  });
  m.form.addEventListener("submit", (e) => addMembers(m, e));
  m.show = (parent) => {
    m.generation++;
    m.parent = parent && parent.id ? parent : null;
    m.section.hidden = m.parent === null;
    m.items = [];
    m.cursor = null;
    m.body.replaceChildren();
    m.count.textContent = "";
    m.more.hidden = true;
    showText(m.empty, "");
    showText(m.error, "");
    m.form.reset();
    clearFormMessages(m.form);
    m.picker.set([]);
    pickerError(m.picker, "");
    if (m.parent) {
      loadMembers(m, false);
    }
  };
  return m;
}

function membersPath(m) {
  return path(`${m.kind}/${enc(m.parent.id)}/members`);
}

/* The role's word: "Lead" for "lead"; an unknown role as it is. */
function roleWord(m, role) {
  const known = m.roles.find(([v]) => v === role);
  return known ? known[1] : String(role);
}

/*
 * A member's role as a <select> that saves when changed (see changeRole),
 * with the outcome beside it: Saved, or why not.
 */
function roleControl(m, x, name) {
  const msg = `${m.id}-role-${x.user_id}-msg`;
  const options = m.roles.some(([v]) => v === x.role) ? m.roles : m.roles.concat([[x.role, String(x.role)]]);
  return h("div", { className: "role-cell" },
    h("select", {
      className: "compact", "aria-label": `Role of ${x.email}`, "aria-describedby": msg,
      dataset: { roleOf: x.user_id, saved: x.role, name },
    }, options.map(([v, word]) => h("option", { value: v, selected: v === x.role }, word))),
    h("span", { className: "role-msg", id: msg, "aria-live": "polite" }));
}

function memberRow(m, x) {
  const name = x.display_name || x.email;
  return h("tr", { dataset: { user: x.user_id } },
    h("td", { className: "name" }, h("span", { className: "strong" }, name), h("span", { className: "muted small block" }, x.email)),
    h("td", null, roleControl(m, x, name)),
    h("td", { className: "actions-cell" }, h("button", {
      type: "button", className: "button ghost small", dataset: { remove: x.user_id, name },
      "aria-label": `Remove ${name}`,
    }, "Remove")));
}

async function loadMembers(m, append) {
  const generation = ++m.generation;
  m.table.setAttribute("aria-busy", "true");
  setBusy(m.more, true);
  const p = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (append && m.cursor) {
    p.set("cursor", m.cursor);
  }
  const r = await call("GET", `${membersPath(m)}?${p}`);
  if (generation !== m.generation) {
    return;
  }
  m.table.setAttribute("aria-busy", "false");
  setBusy(m.more, false);
  if (r.status !== 200 || !r.body || !Array.isArray(r.body.items)) {
    showText(m.error, failure("Cannot load the members", r));
    return;
  }
  /* An empty team's list comes back with one member of nulls: not a member. */
  const items = r.body.items.filter((x) => x && typeof x.user_id === "string");
  m.items = append ? m.items.concat(items) : items;
  m.cursor = typeof r.body.next_cursor === "string" ? r.body.next_cursor : null;
  m.body.replaceChildren(...m.items.map((x) => memberRow(m, x)));
  const n = m.items.length;
  showText(m.empty, n === 0 ? "No members yet. Add some below." : "");
  m.count.textContent = n === 0 ? "" : m.cursor ? `Showing ${count(n, "member")}; more to load` : `Showing all ${count(n, "member")}`;
  m.more.hidden = !m.cursor;
}

/* Shows the outcome of a role change beside its select: a note, or an error. */
function roleMessage(select, text, failed) {
  const out = select.parentElement.querySelector(".role-msg");
  out.className = `role-msg ${failed ? "field-error" : "form-note"}`;
  out.textContent = text;
  if (failed && text !== "") {
    select.setAttribute("aria-invalid", "true");
  } else {
    select.removeAttribute("aria-invalid");
  }
}

/*
 * PATCH …/members/{user} {"role"} when a member's select changes: Saved
 * beside it, or the refusal beside it and the saved role put back.
 */
async function changeRole(m, select) {
  const { roleOf: user, saved, name } = select.dataset;
  const role = select.value;
  if (!m.parent || role === saved) {
    return;
  }
  const parent = m.parent;
  roleMessage(select, "", false);
  const focused = document.activeElement === select;
  select.disabled = true;
  select.setAttribute("aria-busy", "true");
  const r = await call("PATCH", `${membersPath(m)}/${enc(user)}`, { role });
  select.disabled = false;
  select.setAttribute("aria-busy", "false");
  if (focused && select.isConnected && (document.activeElement === document.body || document.activeElement === null)) {
    select.focus();
  }
  if (r.status === 200 && r.body && typeof r.body.role === "string") {
    select.dataset.saved = r.body.role;
    select.value = r.body.role;
    roleMessage(select, "Saved.", false);
    if (m.parent && m.parent.id === parent.id) {
      m.items = m.items.map((x) => (x.user_id === user ? { ...x, role: r.body.role } : x));
      if (select.isConnected) {
        announce(`${name} is now ${roleWord(m, r.body.role).toLowerCase()} of ${parent.name}.`);
      }
    }
    return;
  }
  select.value = saved;
  roleMessage(select, failure("Not changed", r), true);
}

/* The parent's row shows its number of members: load the list again. */
function refreshParent(m) {
  loadList(page.lists[m.kind], false);
}

async function addMembers(m, event) {
  event.preventDefault();
  if (!m.parent) {
    return;
  }
  clearFormMessages(m.form);
  pickerError(m.picker, "");
  const users = m.picker.value();
  if (users.length === 0) {
    pickerError(m.picker, "Choose at least one person to add.");
    m.picker.focus();
    return;
  }
  if (users.length > MEMBERS_AT_ONCE) {
    pickerError(m.picker, `Add at most ${MEMBERS_AT_ONCE} people at a time; ${users.length} are chosen.`);
    m.picker.focus();
    return;
  }
  const button = m.form.querySelector("button[type=submit]");
  setBusy(button, true);
  const r = await call("POST", membersPath(m), { users: users.map((u) => u.email), role: m.form.elements.namedItem("role").value });
  setBusy(button, false);
  if (r.status === 200 && r.body) {
    m.picker.set([]);
    const added = Number(r.body.added) || 0;
    const same = Number(r.body.unchanged) || 0;
    const text = `Added ${count(added, "member")}` + (same > 0 ? `; ${count(same, "was", "were")} already in.` : ".");
    setFormNote(m.form, text);
    announce(text);
    loadMembers(m, false);
    refreshParent(m);
    return;
  }
  const e = errorOf(r);
  if (r.status === 422 && e.field === "users") {
    pickerError(m.picker, `Nobody was added: ${describeError(e)} Remove them and try again.`);
    m.picker.focus();
    return;
  }
  showApiError(m.form, r);
}

async function removeMember(m, button) {
  const { remove: user, name } = button.dataset;
  showText(m.error, "");
  setBusy(button, true);
  const r = await call("DELETE", `${membersPath(m)}/${enc(user)}`);
  setBusy(button, false);
  if (r.status === 200) {
    announce(`${name} removed.`);
    loadMembers(m, false);
    refreshParent(m);
    return;
  }
  showText(m.error, failure(`Cannot remove ${name}`, r));
}

/* ------------------------------------------------------------- invites */

function describeTeam(t) {
  return { key: t.id, name: t.name, detail: t.organisation ? t.organisation.name : "" };
}

async function searchTeams(q) {
  const p = new URLSearchParams({ limit: String(PICK_SIZE), sort: "name" });
  if (q) {
    p.set("q", q);
  }
  const org = page.pickers.inviteOrg.value();
  if (org) {
    p.set("organisation_id", org.id);
  }
  const r = await call("GET", `${path("teams")}?${p}`);
  if (r.status !== 200 || !r.body || !Array.isArray(r.body.items)) {
    return { error: failure("Cannot search the teams", r) || "Cannot search." };
  }
  return { items: r.body.items, more: typeof r.body.next_cursor === "string" };
}

/* The names of the organisations and teams invites point at. */
async function loadNames(generation) {
  const [orgs, teams] = await Promise.all([allPages(path("orgs"), 1000), allPages(path("teams"), 1000)]);
  if (generation !== page.generation) {
    return;
  }
  for (const o of orgs.items) {
    page.orgNames.set(o.id, o.name);
  }
  for (const t of teams.items) {
    page.teamNames.set(t.id, t.name);
  }
}

function inviteInto(inv) {
  const parts = [];
  if (inv.team_id) {
    parts.push(`Team ${page.teamNames.get(inv.team_id) || "(deleted)"}`);
  }
  if (inv.organisation_id) {
    parts.push(`Organisation ${page.orgNames.get(inv.organisation_id) || "(deleted)"}`);
  }
  return parts.length ? parts.join(" · ") : "The directory";
}

function stateBadge(state) {
  const [word, cls] = INVITE_STATES[state] || [String(state), ""];
  return h("span", { className: `badge ${cls}` }, word);
}

function inviteRow(inv) {
  const name = inv.display_name || inv.email;
  const actions = h("div", { className: "row-actions" });
  if (inv.state === "pending" || inv.state === "expired") {
    actions.append(h("button", { type: "button", className: "button secondary small", dataset: { act: "resend", invite: inv.id },
      "aria-label": `Resend the invite to ${inv.email}` }, "Resend"));
    actions.append(h("button", { type: "button", className: "button ghost small", dataset: { act: "revoke", invite: inv.id },
      "aria-label": `Revoke the invite to ${inv.email}` }, "Revoke"));
  }
  return h("tr", { dataset: { email: inv.email } },
    h("td", { className: "name" }, h("span", { className: "strong" }, name),
      name !== inv.email ? h("span", { className: "muted small block" }, inv.email) : null),
    h("td", { className: "state" }, stateBadge(inv.state),
      inv.sent_count > 1 ? h("span", { className: "muted small block" }, `Sent ${inv.sent_count} times`) : null),
    h("td", { className: "small" }, inviteInto(inv)),
    h("td", null, inv.state === "pending" || inv.state === "expired" ? timeElement(inv.expires_at)
      : inv.state === "accepted" ? h("span", { className: "muted" }, "Accepted ", timeElement(inv.accepted_at)) : "—"),
    h("td", { className: "actions-cell" }, actions));
}

function invitesQuery() {
  return {
    q: fieldInput($("invites-filters"), "q").value.trim(),
    status: fieldInput($("invites-filters"), "status").value,
  };
}

/* The accept link, absolute (the API gives a path when it has no public address). */
function absoluteLink(url) {
  return /^https?:\/\//i.test(url) ? url : new URL(url, window.location.origin).href;
}

function showLink(title, url) {
  $("invite-link-title").textContent = title;
  $("invite-link-value").textContent = absoluteLink(url);
  $("invite-link-copied").textContent = "";
  $("invite-link").hidden = false;
  $("invite-link-copy").focus();
}

function hideLink() {
  $("invite-link").hidden = true;
  $("invite-link-value").textContent = "";
  $("invite-link-copied").textContent = "";
}

async function onCopyLink() {
  const text = $("invite-link-value").textContent;
  try {
    await navigator.clipboard.writeText(text);
    $("invite-link-copied").textContent = "Copied.";
  } catch {
    const range = document.createRange();
    range.selectNodeContents($("invite-link-value"));
    window.getSelection().removeAllRanges();
    window.getSelection().addRange(range);
    $("invite-link-copied").textContent = "The browser did not let the console copy it: the link is selected, copy it with the keyboard.";
  }
}

function resetInviteForm() {
  const form = $("invite-form");
  form.reset();
  clearFormMessages(form);
  page.pickers.inviteOrg.set(null);
  page.pickers.inviteTeam.set(null);
  pickerError(page.pickers.inviteOrg, "");
  pickerError(page.pickers.inviteTeam, "");
}

async function onInviteCreate(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearFormMessages(form);
  pickerError(page.pickers.inviteOrg, "");
  pickerError(page.pickers.inviteTeam, "");
  hideLink();
  const body = { email: fieldInput(form, "email").value.trim() };
  const name = fieldInput(form, "display_name").value.trim();
  if (name) {
    body.display_name = name;
  }
  const org = page.pickers.inviteOrg.value();
  const team = page.pickers.inviteTeam.value();
  if (org) {
    body.organisation_id = org.id;
  }
  if (team) {
    body.team_id = team.id;
  }
  if (!body.email) {
    setFieldError(form, "email", "Enter the email of the person to invite.");
    fieldInput(form, "email").focus();
    return;
  }
  const button = form.querySelector("button[type=submit]");
  setBusy(button, true);
  const r = await call("POST", path("invites"), body);
  setBusy(button, false);
  if (r.status === 201 && r.body && typeof r.body.accept_url === "string") {
    resetInviteForm();
    showLink(`Invite for ${r.body.email} made.`, r.body.accept_url);
    announce(`Invite for ${r.body.email} made.`);
    loadList(page.lists.invites, false);
    return;
  }
  const e = errorOf(r);
  if (e.field === "organisation_id" || e.field === "team_id") {
    const p = e.field === "team_id" ? page.pickers.inviteTeam : page.pickers.inviteOrg;
    pickerError(p, describeError(e));
    p.focus();
    return;
  }
  showApiError(form, r);
}

async function onInviteAction(event) {
  const button = event.target.closest("button[data-act]");
  if (!button) {
    return;
  }
  const { act, invite } = button.dataset;
  const inv = page.lists.invites.items.find((x) => x.id === invite);
  if (!inv) {
    return;
  }
  if (act === "revoke" && button.dataset.armed !== "true") {
    button.dataset.armed = "true";
    button.textContent = "Confirm revoke";
    return;
  }
  showText($("invites-action-error"), "");
  setBusy(button, true);
  const r = await call("POST", path(`invites/${enc(invite)}/${act}`));
  setBusy(button, false);
  if (r.status === 200 && r.body) {
    if (act === "resend" && typeof r.body.accept_url === "string") {
      showLink(`Invite for ${inv.email} sent again, with a new link.`, r.body.accept_url);
    }
    announce(act === "resend" ? `Invite for ${inv.email} sent again.` : `Invite for ${inv.email} revoked.`);
    loadList(page.lists.invites, false);
    return;
  }
  showText($("invites-action-error"), failure(act === "resend" ? `Cannot resend the invite for ${inv.email}` :
    `Cannot revoke the invite for ${inv.email}`, r));
  if (act === "revoke") {
    button.dataset.armed = "false";
    button.textContent = "Revoke";
  }
}

/* -------------------------------------------------------------- wiring */

function resetArmed(button, text) {
  button.dataset.armed = "false";
  button.textContent = text;
}

function onKeydown(event) {
  if (event.key !== "Escape" || event.defaultPrevented) {
    return;
  }
  for (const [panel, close] of [["user-panel", closeUser], ["team-panel", closeTeam], ["org-panel", closeOrg]]) {
    if (!$(panel).hidden && $(panel).contains(document.activeElement)) {
      close(true);
      return;
    }
  }
}

function wirePickers() {
  const all = Object.freeze({ id: "", name: "All organisations", all: true });
  page.pickers.teamsOrg = createPicker({
    id: "teams-filters-org", label: "Organisation", placeholder: "All organisations", fixed: [all],
    search: searchOrgs, describe: describeOrg,
    onChange: () => loadList(page.lists.teams, false),
  });
  $("teams-filters-org-slot").replaceWith(page.pickers.teamsOrg.element);
  page.pickers.teamOrg = createPicker({
    id: "team-form-organisation_id", label: "Organisation", placeholder: "Search organisations",
    hint: "The organisation the team belongs to. In Copilot, none means the global organisation.",
    search: searchOrgs, describe: describeOrg,
  });
  $("team-form-org-slot").replaceWith(page.pickers.teamOrg.element);
  page.pickers.inviteOrg = createPicker({
    id: "invite-form-organisation_id", label: "Organisation (optional)", placeholder: "None: the directory only",
    search: searchOrgs, describe: describeOrg,
    onChange: () => page.pickers.inviteTeam.set(null),
  });
  $("invite-form-org-slot").replaceWith(page.pickers.inviteOrg.element);
  page.pickers.inviteTeam = createPicker({
    id: "invite-form-team_id", label: "Team (optional)", placeholder: "None",
    search: searchTeams, describe: describeTeam,
  });
  $("invite-form-team-slot").replaceWith(page.pickers.inviteTeam.element);
}

function wire() {
  if (page.wired) {
    return;
  }
  page.wired = true;
  wirePickers();
  makeList("users", {
    noun: "user", path: () => path("users"), query: usersQuery, row: userRow,
    selected: () => (page.user ? page.user.id : null),
    empty: (filtered) => (filtered ? "No users match." : `No users in ${domainWord()} yet. Add the first one, or invite someone.`),
  });
  makeList("teams", {
    noun: "team", path: () => path("teams"), query: teamsQuery, row: teamRow,
    selected: () => (page.team ? page.team.id : null),
    empty: (filtered) => (filtered ? "No teams match." : `No teams in ${domainWord()} yet.`),
  });
  makeList("orgs", {
    noun: "organisation", path: () => path("orgs"), query: () => ({}), row: orgRow,
    selected: () => (page.org ? page.org.id : null),
    empty: () => `No organisations in ${domainWord()} yet.`,
  });
  makeList("invites", {
    noun: "invite", path: () => path("invites"), query: invitesQuery, row: inviteRow,
    empty: (filtered) => (filtered ? "No invites match." : "No invites yet."),
  });
  page.members.teams = membersSection("teams", [["member", "Member"], ["lead", "Lead"]], $("team-members-slot"));
  page.members.orgs = membersSection("orgs", [["member", "Member"], ["admin", "Admin"]], $("org-members-slot"));

  $("users-filters").addEventListener("submit", (e) => {
    e.preventDefault();
    loadList(page.lists.users, false);
  });
  $("users-filters-q").addEventListener("input", () => debounced("users", page.lists.users));
  $("users-filters-status").addEventListener("change", () => loadList(page.lists.users, false));
  $("users-filters-sort").addEventListener("change", () => loadList(page.lists.users, false));
  $("users-body").addEventListener("click", (e) => {
    const b = e.target.closest("button[data-user]");
    if (b) {
      openUser(b.dataset.user, true);
    }
  });
  $("user-close").addEventListener("click", () => closeUser(true));
  $("user-form").addEventListener("submit", onUserSubmit);
  $("user-deactivate").addEventListener("click", (e) => setUserStatus(e, "inactive"));
  $("user-activate").addEventListener("click", (e) => setUserStatus(e, "active"));
  $("user-create-form").addEventListener("submit", onUserCreate);

  $("teams-filters").addEventListener("submit", (e) => {
    e.preventDefault();
    loadList(page.lists.teams, false);
  });
  $("teams-filters-q").addEventListener("input", () => debounced("teams", page.lists.teams));
  $("teams-body").addEventListener("click", (e) => {
    const b = e.target.closest("button[data-team]");
    if (b) {
      openTeam(page.lists.teams.items.find((t) => t.id === b.dataset.team) || null);
    }
  });
  $("team-new").addEventListener("click", () => openTeam(null));
  $("team-close").addEventListener("click", () => closeTeam(true));
  $("team-form").addEventListener("submit", onTeamSubmit);
  $("team-delete").addEventListener("click", onTeamDelete);

  $("orgs-body").addEventListener("click", (e) => {
    const b = e.target.closest("button[data-org]");
    if (b) {
      openOrg(page.lists.orgs.items.find((o) => o.id === b.dataset.org) || null);
    }
  });
  $("org-new").addEventListener("click", () => openOrg(null));
  $("org-close").addEventListener("click", () => closeOrg(true));
  $("org-form").addEventListener("submit", onOrgSubmit);
  $("org-delete").addEventListener("click", onOrgDelete);

  $("invites-filters").addEventListener("submit", (e) => {
    e.preventDefault();
    loadList(page.lists.invites, false);
  });
  $("invites-filters-q").addEventListener("input", () => debounced("invites", page.lists.invites));
  $("invites-filters-status").addEventListener("change", () => loadList(page.lists.invites, false));
  $("invites-body").addEventListener("click", onInviteAction);
  $("invite-form").addEventListener("submit", onInviteCreate);
  $("invite-link-copy").addEventListener("click", onCopyLink);
  $("invite-link-hide").addEventListener("click", () => {
    hideLink();
    fieldInput($("invite-form"), "email").focus();
  });
  $("directory-view").addEventListener("keydown", onKeydown);
}
