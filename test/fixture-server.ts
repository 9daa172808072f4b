import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

/**
 * A real HTTP server on 127.0.0.1 (random port) for sources to extract from. Routes are set per
 * test; every request is recorded so tests can assert how often a source called.
 */
export async function startFixtureServer() {
  const routes = new Map<string, Handler>();
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", origin);
    requests.push(url.pathname + url.search);
    const handler = routes.get(url.pathname);
    if (!handler) {
      res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
      return;
    }
    handler(req, res, url);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    requests,
    route(path: string, handler: Handler) {
      routes.set(path, handler);
    },
    /** Serves `pages` as JSON, one per `?page=N` (from 1), each linking the next as an absolute `links.next` URL. */
    paginated(path: string, pages: unknown[][]) {
      routes.set(path, (_req, res, url) => {
        const page = Number(url.searchParams.get("page") ?? "1");
        const next = page < pages.length ? `${origin}${path}?page=${page + 1}` : null;
        sendJson(res, 200, { data: { items: pages[page - 1] ?? [] }, links: { next } });
      });
    },
    /** `pages` pages of one record each (`{ id: page }`), every page answered after `delayMs`: a run that is still reading. */
    slow(path: string, pages: number, delayMs: number) {
      routes.set(path, (_req, res, url) => {
        const page = Number(url.searchParams.get("page") ?? "1");
        const next = page < pages ? `${origin}${path}?page=${page + 1}` : null;
        setTimeout(() => sendJson(res, 200, { data: { items: [{ id: page }] }, links: { next } }), delayMs);
      });
    },
    requestsTo(path: string): number {
      return requests.filter((r) => r === path || r.startsWith(`${path}?`)).length;
    },
    reset() {
      routes.clear();
      requests.length = 0;
    },
    close(): Promise<void> {
      server.closeAllConnections();
      return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

export type FixtureServer = Awaited<ReturnType<typeof startFixtureServer>>;

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
}
