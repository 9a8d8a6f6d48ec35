/**
 * Entry of every worker process of a multi-worker instance (`node:cluster` runs this module in
 * each; see worker-set.ts). It waits for its primary's init message.
 */
import { WorkerProcess } from "./worker-process.ts";

new WorkerProcess().start();
