import "server-only";
import type { Queue } from "bullmq";
import { collectDefaultMetrics, Counter, Gauge, Registry } from "prom-client";
import { sql } from "@/lib/db/client";
import { NOTIFICATIONS_QUEUE } from "@/lib/notifications/queue";
import { producerQueue } from "@/lib/queue/producer";
import { RUNS_QUEUE } from "@/lib/queue/runs-queue";
import { SCHEDULES_QUEUE } from "@/lib/queue/schedules-queue";

const QUEUES = [RUNS_QUEUE, SCHEDULES_QUEUE, NOTIFICATIONS_QUEUE];
const QUEUE_STATES = ["waiting", "active", "delayed", "prioritized", "failed", "completed"] as const;
/** A scrape reads PostgreSQL and Redis; neither may hold it up for long. */
const SOURCE_TIMEOUT_MS = 2500;

type Sources = {
  runCounts: { status: string; n: number }[];
  totals: { status: string; runs: number; rows_loaded: number; duration_seconds_sum: number }[];
  buckets: { status: string; le: number; runs: number }[];
  queues: { name: string; counts: Record<string, number>; workers: number }[];
};

/**
 * The Prometheus registry behind /api/metrics. Run metrics come from PostgreSQL, so every web
 * process answers the same numbers whichever worker did the work: runs by status now, and
 * counters kept by a trigger as runs finish (exact, and unaffected by pruning). Queue depth and
 * worker count come from BullMQ. Each scrape reads them once; `dataflowhub_up` says which answered.
 */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  let current: Promise<Partial<Sources>> | null = null;
  // All metrics of one scrape share one read of the sources.
  const sources = () => (current ??= readSources().finally(() => setTimeout(() => (current = null), 0)));

  new Gauge({
    name: "dataflowhub_up",
    help: "Whether the dependency answered this scrape (1) or not (0)",
    labelNames: ["dependency"],
    registers: [registry],
    async collect() {
      const { runCounts, queues } = await sources();
      this.set({ dependency: "postgres" }, runCounts ? 1 : 0);
      this.set({ dependency: "redis" }, queues ? 1 : 0);
    },
  });
  new Gauge({
    name: "dataflowhub_runs",
    help: "Runs currently in the database, by status",
    labelNames: ["status"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const { status, n } of (await sources()).runCounts ?? []) this.set({ status }, n);
    },
  });
  new Counter({
    name: "dataflowhub_runs_finished_total",
    help: "Runs that reached a final status, by status",
    labelNames: ["status"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const t of (await sources()).totals ?? []) this.inc({ status: t.status }, t.runs);
    },
  });
  new Counter({
    name: "dataflowhub_rows_loaded_total",
    help: "Rows loaded into destinations by successful runs",
    registers: [registry],
    async collect() {
      this.reset();
      this.inc((await sources()).totals?.reduce((sum, t) => sum + t.rows_loaded, 0) ?? 0);
    },
  });
  registry.registerMetric(durationHistogram(sources) as unknown as Counter);
  new Gauge({
    name: "dataflowhub_queue_jobs",
    help: "Jobs in each BullMQ queue, by state",
    labelNames: ["queue", "state"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const queue of (await sources()).queues ?? []) {
        for (const [state, n] of Object.entries(queue.counts)) this.set({ queue: queue.name, state }, n);
      }
    },
  });
  new Gauge({
    name: "dataflowhub_workers",
    help: "Worker connections consuming each queue (BullMQ getWorkers)",
    labelNames: ["queue"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const queue of (await sources()).queues ?? []) this.set({ queue: queue.name }, queue.workers);
    },
  });
  return registry;
}

/**
 * A histogram whose buckets are stored (run_duration_buckets), which prom-client's Histogram
 * cannot be given: a metric object of our own that the registry formats like any other.
 */
function durationHistogram(sources: () => Promise<Partial<Sources>>) {
  const name = "dataflowhub_run_duration_seconds";
  return {
    name,
    help: "Time from an attempt's start to the run's end, for runs that finished, by final status",
    type: "histogram",
    aggregator: "sum",
    async get() {
      const { buckets = [], totals = [] } = await sources();
      const values = buckets.map((b) => ({
        metricName: `${name}_bucket`,
        labels: { status: b.status, le: Number.isFinite(b.le) ? b.le : "+Inf" },
        value: b.runs,
      }));
      for (const t of totals) {
        const count = buckets.find((b) => b.status === t.status && !Number.isFinite(b.le))?.runs ?? 0;
        values.push({ metricName: `${name}_sum`, labels: { status: t.status } as never, value: t.duration_seconds_sum });
        values.push({ metricName: `${name}_count`, labels: { status: t.status } as never, value: count });
      }
      return { name, help: this.help, type: this.type, aggregator: this.aggregator, values };
    },
    reset() {},
  };
}

async function readSources(): Promise<Partial<Sources>> {
  const [database, queues] = await Promise.all([settled(readDatabase()), settled(readQueues())]);
  return { ...database, queues };
}

async function readDatabase(): Promise<Pick<Sources, "runCounts" | "totals" | "buckets">> {
  const [runCounts, totals, buckets] = await Promise.all([
    sql<Sources["runCounts"]>`SELECT status::text, count(*)::int AS n FROM runs GROUP BY status ORDER BY status`,
    sql<Sources["totals"]>`SELECT status::text, runs::float8 AS runs, rows_loaded::float8 AS rows_loaded, duration_seconds_sum FROM run_totals ORDER BY status`,
    sql<Sources["buckets"]>`SELECT status::text, le, runs::float8 AS runs FROM run_duration_buckets ORDER BY status, le`,
  ]);
  return { runCounts, totals, buckets };
}

async function readQueues(): Promise<Sources["queues"]> {
  return Promise.all(
    QUEUES.map(async (name) => {
      const queue: Queue = producerQueue(name);
      const [counts, workers] = await Promise.all([queue.getJobCounts(...QUEUE_STATES), queue.getWorkersCount()]);
      return { name, counts, workers };
    }),
  );
}

/** The value, or undefined when the source failed or took longer than SOURCE_TIMEOUT_MS. */
async function settled<T>(work: Promise<T>): Promise<T | undefined> {
  const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), SOURCE_TIMEOUT_MS).unref());
  return Promise.race([work.catch(() => undefined), timeout]);
}
