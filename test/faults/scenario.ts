import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { db, sql } from "@/lib/db/client";
import { datasetTableName, qualified } from "@/lib/db/identifiers";
import { getRun, type RunRow } from "@/lib/db/queries/runs";
import { env } from "@/lib/env";
import { finishedStatuses } from "@/lib/schemas/runs";
import { createUser, resetDatabase, resetQueue } from "../db";
import { sendJson, startFixtureServer, type FixtureServer } from "../fixture-server";
import { createJob } from "../integration/jobs";
import { startWorker, type WorkerProcess } from "./workers";

/**
 * What a fault scenario file shares: a fixture server for the whole file, an empty database and
 * queue before each test, and the worker processes a test started (`worker`) stopped after it.
 */
export function faultScenario() {
  let server: FixtureServer | undefined;
  const workers: WorkerProcess[] = [];
  beforeAll(async () => {
    server = await startFixtureServer();
  });
  afterAll(async () => {
    await server?.close();
  });
  beforeEach(async () => {
    await resetQueue();
    await resetDatabase();
    server!.reset();
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
  });
  return {
    get fixture(): FixtureServer {
      return server!;
    },
    async worker(name: string, env: Record<string, string> = {}): Promise<WorkerProcess> {
      const started = await startWorker(name, env);
      workers.push(started);
      return started;
    },
  };
}

/**
 * Serves `pages` pages of `perPage` records (ids 1, 2, 3 … across pages) at `path`, each after
 * `delayMs`, linked by `links.next`: a source that keeps a run busy loading for a known time and
 * whose complete, duplicate-free load is easy to check.
 */
export function slowPages(fixture: FixtureServer, path: string, { pages, perPage, delayMs }: { pages: number; perPage: number; delayMs: number }) {
  fixture.route(path, (_req, res, url) => {
    const page = Number(url.searchParams.get("page") ?? "1");
    const items = Array.from({ length: perPage }, (_, i) => ({ id: (page - 1) * perPage + i + 1, page, label: `row ${page}.${i}` }));
    const next = page < pages ? `${fixture.origin}${path}?page=${page + 1}` : null;
    setTimeout(() => sendJson(res, 200, { data: { items }, links: { next } }), delayMs);
  });
}

export async function jobReading(url: string, extra: Record<string, unknown> = {}) {
  const { user, workspace } = await createUser();
  const job = await createJob({
    workspaceId: workspace.id,
    userId: user.id,
    name: `Faults ${Date.now()}`,
    definition: {
      source: { type: "http", url, recordsPath: "data.items", pagination: { type: "next_url", nextUrlPath: "links.next" } },
      retry: { attempts: 3, backoffSeconds: 1 },
      ...extra,
    },
  });
  return { job, user, workspace };
}

export async function waitFor<T>(what: string, check: () => Promise<T | undefined | null | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function waitForFinished(runId: string, timeoutMs = 60_000): Promise<RunRow> {
  return waitFor(`run ${runId} to finish`, async () => {
    const run = await getRun(db, runId);
    return run && finishedStatuses.includes(run.status) ? run : undefined;
  }, timeoutMs);
}

/** The dataset's rows as (id, _run_id), in id order, with how many distinct ids there are. */
export async function datasetIds(jobId: string) {
  const table = qualified(env.DATASET_SCHEMA, datasetTableName(jobId));
  const rows = await sql.unsafe<{ id: number; run_id: string }[]>(`SELECT id::int AS id, _run_id::text AS run_id FROM ${table} ORDER BY id`);
  return { ids: rows.map((r) => r.id), runIds: [...new Set(rows.map((r) => r.run_id))] };
}

export const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
