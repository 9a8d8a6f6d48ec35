import type { Request, Response } from "express";

/**
 * `GET /` on the admin listener: the status page. This placeholder links the API until the page
 * itself (live upstreams, canary progress, recent events over /api/v1/events) takes its place.
 * It holds no data, so it needs no token; the data it loads does.
 */
export function serveStatusPage(_req: Request, res: Response): void {
  res
    .type("html")
    .send(
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>traceway</title></head>' +
        '<body><h1>traceway admin</h1><p>API: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>, ' +
        "events: <code>/api/v1/events</code>.</p></body></html>",
    );
}
