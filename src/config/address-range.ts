import { isIP } from "node:net";
import { fail, ok, show, type Parsed } from "./parsed.ts";

/** Validates an IP address or CIDR (`10.0.0.0/8`, `::1`, `fd00::/8`) for `server.trustedProxies`. */
export function parseAddressRange(input: unknown): Parsed<string> {
  if (typeof input !== "string") return fail(`expected an IP address or CIDR, got ${show(input)}`);
  const text = input.trim();
  const slash = text.indexOf("/");
  const address = slash === -1 ? text : text.slice(0, slash);
  const family = isIP(address);
  if (family === 0)
    return fail(`invalid address ${show(input)}: expected an IP address or CIDR such as "10.0.0.0/8"`);
  if (slash !== -1) {
    const prefix = text.slice(slash + 1);
    const max = family === 4 ? 32 : 128;
    if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) {
      return fail(`invalid address ${show(input)}: prefix length must be 0..${max}`);
    }
  }
  return ok(text);
}
