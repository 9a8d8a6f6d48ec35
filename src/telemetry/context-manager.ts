import { context, createContextKey, ROOT_CONTEXT } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";

const PROBE = createContextKey("traceway.context-probe");

function contextPropagates(): boolean {
  const probe = ROOT_CONTEXT.setValue(PROBE, true);
  return context.with(probe, () => context.active().getValue(PROBE) === true);
}

/**
 * Makes `context.active()` follow async work (AsyncLocalStorage), which parent spans and the log
 * mixin rely on. Keeps a manager registered earlier (by the app or another SDK); returns whether
 * context now propagates.
 */
export function ensureContextManager(): boolean {
  if (contextPropagates()) return true;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  return contextPropagates();
}
