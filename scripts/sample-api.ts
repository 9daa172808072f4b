import http from "node:http";

/**
 * A small paginated JSON API to try DataFlowHub against without internet access:
 * GET /orders?page=N answers 25 nested orders a page for 4 pages, with `next` holding the next page's URL.
 */
const PORT = Number(process.argv[2] ?? 4000);
const PAGES = 4;
const PAGE_SIZE = 25;

function order(n: number) {
  return {
    id: n,
    status: n % 5 === 0 ? "refunded" : "paid",
    total: Math.round((n * 37.31) % 500) + 0.99,
    createdAt: new Date(Date.UTC(2026, 0, 1 + (n % 28), n % 24)).toISOString(),
    customer: { name: `Customer ${n % 17}`, address: { city: ["Lyon", "Porto", "Turku", "Graz"][n % 4] } },
    items: [{ sku: `SKU-${n % 9}`, qty: 1 + (n % 3) }],
  };
}

http
  .createServer((req, res) => {
    const url = new URL(req.url ?? "/", `http://127.0.0.1:${PORT}`);
    if (url.pathname !== "/orders") {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "not found" }));
      return;
    }
    const page = Math.max(1, Number(url.searchParams.get("page") ?? 1));
    const results = page > PAGES ? [] : Array.from({ length: PAGE_SIZE }, (_, i) => order((page - 1) * PAGE_SIZE + i + 1));
    const next = page < PAGES ? `http://127.0.0.1:${PORT}/orders?page=${page + 1}` : null;
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data: { results }, next }));
  })
  .listen(PORT, "127.0.0.1", () => console.log(`Sample API on http://127.0.0.1:${PORT}/orders`));
