/**
 * Node flags traceway runs with: `npm start`, the `traceway` binary's shebang, the CLI tests and
 * the benchmark all use exactly these (a unit test holds package.json and bin/traceway.js to it).
 *
 * - `--experimental-async-context-frame`: AsyncLocalStorage (the OpenTelemetry context manager
 *   under every trace_id in logs and every span parent) on V8's continuation data instead of async
 *   hooks. With hooks, every promise, tick and socket write of the process pays for context
 *   propagation once any context is set; measured at 15–25 µs of CPU per proxied request on the
 *   2-core bench machine. It is Node 24's default; on Node 22 it is a flag. Everything also works
 *   without it, only slower.
 * - `--disable-warning=DEP0060`: http-proxy 1.18 calls the deprecated `util._extend`; harmless and
 *   not ours to fix.
 */
export const RUNTIME_FLAGS = ["--experimental-async-context-frame", "--disable-warning=DEP0060"] as const;
