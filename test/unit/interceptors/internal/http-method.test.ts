import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  KNOWN_METHODS_ENV,
  knownMethods,
  normalizeMethod,
  originalMethod,
} from "../../../../interceptors/internal/http-method.ts";

describe("HTTP methods (semconv http.request.method / method_original)", () => {
  const defaults = knownMethods({});

  it("keeps the RFC 9110 methods and PATCH, folds case, and turns anything else into _OTHER", () => {
    assert.equal(normalizeMethod("GET", defaults), "GET");
    assert.equal(normalizeMethod("PATCH", defaults), "PATCH");
    assert.equal(normalizeMethod("get", defaults), "GET");
    assert.equal(normalizeMethod("PROPFIND", defaults), "_OTHER");
    assert.equal(normalizeMethod(undefined, defaults), "_OTHER", "a request the parser refused");
  });

  it("sets method_original whenever the original differs, also only in case", () => {
    assert.equal(originalMethod("GET", "GET"), undefined);
    assert.equal(originalMethod("get", normalizeMethod("get", defaults)), "get");
    assert.equal(originalMethod("GeT", normalizeMethod("GeT", defaults)), "GeT");
    assert.equal(originalMethod("PROPFIND", normalizeMethod("PROPFIND", defaults)), "PROPFIND");
  });

  it(`${KNOWN_METHODS_ENV} replaces the known set (case-sensitive, comma-separated)`, () => {
    const custom = knownMethods({ [KNOWN_METHODS_ENV]: "GET, PROPFIND,,MKCOL" });
    assert.deepEqual([...custom].sort(), ["GET", "MKCOL", "PROPFIND"]);
    assert.equal(normalizeMethod("PROPFIND", custom), "PROPFIND");
    assert.equal(normalizeMethod("POST", custom), "_OTHER", "a full override, not an addition");
    assert.equal(normalizeMethod("propfind", custom), "PROPFIND");
  });
});
