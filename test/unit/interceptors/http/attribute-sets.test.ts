import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AttributeSets, keyPart, MAX_CACHED_SETS } from "../../../../interceptors/http/attribute-sets.ts";

describe("AttributeSets", () => {
  it("hands back the same frozen object for the same keys, and none for other keys", () => {
    const sets = new AttributeSets();
    const extra = {};
    const first = sets.add(extra, "GET", "/", 200, undefined, "http", "1.1", { x: 1 });
    assert.equal(sets.get(extra, "GET", "/", 200, undefined, "http", "1.1"), first);
    assert.ok(Object.isFrozen(first));
    assert.equal(
      sets.get({}, "GET", "/", 200, undefined, "http", "1.1"),
      undefined,
      "keys objects by identity",
    );
    assert.equal(sets.get(extra, "GET", "/", 200, "500", "http", "1.1"), undefined);
    assert.equal(sets.get(extra, "GET", undefined, 200, undefined, "http", "1.1"), undefined);
    assert.equal(sets.get(extra, "GET", "/", 200, undefined, "https", "1.1"), undefined);
    assert.equal(sets.get(extra, "GET", "/", 200, undefined, "http", "2"), undefined);
  });

  it("stops caching at MAX_CACHED_SETS but still returns the attributes", () => {
    const sets = new AttributeSets();
    for (let i = 0; i < MAX_CACHED_SETS; i++)
      sets.add(undefined, "GET", "/", i, undefined, undefined, undefined, { i });
    const extra = { i: -1 };
    assert.equal(sets.add(undefined, "GET", "/x", 1, undefined, undefined, undefined, extra), extra);
    assert.equal(sets.get(undefined, "GET", "/x", 1, undefined, undefined, undefined), undefined);
  });

  it("keyPart keeps parts apart whatever they contain, and undefined apart from empty", () => {
    assert.notEqual(keyPart("a|b") + "|" + keyPart("c"), keyPart("a") + "|" + keyPart("b|c"));
    assert.notEqual(keyPart(undefined), keyPart(""));
    assert.notEqual(keyPart(undefined), keyPart("-"));
  });
});
