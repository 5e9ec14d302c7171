/*
 * The account page: an account's status and lifecycle, single sign-on,
 * admins, plan (feature pack, subscription, quotas), features, console
 * model policy and API keys. Super admins manage every part of any
 * account (from the accounts list, #/accounts/<id>, or acting inside
 * it); an account admin sees their own account, and changes only its
 * admins and API keys.
 */
import {
  $, accountPath, allPages, announce, badge, call, clearFormMessages, count, describeError, errorOf, failure,
  fieldInput, h, setBusy, setFieldError, setFormError, setFormNote, setTime, showApiError, showText, statusBadge,
  timeElement,
} from "./common.js";
import { createPicker, localSearch, pickerError } from "./picker.js";

const PAGE_SIZE = 50;
const SECTIONS = ["sso-panel", "admins-panel", "pack-panel", "entitlements-panel", "policy-panel", "keys-panel"];
const QUOTA_WORDS = { users: "Users", teams: "Teams", agents: "Agents", connections: "Connections" };
const DOMAIN_WORDS = { copilot: "Copilot", console: "Console", platform: "Platform" };
const SOURCE_WORDS = { override: "An override for this account", plan: "The plan", default: "The feature's default" };
const MODE_WORDS = { open: "Any model", allow_list: "Only the allowed providers' models", disabled: "None" };

const page = {
  generation: 0,
  id: null,           /* the account shown */
  account: null,      /* its last answer */
  superAdmin: false,
  platform: false,    /* a super admin on #/accounts/<id>, not acting inside */
  me: "",             /* the signed-in user's email */
  admins: { items: [], cursor: null },
  keys: { items: [], cursor: null },
  pack: null,
  policy: null,
  planPicker: null,
  wired: false,
};

const path = (tail = "") => accountPath(page.id) + tail;
const live = (generation) => generation === page.generation && !$("account-view").hidden;

/* ---------------------------------------------------------------- open */

export function open({ context, account, id, superAdmin }) {
  wire();
  const generation = ++page.generation;
  page.id = id;
  page.superAdmin = superAdmin;
  page.platform = superAdmin && !account;
  page.me = context.user && typeof context.user.email === "string" ? context.user.email.toLowerCase() : "";
  page.account = null;
  renderHead(account);
  const suspendedAdmin = !superAdmin && account && account.status === "suspended";
  for (const s of SECTIONS) {
    $(s).hidden = suspendedAdmin;
  }
  loadAccount(generation, suspendedAdmin);
  if (suspendedAdmin) {
    return;
  }
  const readOnly = !superAdmin;
  $("sso-form").hidden = readOnly;
  $("pack-form").hidden = readOnly;
  $("policy-form").hidden = readOnly;
  $("entitlements-hint").textContent = readOnly
    ? "Which features the account's users have. The platform operators change them."
    : "Which features the account's users have. Override one to turn it on or off whatever the plan says.";
  loadSso(generation);
  loadAdmins(generation, false);
  loadPack(generation);
  loadEntitlements(generation);
  loadPolicy(generation);
  loadKeys(generation, false);
}

export function leave() {
  page.generation++;
  const dialog = $("delete-dialog");
  if (dialog.open) {
    dialog.close();
  }
  $("key-secret").hidden = true;
  $("key-secret-value").textContent = "";
  for (const id of ["sso-form", "admin-form", "pack-form", "policy-form", "key-form", "delete-form"]) {
    $(id).reset();
    clearFormMessages($(id));
  }
}

function renderHead(account) {
  const admin = !page.superAdmin;
  $("account-back").hidden = !page.platform;
  $("account-title").textContent = admin ? "Your account" : page.platform ? "Account" : "Acting inside an account";
  $("account-lead").textContent = admin
    ? "You are an account admin of this account. You manage its admins and API keys; its name, plan and single sign-on are changed by the platform operators."
    : page.platform
      ? "Everything about one account. To work inside it (its directory, budgets, models), choose it in the account switcher."
      : "As a super admin you act inside this account: what you do here is done in it. Choose Whole platform in the account switcher to manage every account.";
  $("account-name").textContent = account ? account.name : "Account";
  if (account) {
    statusBadge($("account-status"), account.status);
  } else {
    showText($("account-status"), "");
  }
  $("account-slug").textContent = account ? account.slug : "—";
  $("account-id").textContent = page.id;
  for (const id of ["account-created", "account-updated"]) {
    setTime($(id), null);
    $(id).textContent = "—";
  }
  $("lifecycle").hidden = true;
  showText($("lifecycle-error"), "");
  $("lifecycle-note").textContent = "";
}

/* ------------------------------------------------------ facts, lifecycle */

function renderAccount(account) {
  page.account = account;
  $("account-name").textContent = account.name;
  $("account-status").hidden = false;
  statusBadge($("account-status"), account.status);
  $("account-slug").textContent = account.slug;
  setTime($("account-created"), account.created_at);
  setTime($("account-updated"), account.updated_at);
  $("lifecycle").hidden = !page.platform;
  const suspended = account.status === "suspended";
  $("account-suspend").hidden = suspended;
  $("account-activate").hidden = !suspended;
  $("lifecycle-hint").textContent = suspended
    ? "Suspended: its users and keys are turned away until it is reactivated."
    : "Active. Suspending turns its users and keys away at once; nothing is lost.";
}

async function loadAccount(generation, suspendedAdmin) {
  showText($("account-error"), "");
  $("account-loading").hidden = false;
  const r = await call("GET", path());
  if (!live(generation)) {
    return;
  }
  $("account-loading").hidden = true;
  if (r.status === 200 && r.body) {
    renderAccount(r.body);
    return;
  }
  /* A suspended account's details are refused to its own admins: the banner says so. */
  if (suspendedAdmin || errorOf(r).code === "account_suspended") {
    return;
  }
  showText($("account-error"), r.status === 404 ? "There is no such account: it may have been deleted." : failure("Cannot load the account's details", r));
  if (r.status === 404) {
    for (const s of SECTIONS) {
      $(s).hidden = true;
    }
  }
}

async function setStatus(status) {
  const button = $(status === "suspended" ? "account-suspend" : "account-activate");
  showText($("lifecycle-error"), "");
  $("lifecycle-note").textContent = "";
  setBusy(button, true);
  const r = await call("POST", path("/status"), { status });
  setBusy(button, false);
  if (r.status === 200 && r.body) {
    renderAccount(r.body);
    const done = status === "suspended" ? "suspended" : "reactivated";
    $("lifecycle-note").textContent = `The account is ${done}.`;
    $(status === "suspended" ? "account-activate" : "account-suspend").focus();
    announce(`Account ${r.body.name} ${done}.`);
    return;
  }
  showText($("lifecycle-error"), failure("The status did not change", r));
}

function openDelete() {
  const form = $("delete-form");
  form.reset();
  clearFormMessages(form);
  $("delete-slug").textContent = page.account ? page.account.slug : "";
  $("delete-confirm").disabled = true;
  $("delete-suspend").hidden = page.account !== null && page.account.status === "suspended";
  $("delete-dialog").showModal();
  $("delete-form-confirm").focus();
}

async function deleteSuspend() {
  const button = $("delete-suspend");
  setBusy(button, true);
  const r = await call("DELETE", path());
  setBusy(button, false);
  if (r.status === 200 && r.body) {
    $("delete-dialog").close();
    renderAccount(r.body);
    $("lifecycle-note").textContent = "The account is suspended. Nothing was deleted.";
    $("account-activate").focus();
    return;
  }
  setFormError($("delete-form"), failure("Cannot suspend the account", r));
}

async function deleteForGood(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearFormMessages(form);
  const typed = fieldInput(form, "confirm").value.trim();
  if (!page.account || typed !== page.account.slug) {
    setFieldError(form, "confirm", "Type the account's slug exactly to delete it.");
    return;
  }
  const button = $("delete-confirm");
  setBusy(button, true);
  const r = await call("DELETE", `${path()}?confirm=${encodeURIComponent(typed)}`);
  setBusy(button, false);
  if (r.status === 200 && r.body && r.body.deleted === true) {
    const name = page.account.name;
    $("delete-dialog").close();
    announce(`Account ${name} deleted for good.`);
    window.location.hash = "#/accounts";
    return;
  }
  showApiError(form, r);
}

function onConfirmInput(event) {
  $("delete-confirm").disabled = !page.account || event.currentTarget.value.trim() !== page.account.slug;
}

/* ------------------------------------------------------------- sso */

async function loadSso(generation) {
  $("sso-loading").hidden = false;
  $("sso-body").hidden = true;
  showText($("sso-error"), "");
  const r = await call("GET", path("/sso"));
  if (!live(generation)) {
    return;
  }
  $("sso-loading").hidden = true;
  if (r.status !== 200 || !r.body) {
    showText($("sso-error"), failure("Cannot load the single sign-on settings", r));
    return;
  }
  renderSso(r.body);
}

function renderSso(sso) {
  const domains = Array.isArray(sso.domains) ? sso.domains.map((d) => d.domain) : [];
  const set = typeof sso.auth_org_id === "string" && sso.auth_org_id !== "";
  $("sso-org").textContent = set ? sso.auth_org_id : "Not set";
  $("sso-domains").replaceChildren(domains.length === 0
    ? "None"
    : h("ul", { className: "plain-list" }, domains.map((d) => h("li", null, h("code", null, d)))));
  const b = $("sso-badge");
  b.className = "badge " + (set ? "active" : "");
  b.textContent = set ? "Configured" : "Not configured";
  const form = $("sso-form");
  fieldInput(form, "auth_org_id").value = set ? sso.auth_org_id : "";
  fieldInput(form, "domains").value = domains.join("\n");
  $("sso-clear").hidden = !set && domains.length === 0;
  $("sso-body").hidden = false;
}

async function onSsoSubmit(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearFormMessages(form);
  const org = fieldInput(form, "auth_org_id").value.trim();
  const domains = fieldInput(form, "domains").value.split(/[\s,]+/).map((d) => d.trim().toLowerCase()).filter((d) => d !== "");
  const body = { domains: [...new Set(domains)] };
  if (org !== "") {
    body.auth_org_id = org;
  }
  const button = form.querySelector("button[type=submit]");
  setBusy(button, true);
  const r = await call("POST", path("/sso"), body);
  setBusy(button, false);
  if (r.status === 200 && r.body) {
    renderSso(r.body);
    setFormNote(form, "Saved.");
    return;
  }
  showApiError(form, r);
}

async function onSsoClear() {
  const form = $("sso-form");
  clearFormMessages(form);
  const button = $("sso-clear");
  setBusy(button, true);
  const r = await call("DELETE", path("/sso"));
  setBusy(button, false);
  if (r.status === 200 && r.body) {
    renderSso(r.body);
    setFormNote(form, "Single sign-on cleared: no organisation, no domains.");
    fieldInput(form, "auth_org_id").focus();
    return;
  }
  showApiError(form, r);
}

/* ------------------------------------------------------------ admins */

function adminRow(admin) {
  const self = typeof admin.email === "string" && admin.email.toLowerCase() === page.me;
  const who = h("div", { className: "who-cell" },
    h("span", { className: "strong" }, admin.display_name || admin.email),
    admin.display_name ? h("span", { className: "muted small" }, admin.email) : null,
    self ? h("span", { className: "badge role" }, "You") : null);
  const actions = h("div", { className: "row-actions" });
  if (!self) {
    const inactive = admin.status === "inactive";
    actions.append(
      h("button", { type: "button", className: "button ghost small", dataset: { act: inactive ? "activate" : "deactivate", email: admin.email } },
        inactive ? "Reactivate" : "Deactivate", h("span", { className: "visually-hidden" }, ` ${admin.email}`)),
      h("button", { type: "button", className: "button ghost small danger-text", dataset: { act: "remove", email: admin.email } },
        "Remove admin role", h("span", { className: "visually-hidden" }, ` of ${admin.email}`)));
  }
  const last = admin.signed_in === false && !admin.last_login_at ? h("span", { className: "muted" }, "Never") : timeElement(admin.last_login_at, "Never");
  return h("tr", { dataset: { email: admin.email } },
    h("td", null, who), h("td", null, badge(admin.status)), h("td", null, last), h("td", { className: "actions-cell" }, actions));
}

function renderAdmins() {
  const a = page.admins;
  $("admins-body").replaceChildren(...a.items.map(adminRow));
  showText($("admins-empty"), a.items.length === 0 ? "No admins yet. Add the first one below." : "");
  $("admins-count").textContent = a.items.length === 0 ? "" : count(a.items.length, "admin") + (a.cursor ? " shown" : "");
  $("admins-more").hidden = !a.cursor;
}

async function loadAdmins(generation, more) {
  const table = $("admins-table");
  table.setAttribute("aria-busy", "true");
  $("admins-loading").hidden = more;
  if (!more) {
    page.admins = { items: [], cursor: null };
    $("admins-body").replaceChildren();
    showText($("admins-empty"), "");
  }
  showText($("admins-error"), "");
  setBusy($("admins-more"), true);
  const cursor = more && page.admins.cursor ? `&cursor=${encodeURIComponent(page.admins.cursor)}` : "";
  const r = await call("GET", path(`/admins?limit=${PAGE_SIZE}${cursor}`));
  if (!live(generation)) {
    return;
  }
  table.setAttribute("aria-busy", "false");
  $("admins-loading").hidden = true;
  setBusy($("admins-more"), false);
  if (r.status !== 200 || !r.body || !Array.isArray(r.body.items)) {
    showText($("admins-error"), failure("Cannot load the admins", r));
    return;
  }
  page.admins.items = page.admins.items.concat(r.body.items);
  page.admins.cursor = typeof r.body.next_cursor === "string" ? r.body.next_cursor : null;
  renderAdmins();
}

async function onAdminAction(event) {
  const button = event.target.closest("button[data-act]");
  if (!button) {
    return;
  }
  const { act, email } = button.dataset;
  showText($("admins-action-error"), "");
  setBusy(button, true);
  const target = path(`/admins/${encodeURIComponent(email)}`);
  const r = act === "remove"
    ? await call("DELETE", target)
    : await call("PATCH", target, { status: act === "activate" ? "active" : "inactive" });
  setBusy(button, false);
  if (r.status === 200) {
    announce(act === "remove" ? `${email} is no longer an admin.` : `${email} ${act === "activate" ? "reactivated" : "deactivated"}.`);
    await loadAdmins(page.generation, false);
    $("admins-title").focus();
    return;
  }
  showText($("admins-action-error"), failure(`Cannot change ${email}`, r));
}

async function onAdminSubmit(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearFormMessages(form);
  const email = fieldInput(form, "email").value.trim();
  const name = fieldInput(form, "display_name").value.trim();
  if (email === "") {
    setFieldError(form, "email", "Enter the new admin's email.");
    fieldInput(form, "email").focus();
    return;
  }
  const body = name === "" ? { email } : { email, display_name: name };
  const button = form.querySelector("button[type=submit]");
  setBusy(button, true);
  const r = await call("POST", path("/admins"), body);
  setBusy(button, false);
  if (r.status === 201 || r.status === 200) {
    form.reset();
    setFormNote(form, r.status === 201 ? `Added ${email}, a new user, as an admin.` : `${email} is an admin now.`);
    await loadAdmins(page.generation, false);
    return;
  }
  showApiError(form, r);
}

/* ------------------------------------------------------- feature pack */

function quotaItem(key, q) {
  const limit = q && Number.isInteger(q.limit) ? q.limit : null;
  const used = q && Number.isInteger(q.used) ? q.used : 0;
  const meter = h("meter", { min: 0, max: limit === null ? Math.max(used, 1) : Math.max(limit, 1), value: used, "aria-hidden": "true" });
  const over = limit !== null && used >= limit;
  return h("li", { className: "quota" + (over ? " full" : ""), dataset: { quota: key } },
    h("span", { className: "quota-name" }, QUOTA_WORDS[key]),
    h("span", { className: "quota-value" }, limit === null ? `${used} used, no limit` : `${used} of ${limit}`),
    limit === null ? null : meter);
}

function renderPack(pack) {
  page.pack = pack;
  const plan = pack.plan && typeof pack.plan === "object" ? pack.plan : null;
  $("pack-plan").replaceChildren(plan ? h("span", null, plan.name, " ", h("code", { className: "muted" }, plan.slug)) : "No plan");
  const pb = $("pack-plan-badge");
  if (plan && plan.status === "retired") {
    statusBadge(pb, "retired");
    pb.hidden = false;
  } else {
    pb.hidden = true;
  }
  const started = $("pack-started");
  if (pack.started_at) {
    setTime(started, pack.started_at);
  } else {
    setTime(started, null);
    started.textContent = "—";
  }
  const domains = Array.isArray(pack.product_domains) ? pack.product_domains : [];
  $("pack-domains").textContent = domains.length === 0 ? "None" : domains.map((d) => DOMAIN_WORDS[d] || d).join(", ");
  $("pack-credits").textContent = typeof pack.credits_per_cycle === "string" ? pack.credits_per_cycle : "None";
  const quotas = pack.quotas && typeof pack.quotas === "object" ? pack.quotas : {};
  $("pack-quotas").replaceChildren(...Object.keys(QUOTA_WORDS).map((k) => quotaItem(k, quotas[k])));
  if (page.planPicker) {
    page.planPicker.set(plan ? { id: plan.id, slug: plan.slug, name: plan.name, status: plan.status } : NO_PLAN);
  }
  for (const box of $("pack-form").querySelectorAll("input[name=product_domains]")) {
    box.checked = domains.includes(box.value);
  }
  $("pack-body").hidden = false;
}

async function loadPack(generation) {
  $("pack-loading").hidden = false;
  $("pack-body").hidden = true;
  showText($("pack-error"), "");
  const r = await call("GET", path("/feature-pack"));
  if (!live(generation)) {
    return;
  }
  $("pack-loading").hidden = true;
  if (r.status !== 200 || !r.body) {
    showText($("pack-error"), failure("Cannot load the plan and quotas", r));
    return;
  }
  renderPack(r.body);
}

const NO_PLAN = Object.freeze({ id: "", slug: null, name: "No plan", status: "" });

/* Plans to choose from, searched here: the catalogue is small. */
export function planSearchFor(includeRetired) {
  return localSearch(async () => {
    const got = await allPages("/v1/plans", 1000, { platform: true });
    if (!got.ok) {
      throw new Error(describeError(errorOf(got.r)));
    }
    return got.items.filter((p) => includeRetired || p.status !== "retired");
  }, describePlan);
}

export function describePlan(plan) {
  if (plan.slug === null) {
    return { key: "", name: plan.name, detail: "The account has no plan: features follow their defaults" };
  }
  return {
    key: plan.slug,
    name: plan.name,
    detail: plan.slug,
    tags: plan.status === "retired" ? [badge("retired")] : [],
    title: `${plan.name} (${plan.slug})`,
  };
}

async function onPackSubmit(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearFormMessages(form);
  pickerError(page.planPicker, "");
  const chosen = page.planPicker.value();
  const domains = [...form.querySelectorAll("input[name=product_domains]:checked")].map((b) => b.value);
  const body = {};
  const current = page.pack && page.pack.plan ? page.pack.plan.slug : null;
  const slug = chosen ? chosen.slug : null;
  if (slug !== current) {
    body.plan = slug;
  }
  const before = page.pack && Array.isArray(page.pack.product_domains) ? page.pack.product_domains.slice().sort() : [];
  if (JSON.stringify(before) !== JSON.stringify(domains.slice().sort())) {
    body.product_domains = domains;
  }
  if (Object.keys(body).length === 0) {
    setFormNote(form, "Nothing to change.");
    return;
  }
  const button = form.querySelector("button[type=submit]");
  setBusy(button, true);
  const r = await call("PUT", path("/feature-pack"), body);
  setBusy(button, false);
  if (r.status === 200 && r.body) {
    renderPack(r.body);
    setFormNote(form, "Saved.");
    loadEntitlements(page.generation);
    return;
  }
  const e = errorOf(r);
  if (e.field === "plan") {
    pickerError(page.planPicker, e.message);
    page.planPicker.focus();
    return;
  }
  showApiError(form, r);
}

/* -------------------------------------------------------- entitlements */

function overrideSelect(item) {
  const value = item.override === true ? "on" : item.override === false ? "off" : "";
  const select = h("select", { className: "compact", dataset: { feature: item.key }, "aria-label": `Override for ${item.name}` },
    h("option", { value: "", selected: value === "" }, "Follow the plan"),
    h("option", { value: "on", selected: value === "on" }, "Always on"),
    h("option", { value: "off", selected: value === "off" }, "Always off"));
  return select;
}

function entitlementRow(item) {
  const state = h("span", { className: "badge " + (item.enabled ? "active" : "") }, item.enabled ? "On" : "Off");
  const source = page.superAdmin ? overrideSelect(item) : h("span", null, SOURCE_WORDS[item.source] || String(item.source));
  const why = page.superAdmin
    ? h("div", { className: "source-cell" }, source, h("span", { className: "muted small" }, SOURCE_WORDS[item.source] || String(item.source)))
    : source;
  return h("tr", { dataset: { feature: item.key } },
    h("td", null, h("span", { className: "strong" }, item.name), h("code", { className: "muted small block" }, item.key)),
    h("td", null, DOMAIN_WORDS[item.product_domain] || String(item.product_domain)),
    h("td", null, state),
    h("td", null, why));
}

async function loadEntitlements(generation) {
  $("entitlements-loading").hidden = false;
  showText($("entitlements-error"), "");
  const r = page.platform
    ? await call("GET", `/v1/features/entitlements?account_id=${encodeURIComponent(page.id)}`)
    : await call("GET", "/v1/features/entitlements");
  if (!live(generation)) {
    return;
  }
  $("entitlements-loading").hidden = true;
  if (r.status !== 200 || !r.body || !Array.isArray(r.body.items)) {
    $("entitlements-wrap").hidden = true;
    showText($("entitlements-error"), failure("Cannot load the features", r));
    return;
  }
  $("entitlements-body").replaceChildren(...r.body.items.map(entitlementRow));
  $("entitlements-empty").hidden = r.body.items.length > 0;
  $("entitlements-wrap").hidden = false;
}

async function onOverrideChange(event) {
  const select = event.target.closest("select[data-feature]");
  if (!select) {
    return;
  }
  showText($("entitlements-action-error"), "");
  const enabled = select.value === "on" ? true : select.value === "off" ? false : null;
  select.disabled = true;
  const r = await call("POST", "/v1/features/entitlements", { account_id: page.id, feature: select.dataset.feature, enabled },
    page.platform ? { platform: true } : {});
  select.disabled = false;
  if (r.status === 200 || r.status === 201) {
    announce(enabled === null ? "The override is cleared." : `The feature is always ${enabled ? "on" : "off"} for this account now.`);
    const generation = page.generation;
    await loadEntitlements(generation);
    if (live(generation)) {
      const again = $("entitlements-body").querySelector(`select[data-feature="${CSS.escape(select.dataset.feature)}"]`);
      if (again) {
        again.focus();
      }
    }
    return;
  }
  showText($("entitlements-action-error"), failure("The override did not change", r));
}

/* ------------------------------------------------------- model policy */

function renderPolicy(policy) {
  page.policy = policy;
  const providers = Array.isArray(policy.allowed_providers) ? policy.allowed_providers : [];
  $("policy-mode").textContent = MODE_WORDS[policy.mode] || String(policy.mode);
  $("policy-providers").textContent = policy.mode === "allow_list" ? providers.join(", ") || "None" : "—";
  $("policy-updated").replaceChildren(policy.updated_at
    ? h("span", null, timeElement(policy.updated_at), policy.updated_by ? ` by ${policy.updated_by}` : "")
    : "Never: the default");
  const form = $("policy-form");
  for (const radio of form.querySelectorAll("input[name=mode]")) {
    radio.checked = radio.value === policy.mode;
  }
  fieldInput(form, "allowed_providers").value = providers.join(", ");
  syncProviders();
  $("policy-body").hidden = false;
}

function syncProviders() {
  const form = $("policy-form");
  const mode = form.querySelector("input[name=mode]:checked");
  fieldInput(form, "allowed_providers").disabled = !mode || mode.value !== "allow_list";
}

async function loadPolicy(generation) {
  $("policy-loading").hidden = false;
  $("policy-body").hidden = true;
  showText($("policy-error"), "");
  const r = await call("GET", path("/console-model-policy"));
  if (!live(generation)) {
    return;
  }
  $("policy-loading").hidden = true;
  if (r.status !== 200 || !r.body) {
    showText($("policy-error"), failure("Cannot load the console model policy", r));
    return;
  }
  renderPolicy(r.body);
}

async function onPolicySubmit(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearFormMessages(form);
  const mode = form.querySelector("input[name=mode]:checked");
  if (!mode) {
    setFormError(form, "Choose which models the console may use.");
    return;
  }
  const body = { mode: mode.value };
  if (mode.value === "allow_list") {
    body.allowed_providers = fieldInput(form, "allowed_providers").value.split(",").map((p) => p.trim()).filter((p) => p !== "");
    if (body.allowed_providers.length === 0) {
      setFieldError(form, "allowed_providers", "Name at least one provider.");
      fieldInput(form, "allowed_providers").focus();
      return;
    }
  }
  const button = form.querySelector("button[type=submit]");
  setBusy(button, true);
  const r = await call("PUT", path("/console-model-policy"), body);
  setBusy(button, false);
  if (r.status === 200 && r.body) {
    renderPolicy(r.body);
    setFormNote(form, "Saved.");
    return;
  }
  showApiError(form, r);
}

/* ------------------------------------------------------------ api keys */

function keyRow(key) {
  const actions = h("div", { className: "row-actions" });
  if (key.status === "active") {
    actions.append(
      h("button", { type: "button", className: "button ghost small", dataset: { act: "rotate", key: key.id } },
        "Rotate", h("span", { className: "visually-hidden" }, ` ${key.name}`)),
      h("button", { type: "button", className: "button ghost small danger-text", dataset: { act: "revoke", key: key.id } },
        "Revoke", h("span", { className: "visually-hidden" }, ` ${key.name}`)));
  }
  return h("tr", { dataset: { key: key.id } },
    h("td", null, h("span", { className: "strong" }, key.name), h("code", { className: "muted small block" }, `ck_${key.prefix}_…`)),
    h("td", null, badge(key.status)),
    h("td", null, timeElement(key.last_used_at, "Never")),
    h("td", { className: "actions-cell" }, actions));
}

function renderKeys() {
  const k = page.keys;
  $("keys-body").replaceChildren(...k.items.map(keyRow));
  showText($("keys-empty"), k.items.length === 0 ? "No API keys yet." : "");
  $("keys-count").textContent = k.items.length === 0 ? "" : count(k.items.length, "key") + (k.cursor ? " shown" : "");
  $("keys-more").hidden = !k.cursor;
}

async function loadKeys(generation, more) {
  const table = $("keys-table");
  table.setAttribute("aria-busy", "true");
  $("keys-loading").hidden = more;
  if (!more) {
    page.keys = { items: [], cursor: null };
    $("keys-body").replaceChildren();
    showText($("keys-empty"), "");
  }
  showText($("keys-error"), "");
  setBusy($("keys-more"), true);
  const cursor = more && page.keys.cursor ? `&cursor=${encodeURIComponent(page.keys.cursor)}` : "";
  const r = await call("GET", path(`/api-keys?limit=${PAGE_SIZE}${cursor}`));
  if (!live(generation)) {
    return;
  }
  table.setAttribute("aria-busy", "false");
  $("keys-loading").hidden = true;
  setBusy($("keys-more"), false);
  if (r.status !== 200 || !r.body || !Array.isArray(r.body.items)) {
    showText($("keys-error"), failure("Cannot load the API keys", r));
    return;
  }
  page.keys.items = page.keys.items.concat(r.body.items);
  page.keys.cursor = typeof r.body.next_cursor === "string" ? r.body.next_cursor : null;
  renderKeys();
}

function showSecret(title, key) {
  $("key-secret-title").textContent = title;
  $("key-secret-value").textContent = key;
  $("key-secret").hidden = false;
  $("key-secret-hide").focus();
}

async function onKeyAction(event) {
  const button = event.target.closest("button[data-act]");
  if (!button) {
    return;
  }
  const { act, key } = button.dataset;
  const item = page.keys.items.find((k) => k.id === key);
  const name = item ? item.name : "the key";
  if (act === "revoke" && button.dataset.armed !== "true") {
    button.dataset.armed = "true";
    button.firstChild.textContent = "Confirm revoke";
    return;
  }
  showText($("keys-action-error"), "");
  setBusy(button, true);
  const target = path(`/api-keys/${encodeURIComponent(key)}`);
  const r = act === "revoke" ? await call("DELETE", target) : await call("POST", `${target}/rotate`, {});
  setBusy(button, false);
  if (r.status === 200 && r.body) {
    await loadKeys(page.generation, false);
    if (act === "rotate" && typeof r.body.key === "string") {
      showSecret(`The new secret of ${name}.`, r.body.key);
    } else {
      announce(`${name} revoked.`);
      $("keys-title").focus();
    }
    return;
  }
  showText($("keys-action-error"), failure(`Cannot ${act} ${name}`, r));
}

async function onKeySubmit(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearFormMessages(form);
  const name = fieldInput(form, "name").value.trim();
  if (name === "") {
    setFieldError(form, "name", "Enter a name for the key.");
    fieldInput(form, "name").focus();
    return;
  }
  const button = form.querySelector("button[type=submit]");
  setBusy(button, true);
  const r = await call("POST", path("/api-keys"), { name });
  setBusy(button, false);
  if (r.status === 201 && r.body && typeof r.body.key === "string") {
    form.reset();
    await loadKeys(page.generation, false);
    showSecret(`The key ${r.body.name} is made.`, r.body.key);
    return;
  }
  showApiError(form, r);
}

function hideSecret() {
  $("key-secret").hidden = true;
  $("key-secret-value").textContent = "";
  fieldInput($("key-form"), "name").focus();
}

/* ------------------------------------------------------------ wiring */

function wire() {
  if (page.wired) {
    return;
  }
  page.wired = true;
  page.planPicker = createPicker({
    id: "pack-form-plan", label: "Plan", placeholder: "Search plans", search: planSearchFor(false),
    describe: describePlan, fixed: [NO_PLAN],
  });
  $("pack-form-plan-slot").replaceWith(page.planPicker.element);
  $("account-suspend").addEventListener("click", () => setStatus("suspended"));
  $("account-activate").addEventListener("click", () => setStatus("active"));
  $("account-delete").addEventListener("click", openDelete);
  $("delete-suspend").addEventListener("click", deleteSuspend);
  $("delete-cancel").addEventListener("click", () => $("delete-dialog").close());
  $("delete-dialog").addEventListener("close", () => $("account-delete").focus());
  $("delete-form").addEventListener("submit", deleteForGood);
  $("delete-form-confirm").addEventListener("input", onConfirmInput);
  $("sso-form").addEventListener("submit", onSsoSubmit);
  $("sso-clear").addEventListener("click", onSsoClear);
  $("admins-body").addEventListener("click", onAdminAction);
  $("admins-more").addEventListener("click", () => loadAdmins(page.generation, true));
  $("admin-form").addEventListener("submit", onAdminSubmit);
  $("pack-form").addEventListener("submit", onPackSubmit);
  $("entitlements-body").addEventListener("change", onOverrideChange);
  $("policy-form").addEventListener("submit", onPolicySubmit);
  $("policy-form").addEventListener("change", syncProviders);
  $("keys-body").addEventListener("click", onKeyAction);
  $("keys-more").addEventListener("click", () => loadKeys(page.generation, true));
  $("key-form").addEventListener("submit", onKeySubmit);
  $("key-secret-hide").addEventListener("click", hideSecret);
}
