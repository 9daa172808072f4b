/**
 * The benchmark (npm run bench; not part of npm test). Generates its data from a fixed seed,
 * starts what it needs — its own database and queue prefix, the REST API in-process
 * (bench/api-server.ts), worker processes (worker/index.ts) — and measures, each figure the
 * median of BENCH_REPEAT runs (default 3):
 *   floors (psql \copy of the same data), a CSV file job, a paginated HTTP JSON job and a
 *   PostgreSQL-source job end to end through the API (each run paired with the median of
 *   FLOOR_SAMPLES runs of its floor just before it, the ratio the median of the pairs'), worker
 *   peak RSS at 1M and 5M rows, the results API (sequential latency and load), queue latency
 *   and scale-out over worker processes.
 * Prints a table and writes bench/out/bench-<time>.json. Everything it created is dropped at the end.
 *
 * Usage: npm run bench        BENCH_REPEAT=1 BENCH_ROWS=200000 npm run bench  (a quick smoke run)
 *        BENCH_ONLY=results,queue BENCH_BIG_ROWS=1000000 npm run bench  (some sections; see SECTIONS)
 */
import "./bench-env";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { openAsBlob } from "node:fs";
import path from "node:path";
import type { AddressInfo } from "node:net";
import autocannon from "autocannon";
import type { Redis } from "ioredis";
import { benchEnv, SERVER_URL, SOURCE_DATABASE, SOURCE_DATABASE_URL } from "./bench-env";
import { startApiProcess } from "./api-server";
import { CSV_TABLE_COLUMNS, CUSTOMER_TABLE_COLUMNS, customerPage, writeCustomersCsv, writeOrdersCsv } from "./seeded-data";
import { currentRssMb, peakRssMb, resetPeakRss, startWorker, stopWorker } from "./worker-process";

const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
/**
 * The memory case's pairs of runs (1M rows, then 5M), each figure the median of its runs like
 * every case: one run's peak is one sample of when the collector ran, and single runs of the same
 * code peaked at 191 and 219 MB. Three pairs take about a minute. Each run's peak is kept in the
 * JSON (`runs`).
 */
const BIG_REPEAT = Number(process.env.BENCH_BIG_REPEAT ?? 3);
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const BIG_ROWS = Number(process.env.BENCH_BIG_ROWS ?? 5 * ROWS);
const JSON_RECORDS = Number(process.env.BENCH_JSON_RECORDS ?? ROWS / 5);
const PAGE_SIZE = 1000;
const QUEUE_RUNS = 50;
const SCALE_JOBS = 20;
const SCALE_ROWS = 10_000;

/**
 * BENCH_ONLY (comma-separated) measures some sections and skips the rest, still building what
 * those need: `results` reads the dataset `memory` loads, so it runs that section too.
 */
const SECTIONS = ["floors", "csv", "http", "postgres", "memory", "results", "queue", "scale"] as const;
type Section = (typeof SECTIONS)[number];
const ONLY = new Set((process.env.BENCH_ONLY ?? "").split(",").map((s) => s.trim()).filter(Boolean));
for (const name of ONLY) if (!SECTIONS.includes(name as Section)) throw new Error(`BENCH_ONLY: unknown section "${name}"; known: ${SECTIONS.join(", ")}`);
const NEEDS: Partial<Record<Section, Section[]>> = { memory: ["results"] };
const measures = (section: Section) => ONLY.size === 0 || ONLY.has(section) || (NEEDS[section] ?? []).some((s) => ONLY.has(s));

type Case = {
  name: string;
  rows: number;
  rowsPerSecond: number;
  seconds: number;
  peakRssMb?: number;
  floor?: string;
  ratio?: number;
  note?: string;
  /** Each run's figures, of which the fields above are medians: in the JSON, not the table. */
  runs?: { seconds: number[]; peakRssMb: number[]; ratio: number[] };
};
type Latency = { name: string; p50: number; p95: number; requests: number };

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (n: number, digits = 0) => Math.round(n * 10 ** digits) / 10 ** digits;

function psql(database: string, command: string): Promise<void> {
  const url = new URL(SERVER_URL);
  url.pathname = `/${database}`;
  const child = spawn("psql", [url.toString(), "-v", "ON_ERROR_STOP=1", "-q", "-c", command], {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, PGOPTIONS: "-c client_min_messages=warning" },
  });
  return once(child, "exit").then(([code]) => {
    if (code !== 0) throw new Error(`psql failed (${code}): ${command}`);
  });
}

/** The floor: psql \copy of a CSV into an equivalent fresh table, the practical load limit of this machine; `copy` answers its seconds. */
type Floor = { name: string; rows: number; copy: () => Promise<number> };

function floor(database: string, file: string, columns: string, rows: number, name: string): Floor {
  const copy = async () => {
    await psql(database, `DROP TABLE IF EXISTS bench_floor; CREATE TABLE bench_floor (${columns})`);
    const started = performance.now();
    await psql(database, `\\copy bench_floor FROM '${file}' WITH (FORMAT csv, HEADER true)`);
    const seconds = (performance.now() - started) / 1000;
    await psql(database, "DROP TABLE IF EXISTS bench_floor");
    return seconds;
  };
  return { name, rows, copy };
}

/**
 * Runs of the floor behind each run of a job: one psql \copy of 200k rows lasts half a second,
 * and its time swung from 0.5 to 0.9 s from one run to the next (a checkpoint or psql's own start,
 * probably), which put more noise into the pair's ratio than the job's own time did.
 */
const FLOOR_SAMPLES = 3;

async function floorSeconds(spec: Floor): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < FLOOR_SAMPLES; i++) runs.push(await spec.copy());
  return median(runs);
}

/** The floor on its own, REPEAT times: the row of the table that shows it. */
async function measureFloor(spec: Floor): Promise<Case> {
  const runs: number[] = [];
  for (let i = 0; i < REPEAT; i++) runs.push(await spec.copy());
  const seconds = median(runs);
  return { name: spec.name, rows: spec.rows, seconds: round(seconds, 2), rowsPerSecond: Math.round(spec.rows / seconds) };
}

/** A paginated JSON API on this machine: `next_url` pagination, PAGE_SIZE records a page, bodies prepared beforehand. */
async function startJsonServer(records: number) {
  const pages = Math.ceil(records / PAGE_SIZE);
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const bodies = Array.from({ length: pages }, (_, i) =>
    Buffer.from(JSON.stringify({ data: customerPage(i + 1, PAGE_SIZE), links: { next: i + 1 < pages ? `${base}/customers?page=${i + 2}` : null } })),
  );
  server.on("request", (req, res) => {
    const page = Number(new URL(req.url ?? "/", base).searchParams.get("page") ?? 1);
    const body = bodies[page - 1];
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": "application/json", "content-length": body.length }).end(body);
  });
  return { url: `${base}/customers?page=1`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function deleteKeys(redis: Redis, pattern: string): Promise<void> {
  for await (const keys of redis.scanStream({ match: pattern, count: 1000 }) as AsyncIterable<string[]>) {
    if (keys.length > 0) await redis.del(...keys);
  }
}

async function main() {
  const started = Date.now();
  const { migrateDatabase, dropDatabase } = await import("@/lib/db/migrate");
  await migrateDatabase(benchEnv.DATABASE_URL!, benchEnv.DATASET_SCHEMA!);
  const { db, sql, closeDb } = await import("@/lib/db/client");
  const { createUserWithWorkspace } = await import("@/lib/db/queries/users");
  const { createApiToken } = await import("@/lib/db/queries/tokens");
  const { closeQueues, producerRedis } = await import("@/lib/queue/producer");
  const { datasetTableName, qualified } = await import("@/lib/db/identifiers");
  const appDatabase = new URL(benchEnv.DATABASE_URL!).pathname.slice(1);

  const dir = await mkdtemp(path.join(tmpdir(), "dfh-bench-"));
  const api = await startApiProcess(benchEnv);
  const workers: ReturnType<typeof startWorker>[] = [];
  const cases: Case[] = [];
  const latencies: Latency[] = [];
  const extra: Record<string, unknown> = {};
  let jsonServer: Awaited<ReturnType<typeof startJsonServer>> | undefined;
  try {
    const { user } = await createUserWithWorkspace(db, { email: "bench@example.test", name: "bench", password: "benchmark-password", workspaceName: "bench" });
    const { token } = await createApiToken(db, user.id, "bench");
    const call = async (method: string, route: string, body?: unknown) => {
      const res = await fetch(`${api.url}${route}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = (await res.json()) as Record<string, unknown>;
      if (res.status >= 300) throw new Error(`${method} ${route} answered ${res.status}: ${JSON.stringify(json)}`);
      return json;
    };
    const upload = async (file: string) => {
      const form = new FormData();
      form.append("file", await openAsBlob(file), path.basename(file));
      const res = await fetch(`${api.url}/api/v1/files`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: form });
      const json = (await res.json()) as { id: string };
      if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${JSON.stringify(json)}`);
      return json.id;
    };
    let jobCount = 0;
    const createJob = async (source: unknown, transform: unknown[] = []) =>
      (await call("POST", "/api/v1/jobs", {
        name: `bench ${++jobCount}`,
        source,
        transform,
        destination: { type: "dataset", mode: "replace" },
        retry: { attempts: 1, backoffSeconds: 1 },
      })) as { id: string };
    type Run = { id: string; status: string; createdAt: string; startedAt: string | null; finishedAt: string | null; rowsExtracted: number; rowsLoaded: number; error: unknown };
    const trigger = async (jobId: string) => (await call("POST", `/api/v1/jobs/${jobId}/runs`)) as unknown as Run;
    const finished = async (runId: string, pollMs = 100): Promise<Run> => {
      for (;;) {
        const run = (await call("GET", `/api/v1/runs/${runId}`).catch((error: Error) => {
          // A 503 (the machine's PostgreSQL out of connections for a moment) is retried like a browser would.
          if (/answered 503/.test(error.message)) return { status: "pending" };
          throw error;
        })) as unknown as Run;
        if (run.status === "success") return run;
        if (run.status === "failed" || run.status === "cancelled") throw new Error(`run ${runId} ${run.status}: ${JSON.stringify(run.error)}`);
        if (workers.some((w) => w.exitCode !== null)) throw new Error("a worker process exited during the benchmark");
        await sleep(pollMs);
      }
    };
    /**
     * Lets PostgreSQL's upkeep of a run's dataset end before anything else is measured: the ANALYZE
     * the run starts after its commit (or, when that has not started yet and then gives way to the
     * lock, the one here), and a VACUUM in place of the one autovacuum would start on a million
     * fresh rows within a minute, in the middle of whichever run came next.
     */
    const settle = async (jobId: string) => {
      while ((await sql`SELECT 1 FROM pg_stat_progress_analyze WHERE datname = current_database()`).length > 0) await sleep(50);
      await sql.unsafe(`VACUUM (ANALYZE) ${qualified(benchEnv.DATASET_SCHEMA!, datasetTableName(jobId))}`);
    };
    type Sample = { seconds: number; peakRssMb: number; rows: number; runId: string; ratio?: number };
    /**
     * Runs a job once on the first worker process; wall time from the trigger to `success` (the
     * run's own timestamps) and the worker's peak RSS during it. With a floor, the run follows
     * FLOOR_SAMPLES runs of the floor and is compared with their median: this machine's speed
     * drifts by a third within minutes, and a ratio of runs made minutes apart would measure the
     * drift.
     */
    const sampleJob = async (jobId: string, floorSpec?: Floor): Promise<Sample> => {
      const worker = workers[0]!;
      const pairedFloor = floorSpec ? await floorSeconds(floorSpec) : undefined;
      await resetPeakRss(worker.pid!);
      const run = await finished((await trigger(jobId)).id, 250);
      const seconds = (Date.parse(run.finishedAt!) - Date.parse(run.createdAt)) / 1000;
      const peak = await peakRssMb(worker.pid!);
      await settle(jobId);
      const ratio = floorSpec && pairedFloor ? run.rowsExtracted / seconds / (floorSpec.rows / pairedFloor) : undefined;
      return { seconds, peakRssMb: peak, rows: run.rowsExtracted, runId: run.id, ratio };
    };
    /** A case from its runs: median wall time and peak, and the median of the runs' ratios to their floors. */
    const summarize = (name: string, samples: Sample[], floorSpec?: Floor) => {
      const seconds = median(samples.map((x) => x.seconds));
      const rows = samples.at(-1)!.rows;
      const ratios = samples.flatMap((x) => (x.ratio === undefined ? [] : [x.ratio]));
      const result: Case = {
        name,
        rows,
        seconds: round(seconds, 2),
        rowsPerSecond: Math.round(rows / seconds),
        peakRssMb: Math.round(median(samples.map((x) => x.peakRssMb))),
        runs: { seconds: samples.map((x) => round(x.seconds, 2)), peakRssMb: samples.map((x) => Math.round(x.peakRssMb)), ratio: ratios.map((x) => round(x, 2)) },
      };
      if (floorSpec) Object.assign(result, { floor: floorSpec.name, ratio: round(median(ratios), 2) });
      cases.push(result);
      console.log(JSON.stringify(result));
    };
    /** Runs a job REPEAT times, one after the other, as one case. */
    const measureJob = async (name: string, jobId: string, floorSpec?: Floor) => {
      const samples: Sample[] = [];
      for (let i = 0; i < REPEAT; i++) samples.push(await sampleJob(jobId, floorSpec));
      summarize(name, samples, floorSpec);
    };

    // Data, generated once from fixed seeds.
    const ordersCsv = path.join(dir, "orders.csv");
    const bigCsv = path.join(dir, "orders-big.csv");
    const smallCsv = path.join(dir, "orders-small.csv");
    const tinyCsv = path.join(dir, "orders-tiny.csv");
    const customersCsv = path.join(dir, "customers.csv");
    if (["floors", "csv", "postgres", "memory"].some((s) => measures(s as Section))) await writeOrdersCsv(ordersCsv, ROWS);
    if (measures("memory")) await writeOrdersCsv(bigCsv, BIG_ROWS, 43);
    if (measures("scale")) await writeOrdersCsv(smallCsv, SCALE_ROWS, 44);
    await writeOrdersCsv(tinyCsv, 10, 45);
    if (measures("floors")) await writeCustomersCsv(customersCsv, Math.ceil(JSON_RECORDS / PAGE_SIZE), PAGE_SIZE);
    if (measures("http")) jsonServer = await startJsonServer(JSON_RECORDS);

    // 1. Floors.
    let csvFloor: Floor | undefined;
    let jsonFloor: Floor | undefined;
    if (measures("floors")) {
      csvFloor = floor(appDatabase, ordersCsv, CSV_TABLE_COLUMNS, ROWS, "floor: psql \\copy orders CSV");
      jsonFloor = floor(appDatabase, customersCsv, CUSTOMER_TABLE_COLUMNS, JSON_RECORDS, "floor: psql \\copy customers, pre-flattened CSV");
      const measured = [await measureFloor(csvFloor), await measureFloor(jsonFloor)];
      cases.push(...measured);
      console.log(...measured.map((c) => JSON.stringify(c)));
    }

    workers.push(startWorker(benchEnv));
    const tinyJob = await createJob({ type: "file", fileId: await upload(tinyCsv), format: "csv" });
    // The first run of a process loads the engine's modules into its run thread: not part of any figure.
    await finished((await trigger(tinyJob.id)).id);
    extra.workerIdleRssMb = Math.round(await currentRssMb(workers[0]!.pid!));

    const csvSteps = [
      { op: "filter", expr: "d => d.id % 100 != 0" },
      { op: "derive", columns: { amount_eur: "d => d.amount * 0.92" } },
      { op: "cast", columns: { ordered_at: "timestamp", paid: "boolean" } },
    ];

    // The orders file, uploaded once for the CSV job and the memory case.
    let ordersFile: string | undefined;
    const ordersFileId = async () => (ordersFile ??= await upload(ordersCsv));

    // 2. CSV file job through the API.
    if (measures("csv")) {
      const uploadStarted = performance.now();
      const ordersFile = await ordersFileId();
      extra.uploadSeconds = round((performance.now() - uploadStarted) / 1000, 2);
      const csvJob = await createJob({ type: "file", fileId: ordersFile, format: "csv" }, csvSteps);
      await measureJob(`CSV file job, ${ROWS.toLocaleString("en")} rows (filter, derive, cast; replace)`, csvJob.id, csvFloor);
    }

    // 3. Paginated HTTP JSON job.
    if (measures("http") && jsonServer) {
      const httpJob = await createJob(
        { type: "http", url: jsonServer.url, recordsPath: "data", pagination: { type: "next_url", nextUrlPath: "links.next" }, maxPages: 100_000 },
        [
          { op: "normalize" },
          { op: "rename", columns: { "profile.name": "customer", "profile.email": "email", "profile.address.city": "city", "profile.address.zip": "zip", "stats.orders": "orders", "stats.spent": "spent" } },
        ],
      );
      await measureJob(`HTTP JSON job, ${JSON_RECORDS.toLocaleString("en")} nested records, ${PAGE_SIZE}/page`, httpJob.id, jsonFloor);
    }

    // 4. PostgreSQL source: the same orders, in a database of their own.
    if (measures("postgres")) {
      await psql("postgres", `CREATE DATABASE ${SOURCE_DATABASE}`);
      await psql(SOURCE_DATABASE, `CREATE TABLE orders (${CSV_TABLE_COLUMNS})`);
      await psql(SOURCE_DATABASE, `\\copy orders FROM '${ordersCsv}' WITH (FORMAT csv, HEADER true)`);
      await psql(SOURCE_DATABASE, "ANALYZE orders");
      const source = new URL(SOURCE_DATABASE_URL);
      const connection = (await call("POST", "/api/v1/connections", {
        type: "postgres",
        name: "bench source",
        host: source.hostname,
        port: Number(source.port || 5432),
        database: SOURCE_DATABASE,
        user: decodeURIComponent(source.username) || "postgres",
        ...(source.password ? { password: decodeURIComponent(source.password) } : {}),
      })) as { id: string };
      const pgJob = await createJob({ type: "postgres", connectionId: connection.id, query: "SELECT * FROM orders" });
      await measureJob(`PostgreSQL source, ${ROWS.toLocaleString("en")} rows`, pgJob.id, csvFloor);
    }

    // 5. Memory: the CSV job at ROWS and at BIG_ROWS rows, alternating on the same worker process,
    //    so that both peaks come from the same state of it; the last big run's dataset serves case 6.
    let bigRunId = "";
    if (measures("memory")) {
      const smallJob = await createJob({ type: "file", fileId: await ordersFileId(), format: "csv" }, csvSteps);
      const bigJob = await createJob({ type: "file", fileId: await upload(bigCsv), format: "csv" }, csvSteps);
      await rm(bigCsv);
      const small: Sample[] = [];
      const big: Sample[] = [];
      for (let i = 0; i < BIG_REPEAT; i++) {
        small.push(await sampleJob(smallJob.id));
        big.push(await sampleJob(bigJob.id, csvFloor));
      }
      summarize(`CSV file job, ${ROWS.toLocaleString("en")} rows (memory, alternating with the next)`, small);
      summarize(`CSV file job, ${BIG_ROWS.toLocaleString("en")} rows (memory)`, big, csvFloor);
      bigRunId = big.at(-1)!.runId;
    }

    // 6. Results API on the big dataset: sorted and filtered, first page, middle and end reached through `next`.
    if (measures("results")) latencies.push(...(await measureResults(api.url, token, bigRunId, extra)));

    // 7. Queue latency: trigger → running, with an idle worker.
    if (measures("queue")) {
      const waits: number[] = [];
      for (let i = 0; i < QUEUE_RUNS; i++) {
        const run = await finished((await trigger(tinyJob.id)).id, 20);
        waits.push(Date.parse(run.startedAt!) - Date.parse(run.createdAt));
      }
      latencies.push({ name: "queue: POST …/runs → running", p50: median(waits), p95: percentile(waits, 95), requests: QUEUE_RUNS });
      console.log(JSON.stringify(latencies.at(-1)));
    }

    // 8. Scale-out: the same 20 small jobs with 1 and 2 worker processes (one run at a time each).
    if (measures("scale")) {
      const smallFile = await upload(smallCsv);
      const scaleJobs = [];
      for (let i = 0; i < SCALE_JOBS; i++) scaleJobs.push(await createJob({ type: "file", fileId: smallFile, format: "csv" }, csvSteps));
      for (const processes of [1, 2]) {
        await Promise.all(workers.splice(0).map(stopWorker));
        for (let i = 0; i < processes; i++) workers.push(startWorker({ ...benchEnv, WORKER_CONCURRENCY: "1" }));
        await Promise.all(Array.from({ length: processes * 2 }, async () => finished((await trigger(tinyJob.id)).id)));
        const runs: number[] = [];
        for (let i = 0; i < REPEAT; i++) {
          const triggered = await Promise.all(scaleJobs.map((job) => trigger(job.id)));
          const done: Run[] = [];
          for (const run of triggered) done.push(await finished(run.id, 200));
          // From the first trigger to the last success, by the runs' own timestamps: polling adds nothing.
          runs.push((Math.max(...done.map((r) => Date.parse(r.finishedAt!))) - Math.min(...done.map((r) => Date.parse(r.createdAt)))) / 1000);
        }
        const seconds = median(runs);
        const rows = SCALE_JOBS * SCALE_ROWS;
        cases.push({ name: `scale-out: ${SCALE_JOBS} jobs × ${SCALE_ROWS.toLocaleString("en")} rows, ${processes} worker process${processes > 1 ? "es" : ""}`, rows, seconds: round(seconds, 2), rowsPerSecond: Math.round(rows / seconds), note: `${round(SCALE_JOBS / seconds, 2)} jobs/s` });
        console.log(JSON.stringify(cases.at(-1)));
      }
    }
  } finally {
    await Promise.all(workers.map(stopWorker));
    await jsonServer?.close();
    await api.close();
    await rm(dir, { recursive: true, force: true });
    // Everything under the benchmark's prefix: every queue its workers created, not only the runs',
    // and the API's rate-limit counters. Workers and API have stopped, so nothing writes there now.
    await deleteKeys(producerRedis(), `${benchEnv.QUEUE_PREFIX}:*`).catch(() => undefined);
    await closeQueues();
    await closeDb();
    await dropDatabase(benchEnv.DATABASE_URL!);
    await psql("postgres", `DROP DATABASE IF EXISTS ${SOURCE_DATABASE} WITH (FORCE)`).catch(() => undefined);
  }

  const machine = { cpus: cpus().length, cpu: cpus()[0]?.model, memoryGb: round(totalmem() / 2 ** 30, 1), node: process.version, loadAverage: loadavg().map((n) => round(n, 2)) };
  const report = { bigRepeat: BIG_REPEAT, finishedAt: new Date().toISOString(), minutes: round((Date.now() - started) / 60_000, 1), repeat: REPEAT, machine, cases, latencies, extra };
  await mkdir("bench/out", { recursive: true });
  const file = `bench/out/bench-${report.finishedAt.replace(/[:.]/g, "-")}.json`;
  await writeFile(file, JSON.stringify(report, null, 2));
  console.log(`\n${markdownTable(cases, latencies)}\n`);
  console.log(`also: ${JSON.stringify(extra)}`);
  console.log(`machine: ${machine.cpus}× ${machine.cpu}, ${machine.memoryGb} GB, Node ${machine.node}; load average at the end ${machine.loadAverage.join(" ")}; ${report.minutes} min`);
  console.log(`written: ${file}`);
}

/**
 * A `next` link 200 pages of 50 before the end of the data: found by walking to the end in pages
 * of 1,000, since the count past 10,000 rows is the planner's estimate and may miss by thousands.
 */
async function nearEnd(get: (url: string) => Promise<{ body: { next: string | null } }>, from: string): Promise<string> {
  const back = Math.ceil((200 * 50) / 1000) + 1;
  const visited: string[] = [];
  let current: string | null = from.replace(/pageSize=\d+/, "pageSize=1000");
  while (current) {
    visited.push(current);
    if (visited.length > back + 1) visited.shift();
    current = (await get(current)).body.next;
  }
  return visited[0]!.replace(/pageSize=\d+/, "pageSize=50");
}

/** Latency of GET /runs/{id}/results (200 sequential requests per position) and its throughput under autocannon. */
async function measureResults(base: string, token: string, runId: string, extra: Record<string, unknown>): Promise<Latency[]> {
  const headers = { authorization: `Bearer ${token}` };
  const first = `${base}/api/v1/runs/${runId}/results?sort=-amount&filter[city]=Lisbon&pageSize=50`;
  const get = async (url: string) => {
    const t0 = performance.now();
    const res = await fetch(url, { headers });
    const body = (await res.json()) as { count: number; next: string | null; results: unknown[] };
    if (res.status !== 200) throw new Error(`results answered ${res.status}: ${JSON.stringify(body)}`);
    return { ms: performance.now() - t0, body };
  };
  const firstAnswer = await get(first);
  extra.resultsFirstRequestMs = round(firstAnswer.ms, 1);
  extra.resultsCount = firstAnswer.body.count;
  // Indexes that fit a request are built on its first (lib/db/queries/result-indexes.ts); the bench waits for them.
  for (let i = 0; i < 600 && (await get(first)).ms > 100; i++) await sleep(500);

  const out: Latency[] = [];
  const series = async (name: string, next: (previous: string) => string | null, start: string) => {
    const times: number[] = [];
    let url: string | null = start;
    for (let i = 0; i < 200 && url; i++) {
      const { ms, body } = await get(url);
      times.push(ms);
      url = next(body.next ?? "") ?? body.next;
    }
    out.push({ name, p50: round(median(times), 1), p95: round(percentile(times, 95), 1), requests: times.length });
    console.log(JSON.stringify(out.at(-1)));
    return url;
  };
  await series("results: first page (sorted, filtered)", () => first, first);
  // Walk the `next` links with large pages to the middle, then measure 200 pages of 50; the same near the end.
  const total = Math.min(firstAnswer.body.count, 10_000_000);
  const walk = async (url: string, rows: number) => {
    let current = url.replace(/pageSize=\d+/, "pageSize=1000");
    for (let seen = 0; seen < rows; seen += 1000) {
      const { body } = await get(current);
      if (!body.next) break;
      current = body.next;
    }
    return current.replace(/pageSize=\d+/, "pageSize=50");
  };
  const middle = await walk(first, Math.floor(total / 2));
  const afterMiddle = await series("results: middle pages through next", () => null, middle);
  await series("results: last pages through next", () => null, await nearEnd(get, afterMiddle ?? middle));

  // The load that had the median rate of REPEAT, like every other figure: one 10 s window swings with the machine.
  const loads: autocannon.Result[] = [];
  for (let i = 0; i < REPEAT; i++) loads.push(await autocannon({ url: first, connections: 16, duration: 10, headers }));
  const load = [...loads].sort((a, b) => a.requests.average - b.requests.average)[(loads.length - 1) >> 1]!;
  const non2xx = loads.reduce((sum, l) => sum + l.non2xx, 0);
  out.push({ name: `results under load: ${Math.round(load.requests.average)} req/s, 16 connections, ${non2xx} non-2xx`, p50: load.latency.p50, p95: load.latency.p97_5, requests: load.requests.total });
  extra.resultsRequestsPerSecond = Math.round(load.requests.average);
  extra.resultsRequestsPerSecondRuns = loads.map((l) => Math.round(l.requests.average));
  console.log(JSON.stringify(out.at(-1)));
  return out;
}

function markdownTable(cases: Case[], latencies: Latency[]): string {
  const lines = [
    "| case | rows | wall s | rows/s | × floor | worker peak RSS MB |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
    ...cases.map((c) => `| ${c.name}${c.note ? ` (${c.note})` : ""} | ${c.rows.toLocaleString("en")} | ${c.seconds} | ${c.rowsPerSecond.toLocaleString("en")} | ${c.ratio ?? ""} | ${c.peakRssMb ?? ""} |`),
    "",
    "| latency | p50 ms | p95 ms | requests |",
    "| --- | ---: | ---: | ---: |",
    ...latencies.map((l) => `| ${l.name} | ${l.p50} | ${l.p95} | ${l.requests} |`),
  ];
  return lines.join("\n");
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
