import { connect, createServer, type Server, type Socket } from "node:net";

/**
 * A TCP proxy in front of PostgreSQL for one worker process: cutting it makes PostgreSQL
 * unreachable for that worker only (open sessions reset, new ones refused) while the shared
 * server and every other client carry on; restoring it brings the same address back.
 */
export async function startPostgresProxy(target: URL) {
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(Number(target.port || 5432), target.hostname);
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on("close", () => sockets.delete(socket)).on("error", () => undefined);
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, "127.0.0.1", () => {
        port = (server!.address() as { port: number }).port;
        resolve();
      });
    });
  await listen();
  return {
    /** The database URL through the proxy. */
    url(): string {
      const url = new URL(target);
      url.host = `127.0.0.1:${port}`;
      return url.toString();
    },
    async cut(): Promise<void> {
      const closing = new Promise((resolve) => server?.close(resolve));
      for (const socket of sockets) socket.resetAndDestroy();
      await closing;
      server = null;
    },
    restore: listen,
    async close(): Promise<void> {
      if (server) await this.cut();
    },
  };
}
