import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { QueryRedactor } from "../../../../interceptors/http/query-redaction.ts";

describe("QueryRedactor (semconv url.query / url.full redaction)", () => {
  const redactor = new QueryRedactor();

  it("replaces the values of the semconv's signature keys and of credentials, keeping keys and order", () => {
    assert.equal(
      redactor.query("color=blue&sig=abc&X-Goog-Signature=x&AWSAccessKeyId=k&Signature=s"),
      "color=blue&sig=REDACTED&X-Goog-Signature=REDACTED&AWSAccessKeyId=REDACTED&Signature=REDACTED",
    );
    assert.equal(
      redactor.query("q=1&access_token=t&password=p&api_key=a&page=2"),
      "q=1&access_token=REDACTED&password=REDACTED&api_key=REDACTED&page=2",
    );
  });

  it("matches keys without regard to case or percent-encoding, and leaves valueless keys", () => {
    assert.equal(redactor.query("TOKEN=t&api%5Fkey=a&token"), "TOKEN=REDACTED&api%5Fkey=REDACTED&token");
    assert.equal(redactor.query("tokens=1&mytoken=2"), "tokens=1&mytoken=2", "whole keys only");
  });

  it("redacts the query of a full URL and keeps its fragment", () => {
    assert.equal(
      redactor.url("http://10.0.0.7:8080/files?sig=s&x=1#top"),
      "http://10.0.0.7:8080/files?sig=REDACTED&x=1#top",
    );
    assert.equal(redactor.url("http://10.0.0.7:8080/files"), "http://10.0.0.7:8080/files");
  });

  it("takes a list that replaces the defaults; an empty list redacts nothing", () => {
    assert.equal(new QueryRedactor(["session"]).query("session=s&token=t"), "session=REDACTED&token=t");
    assert.equal(new QueryRedactor([]).query("token=t"), "token=t");
  });
});
