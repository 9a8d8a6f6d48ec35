/** Bad input to `traceway load` (option, threshold, URL, unreachable target): one line, exit 2. */
export class LoadInputError extends Error {
  override readonly name = "LoadInputError";
}

/** Exit codes of `traceway load`: the contract a CI job relies on. */
export const EXIT_OK = 0;
export const EXIT_THRESHOLD_FAILED = 1;
export const EXIT_BAD_INPUT = 2;
/** Ctrl-C: the report of the finished steps is written, then 128 + SIGINT as shells expect. */
export const EXIT_INTERRUPTED = 130;
