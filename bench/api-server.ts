/**
 * The REST API served in-process: a plain node:http server that hands each request to the same
 * route handler module Next.js would (app/api/v1/…/route.ts), as a NextRequest with async params.
 * Everything a request does — authentication, rate limiting, permission checks, zod parsing, the
 * services and their SQL — runs as in production; only Next's own router and rendering are left
 * out, which is a few tenths of a millisecond per request. It spares the benchmark a `next build`
 * (minutes and ~700 MB on this machine) and keeps it runnable on a fresh clone.
 *
 * It runs as a process of its own (startApiProcess), as the web server does in production: the
 * load generator and the benchmark's bookkeeping must not share its event loop.
 */
import { fork } from "node:child_process";
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { Readable } from "node:stream";
import type { AddressInfo } from "node:net";
import { NextRequest } from "next/server";

type Handler = (req: NextRequest, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
type Route = { method: string; pattern: RegExp; handler: Handler };

async function routes(): Promise<Route[]> {
  const files = await import("@/app/api/v1/files/route");
  const jobs = await import("@/app/api/v1/jobs/route");
  const jobRuns = await import("@/app/api/v1/jobs/[id]/runs/route");
  const run = await import("@/app/api/v1/runs/[id]/route");
  const results = await import("@/app/api/v1/runs/[id]/results/route");
  const connections = await import("@/app/api/v1/connections/route");
  const token = await import("@/app/api/v1/auth/token/route");
  return [
    { method: "POST", pattern: /^\/api\/v1\/auth\/token$/, handler: token.POST as Handler },
    { method: "POST", pattern: /^\/api\/v1\/files$/, handler: files.POST as Handler },
    { method: "POST", pattern: /^\/api\/v1\/connections$/, handler: connections.POST as Handler },
    { method: "POST", pattern: /^\/api\/v1\/jobs$/, handler: jobs.POST as Handler },
    { method: "POST", pattern: /^\/api\/v1\/jobs\/(?<id>[^/]+)\/runs$/, handler: jobRuns.POST as Handler },
    { method: "GET", pattern: /^\/api\/v1\/runs\/(?<id>[^/]+)$/, handler: run.GET as Handler },
    { method: "GET", pattern: /^\/api\/v1\/runs\/(?<id>[^/]+)\/results$/, handler: results.GET as Handler },
  ];
}

/** Starts this module as a child process with the given environment; resolves once it listens. */
export async function startApiProcess(env: Record<string, string>): Promise<{ url: string; close: () => Promise<void> }> {
  const child = fork(new URL(import.meta.url).pathname, ["serve"], {
    execArgv: ["--conditions=react-server", "--import", "tsx"],
    env: { ...process.env, ...env } as NodeJS.ProcessEnv,
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const [message] = (await once(child, "message")) as [{ url: string }];
  return {
    url: message.url,
    close: async () => {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await once(child, "exit");
    },
  };
}

async function startApiServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const table = await routes();
  const server: Server = createServer((req, res) => {
    void serve(table, req, res).catch((error) => {
      console.error("[bench api]", error);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function serve(table: Route[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "127.0.0.1"}`);
  const route = table.find((r) => r.method === req.method && r.pattern.test(url.pathname));
  if (!route) {
    res.writeHead(404).end();
    return;
  }
  const params = { ...route.pattern.exec(url.pathname)!.groups };
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === "string") headers.set(name, value);
    else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  const request = new NextRequest(url, {
    method: req.method,
    headers,
    body: hasBody ? (Readable.toWeb(req) as ReadableStream) : undefined,
    // A streamed request body needs duplex: "half" in undici's fetch Request.
    duplex: hasBody ? "half" : undefined,
  });
  const response = await route.handler(request, { params: Promise.resolve(params) });
  res.writeHead(response.status, Object.fromEntries(response.headers));
  if (!response.body) {
    res.end();
    return;
  }
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk);
  res.end();
}

if (process.argv[2] === "serve") {
  const { url } = await startApiServer();
  process.send?.({ url });
}
