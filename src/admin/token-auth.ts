import { createHash, timingSafeEqual } from "node:crypto";
import type { AdminToken } from "../config/types.ts";

/** The two primitives the comparer uses; injectable so a test can watch every step it takes. */
export interface ComparerPrimitives {
  /** A fixed-length digest of a token. */
  digest(token: string): Buffer;
  /** Compares two equal-length buffers in time independent of their contents. */
  equal(a: Buffer, b: Buffer): boolean;
}

const SHA256: ComparerPrimitives = {
  digest: (token) => createHash("sha256").update(token, "utf8").digest(),
  equal: (a, b) => timingSafeEqual(a, b),
};

/**
 * Makes the check for `Authorization: Bearer <token>`: returns the matching token's name, or
 * undefined. Its steps do not depend on the presented token: it is hashed to a digest of fixed
 * length (so its length does not show either), and that digest is compared in constant time with
 * every configured token's digest, all of them, without stopping at a match.
 */
export function createTokenComparer(
  tokens: readonly AdminToken[],
  primitives: ComparerPrimitives = SHA256,
): (presented: string) => string | undefined {
  const known = tokens.map((t) => ({ name: t.name, digest: primitives.digest(t.token) }));
  return (presented) => {
    const digest = primitives.digest(presented);
    let match: string | undefined;
    for (const entry of known) {
      // Every entry is compared; a match only records the name (no early return).
      const same = primitives.equal(digest, entry.digest);
      if (same && match === undefined) match = entry.name;
    }
    return match;
  };
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
