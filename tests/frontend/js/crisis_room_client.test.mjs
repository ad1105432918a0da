// The crisis-room client against a fake socket: resume by seq, gaps, duplicates, the outbox,
// back-off and the close codes that end the retrying. Run by tests/frontend/test_crisis_client_js.py.
import assert from "node:assert/strict";
import { test } from "node:test";

import { CrisisRoomClient, backoffDelay, newClientMsgId } from "../../../frontend/static/frontend/crisis-room.js";

class FakeSocket {
  static made = [];
  constructor(url) {
    this.url = url;
    this.readyState = 1;
    this.sent = [];
    FakeSocket.made.push(this);
  }
  send(text) {
    this.sent.push(JSON.parse(text));
  }
  close(code = 1000) {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code });
  }
  serverSends(frame) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  serverCloses(code) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

class MemoryStorage {
  constructor() {
    this.items = new Map();
  }
  getItem(key) {
    return this.items.has(key) ? this.items.get(key) : null;
  }
  setItem(key, value) {
    this.items.set(key, String(value));
  }
  removeItem(key) {
    this.items.delete(key);
  }
}

const event = (seq, extra = {}) => ({ type: "event", seq, kind: "message.posted", data: { body: `m${seq}` }, ...extra });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function client(options = {}) {
  FakeSocket.made = [];
  const seen = [];
  const statuses = [];
  const c = new CrisisRoomClient({
    url: "ws://utrecht.localhost/ws/crisis/7/",
    lastSeq: 5,
    WebSocketImpl: FakeSocket,
    storage: new MemoryStorage(),
    storageKey: "outbox",
    backoff: { base: 1, max: 4 },
    heartbeatMs: 60_000,
    onEvent: (frame) => seen.push(frame.seq),
    onStatus: (state) => statuses.push(state),
    online: () => true,
    ...options,
  });
  return { c, seen, statuses };
}

test("after hello it resumes from its last seq; a gap triggers a resume; nothing is shown twice", () => {
  const { c, seen } = client();
  c.start();
  const ws = FakeSocket.made[0];
  ws.serverSends({ type: "hello", crisis: 7, last_seq: 9 });
  assert.deepEqual(ws.sent.at(-1), { type: "resume", after: 5 });
  for (const seq of [6, 7, 7, 6]) ws.serverSends(event(seq));
  ws.serverSends({ type: "resumed", after: 5, last_seq: 7 });
  assert.deepEqual(seen, [6, 7]);
  ws.serverSends(event(9)); // 8 was lost by the channel layer
  assert.deepEqual(seen, [6, 7]);
  assert.deepEqual(ws.sent.at(-1), { type: "resume", after: 7 });
  ws.serverSends(event(8));
  ws.serverSends(event(9));
  ws.serverSends({ type: "resumed", after: 7, last_seq: 9 });
  ws.serverSends(event(9));
  assert.deepEqual(seen, [6, 7, 8, 9]);
  assert.equal(c.lastSeq, 9);
  c.stop();
});

test("a resume that ends below the server's last seq asks again; a pong ahead of us does too", () => {
  const { c } = client();
  c.start();
  const ws = FakeSocket.made[0];
  ws.serverSends({ type: "hello", crisis: 7, last_seq: 5 });
  ws.serverSends({ type: "resumed", after: 5, last_seq: 6 });
  assert.deepEqual(ws.sent.at(-1), { type: "resume", after: 5 });
  ws.serverSends(event(6));
  ws.serverSends({ type: "resumed", after: 5, last_seq: 6 });
  ws.serverSends({ type: "pong", last_seq: 8 });
  assert.deepEqual(ws.sent.at(-1), { type: "resume", after: 6 });
  c.stop();
});

test("posts wait in the outbox with their id and are sent again after a reconnect until acknowledged", async () => {
  const storage = new MemoryStorage();
  const { c, statuses } = client({ storage });
  const id = c.post({ body: "onderweg" }); // not connected yet: kept
  assert.equal(JSON.parse(storage.getItem("outbox"))[0].client_msg_id, id);
  c.start();
  let ws = FakeSocket.made[0];
  ws.serverSends({ type: "hello", crisis: 7, last_seq: 5 });
  assert.equal(ws.sent.filter((f) => f.type === "post").length, 0); // not before the resume is done
  ws.serverSends({ type: "resumed", after: 5, last_seq: 5 });
  assert.deepEqual(ws.sent.filter((f) => f.type === "post").map((f) => f.client_msg_id), [id]);
  ws.serverCloses(1006); // lost before the ack
  assert.equal(statuses.at(-1), "reconnecting");
  await sleep(20);
  ws = FakeSocket.made[1];
  assert.ok(ws, "reconnected");
  ws.serverSends({ type: "hello", crisis: 7, last_seq: 6 });
  ws.serverSends(event(6, { client_msg_id: id })); // it was stored the first time
  ws.serverSends({ type: "resumed", after: 5, last_seq: 6 });
  assert.equal(ws.sent.filter((f) => f.type === "post").length, 0); // the event emptied the outbox
  assert.equal(storage.getItem("outbox"), null);
  const second = c.post({ body: "tweede", kind: "task", owner_id: "12" });
  const frame = ws.sent.at(-1);
  assert.deepEqual(frame, { type: "post", client_msg_id: second, body: "tweede", kind: "task", owner_id: 12 });
  ws.serverSends({ type: "ack", client_msg_id: second, seq: 7, created: true });
  assert.equal(c.pending().length, 0);
  c.stop();
});

test("an outbox survives a reload (a new client on the same storage resends the same id)", () => {
  const storage = new MemoryStorage();
  const first = client({ storage }).c;
  const id = first.post({ body: "bewaard" });
  const { c } = client({ storage });
  c.start();
  const ws = FakeSocket.made[0];
  ws.serverSends({ type: "hello", crisis: 7, last_seq: 5 });
  ws.serverSends({ type: "resumed", after: 5, last_seq: 5 });
  assert.deepEqual(ws.sent.filter((f) => f.type === "post").map((f) => f.client_msg_id), [id]);
  c.stop();
});

test("a refused post leaves the outbox and is reported; a rate-limited one stays", () => {
  const refused = [];
  const { c } = client({ onRefused: (frame, error) => refused.push([frame.client_msg_id, error.code]) });
  c.start();
  const ws = FakeSocket.made[0];
  ws.serverSends({ type: "hello", crisis: 7, last_seq: 5 });
  ws.serverSends({ type: "resumed", after: 5, last_seq: 5 });
  const bad = c.post({ body: "x".repeat(5000) });
  const slow = c.post({ body: "later" });
  ws.serverSends({ type: "error", code: "crisis_body_invalid", ref: bad });
  ws.serverSends({ type: "error", code: "rate_limited", ref: slow });
  assert.deepEqual(refused, [[bad, "crisis_body_invalid"]]);
  assert.deepEqual(c.pending().map((f) => f.client_msg_id), [slow]);
  c.stop();
});

test("logged out, revoked or no room: it stops; offline: it waits for online", async () => {
  for (const code of [4401, 4403, 4404]) {
    const { c, statuses } = client();
    c.start();
    FakeSocket.made[0].serverCloses(code);
    await sleep(20);
    assert.equal(FakeSocket.made.length, 1, `no reconnect after ${code}`);
    assert.equal(statuses.at(-1), "gone");
  }
  let online = false;
  const { c, statuses } = client({ online: () => online });
  c.start();
  assert.equal(FakeSocket.made.length, 0);
  assert.equal(statuses.at(-1), "offline");
  online = true;
  c.cameOnline();
  assert.equal(FakeSocket.made.length, 1);
  const ws = FakeSocket.made[0];
  c.wentOffline(); // lets go of the socket at once, its close handshake may never end
  assert.equal(ws.readyState, 3);
  assert.equal(c.ws, null);
  c.stop();
});

test("the back-off grows exponentially, is capped, and is jittered", () => {
  const low = (attempt) => backoffDelay(attempt, { base: 500, max: 30000, random: () => 0 });
  const high = (attempt) => backoffDelay(attempt, { base: 500, max: 30000, random: () => 0.999999 });
  assert.deepEqual([0, 1, 2, 3].map(low), [250, 500, 1000, 2000]);
  assert.ok(high(3) > 3999 && high(3) <= 4000);
  assert.equal(low(20), 15000);
  assert.ok(high(20) <= 30000);
  const ids = new Set(Array.from({ length: 100 }, () => newClientMsgId()));
  assert.equal(ids.size, 100);
  const fallback = newClientMsgId({ getRandomValues: (bytes) => bytes.fill(171) });
  assert.match(fallback, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});
