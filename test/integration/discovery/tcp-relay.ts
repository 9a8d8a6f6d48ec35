/**
 * A TCP relay for the "watch that dies silently" case: it forwards bytes both ways until
 * {@link TcpRelay.cut}, after which it stops carrying them but closes nothing (a NAT entry or a
 * firewall that silently drops packets). Bytes already sent wait, as TCP would retransmit them,
 * and flow again after {@link TcpRelay.restore}. New connections are accepted while cut, and hang.
 */
import { once } from "node:events";
import { connect, createServer, type AddressInfo, type Server, type Socket } from "node:net";

export class TcpRelay {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  /** Chunks read just before a cut, delivered in order on restore. */
  #held: Array<{ to: Socket; chunk: Buffer }> = [];
  #cut = false;
  #accepted = 0;

  private constructor(target: { host: string; port: number }) {
    this.#server = createServer((client) => {
      this.#accepted += 1;
      const upstream = connect(target.port, target.host);
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket);
        socket.on("close", () => this.#sockets.delete(socket));
        socket.on("error", () => undefined);
        if (this.#cut) socket.pause();
      }
      // Not pipe(): a pipe resumes its source on the destination's "drain", even while cut.
      this.#forward(client, upstream);
      this.#forward(upstream, client);
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
    });
  }

  static async start(target: { host: string; port: number }): Promise<TcpRelay> {
    const relay = new TcpRelay(target);
    relay.#server.listen(0, "127.0.0.1");
    await once(relay.#server, "listening");
    return relay;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Connections accepted so far (each reconnect of the client is one). */
  get accepted(): number {
    return this.#accepted;
  }

  /** Stops carrying bytes, closing nothing. */
  cut(): void {
    this.#cut = true;
    for (const socket of this.#sockets) socket.pause();
  }

  /** Carries bytes again, the held ones first. */
  restore(): void {
    this.#cut = false;
    for (const { to, chunk } of this.#held.splice(0)) if (!to.destroyed) to.write(chunk);
    for (const socket of this.#sockets) socket.resume();
  }

  #forward(from: Socket, to: Socket): void {
    from.on("data", (chunk: Buffer) => {
      if (this.#cut) this.#held.push({ to, chunk });
      else to.write(chunk);
    });
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    this.#server.close();
    await once(this.#server, "close");
  }
}
