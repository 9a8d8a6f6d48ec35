/**
 * How message bytes (keys and header values) travel in HTTP header values, and Kafka header keys
 * in header names. HTTP field values are ASCII in practice (Node and undici refuse anything above
 * 0xFF, and bytes above 0x7F are read differently by different servers), while Kafka keys and
 * headers are arbitrary bytes. So bytes outside visible ASCII, and `%` itself, are
 * percent-encoded (`%XX`): plain ASCII text arrives unchanged, UTF-8 text decodes with
 * `decodeURIComponent`, and binary values decode byte for byte. Unambiguous either way, unlike a
 * "base64 when binary" flag a receiver would have to check.
 */

/** Visible ASCII (0x21-0x7E) except `%` passes through; every other byte becomes `%XX`. */
export function encodeHeaderValue(bytes: Buffer): string {
  let plain = true;
  for (const byte of bytes) {
    if (byte < 0x21 || byte > 0x7e || byte === 0x25) {
      plain = false;
      break;
    }
  }
  if (plain) return bytes.toString("latin1");
  let out = "";
  for (const byte of bytes) {
    out += byte < 0x21 || byte > 0x7e || byte === 0x25 ? `%${HEX[byte]}` : String.fromCharCode(byte);
  }
  return out;
}

/** Lower-cased, with every byte that is not an RFC 9110 token character (or is `%`) as `%XX`. */
export function encodeHeaderName(name: string): string {
  const lower = name.toLowerCase();
  if (TOKEN.test(lower)) return lower;
  let out = "";
  for (const byte of Buffer.from(lower, "utf8")) {
    const char = String.fromCharCode(byte);
    out += byte < 0x80 && byte !== 0x25 && TOKEN.test(char) ? char : `%${HEX[byte]}`;
  }
  return out;
}

/** Token characters minus `%`, which introduces an escape. */
const TOKEN = /^[!#$&'*+.^_`|~0-9a-z-]+$/;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase().padStart(2, "0"));
