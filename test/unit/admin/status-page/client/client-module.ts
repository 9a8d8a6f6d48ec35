import { join } from "node:path";
import { pathToFileURL } from "node:url";

const CLIENT = join(
  import.meta.dirname,
  "..",
  "..",
  "..",
  "..",
  "..",
  "src",
  "admin",
  "status-page",
  "client",
);

/**
 * Imports one of the status page's browser modules into Node, for the parts that need no DOM.
 * They are JavaScript checked by their own tsconfig, which the Node program does not load, so the
 * caller states the shape it uses; a non-literal specifier keeps tsc from resolving the file.
 */
export async function clientModule<T>(name: string): Promise<T> {
  return (await import(pathToFileURL(join(CLIENT, name)).href)) as T;
}
