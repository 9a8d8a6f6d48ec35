/**
 * Timer functions injected into health checkers, so tests fire probes by hand instead of
 * sleeping. The handle is opaque: whatever `setTimeout` returned is given back to `clearTimeout`.
 */
export interface Scheduler {
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * The global timers, unref'd: a health check alone must not keep the process alive (the
 * listening server does that), or a CLI that closes its server would hang on the next probe.
 */
export const systemScheduler: Scheduler = {
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
