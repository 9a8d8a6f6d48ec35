import type { IncomingMessage } from "node:http";
import { TracewayError } from "../errors.ts";

/**
 * RFC 3986 uri-host with an optional port: an IP literal in brackets, or reg-name / IPv4 characters.
 * Compiled once; an empty value is allowed (RFC 9112 §3.2: a target without authority).
 */
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]*)(?::[0-9]*)?$/;

/**
 * What Node's HTTP parser (llhttp, strict mode) lets through that RFC 9112 tells a server to refuse,
 * each a way to make the balancer and a backend disagree about where a request starts or goes.
 * llhttp itself refuses Content-Length with Transfer-Encoding, duplicate or malformed Content-Length,
 * a Transfer-Encoding whose last coding is not chunked, bad chunk sizes and extensions, bare LF or
 * CR, obs-fold and spaces in the target (tested in test/integration/proxy/request-smuggling.test.ts).
 * Returns the error to answer with, or undefined for a request that may go on.
 */
export function requestProblem(req: IncomingMessage): TracewayError | undefined {
  let hosts = 0;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === 4 && name.toLowerCase() === "host") hosts++;
  }
  // §3.2: more than one Host, none in HTTP/1.1, or an invalid one: 400. (nginx does the same.)
  if (hosts > 1) return new TracewayError("BAD_REQUEST", "more than one Host header");
  const host = req.headers.host;
  if (host === undefined) {
    if (req.httpVersionMajor === 1 && req.httpVersionMinor >= 1) {
      return new TracewayError("BAD_REQUEST", "an HTTP/1.1 request needs a Host header");
    }
  } else if (!HOST.test(host)) {
    return new TracewayError("BAD_REQUEST", "invalid Host header");
  }
  const te = req.headers["transfer-encoding"];
  if (te !== undefined) {
    // §6.1: HTTP/1.0 has no Transfer-Encoding; its framing is faulty whatever Content-Length says.
    if (req.httpVersionMajor === 1 && req.httpVersionMinor === 0) {
      return new TracewayError("BAD_REQUEST", "Transfer-Encoding in an HTTP/1.0 request");
    }
    const codings = te.toLowerCase().split(",");
    // §6.3: chunked not last means the body's length cannot be known: 400, whatever llhttp says.
    if (codings.at(-1)?.trim() !== "chunked") {
      return new TracewayError("BAD_REQUEST", `Transfer-Encoding "${te}" does not end in chunked`);
    }
    // Codings before chunked (gzip, chunked) would reach the backend still encoded once the chunking
    // is undone and Transfer-Encoding dropped as hop-by-hop: §6.1 says 501 for a coding the server
    // does not understand, which is what nginx answers.
    if (codings.length > 1) {
      return new TracewayError("UNSUPPORTED_TRANSFER_CODING", `unsupported Transfer-Encoding "${te}"`);
    }
  }
  return undefined;
}
