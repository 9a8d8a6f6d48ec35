import { join } from "node:path";

/** Repository root (bench/lib → ../..). */
export const ROOT = join(import.meta.dirname, "..", "..");
/** Generated configs, bodies, logs and pid files; git-ignored via `.services/`. */
export const WORK_DIR = join(ROOT, ".services", "bench");
/** Node 22 from the `node` devDependency; the system node is older and cannot strip types. */
export const NODE = join(ROOT, "node_modules", ".bin", "node");
export const RESULTS_DIR = join(ROOT, "bench", "results");
