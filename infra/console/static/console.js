/* The web console: a tenant's runs, a run's step graph, outputs and timeline, decisions at a gate.
 *
 * Plain JavaScript, no build step and nothing loaded from elsewhere. It reads config.json next to
 * this page: {"api_url": "...", "websocket_url": "..." or null}. The token a person pastes is kept
 * in sessionStorage (this tab only) and sent as "Authorization: Bearer". Pages follow the hash:
 * #/runs, #/runs/<run_id>. Live updates: with a websocket_url, the console subscribes to the run
 * (or to every run of the tenant) and refreshes on each event; without one, or while it is down,
 * it polls every second.
 */
"use strict";

const TOKEN_KEY = "orchestrator.console.token";
const POLL_MS = 1000;
const PUSH_SAFETY_POLL_MS = 15000; // with push working, a slow poll still catches a missed event
const FINAL = new Set(["SUCCEEDED", "COMPENSATED", "COMPENSATION_FAILED", "FAILED_TO_START", "REJECTED", "CANCELLED"]);
const STATUSES = ["NOT_STARTED", "RUNNING", "RETRYING", "WAITING", "SUCCEEDED", "APPROVED", "REJECTED", "FAILED", "COMPENSATED"];

const state = {
  config: null,
  templates: null, // name -> template (GET /templates), fetched once per sign-in
  templatesLoading: null,
  page: null, // {name: "runs"} or {name: "run", runId}
  timer: null,
  inFlight: false,
  again: false,
  socket: null,
  socketOpen: false,
  socketRetryAt: 0,
  finalSeenAt: 0,
};

// --- small helpers ---------------------------------------------------------------------------
function $(id) { return document.getElementById(id); }

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else node.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function show(id, visible) { $(id).hidden = !visible; }

function notice(message) {
  $("notice").textContent = message || "";
  show("notice", Boolean(message));
}

function when(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  return isNaN(date) ? iso : date.toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
}

function duration(ms) {
  if (ms === null || ms === undefined) return "";
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`;
}

function claims(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(part + "=".repeat((4 - (part.length % 4)) % 4)));
  } catch (error) {
    return null;
  }
}

// --- the API ---------------------------------------------------------------------------------
class ApiError extends Error {
  constructor(status, body) {
    super((body && (body.message || body.error)) || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

function token() { return sessionStorage.getItem(TOKEN_KEY); }

async function api(method, path, body) {
  const base = state.config.api_url.replace(/\/+$/, "");
  const headers = { Authorization: `Bearer ${token()}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (error) {
    throw new ApiError(0, { message: `cannot reach the API at ${base} (${error.message})` });
  }
  const text = await response.text();
  let parsed = null;
  try { parsed = text ? JSON.parse(text) : null; } catch (error) { parsed = { message: text }; }
  if (response.status === 401) {
    signOut("The API refused the token (expired or not valid): sign in again.");
    throw new ApiError(401, parsed);
  }
  if (!response.ok) throw new ApiError(response.status, parsed);
  return parsed;
}

/* The catalog (GET /templates), read once per sign-in in the background: its first answer can
 * take a while (the API builds every template), and a run is drawn from its own view meanwhile. */
function loadTemplates() {
  if (state.templates || state.templatesLoading) return;
  state.templatesLoading = api("GET", "/templates")
    .then((answer) => {
      state.templates = Object.fromEntries(answer.templates.map((t) => [t.name, t]));
      refresh();
    })
    .catch(() => {}) // drawn from the run's view; tried again on the next page
    .finally(() => { state.templatesLoading = null; });
}

/* A run view's steps in the catalog's shape: what is drawn until the catalog is in. */
function templateFromView(steps) {
  return {
    steps: steps.map((s) => ({
      name: s.step,
      title: s.title,
      kind: s.kind || "agent",
      over: s.over,
      max_concurrency: s.max_concurrency,
      branches: s.branches && Object.fromEntries(
        Object.entries(s.branches).map(([name, inner]) => [name, templateFromView(inner).steps])),
      steps: s.kind === "map" ? templateFromView((s.items && s.items[0] && s.items[0].steps) || []).steps : undefined,
    })),
  };
}

// --- sign in ---------------------------------------------------------------------------------
function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  state.templates = null;
  closeSocket();
  notice(message || "");
  location.hash = "#/sign-in";
  route();
}

async function signIn(event) {
  event.preventDefault();
  const pasted = $("token-input").value.trim().replace(/^bearer\s+/i, "");
  if (!claims(pasted)) {
    notice("That is not a JWT: a token has three parts separated by dots.");
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, pasted);
  try {
    await api("GET", "/tenant");
  } catch (error) {
    if (error.status !== 401) notice(`Signed in, but the API answered: ${error.message}`);
    if (error.status === 401 || error.status === 0) return;
  }
  $("token-input").value = "";
  notice("");
  location.hash = "#/runs";
}

function showWho() {
  const mine = token() && claims(token());
  const tenant = mine && (mine.tenant_id || mine["custom:tenant_id"]);
  const role = mine && (mine.role || mine["custom:role"]);
  $("who").textContent = mine ? `tenant ${tenant || "?"} · ${role || "?"} · ${mine.sub || ""}` : "";
  show("sign-out", Boolean(mine));
}

// --- live updates: push when configured, else polling ----------------------------------------
function liveLabel() {
  const label = state.socketOpen ? "live: push" : "live: polling every 1 s";
  $("live").textContent = label;
  $("live").dataset.mode = state.socketOpen ? "push" : "poll";
  show("live", Boolean(token()));
}

function subscription() {
  const page = state.page;
  return page && page.name === "run" ? { action: "subscribe", run_id: page.runId } : { action: "subscribe" };
}

function openSocket() {
  const url = state.config && state.config.websocket_url;
  if (!url || !token() || state.socket || Date.now() < state.socketRetryAt) return;
  let socket;
  try {
    socket = new WebSocket(`${url}${url.includes("?") ? "&" : "?"}token=${encodeURIComponent(token())}`);
  } catch (error) {
    state.socketRetryAt = Date.now() + 5000;
    return;
  }
  state.socket = socket;
  socket.onopen = () => {
    state.socketOpen = true;
    socket.send(JSON.stringify(subscription()));
    liveLabel();
  };
  socket.onmessage = (message) => {
    try { JSON.parse(message.data); } catch (error) { return; } // only JSON envelopes count
    refresh();
  };
  socket.onclose = () => {
    if (state.socket === socket) {
      state.socket = null;
      state.socketOpen = false;
      state.socketRetryAt = Date.now() + 5000; // polling every second meanwhile
      liveLabel();
    }
  };
  socket.onerror = () => socket.close();
}

function closeSocket() {
  if (state.socket) {
    const socket = state.socket;
    state.socket = null;
    state.socketOpen = false;
    socket.close();
  }
}

function resubscribe() {
  if (state.socketOpen) state.socket.send(JSON.stringify(subscription()));
}

function schedule() {
  clearTimeout(state.timer);
  openSocket();
  liveLabel();
  const finished = state.finalSeenAt && Date.now() - state.finalSeenAt > 10000;
  if (finished) return; // an ended run changes no more (its late audit events are in by now)
  state.timer = setTimeout(tick, state.socketOpen ? PUSH_SAFETY_POLL_MS : POLL_MS);
}

async function tick() {
  await refresh();
  schedule();
}

async function refresh() {
  if (!state.page) return;
  if (state.inFlight) {
    state.again = true; // an event arrived while reading: read once more right after
    return;
  }
  state.inFlight = true;
  try {
    if (state.page.name === "runs") await renderRuns();
    else if (state.page.name === "run") await renderRun(state.page.runId);
    if (!$("notice").dataset.sticky) notice("");
  } catch (error) {
    if (error.status !== 401) notice(error.message);
  } finally {
    state.inFlight = false;
    if (state.again) {
      state.again = false;
      setTimeout(refresh, 0);
    }
  }
}

// --- the runs page ---------------------------------------------------------------------------
async function renderRuns() {
  const answer = await api("GET", "/runs?limit=50");
  const rows = answer.runs.map((run) =>
    el("tr", { "data-run-id": run.run_id, "data-status": run.status },
      el("td", {}, el("a", { href: `#/runs/${run.run_id}` }, run.run_id)),
      el("td", {}, run.template),
      el("td", {}, run.topic),
      el("td", {}, el("span", { class: `badge status-${run.status}` },
        run.status + (run.queue_position ? ` #${run.queue_position}` : ""))),
      el("td", {}, when(run.created_at))));
  $("runs-body").replaceChildren(...rows);
  show("runs-empty", rows.length === 0);
}

// --- the run page ----------------------------------------------------------------------------
async function renderRun(runId) {
  const view = await api("GET", `/runs/${encodeURIComponent(runId)}`);
  let timeline = null;
  try {
    timeline = await api("GET", `/runs/${encodeURIComponent(runId)}/timeline`);
  } catch (error) {
    if (error.status === 401) throw error;
    timeline = { entries: [], problem: error.message };
  }
  renderFacts(view);
  renderGate(view);
  const steps = indexSteps(view.steps || []);
  const template = state.templates && state.templates[view.template];
  renderGraph(template || templateFromView(view.steps || []), steps, template ? "catalog" : "run");
  renderCompensation(view, steps);
  renderOutputs(view.steps || []);
  renderTimeline(timeline);
  if (FINAL.has(view.status)) state.finalSeenAt = state.finalSeenAt || Date.now();
}

function renderFacts(view) {
  $("run-id").textContent = view.run_id;
  const status = $("run-status");
  status.textContent = view.status;
  status.className = `badge status-${view.status}`;
  $("run-template").textContent = view.template;
  $("run-topic").textContent = view.topic;
  $("run-tokens").textContent = view.total_tokens ?? "";
  $("run-cost").textContent = view.total_cost_usd === undefined ? "" : `$${Number(view.total_cost_usd).toFixed(6)}`;
  const error = view.error;
  $("run-error").textContent = error ? `${error.name}: ${error.message}` : "";
  show("run-error", Boolean(error));
}

function renderGate(view) {
  const awaiting = view.status === "AWAITING_APPROVAL" ? view.awaiting : null;
  show("gate", Boolean(awaiting));
  if (!awaiting) return;
  $("gate").dataset.step = awaiting.step;
  $("gate-title").textContent = awaiting.title || awaiting.step;
  $("gate-question").textContent = awaiting.question || "";
  $("gate-deadline").textContent =
    `Roles that may decide: ${(awaiting.roles || []).join(", ")}. Undone if nobody decides by ${when(awaiting.timeout_at)}.`;
}

async function decide(decision) {
  const runId = state.page && state.page.runId;
  if (!runId) return;
  for (const id of ["approve", "reject"]) $(id).disabled = true;
  $("gate-answer").textContent = decision === "approve" ? "Approving…" : "Rejecting…";
  try {
    const comment = $("gate-comment").value.trim();
    const answer = await api("POST", `/runs/${encodeURIComponent(runId)}/approval`,
      comment ? { decision, comment } : { decision });
    $("gate-answer").textContent = `Recorded: ${answer.decision}.`;
    $("gate-comment").value = "";
  } catch (error) {
    $("gate-answer").textContent = `Not recorded: ${error.message}`;
  } finally {
    for (const id of ["approve", "reject"]) $(id).disabled = false;
    refresh();
  }
}

/* A map item's key, as the API names it: "execute_task#0001". */
function itemKey(name, item) { return `${name}#${String(item).padStart(4, "0")}`; }

/* Every step of the run view by key: its name, and "name#0001" for each map item's. */
function indexSteps(steps, into = {}) {
  for (const step of steps) {
    into[step.step] = step;
    if (step.kind === "parallel") {
      for (const branch of Object.values(step.branches || {})) indexSteps(branch, into);
    } else if (step.kind === "map") {
      for (const item of step.items || []) {
        for (const inner of item.steps || []) into[itemKey(inner.step, item.item)] = inner;
      }
    }
  }
  return into;
}

function node(step, shown, key) {
  const status = (shown && shown.status) || "NOT_STARTED";
  const attempt = shown && shown.attempt > 1 ? ` · attempt ${shown.attempt}` : "";
  return el("div", {
    class: `node kind-${step.kind || "agent"} status-${status}`,
    "data-step": key || step.name,
    "data-status": status,
    title: shown && shown.last_error ? `${shown.last_error.name}: ${shown.last_error.message}` : null,
  },
  el("span", { class: "title" }, step.title || step.name),
  el("span", { class: "name" }, key || step.name),
  el("span", { class: "state" }, status + attempt));
}

function drawStep(step, steps) {
  if (step.kind === "parallel") {
    const branches = Object.entries(step.branches || {}).map(([name, inner]) =>
      el("div", { class: "branch", "data-branch": name }, inner.map((s) => drawStep(s, steps))));
    return el("div", { class: "group parallel", "data-step": step.name },
      el("span", { class: "group-label" }, `${step.title || step.name} (in parallel)`), branches);
  }
  if (step.kind === "map") {
    const run = steps[step.name];
    const items = run && run.items && run.items.length ? run.items : null;
    const rows = items
      ? items.map((item) => el("div", { class: "branch", "data-item": item.item },
        step.steps.map((inner) => node(inner, steps[itemKey(inner.name, item.item)], itemKey(inner.name, item.item)))))
      : [el("div", { class: "branch" }, step.steps.map((inner) => node(inner, null)))];
    const bound = step.max_concurrency ? `, at most ${step.max_concurrency} at once` : "";
    return el("div", { class: "group map", "data-step": step.name },
      el("span", { class: "group-label" }, `${step.title || step.name}: one per ${step.over}${bound}`), rows);
  }
  return node(step, steps[step.name]);
}

function withArrows(nodes, arrow) {
  return nodes.flatMap((n, i) => (i ? [el("span", { class: "arrow", "aria-hidden": "true" }, arrow), n] : [n]));
}

function renderGraph(template, steps, source) {
  $("graph").dataset.drawnFrom = source;
  $("graph").replaceChildren(...withArrows(template.steps.map((s) => drawStep(s, steps)), "→"));
  $("legend").replaceChildren(...STATUSES.map((s) => el("li", { class: `status-${s}` }, s)));
}

/* What the saga undoes: once undone, the steps in the order they were undone; before, the
 * completed steps newest first, which is the order a failure, rejection or cancel would undo. */
function renderCompensation(view, steps) {
  const undone = view.compensated_steps || [];
  let keys = undone;
  if (undone.length) {
    $("compensation-note").textContent =
      `Undone after ${view.failed_step ? `${view.failed_step} ` : ""}${view.status === "REJECTED" ? "was rejected" : "failed"}, newest first:`;
  } else {
    keys = Object.entries(steps)
      .filter(([, s]) => s.status === "SUCCEEDED" && !["map", "parallel", "approval"].includes(s.kind) && s.sequence)
      .sort(([, a], [, b]) => b.sequence - a.sequence)
      .map(([key]) => key);
    $("compensation-note").textContent = FINAL.has(view.status)
      ? "Nothing was undone."
      : "If the run fails, is rejected or cancelled, these completed steps are undone in this order:";
  }
  const nodes = keys.map((key) => {
    const shown = steps[key] || { status: "COMPENSATED" };
    return node({ name: key, title: shown.title || key, kind: "undo" }, shown, key);
  });
  $("compensation").replaceChildren(...withArrows(nodes, "←"));
  $("compensation").dataset.undone = String(undone.length);
}

function leafSteps(steps) {
  const out = [];
  for (const step of steps) {
    if (step.kind === "parallel") for (const branch of Object.values(step.branches || {})) out.push(...leafSteps(branch));
    else if (step.kind === "map") for (const item of step.items || []) out.push(...leafSteps(item.steps || []));
    else out.push(step);
  }
  return out;
}

function renderOutputs(steps) {
  const open = new Set([...document.querySelectorAll("#outputs details[open]")].map((d) => d.dataset.step));
  const blocks = leafSteps(steps)
    .filter((s) => s.status && s.status !== "NOT_STARTED")
    .map((s) => {
      const key = s.item === null || s.item === undefined ? s.step : itemKey(s.step, s.item);
      const meta = s.metadata || {};
      const usage = s.token_usage || {};
      const facts = [
        meta.provider && `${meta.provider}${meta.model ? ` / ${meta.model}` : ""}`,
        meta.prompt_version && `prompt ${meta.prompt_version}`,
        usage.input_tokens !== undefined && `${usage.input_tokens} in / ${usage.output_tokens} out tokens`,
        s.cost_usd !== undefined && `$${Number(s.cost_usd).toFixed(6)}`,
        s.confidence_score !== undefined && `confidence ${s.confidence_score}`,
        s.processing_time_ms !== undefined && duration(s.processing_time_ms),
      ].filter(Boolean).join(" · ");
      const body = s.data ?? s.decision ?? null;
      return el("details", { class: "output", "data-step": key, open: open.has(key) ? "" : null },
        el("summary", {}, el("span", { class: `badge status-${s.status}` }, s.status), " ",
          el("strong", {}, s.title || s.step), " ", el("code", {}, key), " — ", s.summary || ""),
        el("p", { class: "meta" }, facts),
        el("pre", {}, body === null ? "(no output kept: undone, or not finished)" : JSON.stringify(body, null, 2)));
    });
  $("outputs").replaceChildren(...(blocks.length ? blocks : [el("p", { class: "muted" }, "No step has started yet.")]));
}

function renderTimeline(timeline) {
  const rows = (timeline.entries || []).map((entry) =>
    el("tr", { class: `source-${entry.source}`, "data-kind": entry.kind, "data-name": entry.name },
      el("td", {}, when(entry.at)),
      el("td", {}, entry.kind),
      el("td", {}, entry.name),
      el("td", {}, duration(entry.duration_ms)),
      el("td", { class: "details" }, JSON.stringify(entry.details))));
  if (timeline.problem) rows.unshift(el("tr", {}, el("td", { colspan: 5 }, `Timeline unavailable: ${timeline.problem}`)));
  $("timeline-body").replaceChildren(...rows);
}

// --- pages -----------------------------------------------------------------------------------
function route() {
  const hash = location.hash || "#/runs";
  const signedIn = Boolean(token());
  let page = { name: "sign-in" };
  const runMatch = hash.match(/^#\/runs\/([^/]+)$/);
  if (signedIn && runMatch) page = { name: "run", runId: decodeURIComponent(runMatch[1]) };
  else if (signedIn) page = { name: "runs" };
  const changed = JSON.stringify(page) !== JSON.stringify(state.page);
  state.page = page.name === "sign-in" ? null : page;
  show("sign-in-page", page.name === "sign-in");
  show("runs-page", page.name === "runs");
  show("run-page", page.name === "run");
  showWho();
  if (!changed) return;
  state.finalSeenAt = 0;
  if (page.name === "run") {
    for (const id of ["graph", "compensation", "outputs", "timeline-body"]) $(id).replaceChildren();
    $("gate-answer").textContent = "";
  }
  clearTimeout(state.timer);
  if (page.name === "sign-in") { liveLabel(); return; }
  resubscribe();
  loadTemplates();
  tick();
}

async function start() {
  try {
    const response = await fetch("config.json", { cache: "no-store" });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    state.config = await response.json();
    if (!state.config.api_url) throw new Error("it has no api_url");
  } catch (error) {
    notice(`The console's config.json could not be read (${error.message}).`);
    $("notice").dataset.sticky = "1";
    return;
  }
  $("sign-in-form").addEventListener("submit", signIn);
  $("sign-out").addEventListener("click", () => signOut(""));
  $("approve").addEventListener("click", () => decide("approve"));
  $("reject").addEventListener("click", () => decide("reject"));
  window.addEventListener("hashchange", route);
  route();
}

document.addEventListener("DOMContentLoaded", start);
