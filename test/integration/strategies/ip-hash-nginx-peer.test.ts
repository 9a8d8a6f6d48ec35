import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, it } from "node:test";
import { startBalancer, type RunningBalancer } from "../../../src/server/balancer.ts";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { startNginx, type NginxPeer } from "../../helpers/nginx.ts";
import { testConfig, testUpstream } from "../../helpers/test-config.ts";

/** Clients from 40 different /24s of the loopback range (Linux routes all of 127/8 to lo). */
const CLIENTS = Array.from({ length: 40 }, (_, i) => `127.${(i * 7) % 256}.${i}.${1 + (i % 200)}`);
const WEIGHTS = [3, 1, 2];

/** The body of a GET sent from `localAddress`: the name of the backend that answered. */
function backendFor(url: string, localAddress: string): Promise<string> {
  return new Promise((resolve, reject) => {
    request(url, { localAddress, agent: false }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve(body));
    })
      .on("error", reject)
      .end();
  });
}

describe("ip_hash_nginx against nginx's own ip_hash", () => {
  let backends: TestBackend[];
  let nginx: NginxPeer;
  let lb: RunningBalancer;
  before(async () => {
    backends = await Promise.all(["a", "b", "c"].map((name) => startBackend(name)));
    const servers = backends.map((b, i) => `    server 127.0.0.1:${b.port} weight=${WEIGHTS[i]};`).join("\n");
    nginx = await startNginx({
      http: `  upstream peers {\n    ip_hash;\n${servers}\n  }`,
      server: "    location / { proxy_pass http://peers; }",
    });
    const upstream = testUpstream(
      "api",
      backends.map((b) => b.url),
      { strategy: "ip_hash_nginx" },
    );
    lb = await startBalancer({
      config: testConfig([
        { ...upstream, backends: upstream.backends.map((b, i) => ({ ...b, weight: WEIGHTS[i] ?? 1 })) },
      ]),
    });
  });
  after(async () => {
    await lb.close();
    await nginx.stop();
    await Promise.all(backends.map((b) => b.kill()));
  });

  it("sends every client to the backend nginx sends it to (weights 3, 1, 2)", async () => {
    const viaNginx: string[] = [];
    const viaTraceway: string[] = [];
    for (const client of CLIENTS) {
      viaNginx.push(await backendFor(nginx.url, client));
      viaTraceway.push(await backendFor(lb.url, client));
    }
    assert.deepEqual(viaTraceway, viaNginx);
    assert.deepEqual(new Set(viaNginx), new Set(["a", "b", "c"]), "the clients spread over every backend");
  });
});
