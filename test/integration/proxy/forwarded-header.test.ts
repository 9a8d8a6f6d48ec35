import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startBalancer, type RunningBalancer } from "../../../src/server/balancer.ts";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { httpGet } from "../../helpers/http-client.ts";
import { testConfig, testUpstream, TRANSPORTS } from "../../helpers/test-config.ts";

for (const transport of TRANSPORTS)
  describe(`RFC 7239 Forwarded (${transport})`, () => {
    let backend: TestBackend;
    const balancers: RunningBalancer[] = [];
    before(async () => {
      backend = await startBackend("a", (req, res) => {
        req.resume();
        res.end(JSON.stringify(req.headers.forwarded ?? null));
      });
    });
    after(async () => {
      for (const lb of balancers) await lb.close();
      await backend.kill();
    });
    const balancer = async (forwarded: boolean, trustedProxies: string[] = []): Promise<RunningBalancer> => {
      const lb = await startBalancer({
        config: testConfig([testUpstream("api", [backend.url])], { transport, forwarded, trustedProxies }),
      });
      balancers.push(lb);
      return lb;
    };
    const seen = async (lb: RunningBalancer, forwarded?: string): Promise<unknown> => {
      const headers: Record<string, string> = { host: "shop.example" };
      if (forwarded !== undefined) headers["forwarded"] = forwarded;
      return JSON.parse((await httpGet(`${lb.url}/`, { headers })).body);
    };

    it("server.forwarded: true sends for, proto and host of this hop", async () => {
      assert.equal(await seen(await balancer(true)), "for=127.0.0.1;proto=http;host=shop.example");
    });

    it("replaces an untrusted client's Forwarded, and drops it when the option is off", async () => {
      const spoof = "for=6.6.6.6;proto=https";
      assert.equal(await seen(await balancer(true), spoof), "for=127.0.0.1;proto=http;host=shop.example");
      assert.equal(await seen(await balancer(false), spoof), null);
    });

    it("extends a trusted proxy's Forwarded chain", async () => {
      const chain = "for=203.0.113.9;proto=https";
      assert.equal(
        await seen(await balancer(true, ["127.0.0.1"]), chain),
        "for=203.0.113.9;proto=https, for=127.0.0.1;proto=http;host=shop.example",
      );
      assert.equal(await seen(await balancer(false, ["127.0.0.1"]), chain), chain);
    });
  });
