import { createServer } from "node:net";

/**
 * A port the kernel just handed out on 127.0.0.1 and released again. Racy in theory (another process
 * could take it before the child binds), but ephemeral ports are handed out round-robin, so a fresh
 * one is not reused within a bench run; fixed ports would collide with other checkouts' test runs.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  return address.port;
}
