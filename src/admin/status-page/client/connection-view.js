/**
 * Tells the reader whether what they see is live: the header's connection status, the
 * "disconnected" banner with its countdown and a retry button, and the token form when the
 * admin API wants a token for reads (`admin.readAccess: token`).
 */
import { byId, setText } from "./dom.js";
import * as fmt from "./format.js";
import { forgetToken, setToken } from "./token-store.js";

/** @import { StreamStatus } from "./event-stream.js" */

/** The connection status in words (the element is a live region: announced when they change). */
const LABELS = {
  connecting: "connecting…",
  live: "live",
  down: "disconnected",
  unauthorized: "needs a token",
};

/**
 * @param {object} actions
 * @param {() => void} actions.retry reconnect now
 */
export function createConnectionView(actions) {
  const status = byId("connection");
  const updated = byId("updated");
  const banner = byId("banner");
  const bannerText = byId("banner-text");
  const main = byId("main");
  const form = /** @type {HTMLFormElement} */ (byId("token-form"));
  const tokenInput = /** @type {HTMLInputElement} */ (byId("token"));
  const tokenHint = byId("token-hint");
  /** @type {StreamStatus} */
  let current = { state: "connecting" };
  let lastSnapshot = "";

  byId("retry").addEventListener("click", () => actions.retry());
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const token = tokenInput.value.trim();
    if (token === "") return;
    setToken(token);
    tokenInput.value = "";
    form.hidden = true;
    actions.retry();
  });

  function render() {
    const s = current;
    status.dataset["state"] = s.state;
    main.classList.toggle("stale", s.state !== "live");
    setText(status, LABELS[s.state]);
    setText(updated, lastSnapshot === "" ? "" : `updated ${fmt.time(lastSnapshot)}`);
    banner.hidden = s.state !== "down";
    if (s.state === "down") {
      const wait =
        s.retryAt === undefined
          ? ""
          : ` Reconnecting ${fmt.until(new Date(s.retryAt).toISOString(), Date.now())}`;
      setText(
        bannerText,
        `Disconnected from the admin API: ${s.reason ?? "unknown reason"}.${wait} (attempt ${(s.failures ?? 0) + 1}).`,
      );
    }
    form.hidden = s.state !== "unauthorized";
    if (s.state === "unauthorized") {
      setText(
        tokenHint,
        s.hadToken
          ? `The token was refused (${s.reason}). Enter another.`
          : `${s.reason ?? "This admin API needs a token to read"}.`,
      );
      if (document.activeElement !== tokenInput) tokenInput.focus();
    }
  }
  // The banner's countdown moves on even when nothing arrives.
  setInterval(() => {
    if (current.state === "down") render();
  }, 500);

  return {
    /** @param {StreamStatus} next */
    status(next) {
      if (next.state === "unauthorized" && next.hadToken) forgetToken();
      current = next;
      render();
    },
    /** @param {string} at the snapshot's time */
    snapshot(at) {
      lastSnapshot = at;
      // Only the time: the status element is a live region, announced when its words change.
      setText(updated, `updated ${fmt.time(at)}`);
    },
  };
}
