import type { Attributes, Counter, Meter } from "@opentelemetry/api";
import {
  ATTR_TRACEWAY_ADMIN_ACTION,
  ATTR_TRACEWAY_CANARY_PHASE,
  ATTR_TRACEWAY_CANARY_VERDICT,
  ATTR_TRACEWAY_UPSTREAM,
  METRIC_TRACEWAY_ADMIN_CHANGES,
  METRIC_TRACEWAY_CANARY_ANALYSES,
  METRIC_TRACEWAY_CANARY_TRANSITIONS,
} from "../../interceptors/balancer-entry.ts";
import type { AdminChange } from "../admin/admin-app.ts";
import type { CanaryEvents } from "../canary/canary-controller.ts";
import type { Logger } from "pino";
import { loggingCanaryEvents } from "../server/balancer-events.ts";

/** Counters of operator changes and canary decisions, next to their log lines. */
export interface ControlTelemetry {
  /** Pass to `startBalancer({ canaryEvents })`: logs and counts transitions and analyses. */
  readonly canaryEvents: CanaryEvents;
  /** Pass to the admin API: counts each change (the API logs it). */
  onAdminChange(change: AdminChange): void;
}

export function createControlTelemetry(meter: Meter, logger: Logger): ControlTelemetry {
  const changes = counter(
    meter,
    METRIC_TRACEWAY_ADMIN_CHANGES,
    "Changes made through the admin API.",
    "{change}",
  );
  const transitions = counter(
    meter,
    METRIC_TRACEWAY_CANARY_TRANSITIONS,
    "Canary phase and step changes, by the phase entered.",
    "{transition}",
  );
  const analyses = counter(
    meter,
    METRIC_TRACEWAY_CANARY_ANALYSES,
    "Canary interval analyses, by verdict.",
    "{analysis}",
  );
  const logging = loggingCanaryEvents(logger);
  const count = (c: Counter, attributes: Attributes): void => {
    try {
      c.add(1, attributes);
    } catch {
      // Telemetry never breaks a decision.
    }
  };
  return {
    canaryEvents: {
      onTransition: (e) => {
        logging.onTransition(e);
        count(transitions, { [ATTR_TRACEWAY_UPSTREAM]: e.upstream, [ATTR_TRACEWAY_CANARY_PHASE]: e.to });
      },
      onAnalysis: (e) => {
        logging.onAnalysis(e);
        count(analyses, { [ATTR_TRACEWAY_UPSTREAM]: e.upstream, [ATTR_TRACEWAY_CANARY_VERDICT]: e.verdict });
      },
      onStoreError: (e) => logging.onStoreError(e),
    },
    onAdminChange: (change) =>
      count(changes, {
        [ATTR_TRACEWAY_UPSTREAM]: change.upstream,
        [ATTR_TRACEWAY_ADMIN_ACTION]: change.action,
      }),
  };
}

function counter(meter: Meter, name: string, description: string, unit: string): Counter {
  return meter.createCounter(name, { description, unit });
}
