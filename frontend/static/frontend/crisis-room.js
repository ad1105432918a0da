// The crisis-room socket client (issue 10): the protocol of realtime/crisis.py, no DOM, no framework.
//
// Nothing lost, nothing twice:
// - every event has a per-crisis seq without gaps; the client keeps the highest seq it delivered
//   in order (lastSeq) and drops anything at or below it (a duplicate);
// - an event beyond lastSeq + 1 means something was lost: the client asks {"type":"resume",
//   "after": lastSeq} and the server answers with every stored event after it, in order;
// - on every (re)connect, after the server's hello, the client resumes from lastSeq;
// - a post carries its client_msg_id (a UUID) and stays in the outbox (kept in sessionStorage,
//   so a reload keeps it too) until its ack or its own event arrives; after a reconnect the outbox
//   is sent again, and the server answers a known id with the first post's seq (idempotent);
// - reconnecting waits an exponential back-off with jitter, resets after a good connection, waits
//   for the browser to be online, and stops for good on 4401/4403/4404 (logged out, revoked, no room);
// - a ping every heartbeatMs; no answer within pongTimeoutMs closes the socket and reconnects.

const FINAL_CLOSE_CODES = new Set([4401, 4403, 4404]);
// Refusals that will not change by sending the same post again: drop it from the outbox.
const RETRYABLE_ERRORS = new Set(["rate_limited", "server_error"]);

export function newClientMsgId(cryptoImpl = globalThis.crypto) {
  if (cryptoImpl && typeof cryptoImpl.randomUUID === "function") return cryptoImpl.randomUUID();
  const bytes = new Uint8Array(16);
  cryptoImpl.getRandomValues(bytes);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Delay before reconnect attempt `attempt` (0-based): base·2^attempt capped at max, "equal jitter". */
export function backoffDelay(attempt, { base = 500, max = 30000, random = Math.random } = {}) {
  const ceiling = Math.min(max, base * 2 ** attempt);
  return ceiling / 2 + random() * (ceiling / 2);
}

export class CrisisRoomClient {
  constructor({
    url,
    lastSeq = 0,
    storageKey = null,
    storage = globalThis.sessionStorage ?? null,
    onEvent = () => {},
    onAck = () => {},
    onRefused = () => {},
    onPresence = () => {},
    onStatus = () => {},
    heartbeatMs = 25000,
    pongTimeoutMs = 10000,
    backoff = {},
    WebSocketImpl = globalThis.WebSocket,
    online = () => globalThis.navigator?.onLine !== false,
  }) {
    Object.assign(this, { url, storageKey, storage, onEvent, onAck, onRefused, onPresence, onStatus });
    Object.assign(this, { heartbeatMs, pongTimeoutMs, backoff, WebSocketImpl, online });
    this.lastSeq = lastSeq;
    this.ws = null;
    this.attempt = 0;
    this.resuming = false;
    this.stopped = false;
    this.timers = { reconnect: null, heartbeat: null, pong: null };
    this.outbox = new Map(this._loadOutbox());
  }

  // --- public ---------------------------------------------------------------------------------

  start() {
    this.stopped = false;
    this._connect();
  }

  stop() {
    this.stopped = true;
    this._clearTimers();
    if (this.ws) this.ws.close(1000);
  }

  /** Queue a post (message, decision or task); it is sent now if connected, else after reconnect. */
  post({ body, kind = "message", owner_id = null }) {
    const frame = { type: "post", client_msg_id: newClientMsgId(), body, kind };
    if (owner_id) frame.owner_id = Number(owner_id);
    this.outbox.set(frame.client_msg_id, frame);
    this._saveOutbox();
    if (this._ready()) this._send(frame);
    return frame.client_msg_id;
  }

  pending() {
    return Array.from(this.outbox.values());
  }

  /** The browser went offline: close now (a dead socket may otherwise linger) and wait for online. */
  wentOffline() {
    this._abandon();
    this.onStatus("offline");
  }

  cameOnline() {
    if (this.stopped) return;
    this.attempt = 0;
    clearTimeout(this.timers.reconnect);
    if (!this.ws) this._connect();
  }

  // --- the socket -----------------------------------------------------------------------------

  _ready() {
    return this.ws && this.ws.readyState === 1 && !this.resuming && this.helloSeen;
  }

  _connect() {
    if (this.stopped || this.ws) return;
    if (!this.online()) {
      this.onStatus("offline");
      return;
    }
    this.helloSeen = false;
    const ws = new this.WebSocketImpl(this.url);
    this.ws = ws;
    ws.onmessage = (message) => this._receive(message.data);
    ws.onclose = (close) => this._closed(ws, close.code);
    ws.onerror = () => {}; // a close follows
  }

  /** Let go of the current socket at once: its close handshake may never finish on a dead link. */
  _abandon() {
    const ws = this.ws;
    this.ws = null;
    this.resuming = false;
    this.helloSeen = false;
    this._clearTimers();
    if (ws) {
      ws.onmessage = null;
      ws.onclose = null;
      try {
        ws.close(4000);
      } catch {
        // already closing
      }
    }
  }

  _closed(ws, code) {
    if (this.ws !== ws) return;
    this._abandon();
    if (this.stopped) return;
    if (FINAL_CLOSE_CODES.has(code)) {
      this.stopped = true;
      this.onStatus("gone", code);
      return;
    }
    if (!this.online()) {
      this.onStatus("offline");
      return; // cameOnline() reconnects
    }
    this.onStatus("reconnecting");
    const delay = backoffDelay(this.attempt, this.backoff);
    this.attempt += 1;
    this.timers.reconnect = setTimeout(() => this._connect(), delay);
  }

  _send(frame) {
    if (this.ws && this.ws.readyState === 1) this.ws.send(JSON.stringify(frame));
  }

  _resume() {
    this.resuming = true;
    this._send({ type: "resume", after: this.lastSeq });
  }

  _receive(text) {
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    clearTimeout(this.timers.pong);
    switch (frame.type) {
      case "hello":
        this.helloSeen = true;
        this.attempt = 0;
        this.onStatus("connected");
        this._heartbeat();
        this._resume();
        break;
      case "event":
        this._event(frame);
        break;
      case "resumed":
        this.resuming = false;
        if (frame.last_seq > this.lastSeq) this._resume(); // a gap the resume did not cover
        else this._flush();
        break;
      case "ack":
        this._acked(frame.client_msg_id, frame.seq);
        break;
      case "pong":
        if (frame.last_seq > this.lastSeq && !this.resuming) this._resume();
        break;
      case "presence":
        this.onPresence(frame);
        break;
      case "error":
        this._error(frame);
        break;
      default:
        break;
    }
  }

  _event(frame) {
    if (typeof frame.seq !== "number" || frame.seq <= this.lastSeq) return; // seen: never twice
    if (frame.seq > this.lastSeq + 1) {
      if (!this.resuming) this._resume(); // lost something: read it back, in order
      return;
    }
    this.lastSeq = frame.seq;
    if (frame.client_msg_id && this.outbox.has(frame.client_msg_id)) {
      this.outbox.delete(frame.client_msg_id);
      this._saveOutbox();
    }
    this.onEvent(frame);
  }

  _acked(clientMsgId, seq) {
    if (this.outbox.delete(clientMsgId)) this._saveOutbox();
    this.onAck(clientMsgId, seq);
    if (seq > this.lastSeq + 1 && !this.resuming) this._resume();
  }

  _error(frame) {
    const id = frame.ref;
    if (!id || !this.outbox.has(id)) return;
    if (RETRYABLE_ERRORS.has(frame.code)) {
      clearTimeout(this.timers.retry);
      this.timers.retry = setTimeout(() => this._flush(), 1000);
      return;
    }
    const refused = this.outbox.get(id);
    this.outbox.delete(id);
    this._saveOutbox();
    this.onRefused(refused, frame);
  }

  _flush() {
    if (!this._ready()) return;
    for (const frame of this.outbox.values()) this._send(frame);
  }

  _heartbeat() {
    clearInterval(this.timers.heartbeat);
    this.timers.heartbeat = setInterval(() => {
      this._send({ type: "ping" });
      clearTimeout(this.timers.pong);
      const ws = this.ws;
      this.timers.pong = setTimeout(() => ws && this._closed(ws, 4000), this.pongTimeoutMs);
    }, this.heartbeatMs);
  }

  _clearTimers() {
    clearTimeout(this.timers.reconnect);
    clearInterval(this.timers.heartbeat);
    clearTimeout(this.timers.pong);
    clearTimeout(this.timers.retry);
  }

  // --- the outbox survives a reload ------------------------------------------------------------

  _loadOutbox() {
    if (!this.storage || !this.storageKey) return [];
    try {
      const frames = JSON.parse(this.storage.getItem(this.storageKey) || "[]");
      return frames.filter((f) => f && f.client_msg_id).map((f) => [f.client_msg_id, f]);
    } catch {
      return [];
    }
  }

  _saveOutbox() {
    if (!this.storage || !this.storageKey) return;
    try {
      if (this.outbox.size) this.storage.setItem(this.storageKey, JSON.stringify(this.pending()));
      else this.storage.removeItem(this.storageKey);
    } catch {
      // storage full or refused: the outbox still lives in memory
    }
  }
}
