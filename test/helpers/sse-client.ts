import { waitFor } from "./wait-for.ts";

/** One Server-Sent Event as received. */
export interface ReceivedEvent {
  readonly event: string;
  readonly id: string;
  readonly data: unknown;
  /** Date.now() when it arrived. */
  readonly receivedAt: number;
}

/** A client of `GET /api/v1/events` that keeps every event it receives. */
export interface SseClient {
  readonly events: ReceivedEvent[];
  /** Waits for an event of `name` for which `test` holds (checks the ones already received too). */
  next(
    name: string,
    test: (data: never) => boolean,
    what: string,
    timeoutMs?: number,
  ): Promise<ReceivedEvent>;
  close(): void;
}

export async function connectEvents(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  if (response.status !== 200 || response.body === null) {
    throw new Error(`event stream ${url}: HTTP ${response.status} ${await response.text()}`);
  }
  const events: ReceivedEvent[] = [];
  const reading = (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf("\n\n")) !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields = Object.fromEntries(
          block
            .split("\n")
            .filter((line) => line !== "" && !line.startsWith(":"))
            .map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 1).trimStart()]),
        );
        if (fields.data !== undefined) {
          events.push({
            event: fields.event ?? "message",
            id: fields.id ?? "",
            data: JSON.parse(fields.data),
            receivedAt: Date.now(),
          });
        }
      }
    }
  })().catch(() => {});
  return {
    events,
    next: (name, test, what, timeoutMs = 30_000) =>
      waitFor(() => events.find((e) => e.event === name && test(e.data as never)), {
        what,
        timeoutMs,
        intervalMs: 50,
      }),
    close: () => {
      controller.abort();
      void reading;
    },
  };
}
