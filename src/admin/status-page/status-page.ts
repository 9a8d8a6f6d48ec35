import type { IncomingMessage, ServerResponse } from "node:http";
import { loadStatusPageAssets, type StatusPageAsset } from "./status-page-assets.ts";
import { statusPageHtml } from "./status-page-html.ts";

/** The live status page the admin listener serves at `/` (docs/status-page.md). */
export interface StatusPage {
  /**
   * Answers `GET`/`HEAD` of `/` and of `/assets/{version}/{file}`, and returns true; returns false
   * for every other request, which the admin router then answers. Needs no token: the page and its
   * assets hold no data, and the data comes over the event stream, which checks the token.
   */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
}

/**
 * Only this origin, and nothing inline: the page fetches nothing from anywhere else (it works
 * without internet), and an injected string could not run as code even if the DOM code let one in.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const COMMON_HEADERS = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cross-origin-resource-policy": "same-origin",
};

/** Asset URLs carry the version, so a URL's content never changes: cache it for a year. */
const IMMUTABLE = "public, max-age=31536000, immutable";

const ASSET_PATH = /^\/assets\/([0-9a-f]+)\/([a-z0-9-]+\.(?:js|css))$/;

/**
 * The page as middleware for the admin app, mounted before authentication (the page holds no
 * data): `app.use(statusPage())`. Serves `/` and the page's assets, passes every other request on.
 */
export function statusPage(): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  const page = createStatusPage();
  return (req, res, next) => {
    if (!page.handle(req, res)) next();
  };
}

/** Reads the page's assets once and returns the handler that serves them from memory. */
export function createStatusPage(): StatusPage {
  const assets = loadStatusPageAssets();
  const page: StatusPageAsset = {
    body: Buffer.from(statusPageHtml(assets.version)),
    contentType: "text/html; charset=utf-8",
  };
  const etag = `"${assets.version}"`;
  return {
    handle(req, res) {
      if (req.method !== "GET" && req.method !== "HEAD") return false;
      const path = (req.url ?? "/").split("?", 1)[0];
      if (path === "/") {
        // Revalidated on every load, so a new version's page (and its asset URLs) is seen at once.
        send(req, res, page, {
          "cache-control": "no-cache",
          etag,
          "content-security-policy": CONTENT_SECURITY_POLICY,
        });
        return true;
      }
      const match = ASSET_PATH.exec(path ?? "");
      const asset = match?.[1] === assets.version ? assets.files.get(match[2] ?? "") : undefined;
      if (asset === undefined) return false;
      send(req, res, asset, { "cache-control": IMMUTABLE, etag });
      return true;
    },
  };
}

function send(
  req: IncomingMessage,
  res: ServerResponse,
  asset: StatusPageAsset,
  headers: Record<string, string>,
): void {
  const notModified = req.headers["if-none-match"] === headers["etag"];
  res.writeHead(notModified ? 304 : 200, {
    ...COMMON_HEADERS,
    ...headers,
    "content-type": asset.contentType,
    ...(notModified ? {} : { "content-length": String(asset.body.length) }),
  });
  res.end(req.method === "HEAD" || notModified ? undefined : asset.body);
}
