/**
 * An incremental text/event-stream parser (the WHATWG "event stream interpretation"). The page
 * reads the stream with fetch rather than EventSource because EventSource cannot send an
 * Authorization header, so it parses the stream itself.
 */

/**
 * @typedef {object} SseMessage
 * @property {string} event `message` when the stream named none
 * @property {string} data
 * @property {string} id the last event id in force (ids carry over to later messages)
 */

/**
 * Feeds text chunks in, calls `onMessage` for each complete message as soon as its blank line is
 * in. Lines may end in CRLF, LF or CR, and a chunk may end anywhere, even between the CR and LF
 * of one line ending.
 * @param {(message: SseMessage) => void} onMessage
 * @returns {{ push(chunk: string): void }}
 */
export function createSseParser(onMessage) {
  let buffer = "";
  let event = "";
  let data = /** @type {string[]} */ ([]);
  let lastId = "";

  /** @param {string} line */
  function field(line) {
    if (line === "") {
      if (data.length > 0) onMessage({ event: event || "message", data: data.join("\n"), id: lastId });
      event = "";
      data = [];
      return;
    }
    if (line.startsWith(":")) return; // a comment: the server's keep-alive
    const colon = line.indexOf(":");
    const name = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (name === "event") event = value;
    else if (name === "data") data.push(value);
    else if (name === "id" && !value.includes("\0")) lastId = value;
  }

  /** The last chunk ended in CR: an LF first in the next one belongs to that line ending. */
  let afterCr = false;
  return {
    push(chunk) {
      buffer += chunk;
      let start = 0;
      if (afterCr && buffer.startsWith("\n")) start = 1;
      afterCr = false;
      for (let i = start; i < buffer.length; i++) {
        const c = buffer[i];
        if (c !== "\n" && c !== "\r") continue;
        field(buffer.slice(start, i));
        if (c === "\r" && i === buffer.length - 1) afterCr = true;
        else if (c === "\r" && buffer[i + 1] === "\n") i++;
        start = i + 1;
      }
      buffer = buffer.slice(start);
    },
  };
}
