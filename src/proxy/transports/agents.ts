import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import type { Backend } from "../../pool/backend.ts";

export interface AgentLimits {
  readonly maxSockets: number;
  readonly maxFreeSockets: number;
}

/**
 * One keep-alive agent per backend origin, reused across reloads so warm sockets survive a
 * config change. LIFO scheduling keeps few sockets hot instead of cycling through all of them.
 */
export class BackendAgents {
  readonly #agents = new Map<string, HttpAgent>();

  get(backend: Backend, limits: AgentLimits): HttpAgent {
    let agent = this.#agents.get(backend.id);
    if (!agent) {
      const options = {
        keepAlive: true,
        maxSockets: limits.maxSockets > 0 ? limits.maxSockets : Infinity,
        maxFreeSockets: limits.maxFreeSockets,
        scheduling: "lifo" as const,
      };
      agent = backend.url.protocol === "https:" ? new HttpsAgent(options) : new HttpAgent(options);
      this.#agents.set(backend.id, agent);
    }
    return agent;
  }

  /** Drop agents of backends no longer configured; their in-flight requests keep their sockets. */
  retain(ids: ReadonlySet<string>): void {
    for (const [id, agent] of this.#agents) {
      if (!ids.has(id)) {
        this.#agents.delete(id);
        closeWhenIdle(agent);
      }
    }
  }

  /** Drop the agents of these backends (new limits): the next request gets a new agent. */
  refresh(ids: ReadonlySet<string>): void {
    for (const id of ids) {
      const agent = this.#agents.get(id);
      if (agent === undefined) continue;
      this.#agents.delete(id);
      closeWhenIdle(agent);
    }
  }

  /** Total sockets (busy + idle) held towards backends: used by tests to catch leaks. */
  socketCount(): number {
    let n = 0;
    for (const agent of this.#agents.values()) {
      for (const list of Object.values(agent.sockets)) n += list?.length ?? 0;
      for (const list of Object.values(agent.freeSockets)) n += list?.length ?? 0;
    }
    return n;
  }

  destroyAll(): void {
    for (const agent of this.#agents.values()) agent.destroy();
    this.#agents.clear();
  }
}

function closeWhenIdle(agent: HttpAgent): void {
  // Idle sockets go now; busy ones finish their response and are then closed by the agent.
  for (const list of Object.values(agent.freeSockets)) for (const s of list ?? []) s.destroy();
  agent.maxFreeSockets = 0;
}
