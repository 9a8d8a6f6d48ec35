/**
 * Preloaded (`--import`) into a balancer child started with `--expose-gc` by the soak test: on
 * SIGUSR2 it runs a full garbage collection and reports the heap on stderr, so the test reads the
 * child's RSS after a GC rather than at whatever point the collector happens to be.
 */
process.on("SIGUSR2", () => {
  (globalThis as { gc?: () => void }).gc?.();
  const { heapUsed, external, arrayBuffers } = process.memoryUsage();
  const mib = (n: number): string => (n / 1024 / 1024).toFixed(1);
  process.stderr.write(
    `gc done: heap ${mib(heapUsed)} MiB, external ${mib(external)}, buffers ${mib(arrayBuffers)}\n`,
  );
});
