import assert from "node:assert/strict";
import { test } from "node:test";
import { clientModule } from "./client-module.ts";

interface SseMessage {
  event: string;
  data: string;
  id: string;
}
const { createSseParser } = await clientModule<{
  createSseParser: (onMessage: (m: SseMessage) => void) => { push(chunk: string): void };
}>("sse-parser.js");

/** Feeds the chunks in order and returns the messages dispatched. */
function parse(...chunks: string[]): SseMessage[] {
  const messages: SseMessage[] = [];
  const parser = createSseParser((m) => messages.push(m));
  for (const chunk of chunks) parser.push(chunk);
  return messages;
}

void test("a message is dispatched at its blank line, with its event name, id and data", () => {
  assert.deepEqual(parse('event: snapshot\nid: 7\ndata: {"a":1}\n\n'), [
    { event: "snapshot", id: "7", data: '{"a":1}' },
  ]);
  assert.deepEqual(parse("event: snapshot\ndata: x\n"), [], "no blank line yet: nothing");
});

void test("chunks may split anywhere, even between the CR and LF of one line ending", () => {
  const stream = "event: health\r\nid: 1\r\ndata: one\r\n\r\nevent: reload\rdata: two\r\r";
  const whole = parse(stream);
  assert.deepEqual(whole, [
    { event: "health", id: "1", data: "one" },
    { event: "reload", id: "1", data: "two" },
  ]);
  for (let cut = 1; cut < stream.length; cut++) {
    assert.deepEqual(parse(stream.slice(0, cut), stream.slice(cut)), whole, `cut at ${cut}`);
  }
  assert.deepEqual(parse(...stream.split("")), whole, "one character at a time");
});

void test("comments (the keep-alive) and messages without data dispatch nothing", () => {
  assert.deepEqual(parse(": ping\n\n", "event: snapshot\n\n", "id: 3\n\n"), []);
});

void test("data lines join with newlines; the event name defaults to message; the id carries over", () => {
  assert.deepEqual(parse("id: 9\ndata: a\ndata:b\n\ndata\n\n"), [
    { event: "message", id: "9", data: "a\nb" },
    { event: "message", id: "9", data: "" },
  ]);
});
