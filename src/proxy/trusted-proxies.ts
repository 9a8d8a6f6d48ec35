import { BlockList, isIP } from "node:net";

/**
 * Decides whether a peer address is a trusted proxy, whose X-Forwarded-* values we keep.
 * Accepts single addresses and CIDRs, IPv4 and IPv6; IPv4-mapped IPv6 peers (::ffff:a.b.c.d)
 * match their IPv4 rules.
 */
export class TrustedProxies {
  readonly #list = new BlockList();
  readonly #empty: boolean;

  constructor(entries: readonly string[]) {
    this.#empty = entries.length === 0;
    for (const entry of entries) {
      const [address = "", prefix] = entry.split("/");
      const family = isIP(address) === 6 ? "ipv6" : "ipv4";
      if (prefix === undefined) this.#list.addAddress(address, family);
      else this.#list.addSubnet(address, Number(prefix), family);
    }
  }

  has(address: string | undefined): boolean {
    if (this.#empty || !address) return false;
    const v4 = unmapIPv4(address);
    if (v4 !== undefined) return this.#list.check(v4, "ipv4");
    return this.#list.check(address, isIP(address) === 6 ? "ipv6" : "ipv4");
  }
}

/** `::ffff:1.2.3.4` → `1.2.3.4`; anything else → undefined. */
export function unmapIPv4(address: string): string | undefined {
  return address.startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : undefined;
}
