import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { closeSync, constants, mkdtempSync, openSync, readFileSync, readSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { LOG_BUFFER_CHARS, LogSink } from "../../../src/telemetry/log-sink.ts";
import { waitFor } from "../../helpers/wait-for.ts";

const dir = mkdtempSync(join(tmpdir(), "traceway-log-sink-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const line = (i: number, width = 100): string => `${JSON.stringify({ i, pad: "x".repeat(width) })}\n`;

describe("LogSink", () => {
  it("holds buffered lines until the buffer fills, sends a prompt line within the turn, keeps the order", async () => {
    const file = join(dir, "order.log");
    const fd = openSync(file, "w");
    const sink = new LogSink({ fd });
    try {
      sink.buffered.write(line(0));
      sink.buffered.write(line(1));
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(readFileSync(file, "utf8"), "", "two buffered lines wait for more");
      sink.prompt.write(line(2));
      await waitFor(() => readFileSync(file, "utf8") === line(0) + line(1) + line(2), {
        what: "the prompt line and the buffered ones before it",
      });
      const many = Math.ceil(LOG_BUFFER_CHARS / line(0).length) + 1;
      for (let i = 3; i < 3 + many; i++) sink.buffered.write(line(i));
      await waitFor(() => readFileSync(file, "utf8").split("\n").length > 3, {
        what: "a full buffer written without waiting for the interval",
        timeoutMs: 900,
      });
      await sink.close();
      const read = readFileSync(file, "utf8").trimEnd().split("\n");
      assert.deepEqual(
        read.map((l) => (JSON.parse(l) as { i: number }).i),
        Array.from({ length: 3 + many }, (_, i) => i),
      );
      sink.prompt.write(line(99));
      assert.match(readFileSync(file, "utf8"), /"i":99/, "after close, lines are written at once");
    } finally {
      closeSync(fd);
    }
  });

  it("under a steady stream of lines, each write carries a full buffer, not what gathered during the last one", async () => {
    const file = join(dir, "steady.log");
    const fd = openSync(file, "w");
    const sink = new LogSink({ fd });
    const count = 3000;
    let chars = 0;
    try {
      // 20 lines a turn, as a busy proxy logs them; writes complete between the turns.
      for (let i = 0; i < count; i++) {
        const text = line(i);
        chars += text.length;
        sink.buffered.write(text);
        if (i % 20 === 19) await new Promise((resolve) => setImmediate(resolve));
      }
      await sink.close();
    } finally {
      closeSync(fd);
    }
    const ids = readFileSync(file, "utf8")
      .trimEnd()
      .split("\n")
      .map((l) => (JSON.parse(l) as { i: number }).i);
    assert.deepEqual(
      ids,
      Array.from({ length: count }, (_, i) => i),
    );
    // Full buffers, plus the rest at close (and one spare for an interval flush on a slow machine).
    const full = Math.floor(chars / LOG_BUFFER_CHARS);
    assert.ok(
      sink.writes <= full + 2,
      `${sink.writes} writes for ${chars} characters (${full} full buffers)`,
    );
  });

  it("a reader that stalls: the pipe's EAGAIN is retried, lines past the cap are dropped and reported, none is torn", async () => {
    const fifo = join(dir, "stalled.fifo");
    execFileSync("mkfifo", [fifo]);
    // Read-write so opening does not wait for a reader; non-blocking as a pipe stdout often is.
    const fd = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const reports: string[] = [];
    const stderrWrite = process.stderr.write.bind(process.stderr);
    process.stderr.write = (chunk: string) => (reports.push(String(chunk)), true);
    const sink = new LogSink({ fd, maxPendingChars: 200_000 });
    try {
      // 1 MB into a 64 KiB pipe nobody reads: most of it cannot go anywhere.
      for (let i = 0; i < 1000; i++) sink.buffered.write(line(i, 1000));
      const closed = sink.close();
      let received = "";
      const chunk = Buffer.alloc(65_536);
      await waitFor(
        async () => {
          try {
            const n = readSync(reader, chunk);
            received += chunk.toString("utf8", 0, n);
          } catch {
            // EAGAIN: nothing to read right now.
          }
          return await Promise.race([
            closed.then(() => true),
            new Promise<false>((r) => setTimeout(r, 20, false)),
          ]);
        },
        { what: "the sink to hand over what it kept", timeoutMs: 10_000, intervalMs: 1 },
      );
      for (;;) {
        try {
          const n = readSync(reader, chunk);
          if (n === 0) break;
          received += chunk.toString("utf8", 0, n);
        } catch {
          break;
        }
      }
      const ids = received
        .trimEnd()
        .split("\n")
        .map((l) => (JSON.parse(l) as { i: number }).i);
      // More than a pipe holds (64 lines) went through, so writes were retried after EAGAIN.
      assert.ok(ids.length > 100 && ids.length < 1000, `${ids.length} lines kept`);
      assert.deepEqual(
        ids,
        [...ids].sort((a, b) => a - b),
        "in order",
      );
      assert.match(
        reports.join(""),
        new RegExp(`stdout is not keeping up; ${1000 - ids.length} log lines dropped`),
      );
    } finally {
      process.stderr.write = stderrWrite;
      closeSync(fd);
      closeSync(reader);
    }
  });
});
