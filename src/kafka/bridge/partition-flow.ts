import type { BridgeOrdering } from "../../config/kafka-types.ts";

/** Where one accepted message is; plain numbers rather than an enum (erasable TypeScript only). */
export const EntryState = {
  /** Behind an unfinished message with the same ordering key. */
  Waiting: 0,
  /** May start as soon as the partition has a free dispatch slot. */
  Ready: 1,
  Running: 2,
  /** Failed a try; waits out its backoff, holding its key. */
  Backoff: 3,
  /** The upstream could not take it (no healthy backend); waits for the upstream, holding its key. */
  Held: 4,
  /** Delivered or dead-lettered: commits may pass it. */
  Done: 5,
  /** Failed its last try with no dead-letter topic: it holds its partition's commits for good. */
  Stuck: 6,
} as const;
export type EntryState = (typeof EntryState)[keyof typeof EntryState];

/** One message a partition accepted, with what its caller attached (`item`). */
export class FlowEntry<T> {
  readonly offset: number;
  readonly item: T;
  /** The chain it is ordered in (`undefined`: ordered with nothing). */
  readonly chain: string | undefined;
  state: EntryState = EntryState.Ready;
  /** Tries counted against `retry.tries` (the upstream's refusals are not). */
  tries = 0;
  /** The next message of the same chain, waiting for this one. */
  next: FlowEntry<T> | undefined = undefined;

  constructor(offset: number, item: T, chain: string | undefined) {
    this.offset = offset;
    this.item = item;
    this.chain = chain;
  }
}

/** Accepted entries at the head of `order` that are done are dropped once this many pile up. */
const COMPACT_AFTER = 1024;

/**
 * The messages of one partition between fetch and commit: which may run now (ordering and
 * `concurrency`), and how far commits may go. It is uForwarder's scheme:
 *
 * - `key` ordering chains the messages of each key, so a key's next message waits until the one
 *   before it is done (delivered or dead-lettered), retries and backoff included, while other keys
 *   run; a message without a key is ordered with nothing. `partition` puts every message in one
 *   chain; `none` in none.
 * - at most `concurrency` run at once; a message waiting out a backoff does not hold a slot.
 * - the commit offset is the lowest offset not yet done (or one past the last accepted when all
 *   are): a restart re-reads from there, so nothing unfinished is ever skipped (at-least-once).
 *
 * Offsets at or below the last accepted are refused, so a re-delivery after a consumer restart or
 * rebalance does not dispatch a message twice while its first dispatch is still in this flow.
 */
export class PartitionFlow<T> {
  readonly topic: string;
  readonly partition: number;
  readonly #ordering: BridgeOrdering;
  readonly #concurrency: number;
  #running = 0;
  /** Short (bounded by the partition's buffer), so shift() is cheap. */
  readonly #ready: FlowEntry<T>[] = [];
  readonly #tails = new Map<string, FlowEntry<T>>();
  /** Accepted and not done, in offset order. */
  readonly #live = new Set<FlowEntry<T>>();
  /** Every accepted offset not yet passed by the commit offset, in order; `#doneOffsets` marks the done ones. */
  #order: number[] = [];
  #orderHead = 0;
  readonly #doneOffsets = new Set<number>();
  #nextOffset: number | undefined;
  #stuck = 0;

  constructor(topic: string, partition: number, ordering: BridgeOrdering, concurrency: number) {
    this.topic = topic;
    this.partition = partition;
    this.#ordering = ordering;
    this.#concurrency = ordering === "partition" ? 1 : concurrency;
  }

  /** Messages accepted and not done (running, waiting, backing off, held or stuck). */
  get pending(): number {
    return this.#live.size;
  }

  get running(): number {
    return this.#running;
  }

  /** A message failed its last try with nowhere to go: this partition must stop fetching. */
  get stopped(): boolean {
    return this.#stuck > 0;
  }

  /**
   * Takes the message at `offset`; `key` is its Kafka key (`null` when it has none). Returns
   * `undefined` for an offset already accepted (a re-delivery).
   */
  accept(offset: number, key: string | null, item: T): FlowEntry<T> | undefined {
    if (this.#nextOffset !== undefined && offset < this.#nextOffset) return undefined;
    this.#nextOffset = offset + 1;
    const chain =
      this.#ordering === "partition" ? "" : this.#ordering === "key" && key !== null ? key : undefined;
    const entry = new FlowEntry(offset, item, chain);
    this.#order.push(offset);
    this.#live.add(entry);
    if (chain !== undefined) {
      const tail = this.#tails.get(chain);
      this.#tails.set(chain, entry);
      if (tail !== undefined) {
        tail.next = entry;
        entry.state = EntryState.Waiting;
        return entry;
      }
    }
    this.#ready.push(entry);
    return entry;
  }

  /** The next entry that may start now (marked running), or `undefined`. */
  take(): FlowEntry<T> | undefined {
    if (this.#running >= this.#concurrency) return undefined;
    const entry = this.#ready.shift();
    if (entry === undefined) return undefined;
    entry.state = EntryState.Running;
    this.#running++;
    return entry;
  }

  /** A try of a running entry ended without finishing it: it backs off or is held, keeping its key. */
  suspend(entry: FlowEntry<T>, state: typeof EntryState.Backoff | typeof EntryState.Held): void {
    if (entry.state === EntryState.Running) this.#running--;
    entry.state = state;
  }

  /** A suspended entry may try again: it queues for a slot. */
  wake(entry: FlowEntry<T>): void {
    if (entry.state !== EntryState.Backoff && entry.state !== EntryState.Held) return;
    entry.state = EntryState.Ready;
    this.#ready.push(entry);
  }

  /**
   * The entry is delivered or dead-lettered: its key's next message may run. Returns the new
   * commit offset when it moved.
   */
  finish(entry: FlowEntry<T>): number | undefined {
    if (entry.state === EntryState.Done) return undefined;
    if (entry.state === EntryState.Running) this.#running--;
    if (entry.state === EntryState.Stuck) this.#stuck--;
    entry.state = EntryState.Done;
    this.#live.delete(entry);
    this.#releaseChain(entry);
    const before = this.commitOffset();
    this.#doneOffsets.add(entry.offset);
    // Done messages behind an unfinished one keep only their offset here, not the message.
    for (let head = this.#order[this.#orderHead]; head !== undefined && this.#doneOffsets.delete(head);) {
      head = this.#order[++this.#orderHead];
    }
    if (this.#orderHead >= COMPACT_AFTER && this.#orderHead * 2 >= this.#order.length) {
      this.#order = this.#order.slice(this.#orderHead);
      this.#orderHead = 0;
    }
    const after = this.commitOffset();
    return after !== before ? after : undefined;
  }

  /** The entry failed for good and cannot be dead-lettered: it stays unfinished, its chain held. */
  stick(entry: FlowEntry<T>): void {
    if (entry.state === EntryState.Running) this.#running--;
    if (entry.state !== EntryState.Stuck) this.#stuck++;
    entry.state = EntryState.Stuck;
  }

  /**
   * The offset to commit: the lowest accepted offset not done, or one past the last accepted when
   * all are done; `undefined` before the first message.
   */
  commitOffset(): number | undefined {
    return this.#order[this.#orderHead] ?? this.#nextOffset;
  }

  /** Every entry not done, oldest first (shutdown and status). */
  unfinished(): FlowEntry<T>[] {
    return [...this.#live];
  }

  #releaseChain(entry: FlowEntry<T>): void {
    const { chain } = entry;
    if (chain === undefined) return;
    const next = entry.next;
    entry.next = undefined;
    if (next !== undefined) {
      next.state = EntryState.Ready;
      this.#ready.push(next);
    } else if (this.#tails.get(chain) === entry) {
      this.#tails.delete(chain);
    }
  }
}
