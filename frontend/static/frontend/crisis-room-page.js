// The room page with JavaScript: the log and the post form go over the socket (crisis-room.js);
// the status column (roll-call, quorum, summary, presence) is re-read from the server's own
// partial when an event changes it. Without this file the page works with plain forms.
import { CrisisRoomClient } from "./crisis-room.js";

const data = JSON.parse(document.getElementById("crisis-room-data").textContent);
const labels = data.labels;
const log = document.getElementById("log");
const region = document.getElementById("log-region");
const toBottom = () => {
  region.scrollTop = region.scrollHeight;
};
toBottom();
const form = document.getElementById("post-form");
const connection = document.getElementById("connection");
// Kinds after which the status column is stale.
const STATUS_KINDS = /^(rollcall\.|quorum\.|summary\.|ally\.|room\.)/;

function fill(template, values) {
  return Object.entries(values).reduce((text, [key, value]) => text.split(`{${key}}`).join(String(value)), template);
}

// The JavaScript twin of frontend/pages/crisis_log.py entry_text.
export function entryText(frame) {
  const d = frame.data || {};
  let kind = frame.kind;
  if (kind === "rollcall.escalated" && !d.deputy_id) kind = "rollcall.escalated.nodeputy";
  const template = labels[kind] ?? labels.other;
  let answer = labels[d.answer || ""] ?? d.answer ?? "";
  if (d.eta_minutes !== null && d.eta_minutes !== undefined && d.answer !== "unable") {
    answer = fill(labels.eta, { answer, eta: d.eta_minutes });
  }
  const deliveries = d.deliveries || [];
  const sent = deliveries.reduce((n, row) => n + ["sms", "email"].filter((k) => row[k] === "sent").length, 0);
  return fill(template, {
    title: d.title ?? "",
    count: (d.rollcall || []).length,
    sent,
    failed: d.failed ?? 0,
    name: data.convocations[String(d.convocation_id)] ?? labels.unknown,
    answer,
    owner: data.names[String(d.owner_id)] ?? labels.unknown,
    body: d.body ?? "",
    kind: frame.kind,
  });
}

function hhmm(iso) {
  const at = iso ? new Date(iso) : new Date();
  return `${String(at.getHours()).padStart(2, "0")}:${String(at.getMinutes()).padStart(2, "0")}`;
}

function entryElement({ seq = null, clientMsgId = null, kind, at, author, text, pending = false }) {
  const li = document.createElement("li");
  if (seq !== null) li.dataset.seq = String(seq);
  if (clientMsgId) li.dataset.clientMsgId = clientMsgId;
  if (pending) li.dataset.pending = "1";
  li.className = `k-${kind.replace(/\./g, "")}`;
  if (!["message.posted", "decision.recorded", "task.assigned"].includes(kind)) li.classList.add("system");
  const meta = document.createElement("span");
  meta.className = "meta";
  const time = document.createElement("time");
  if (at) time.dateTime = at;
  time.textContent = hhmm(at);
  meta.append(time, ` ${author}`);
  const body = document.createElement("span");
  body.className = "text";
  body.textContent = text;
  li.append(meta, " ", body);
  if (pending) {
    const state = document.createElement("span");
    state.className = "muted pending";
    state.textContent = ` (${labels.sending})`;
    li.append(state);
  }
  return li;
}

function authorName(frame) {
  if (!frame.author_id) return labels.system;
  return data.names[String(frame.author_id)] ?? frame.data?.author_name ?? labels.unknown;
}

function showEvent(frame) {
  if (log.querySelector(`li[data-seq="${frame.seq}"]`)) return; // the page already had it
  const li = entryElement({
    seq: frame.seq,
    clientMsgId: frame.client_msg_id,
    kind: frame.kind,
    at: frame.at,
    author: authorName(frame),
    text: entryText(frame),
  });
  const pending = frame.client_msg_id && log.querySelector(`li[data-pending][data-client-msg-id="${frame.client_msg_id}"]`);
  if (pending) pending.remove();
  // Keep the log in seq order: stored entries before the pending ones.
  const firstPending = log.querySelector("li[data-pending]");
  log.insertBefore(li, firstPending);
  log.dataset.lastSeq = String(frame.seq);
  toBottom();
  if (frame.kind === "crisis.closed") window.location.reload();
  if (STATUS_KINDS.test(frame.kind)) refreshStatus();
}

function showPending(frame) {
  if (log.querySelector(`li[data-client-msg-id="${frame.client_msg_id}"]`)) return;
  const kind = { message: "message.posted", decision: "decision.recorded", task: "task.assigned" }[frame.kind];
  log.append(
    entryElement({
      clientMsgId: frame.client_msg_id,
      kind,
      at: null,
      author: data.names[String(data.user_id)] ?? "",
      text: entryText({ kind, data: { body: frame.body, owner_id: frame.owner_id } }),
      pending: true,
    }),
  );
  toBottom();
}

// --- the status column, re-read from the server ------------------------------------------------

let refreshTimer = null;
let refreshWaiting = false;

function refreshStatus() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(loadStatus, 300);
}

async function loadStatus() {
  const current = document.getElementById("crisis-status");
  if (!current) return;
  if (current.contains(document.activeElement)) {
    refreshWaiting = true; // never pull the button from under the keyboard user's focus
    return;
  }
  try {
    const response = await fetch(data.status_url, { credentials: "same-origin", headers: { Accept: "text/html" } });
    if (!response.ok) return;
    const parsed = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = parsed.getElementById("crisis-status");
    if (fresh) current.replaceWith(document.adoptNode(fresh));
    tick();
  } catch {
    // offline: the next event or reconnect reads it again
  }
}

document.addEventListener("focusout", (event) => {
  const status = document.getElementById("crisis-status");
  if (refreshWaiting && status && !status.contains(event.relatedTarget)) {
    refreshWaiting = false;
    refreshStatus();
  }
});

// --- the countdown to the one-hour goal ---------------------------------------------------------

function tick() {
  const clock = document.getElementById("countdown");
  if (!clock) return;
  const left = Math.ceil((new Date(clock.dataset.deadline) - Date.now()) / 60000);
  clock.textContent = left > 0 ? fill(labels.minutes_left, { minutes: left }) : labels.overdue;
}
tick();
setInterval(tick, 15000);

// --- the socket ---------------------------------------------------------------------------------

function status(state) {
  connection.textContent = labels[state] ?? "";
  connection.dataset.state = state;
}

const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
const client = new CrisisRoomClient({
  url: `${scheme}//${window.location.host}${data.socket}`,
  lastSeq: Number(log.dataset.lastSeq || data.last_seq || 0),
  storageKey: `agora.crisis.${data.crisis}.outbox.${data.user_id}`,
  onEvent: showEvent,
  onPresence: refreshStatus,
  onStatus: status,
  onRefused: (frame, error) => {
    const pending = log.querySelector(`li[data-pending][data-client-msg-id="${frame.client_msg_id}"]`);
    if (pending) {
      pending.querySelector(".pending").textContent = ` (${error.detail || error.code})`;
      pending.classList.add("error");
      delete pending.dataset.pending;
    }
  },
});
window.agoraCrisisRoom = client; // for the browser tests and the curious: seq and outbox

for (const frame of client.pending()) showPending(frame);
window.addEventListener("offline", () => client.wentOffline());
window.addEventListener("online", () => client.cameOnline());
client.start();

if (form) {
  const body = form.querySelector("textarea[name=body]");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = body.value.trim();
    if (!text) return;
    const kind = form.querySelector("select[name=kind]").value;
    const owner = form.querySelector("select[name=owner_id]").value;
    const id = client.post({ body: text, kind, owner_id: kind === "task" ? owner : null });
    showPending(client.outbox.get(id) ?? { client_msg_id: id, body: text, kind, owner_id: owner });
    body.value = "";
    body.focus();
  });
  body.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
  });
}
