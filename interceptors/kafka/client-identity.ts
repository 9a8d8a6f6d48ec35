import { ATTR_MESSAGING_CONSUMER_GROUP_NAME, ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT } from "../semconv.ts";
import type { BrokerAddress } from "./broker-address.ts";

/** The labels of a wrapped client that are only learnt at run time. */
export interface ClientIdentity {
  /** `messaging.consumer.group.name`; always `undefined` for a producer. */
  readonly groupId: string | undefined;
  /** `server.address` / `server.port`. */
  readonly broker: BrokerAddress | undefined;
}

/**
 * Holds the current {@link ClientIdentity}. Each change replaces the object, so caches of
 * attribute sets built from it check freshness with one identity comparison per message.
 */
export class IdentityCell {
  #current: ClientIdentity;

  constructor(groupId: string | undefined) {
    this.#current = { groupId, broker: undefined };
  }

  get current(): ClientIdentity {
    return this.#current;
  }

  /** The first group id seen wins; kafkajs consumers belong to one group for life. */
  learnGroup(groupId: string): void {
    if (this.#current.groupId !== undefined) return;
    this.#current = { ...this.#current, groupId };
  }

  learnBroker(broker: BrokerAddress): void {
    if (this.#current.broker !== undefined) return;
    this.#current = { ...this.#current, broker };
  }
}

/**
 * Adds what is known of `identity` to `attributes`. An unknown value is left out rather than
 * written as "" (an empty string is a value, not "not known").
 */
export function withIdentity(
  attributes: Record<string, unknown>,
  identity: ClientIdentity,
  group: boolean,
): void {
  if (group && identity.groupId !== undefined)
    attributes[ATTR_MESSAGING_CONSUMER_GROUP_NAME] = identity.groupId;
  const broker = identity.broker;
  if (broker !== undefined) {
    attributes[ATTR_SERVER_ADDRESS] = broker.address;
    if (broker.port !== undefined) attributes[ATTR_SERVER_PORT] = broker.port;
  }
}
