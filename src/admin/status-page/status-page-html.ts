/**
 * The page's HTML shell: the landmarks and ids the client fills, and links to the versioned
 * assets. Asset URLs are relative, so the page also works behind a proxy that mounts it under a
 * path. No inline script or style: the Content-Security-Policy forbids both.
 */
export function statusPageHtml(version: string): string {
  const asset = (name: string): string => `assets/${version}/${name}`;
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>traceway status</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="${asset("uplot.css")}" />
    <link rel="stylesheet" href="${asset("status-page.css")}" />
    <script src="${asset("uplot.js")}" defer></script>
    <script type="module" src="${asset("main.js")}"></script>
  </head>
  <body>
    <header class="top">
      <h1>traceway status</h1>
      <span id="updated"></span>
      <span id="connection" role="status" data-state="connecting">connecting…</span>
    </header>
    <div id="banner" role="alert" hidden>
      <span id="banner-text"></span>
      <button id="retry" type="button">Retry now</button>
    </div>
    <form id="token-form" hidden>
      <p id="token-hint"></p>
      <label for="token">Admin token</label>
      <input id="token" name="token" type="password" autocomplete="off" required />
      <button type="submit">Connect</button>
      <p>Kept for this tab only (sessionStorage) and sent to this admin listener as a Bearer token.</p>
    </form>
    <noscript><p>The status page needs JavaScript; the same data is at <a href="api/v1/upstreams">api/v1/upstreams</a>.</p></noscript>
    <main id="main" class="stale">
      <div id="upstreams"></div>
      <section id="events" aria-labelledby="events-heading">
        <h2 id="events-heading">Events</h2>
      </section>
    </main>
    <footer>Live from this traceway's admin API event stream (<a href="api/v1/openapi.json">OpenAPI</a>). Every asset is served by this listener.</footer>
  </body>
</html>
`;
}
