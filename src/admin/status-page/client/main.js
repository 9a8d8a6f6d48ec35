/**
 * The status page: one event stream in, three views out (upstreams with their backends and
 * canaries, the event log, the connection status). Everything the page shows comes from the
 * stream; the page itself asks for nothing else.
 */
import { byId } from "./dom.js";
import { openEventStream } from "./event-stream.js";
import { createConnectionView } from "./connection-view.js";
import { createEventLog, logEntry } from "./event-log.js";
import { createHistory } from "./history.js";
import { patchSnapshot } from "./live-patch.js";
import { getToken } from "./token-store.js";
import { createUpstreamsView } from "./upstreams-view.js";

/** @import { SnapshotEvent, StreamEvents } from "../../api-types.ts" */
/** @import { SseMessage } from "./sse-parser.js" */

const history = createHistory();
/** The snapshot on screen, so a health event can be applied to it at once. @type {SnapshotEvent | null} */
let last = null;
const upstreams = createUpstreamsView(byId("upstreams"), history);
const log = createEventLog(byId("events"));
const connection = createConnectionView({ retry: () => stream.retryNow() });
// Relative, so the page also works behind a reverse proxy that mounts it under a path.
const stream = openEventStream({ url: "api/v1/events", token: getToken, onMessage, onStatus });

/** @param {import("./event-stream.js").StreamStatus} status */
function onStatus(status) {
  connection.status(status);
}

/** @param {SseMessage} message */
function onMessage(message) {
  /** @type {unknown} */
  let data;
  try {
    data = JSON.parse(message.data);
  } catch {
    console.warn(`status page: event ${message.event} ${message.id} is not JSON`);
    return;
  }
  if (message.event === "snapshot") {
    const snapshot = /** @type {SnapshotEvent} */ (data);
    history.record(snapshot);
    show(snapshot);
    connection.snapshot(snapshot.at);
    return;
  }
  const name = /** @type {keyof StreamEvents} */ (message.event);
  const entry = logEntry(name, /** @type {StreamEvents[typeof name]} */ (data), message.id);
  if (entry !== null) log.add(entry);
  if (last !== null && (name === "health" || name === "ejection")) {
    const patched = patchSnapshot(
      last,
      /** @type {Parameters<typeof patchSnapshot>[1]} */ ({ [name]: data }),
    );
    if (patched !== null) show(patched);
  }
}

/** @param {SnapshotEvent} snapshot */
function show(snapshot) {
  last = snapshot;
  upstreams.update(snapshot.upstreams, Date.now());
}
