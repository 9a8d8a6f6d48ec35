import type { TextMapGetter, TextMapSetter } from "@opentelemetry/api";
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";

/** Writes `traceparent`/`tracestate` into a Node outgoing header object (lower-case keys). */
export const outgoingHeaderSetter: TextMapSetter<OutgoingHttpHeaders> = {
  set(carrier, key, value) {
    carrier[key] = value;
  },
};

/** Reads trace context from Node's incoming headers (already lower-cased by the parser). */
export const incomingHeaderGetter: TextMapGetter<IncomingHttpHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get(carrier, key) {
    const value = carrier[key];
    return Array.isArray(value) ? value[0] : value;
  },
};
