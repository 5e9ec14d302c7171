/*
 * Plans and features (super admins): the catalogues accounts subscribe
 * to. Plans have quotas and features, chosen with a searchable
 * multi-select; features have a product and a default.
 */
import {
  $, allPages, announce, badge, call, clearFormMessages, describeError, errorOf, failure, fieldInput, h, setBusy,
  setFieldError, setFormNote, showApiError, showText,
} from "./common.js";
import { createPicker, localSearch, pickerError } from "./picker.js";

const QUOTAS = ["users", "teams", "agents", "connections"];
const CREDITS = /^(?:0|[1-9][0-9]{0,11})(?:\.[0-9]{1,6})?$/;
const DOMAIN_WORDS = { copilot: "Copilot", console: "Console", platform: "Platform" };

const page = {
  generation: 0,
  plans: [],
  features: [],
  plan: null,       /* the plan in the panel, null for a new one */
  feature: null,
  featurePicker: null,
  wired: false,
};

export function open() {
  wire();
  const generation = ++page.generation;
  loadPlans(generation);
  loadFeatures(generation);
}

export function leave() {
  page.generation++;
  closePlan(false);
  closeFeature(false);
}

/* --------------------------------------------------------------- plans */

function quotaText(quotas) {
  const q = quotas || {};
  const parts = QUOTAS.map((k) => (Number.isInteger(q[k]) ? `${q[k]} ${k}` : null)).filter(Boolean);
  if (typeof q.credits_per_cycle === "string") {
    parts.push(`${q.credits_per_cycle} credits a cycle`);
  }
  return parts.length === 0 ? "No limits" : parts.join(" · ");
}

function planRow(plan) {
  return h("tr", { dataset: { id: plan.id }, "aria-current": page.plan && page.plan.id === plan.id ? "true" : null },
    h("td", { className: "name" },
      h("button", { type: "button", className: "row-link", dataset: { plan: plan.id } }, plan.name),
      h("code", { className: "muted small block" }, plan.slug)),
    h("td", null, badge(plan.status), plan.is_default ? h("span", { className: "badge role" }, "Default") : null),
    h("td", { className: "small" }, quotaText(plan.quotas),
      h("span", { className: "muted block" }, `${(plan.features || []).length} features`)),
    h("td", { className: "num" }, String(plan.accounts ?? 0)));
}

function renderPlans() {
  $("plans-body").replaceChildren(...page.plans.map(planRow));
  showText($("plans-empty"), page.plans.length === 0 ? "No plans yet. Make the first one." : "");
}

async function loadPlans(generation) {
  $("plans-table").setAttribute("aria-busy", "true");
  showText($("plans-error"), "");
  const got = await allPages("/v1/plans");
  if (generation !== page.generation) {
    return;
  }
  $("plans-table").setAttribute("aria-busy", "false");
  if (!got.ok) {
    showText($("plans-error"), failure("Cannot load the plans", got.r));
    return;
  }
  page.plans = got.items;
  renderPlans();
}

function fillPlanForm(plan) {
  const form = $("plan-form");
  form.reset();
  clearFormMessages(form);
  pickerError(page.featurePicker, "");
  const q = plan ? plan.quotas || {} : {};
  fieldInput(form, "name").value = plan ? plan.name : "";
  fieldInput(form, "slug").value = plan ? plan.slug : "";
  fieldInput(form, "slug").disabled = plan !== null;
  fieldInput(form, "description").value = plan && plan.description ? plan.description : "";
  for (const k of QUOTAS) {
    fieldInput(form, k).value = plan && Number.isInteger(q[k]) ? String(q[k]) : "";
  }
  fieldInput(form, "credits_per_cycle").value = plan && typeof q.credits_per_cycle === "string" ? q.credits_per_cycle : "";
  fieldInput(form, "status").value = plan ? plan.status : "active";
  $("plan-form-is_default").checked = plan ? plan.is_default === true : false;
  const keys = plan ? plan.features || [] : [];
  page.featurePicker.set(keys.map((k) => page.features.find((f) => f.key === k) || { key: k, name: k, product_domain: "" }));
  $("plan-save").textContent = plan ? "Save plan" : "Create plan";
  $("plan-delete").hidden = plan === null;
  resetArmed($("plan-delete"), "Delete plan");
}

function openPlan(plan) {
  closeFeature(false);
  page.plan = plan;
  fillPlanForm(plan);
  $("plan-panel-title").textContent = plan ? plan.name : "New plan";
  $("plan-panel").hidden = false;
  renderPlans();
  $("plan-panel-title").focus();
}

function closePlan(focus) {
  page.plan = null;
  $("plan-panel").hidden = true;
  if (focus) {
    $("plan-new").focus();
  }
}

/* The plan the form describes (for PATCH, only what differs), or null. */
function planBody(form) {
  const body = {
    name: fieldInput(form, "name").value.trim(),
    description: fieldInput(form, "description").value.trim(),
    status: fieldInput(form, "status").value,
    is_default: $("plan-form-is_default").checked,
    quotas: {},
    features: page.featurePicker.value().map((f) => f.key),
  };
  if (!page.plan) {
    body.slug = fieldInput(form, "slug").value.trim();
  }
  for (const k of QUOTAS) {
    const v = fieldInput(form, k).value.trim();
    if (v !== "" && !/^[0-9]{1,9}$/.test(v)) {
      setFieldError(form, k, "Enter a whole number, or nothing for no limit.");
      fieldInput(form, k).focus();
      return null;
    }
    body.quotas[k] = v === "" ? null : Number(v);
  }
  const credits = fieldInput(form, "credits_per_cycle").value.trim();
  if (credits !== "" && !CREDITS.test(credits)) {
    setFieldError(form, "credits_per_cycle", "Enter a number of credits with at most six decimals, or nothing.");
    fieldInput(form, "credits_per_cycle").focus();
    return null;
  }
  body.quotas.credits_per_cycle = credits === "" ? null : credits;
  for (const name of page.plan ? ["name"] : ["name", "slug"]) {
    if (body[name] === "") {
      setFieldError(form, name, `Enter a ${name}.`);
      fieldInput(form, name).focus();
      return null;
    }
  }
  return page.plan ? planChanges(body, page.plan) : body;
}

function planChanges(body, plan) {
  const changes = {};
  for (const k of ["name", "status", "is_default"]) {
    if (body[k] !== plan[k]) {
      changes[k] = body[k];
    }
  }
  if (body.description !== (plan.description || "")) {
    changes.description = body.description;
  }
  const quotas = {};
  for (const [k, v] of Object.entries(body.quotas)) {
    if (v !== ((plan.quotas || {})[k] ?? null)) {
      quotas[k] = v;
    }
  }
  if (Object.keys(quotas).length > 0) {
    changes.quotas = quotas;
  }
  if (JSON.stringify([...body.features].sort()) !== JSON.stringify([...(plan.features || [])].sort())) {
    changes.features = body.features;
  }
  return changes;
}

async function onPlanSubmit(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearFormMessages(form);
  pickerError(page.featurePicker, "");
  const body = planBody(form);
  if (!body) {
    return;
  }
  if (page.plan && Object.keys(body).length === 0) {
    setFormNote(form, "Nothing to change.");
    return;
  }
  const button = $("plan-save");
  setBusy(button, true);
  const r = page.plan
    ? await call("PATCH", `/v1/plans/${encodeURIComponent(page.plan.id)}`, body)
    : await call("POST", "/v1/plans", body);
  setBusy(button, false);
  if ((r.status === 200 || r.status === 201) && r.body) {
    const made = r.status === 201;
    await loadPlans(page.generation);
    openPlan(r.body);
    setFormNote(form, made ? `Created “${r.body.name}”.` : "Saved.");
    announce(made ? `Plan ${r.body.name} created.` : `Plan ${r.body.name} saved.`);
    return;
  }
  if (errorOf(r).field === "features") {
    pickerError(page.featurePicker, errorOf(r).message);
    page.featurePicker.focus();
    return;
  }
  showApiError(form, r);
}

function resetArmed(button, text) {
  button.dataset.armed = "false";
  button.textContent = text;
}

async function onPlanDelete(event) {
  const button = event.currentTarget;
  const plan = page.plan;
  if (!plan) {
    return;
  }
  if (button.dataset.armed !== "true") {
    button.dataset.armed = "true";
    button.textContent = `Confirm: delete ${plan.name}`;
    return;
  }
  setBusy(button, true);
  const r = await call("DELETE", `/v1/plans/${encodeURIComponent(plan.id)}`);
  setBusy(button, false);
  resetArmed(button, "Delete plan");
  if (r.status === 200) {
    closePlan(true);
    announce(`Plan ${plan.name} deleted.`);
    loadPlans(page.generation);
    return;
  }
  showApiError($("plan-form"), r);
}

/* ------------------------------------------------------------ features */

function featureRow(f) {
  return h("tr", { dataset: { key: f.key }, "aria-current": page.feature && page.feature.key === f.key ? "true" : null },
    h("td", { className: "name" },
      h("button", { type: "button", className: "row-link", dataset: { feature: f.key } }, f.name),
      h("code", { className: "muted small block" }, f.key)),
    h("td", null, DOMAIN_WORDS[f.product_domain] || String(f.product_domain)),
    h("td", null, h("span", { className: "badge " + (f.default_enabled ? "active" : "") }, f.default_enabled ? "On" : "Off")));
}

function renderFeatures() {
  $("features-body").replaceChildren(...page.features.map(featureRow));
  showText($("features-empty"), page.features.length === 0 ? "No features yet." : "");
}

async function loadFeatures(generation) {
  $("features-table").setAttribute("aria-busy", "true");
  showText($("features-error"), "");
  const r = await call("GET", "/v1/features");
  if (generation !== page.generation) {
    return;
  }
  $("features-table").setAttribute("aria-busy", "false");
  if (r.status !== 200 || !r.body || !Array.isArray(r.body.items)) {
    showText($("features-error"), failure("Cannot load the features", r));
    return;
  }
  page.features = r.body.items;
  renderFeatures();
}

function openFeature(feature) {
  closePlan(false);
  page.feature = feature;
  const form = $("feature-form");
  form.reset();
  clearFormMessages(form);
  fieldInput(form, "key").value = feature ? feature.key : "";
  fieldInput(form, "key").disabled = feature !== null;
  fieldInput(form, "name").value = feature ? feature.name : "";
  fieldInput(form, "description").value = feature && feature.description ? feature.description : "";
  fieldInput(form, "product_domain").value = feature ? feature.product_domain : "copilot";
  $("feature-form-default_enabled").checked = feature ? feature.default_enabled === true : false;
  $("feature-save").textContent = feature ? "Save feature" : "Create feature";
  $("feature-delete").hidden = feature === null;
  resetArmed($("feature-delete"), "Delete feature");
  $("feature-panel-title").textContent = feature ? feature.name : "New feature";
  $("feature-panel").hidden = false;
  renderFeatures();
  $("feature-panel-title").focus();
}

function closeFeature(focus) {
  page.feature = null;
  $("feature-panel").hidden = true;
  if (focus) {
    $("feature-new").focus();
  }
}

function featureBody(form) {
  const body = {
    name: fieldInput(form, "name").value.trim(),
    description: fieldInput(form, "description").value.trim(),
    product_domain: fieldInput(form, "product_domain").value,
    default_enabled: $("feature-form-default_enabled").checked,
  };
  if (!page.feature) {
    body.key = fieldInput(form, "key").value.trim();
    if (body.key === "") {
      setFieldError(form, "key", "Enter a key.");
      fieldInput(form, "key").focus();
      return null;
    }
  }
  if (body.name === "") {
    setFieldError(form, "name", "Enter a name.");
    fieldInput(form, "name").focus();
    return null;
  }
  if (!page.feature) {
    return body;
  }
  const changes = {};
  for (const [k, v] of Object.entries(body)) {
    if (v !== (page.feature[k] ?? (k === "description" ? "" : null))) {
      changes[k] = v;
    }
  }
  return changes;
}

async function onFeatureSubmit(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearFormMessages(form);
  const body = featureBody(form);
  if (!body) {
    return;
  }
  if (page.feature && Object.keys(body).length === 0) {
    setFormNote(form, "Nothing to change.");
    return;
  }
  const button = $("feature-save");
  setBusy(button, true);
  const r = page.feature
    ? await call("PATCH", `/v1/features/${encodeURIComponent(page.feature.key)}`, body)
    : await call("POST", "/v1/features", body);
  setBusy(button, false);
  if ((r.status === 200 || r.status === 201) && r.body) {
    await loadFeatures(page.generation);
    openFeature(r.body);
    setFormNote(form, r.status === 201 ? `Created “${r.body.name}”.` : "Saved.");
    return;
  }
  showApiError(form, r);
}

async function onFeatureDelete(event) {
  const button = event.currentTarget;
  const feature = page.feature;
  if (!feature) {
    return;
  }
  if (button.dataset.armed !== "true") {
    button.dataset.armed = "true";
    button.textContent = `Confirm: delete ${feature.name} from every plan`;
    return;
  }
  setBusy(button, true);
  const r = await call("DELETE", `/v1/features/${encodeURIComponent(feature.key)}`);
  setBusy(button, false);
  resetArmed(button, "Delete feature");
  if (r.status === 200) {
    closeFeature(true);
    announce(`Feature ${feature.name} deleted.`);
    const generation = page.generation;
    loadFeatures(generation);
    loadPlans(generation);
    return;
  }
  showApiError($("feature-form"), r);
}

/* ------------------------------------------------------------- wiring */

function describeFeature(f) {
  return { key: f.key, name: f.name, detail: `${f.key} · ${DOMAIN_WORDS[f.product_domain] || f.product_domain}`, title: f.key };
}

async function featureChoices() {
  const r = await call("GET", "/v1/features");
  if (r.status !== 200 || !r.body || !Array.isArray(r.body.items)) {
    throw new Error(describeError(errorOf(r)));
  }
  page.features = r.body.items;
  return r.body.items;
}

function onKeydown(event) {
  if (event.key !== "Escape" || event.defaultPrevented) {
    return;
  }
  if (!$("plan-panel").hidden && $("plan-panel").contains(document.activeElement)) {
    closePlan(true);
  } else if (!$("feature-panel").hidden && $("feature-panel").contains(document.activeElement)) {
    closeFeature(true);
  }
}

function wire() {
  if (page.wired) {
    return;
  }
  page.wired = true;
  page.featurePicker = createPicker({
    id: "plan-form-features", label: "Features", placeholder: "Search features to add",
    multiple: true, search: localSearch(featureChoices, describeFeature), describe: describeFeature,
  });
  $("plan-form-features-slot").replaceWith(page.featurePicker.element);
  $("plan-new").addEventListener("click", () => openPlan(null));
  $("plan-close").addEventListener("click", () => closePlan(true));
  $("plans-body").addEventListener("click", (e) => {
    const b = e.target.closest("button[data-plan]");
    if (b) {
      openPlan(page.plans.find((p) => p.id === b.dataset.plan) || null);
    }
  });
  $("plan-form").addEventListener("submit", onPlanSubmit);
  $("plan-delete").addEventListener("click", onPlanDelete);
  $("feature-new").addEventListener("click", () => openFeature(null));
  $("feature-close").addEventListener("click", () => closeFeature(true));
  $("features-body").addEventListener("click", (e) => {
    const b = e.target.closest("button[data-feature]");
    if (b) {
      openFeature(page.features.find((f) => f.key === b.dataset.feature) || null);
    }
  });
  $("feature-form").addEventListener("submit", onFeatureSubmit);
  $("feature-delete").addEventListener("click", onFeatureDelete);
  $("catalogue-view").addEventListener("keydown", onKeydown);
}
