import type { TextMapGetter, TextMapSetter } from "@opentelemetry/api";
import type { IHeaders } from "kafkajs";

/**
 * kafkajs delivers header values as Buffers (and lets producers pass strings or arrays), while
 * propagators want strings: decode on read, take the first value of a repeated header.
 */
export const kafkaHeaderGetter: TextMapGetter<IHeaders | undefined> = {
  keys(carrier) {
    return carrier === undefined ? [] : Object.keys(carrier);
  },
  get(carrier, key) {
    if (carrier === undefined) return undefined;
    const raw = carrier[key];
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value === undefined) return undefined;
    return typeof value === "string" ? value : value.toString("utf8");
  },
};

export const kafkaHeaderSetter: TextMapSetter<IHeaders> = {
  set(carrier, key, value) {
    carrier[key] = value;
  },
};
