/*
 * What every page of the console shares: the API client, errors in
 * words, and small DOM helpers. Text from the API goes on the page with
 * textContent (h() makes text nodes of strings), never as markup.
 */

const CSRF_COOKIE = "cockpit_csrf";

export const $ = (id) => document.getElementById(id);

/* What the shell tells the client: who acts where, and what to do on a 401. */
const hooks = {
  acting: () => null,       /* {id, name} of the account a super admin acts in */
  signedIn: () => false,
  ended: () => {},
};

export function configure(given) {
  Object.assign(hooks, given);
}

function cookie(name) {
  for (const part of document.cookie.split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) {
      return decodeURIComponent(part.slice(i + 1).trim());
    }
  }
  return "";
}

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
 * One request to the API, with the session's cookies. Writes carry the
 * CSRF token. While a super admin acts inside an account, requests carry
 * X-Account-Id unless asked not to (platform: true). Returns {status,
 * body, headers}: status 0 when the server could not be reached, body the
 * parsed JSON (or null).
 */
export async function api(method, path, { body, platform = false } = {}) {
  const headers = { Accept: "application/json" };
  const init = { method, headers, cache: "no-store", credentials: "same-origin" };
  if (method !== "GET" && method !== "HEAD") {
    const csrf = cookie(CSRF_COOKIE);
    if (csrf) {
      headers["X-CSRF-Token"] = csrf;
    }
  }
  const acting = hooks.acting();
  if (!platform && acting) {
    headers["X-Account-Id"] = acting.id;
  }
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch {
    return { status: 0, body: null, headers: new Headers() };
  }
  return { status: res.status, body: await readBody(res), headers: res.headers };
}

/* A signed-in call: a 401 means the session is over, back to sign in. */
export async function call(method, path, body, options = {}) {
  const r = await api(method, path, { body, ...options });
  if (r.status === 401 && hooks.signedIn()) {
    hooks.ended("Your session has ended. Sign in again.");
  }
  return r;
}

/* The {code, message, field} of a failed answer, made up when absent. */
export function errorOf(r) {
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

export function sentence(s) {
  const t = String(s).trim();
  if (t === "") {
    return t;
  }
  const first = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(first) ? first : first + ".";
}

export function describeError(e) {
  const text = sentence(e.message);
  return e.code === "internal_error" && e.requestId
    ? `${text} Request id: ${e.requestId}.`
    : text;
}

/* "Cannot load the admins: <why>" for a failed answer; "" for a 401 (the shell handles it). */
export function failure(what, r) {
  return r.status === 401 ? "" : `${what}: ${describeError(errorOf(r))}`;
}

export function accountPath(id) {
  return "/v1/accounts/" + encodeURIComponent(id);
}

/* ------------------------------------------------------------- DOM */

/*
 * An element: h("td", {className: "x", dataset: {id}}, "text", child).
 * Strings and numbers become text nodes; null and false are skipped.
 * Properties are set as properties, except aria-* and role (attributes).
 */
export function h(tag, props = null, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) {
      continue;
    }
    if (k === "dataset") {
      Object.assign(el.dataset, v);
    } else if (k.startsWith("aria-") || k === "role" || k === "for" || k === "scope" || k === "colspan") {
      el.setAttribute(k, String(v));
    } else if (k.startsWith("on") && typeof v === "function") {
      el.addEventListener(k.slice(2), v);
    } else {
      el[k] = v;
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) {
      continue;
    }
    if (Array.isArray(c)) {
      append(el, c);
    } else {
      el.append(c instanceof Node ? c : String(c));
    }
  }
}

export function announce(message) {
  const el = $("announcer");
  el.textContent = "";
  window.setTimeout(() => {
    el.textContent = message;
  }, 50);
}

export function showText(el, text) {
  el.textContent = text;
  el.hidden = text === "";
}

export function formatTime(iso) {
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

export function setTime(el, iso) {
  el.dateTime = typeof iso === "string" ? iso : "";
  el.textContent = formatTime(iso);
  el.title = typeof iso === "string" ? iso : "";
}

export function timeElement(iso, empty = "—") {
  const t = h("time");
  if (typeof iso === "string" && iso !== "") {
    setTime(t, iso);
  } else {
    t.textContent = empty;
  }
  return t;
}

const STATUS_WORDS = {
  active: "Active",
  suspended: "Suspended",
  inactive: "Inactive",
  revoked: "Revoked",
  retired: "Retired",
};

export function statusBadge(el, status) {
  el.className = "badge " + (Object.hasOwn(STATUS_WORDS, status) ? status : "");
  el.textContent = Object.hasOwn(STATUS_WORDS, status) ? STATUS_WORDS[status] : String(status);
}

export function badge(status) {
  const el = h("span");
  statusBadge(el, status);
  return el;
}

export function setBusy(button, busy) {
  button.disabled = busy;
  button.setAttribute("aria-busy", busy ? "true" : "false");
}

/* A number of people or things, with its noun: "1 account", "3 accounts". */
export function count(n, one, many = one + "s") {
  return `${n} ${n === 1 ? one : many}`;
}

/* ------------------------------------------------------ form messages */

export function fieldInput(form, name) {
  const el = form.elements.namedItem(name);
  return el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement ? el : null;
}

export function setFieldError(form, name, message) {
  const input = fieldInput(form, name) || $(`${form.id}-${name}`);
  const out = $(`${form.id}-${name}-error`);
  if (!input || !out) {
    return false;
  }
  input.setAttribute("aria-invalid", "true");
  showText(out, message);
  return true;
}

export function setFormError(form, message) {
  showText($(`${form.id}-error`), message);
}

export function setFormNote(form, message) {
  $(`${form.id}-note`).textContent = message;
}

export function clearFormMessages(form) {
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
export function showApiError(form, r) {
  if (r.status === 401) {
    return;
  }
  const e = errorOf(r);
  const parts = e.field ? e.field.split(/[.[\]]/).filter((x) => x !== "") : [];
  for (const field of [parts[parts.length - 1], parts[0]]) {
    if (field && setFieldError(form, field, sentence(e.message))) {
      (fieldInput(form, field) || $(`${form.id}-${field}`)).focus();
      return;
    }
  }
  setFormError(form, describeError(e));
}

/* Every page of a list, following next_cursor (at most max items). */
export async function allPages(path, max = 1000, options = {}) {
  const items = [];
  let cursor = null;
  do {
    const sep = path.includes("?") ? "&" : "?";
    const r = await call("GET", `${path}${sep}limit=200${cursor ? "&cursor=" + encodeURIComponent(cursor) : ""}`, undefined, options);
    if (r.status !== 200 || !r.body || !Array.isArray(r.body.items)) {
      return { ok: false, r, items };
    }
    items.push(...r.body.items);
    cursor = typeof r.body.next_cursor === "string" ? r.body.next_cursor : null;
  } while (cursor && items.length < max);
  return { ok: true, items };
}
