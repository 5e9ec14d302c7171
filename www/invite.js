/*
 * The page an invite's link opens (#/invite/<token>), signed in or not:
 * what the invite is for, and accepting it. Its requests carry no
 * account (the token names it) and a failure says why in words.
 */
import { $, api, clearFormMessages, describeError, errorOf, fieldInput, setBusy, setTime, showApiError, showText } from "./common.js";

const DOMAIN_WORDS = { copilot: "Copilot", console: "Console" };
const STATE_WORDS = {
  pending: ["Waiting to be accepted", "info"],
  accepted: ["Accepted", "active"],
  revoked: ["Revoked", "revoked"],
  expired: ["Expired", "inactive"],
};

/* Why an invite cannot be accepted, by the API's code. */
const REFUSALS = {
  not_found: "This invite link is not valid: check that it was copied whole, or ask for a new invite.",
  invite_used: "This invite has been accepted already.",
  invite_revoked: "This invite was revoked. Ask the person who invited you for a new one.",
  invite_expired: "This invite has expired. Ask the person who invited you to send it again.",
  account_suspended: "The account you are invited into is suspended for now. Try again later.",
  quota_exceeded: "The account has no room for another user on its plan. Tell the person who invited you.",
};

const page = { token: "", generation: 0, wired: false, invite: null };

export function open(token) {
  wire();
  const generation = ++page.generation;
  page.token = token;
  page.invite = null;
  $("invite-loading").hidden = false;
  $("invite-body").hidden = true;
  $("invite-accept-form").hidden = true;
  showText($("invite-error"), "");
  showText($("invite-done"), "");
  const form = $("invite-accept-form");
  form.reset();
  clearFormMessages(form);
  lookup(generation);
}

export function leave() {
  page.generation++;
  page.token = "";
}

function refusal(r) {
  const e = errorOf(r);
  return Object.hasOwn(REFUSALS, e.code) ? REFUSALS[e.code] : describeError(e);
}

function render(inv) {
  page.invite = inv;
  const domain = DOMAIN_WORDS[inv.domain] || String(inv.domain);
  $("invite-lead").textContent = `You are invited to use ${domain} in the account ${inv.account_name}.`;
  $("invite-account").textContent = inv.account_name;
  $("invite-domain").textContent = domain;
  $("invite-email").textContent = inv.email;
  const [word, cls] = STATE_WORDS[inv.state] || [String(inv.state), ""];
  $("invite-state").className = `badge ${cls}`;
  $("invite-state").textContent = word;
  setTime($("invite-expires"), inv.expires_at);
  fieldInput($("invite-accept-form"), "display_name").value = inv.display_name || "";
  $("invite-accept-form").hidden = inv.state !== "pending";
  $("invite-body").hidden = false;
  if (inv.state !== "pending") {
    showText($("invite-error"), REFUSALS[`invite_${inv.state === "accepted" ? "used" : inv.state}`] || "");
  }
}

async function lookup(generation) {
  const r = await api("GET", `/v1/invites/lookup?token=${encodeURIComponent(page.token)}`, { platform: true });
  if (generation !== page.generation) {
    return;
  }
  $("invite-loading").hidden = true;
  if (r.status === 200 && r.body && typeof r.body.email === "string") {
    render(r.body);
    return;
  }
  showText($("invite-error"), refusal(r));
}

async function onAccept(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearFormMessages(form);
  const body = { token: page.token };
  const name = fieldInput(form, "display_name").value.trim();
  if (name) {
    body.display_name = name;
  }
  const button = form.querySelector("button[type=submit]");
  setBusy(button, true);
  const r = await api("POST", "/v1/invites/accept", { body, platform: true });
  setBusy(button, false);
  if (r.status === 200 && r.body && r.body.user) {
    form.hidden = true;
    const inv = page.invite || {};
    $("invite-state").className = "badge active";
    $("invite-state").textContent = "Accepted";
    showText($("invite-done"), `Welcome, ${r.body.user.display_name || r.body.user.email}. ` +
      `Your user in ${inv.account_name || "the account"} is ready: sign in with single sign-on as ${r.body.user.email}.`);
    $("invite-done").focus();
    return;
  }
  const e = errorOf(r);
  if (Object.hasOwn(REFUSALS, e.code)) {
    showText($("invite-accept-form-error"), REFUSALS[e.code]);
    return;
  }
  showApiError(form, r);
}

function wire() {
  if (page.wired) {
    return;
  }
  page.wired = true;
  $("invite-accept-form").addEventListener("submit", onAccept);
}
