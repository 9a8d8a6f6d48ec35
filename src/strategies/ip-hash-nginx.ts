import { isIP } from "node:net";
import type { Candidate } from "../pool/candidate.ts";
import { SmoothWeightedRoundRobin } from "./smooth-weighted-round-robin.ts";
import type { Member, PickRequest, Strategy, StrategyDeps } from "./strategy.ts";

/** nginx's hash: seed, multiplier and modulus of ngx_http_upstream_ip_hash_module. */
const SEED = 89;
const MULTIPLIER = 113;
const MODULUS = 6271;
/** After this many rehashes that land on a member it may not use, nginx falls back to round robin. */
const MAX_REHASHES = 20;
/** What nginx hashes for a client that has no IP address (a Unix socket). */
const PSEUDO_ADDRESS: readonly number[] = [0, 0, 0];

/**
 * `ip_hash_nginx`: nginx's `ip_hash`, for users who migrate and want each client on the backend
 * nginx sent it to. The key is the first three octets of an IPv4 address (a whole /24 shares a
 * backend) or all 16 bytes of an IPv6 one, hashed as nginx does and mapped onto the declared
 * members by weight, in order. A member that may not take the request (down, ejected, at its
 * connection limit, already tried) makes nginx hash again from where it was; after 20 misses it
 * falls back to smooth weighted round robin, as does an upstream whose primaries are all down
 * (nginx allows no backups with ip_hash; here they serve through that fallback).
 *
 * Unlike `ip_hash` (a consistent-hash ring), a change of the member list remaps most clients, as
 * it does in nginx; a member going down moves only its own clients.
 */
export class IpHashNginx implements Strategy {
  readonly #members: (() => readonly Member[]) | undefined;
  readonly #fallback = new SmoothWeightedRoundRobin();
  /** The primaries of the last member list seen and their total weight (lists change rarely). */
  #seen: readonly Member[] | undefined;
  #primaries: readonly Member[] = [];
  #total = 0;

  /** Without `members` (a strategy used on its own) the candidates are the member list. */
  constructor(members?: () => readonly Member[]) {
    this.#members = members;
  }

  pick<C extends Candidate>(candidates: readonly C[], request: PickRequest): C | undefined {
    if (candidates.length <= 1) return candidates[0];
    this.#load(this.#members ? this.#members() : candidates.map(asMember));
    if (this.#total > 0) {
      const address = addressBytes(request.hashKey);
      let hash = SEED;
      for (let rehash = 0; rehash <= MAX_REHASHES; rehash++) {
        for (const byte of address) hash = (hash * MULTIPLIER + byte) % MODULUS;
        const id = memberAt(this.#primaries, hash % this.#total);
        const picked = candidates.find((c) => c.id === id);
        if (picked) return picked;
      }
    }
    return this.#fallback.pick(candidates, request);
  }

  #load(members: readonly Member[]): void {
    if (members === this.#seen) return;
    this.#seen = members;
    this.#primaries = members.filter((m) => !m.backup);
    this.#total = this.#primaries.reduce((sum, m) => sum + m.weight, 0);
  }
}

function asMember(c: Candidate): Member {
  return { id: c.id, weight: c.effectiveWeight, backup: false };
}

/** The member whose share of the weight line holds `point` (nginx's walk over its peer list). */
function memberAt(members: readonly Member[], point: number): string | undefined {
  let w = point;
  for (const m of members) {
    if (w < m.weight) return m.id;
    w -= m.weight;
  }
  return undefined;
}

/** The bytes nginx hashes: three of an IPv4 address, sixteen of an IPv6 one. */
export function addressBytes(ip: string): readonly number[] {
  switch (isIP(ip)) {
    case 4:
      return ip.split(".", 3).map(Number);
    case 6:
      return ipv6Bytes(ip);
    default:
      return PSEUDO_ADDRESS;
  }
}

function ipv6Bytes(ip: string): number[] {
  const [head = "", tail] = ip.split("%", 1)[0]!.split("::");
  const groups = (part: string): number[] =>
    part === ""
      ? []
      : part.split(":").flatMap((g) => {
          if (!g.includes(".")) return [Number.parseInt(g, 16)];
          const [a = 0, b = 0, c = 0, d = 0] = g.split(".").map(Number);
          return [(a << 8) | b, (c << 8) | d];
        });
  const front = groups(head);
  const back = tail === undefined ? [] : groups(tail);
  const all = [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
  return all.flatMap((g) => [g >> 8, g & 0xff]);
}

/** Factory for the registry; upstreams pass their pool's member list. */
export function createIpHashNginx(deps?: StrategyDeps): Strategy {
  return new IpHashNginx(deps?.members);
}
