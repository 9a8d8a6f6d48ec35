import type { InstrumentationEvent } from "kafkajs";
import { guard } from "./kafka-telemetry.ts";

/** `server.address` / `server.port` of the broker a client talks to. */
export interface BrokerAddress {
  readonly address: string;
  readonly port: number | undefined;
}

/** Parses kafkajs' `host:port` (an IPv6 host is written without brackets: `::1:9092`). */
export function parseBroker(broker: string): BrokerAddress | undefined {
  const colon = broker.lastIndexOf(":");
  if (colon <= 0) return broker === "" ? undefined : { address: broker, port: undefined };
  const port = Number(broker.slice(colon + 1));
  const host = broker.slice(0, colon);
  return Number.isInteger(port) && port > 0 && port < 65536
    ? { address: host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host, port }
    : { address: broker, port: undefined };
}

/** The part of a kafkajs producer or consumer this needs: its network-request event. */
export interface RequestEvents {
  readonly events?: { readonly REQUEST?: string };
  on?(event: string, listener: (event: InstrumentationEvent<{ broker?: unknown }>) => void): () => void;
}

/**
 * Learns the broker a kafkajs client connected to from its first `network.request` event and
 * stops listening: that first request goes to the bootstrap broker the client was configured
 * with (kafkajs picks one of `brokers`), which then stands for the cluster in `server.address`.
 * Partition leaders are not tracked, so the label stays bounded by the bootstrap list. The
 * connect requests precede the first send, group join and fetch, so no message is recorded
 * before the address is known unless the client was connected before it was wrapped.
 */
export function watchBroker(client: RequestEvents, learnt: (broker: BrokerAddress) => void): void {
  const eventName = client.events?.REQUEST;
  if (eventName === undefined || typeof client.on !== "function") return;
  let done = false;
  const remove = client.on(eventName, (event) => {
    if (done) return;
    guard("broker address", () => {
      const broker = event.payload.broker;
      const parsed = typeof broker === "string" ? parseBroker(broker) : undefined;
      if (parsed === undefined) return;
      done = true;
      learnt(parsed);
      remove();
    });
  });
}
