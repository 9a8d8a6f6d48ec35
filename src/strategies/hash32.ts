/**
 * Fast non-cryptographic 32-bit hashing for hash strategies: FNV-1a over UTF-16 code units,
 * finished with murmur3's fmix32 because plain FNV-1a spreads near-identical short keys
 * (IP addresses, numbered ids) poorly over the ring.
 */

/** murmur3's 32-bit finaliser: full avalanche, a bijection on uint32. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Unsigned 32-bit hash of a string. No allocation. */
export function hash32(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}
