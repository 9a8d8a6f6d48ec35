/**
 * A load worker thread: one event loop driving its share of the connections (closed model) or of
 * the request rate (open model), reporting snapshots while a step runs and its full histogram and
 * counts when the step has drained. Started by generator.ts, one per core.
 */
import { parentPort, workerData } from "node:worker_threads";
import { ClosedModel } from "./closed-model.ts";
import { encodeHistogram, newHistogram } from "./latency-histogram.ts";
import type { LoadModel, ModelRequest } from "./load-model.ts";
import { OpenModel } from "./open-model.ts";
import { StepRecorder } from "./step-recorder.ts";
import type { FromWorker, StepCommand, StepDone, ToWorker, WorkerInit } from "./worker-protocol.ts";

const init = workerData as WorkerInit;
const port = parentPort!;
const request: ModelRequest = { target: init.target, bytes: Buffer.from(init.request), noBody: init.noBody };
const closed = new ClosedModel(request);
const open = new OpenModel(request);
let current: { id: number; model: LoadModel } | undefined;

const post = (message: FromWorker): void => port.postMessage(message);
/** This thread's epoch-ms clock mapped onto its own performance.now(). */
const local = (epochMs: number): number => epochMs - performance.timeOrigin;

// A quarter of the timeout (at most 250 ms) bounds how late a timeout is noticed.
const sweep = setInterval(
  () => current?.model.sweep(performance.now(), init.timeoutMs),
  Math.max(10, Math.min(250, init.timeoutMs / 4)),
);

async function runStep(command: StepCommand): Promise<void> {
  const startAt = local(command.startAt);
  const endAt = local(command.endAt);
  const recorder = new StepRecorder(init.expectStatus, endAt);
  const model = command.mode === "connections" ? closed : open;
  current = { id: command.id, model };
  const snapshots = setInterval(() => {
    const histogram = encodeHistogram(recorder.interval);
    recorder.interval = newHistogram();
    post({ type: "snapshot", id: command.id, counts: { ...recorder.counts }, histogram });
  }, init.snapshotMs);
  // CPU is measured over the loaded window only, not the wait before it or the drain after it.
  let cpuBefore = process.threadCpuUsage();
  let cpuMs: number | undefined;
  const cpuStart = setTimeout(
    () => (cpuBefore = process.threadCpuUsage()),
    Math.max(0, startAt - performance.now()),
  );
  const cpuEnd = setTimeout(
    () => {
      const used = process.threadCpuUsage(cpuBefore);
      cpuMs = (used.user + used.system) / 1000;
    },
    Math.max(0, endAt - performance.now()),
  );
  try {
    if (command.mode === "connections") await closed.run(command.level, startAt, endAt, recorder);
    else
      await open.run(
        { rate: command.level, phase: command.phase, maxConnections: command.maxConnections, startAt, endAt },
        recorder,
      );
  } finally {
    clearInterval(snapshots);
    clearTimeout(cpuStart);
    clearTimeout(cpuEnd);
    current = undefined;
  }
  const stoppedAt = Math.min(performance.now(), endAt);
  if (cpuMs === undefined) {
    const used = process.threadCpuUsage(cpuBefore);
    cpuMs = (used.user + used.system) / 1000;
  }
  const done: StepDone = {
    type: "done",
    id: command.id,
    counts: recorder.counts,
    statuses: [...recorder.statuses],
    errorKinds: [...recorder.errorKinds],
    histogram: encodeHistogram(recorder.histogram),
    cpuMs,
    wallMs: Math.max(1, stoppedAt - startAt),
  };
  post(done);
}

port.on("message", (message: ToWorker) => {
  if (message.type === "step") {
    runStep(message).catch((error: unknown) => post({ type: "fatal", message: String(error) }));
  } else if (message.type === "stop") {
    if (current?.id === message.id) current.model.stop();
  } else {
    clearInterval(sweep);
    closed.close();
    open.close();
    port.close();
  }
});
post({ type: "ready" });
