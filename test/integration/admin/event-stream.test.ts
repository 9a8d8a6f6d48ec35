import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { ChangeEvent, SnapshotEvent } from "../../../src/admin/api-types.ts";
import type { RunningAdmin } from "../../../src/admin/admin-server.ts";
import type { TestBackend } from "../../helpers/http-backend.ts";
import { connectEvents } from "../../helpers/sse-client.ts";
import { adminCall, AUTH, startInProcessAdmin, type InProcessAdmin } from "./admin-fixture.ts";

// GET /api/v1/events: a snapshot on connect and every second; each change as it happens; a
// reconnecting client with Last-Event-ID gets only what it missed, and one whose id came from an
// earlier traceway process gets the whole replay.

let backend: TestBackend;
let admin: RunningAdmin;
let running: InProcessAdmin;

before(async () => {
  running = await startInProcessAdmin("token");
  ({ backend, admin } = running);
});

after(async () => {
  await running?.close();
});

test("snapshots every second, changes as they happen, and a replay of what a reconnecting client missed", async () => {
  const path = `/api/v1/upstreams/api/backends/${backend.url.slice(7)}`;
  const first = await connectEvents(`${admin.url}/api/v1/events`, AUTH);
  const snapshot = await first.next("snapshot", () => true, "the snapshot sent on connect");
  assert.equal((snapshot.data as SnapshotEvent).upstreams[0]?.backends[0]?.name, backend.url.slice(7));

  assert.equal((await adminCall(admin.url, "PATCH", path, { weight: 2 })).status, 200);
  const change = await first.next("change", (e: ChangeEvent) => e.change.weight === 2, "the first change");
  assert.deepEqual(
    { ...(change.data as ChangeEvent), at: "" },
    {
      at: "",
      who: "ops",
      action: "backend.patch",
      upstream: "api",
      backend: backend.url.slice(7),
      change: { weight: 2 },
    },
  );
  const snapshots = (): number => first.events.filter((e) => e.event === "snapshot").length;
  await first.next("snapshot", () => snapshots() >= 3, "two more snapshots, a second apart");
  const later = first.events.filter((e) => e.event === "snapshot").at(-1)!.data as SnapshotEvent;
  assert.equal(later.upstreams[0]?.backends[0]?.effectiveWeight, 2, "snapshots show the change");
  first.close();

  assert.equal((await adminCall(admin.url, "PATCH", path, { weight: 3 })).status, 200);
  const second = await connectEvents(`${admin.url}/api/v1/events`, { ...AUTH, "last-event-id": change.id });
  await second.next("snapshot", () => true, "the snapshot after the replay");
  const replayed = second.events
    .filter((e) => e.event === "change")
    .map((e) => (e.data as ChangeEvent).change);
  assert.deepEqual(replayed, [{ weight: 3 }], "only the change made while disconnected");
  assert.equal(second.events[0]?.event, "change", "the replay comes before the snapshot");
  second.close();
});

test("a client reconnecting with the last id of an earlier traceway process gets the whole replay", async () => {
  // An earlier run that had sent 500 frames; its ids mean nothing to this process.
  const client = await connectEvents(`${admin.url}/api/v1/events`, { ...AUTH, "last-event-id": "500" });
  await client.next("snapshot", () => true, "the snapshot after the replay");
  const replayed = client.events
    .filter((e) => e.event === "change")
    .map((e) => (e.data as ChangeEvent).change);
  assert.deepEqual(replayed, [{ weight: 2 }, { weight: 3 }], "every change this process made");
  assert.ok(
    client.events.every((e) => Number(e.id) > 500),
    "every id of this process is above the earlier one's",
  );
  client.close();
});
