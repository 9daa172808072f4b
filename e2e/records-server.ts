import http from "node:http";
import type { AddressInfo } from "node:net";

/** One customer as the fixture API returns it: nested objects, so a normalize step matters. */
export type Customer = {
  id: number;
  name: string;
  address: { city: string; country: string };
  metrics: { score: number; orders: number };
  tags: string[];
};

const CITIES = [
  ["Lisbon", "PT"],
  ["Oslo", "NO"],
  ["Quito", "EC"],
  ["Hanoi", "VN"],
  ["Dakar", "SN"],
] as const;

export const PAGE_SIZE = 20;
export const PAGES = 3;

export const customers: Customer[] = Array.from({ length: PAGE_SIZE * PAGES }, (_, i) => {
  const id = i + 1;
  const [city, country] = CITIES[i % CITIES.length]!;
  return {
    id,
    name: `Customer ${String(id).padStart(2, "0")}`,
    address: { city, country },
    // A permutation of 0..59, so sorting by score is unlike sorting by id.
    metrics: { score: (id * 37) % 60, orders: id % 7 },
    tags: id % 2 === 0 ? ["even"] : ["odd", "vip"],
  };
});

/**
 * A small JSON API on 127.0.0.1 serving `customers` in pages, linked by a next URL in the body
 * (`links.next`), the way many REST APIs do; `/slow` never answers in time and any other path is
 * a 404. The worker fetches it during a run.
 */
export async function startRecordsServer(): Promise<{ url: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    requests.push(url.pathname + url.search);
    if (url.pathname === "/slow") {
      // Answers only when the client gives up: a run stays in extract until it is cancelled.
      const timer = setTimeout(() => res.writeHead(200, { "content-type": "application/json" }).end("[]"), 60_000);
      req.socket.once("close", () => clearTimeout(timer));
      return;
    }
    if (url.pathname !== "/customers") {
      res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
      return;
    }
    const page = Math.max(1, Number(url.searchParams.get("page") ?? "1"));
    const data = customers.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
    const { port } = server.address() as AddressInfo;
    const next = page < PAGES ? `http://127.0.0.1:${port}/customers?page=${page + 1}` : null;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ data, links: { next }, meta: { page, total: customers.length } }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/customers`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
