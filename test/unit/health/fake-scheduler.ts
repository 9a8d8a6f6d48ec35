import type { Scheduler } from "../../../src/health/scheduler.ts";

/** Timers that only fire when the test says so; records every delay asked for. */
export class FakeScheduler implements Scheduler {
  readonly pending = new Map<number, { callback: () => void; delayMs: number }>();
  readonly delays: number[] = [];
  #nextId = 1;

  setTimeout(callback: () => void, delayMs: number): unknown {
    const id = this.#nextId++;
    this.pending.set(id, { callback, delayMs });
    this.delays.push(delayMs);
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  /** Fire every pending timer once; returns how many fired. */
  fireAll(): number {
    const due = [...this.pending.values()];
    this.pending.clear();
    for (const timer of due) timer.callback();
    return due.length;
  }
}
