/**
 * Memory benchmark for database sources and destinations (npm run bench:memory-postgres; not part
 * of npm test).
 *
 * Fills a throwaway PostgreSQL database with 1M and 5M rows, saves a connection to it, and runs
 * two jobs per size through a real worker process (the production bundle, started fresh for each
 * run): the query into a dataset, and the query into a table of the same external database (mode
 * append). The worker's peak RSS is its kernel high-water mark (VmHWM). Each run's thread has a
 * heap of BENCH_RUN_MAX_MEMORY_MB (default 256), a fraction of the data. Fails when a run does not
 * finish, when a peak passes BENCH_MAX_RSS_MB (default 400) or when the largest input's peak is
 * over BENCH_MAX_GROWTH (default 1.25×) the smallest's: memory must not grow with the input.
 *
 * Usage: npm run bench:memory-postgres [-- 1000000 5000000]
 */
import { currentRssMb, peakRssMb, startWorker, stopWorker } from "./worker-process";

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const ROWS = sizes.length > 0 ? sizes : [1_000_000, 5_000_000];
const MAX_RSS_MB = Number(process.env.BENCH_MAX_RSS_MB ?? 400);
const MAX_GROWTH = Number(process.env.BENCH_MAX_GROWTH ?? 1.25);

const id = `${process.pid}_${Date.now()}`;
const server = new URL(process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres");
const appUrl = new URL(server);
appUrl.pathname = `/dfh_bench_${id}`;
const sourceUrl = new URL(server);
sourceUrl.pathname = `/dfh_bench_${id}_source`;
const benchEnv = {
  NODE_ENV: "development",
  DATABASE_URL: appUrl.toString(),
  QUEUE_PREFIX: `dfh_bench_${id}`,
  REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
  DATASET_SCHEMA: "datasets",
  NEXTAUTH_SECRET: "benchmark-only-secret-0123456789abcdef0123",
  WORKER_CONCURRENCY: "1",
  ADMIN_EMAIL: "",
  ADMIN_PASSWORD: "",
  // The source database runs on this machine, which the outbound rules refuse unless allowed.
  OUTBOUND_ALLOWLIST: server.hostname,
  // A run's thread gets a heap far smaller than the data: were memory to grow with the input, the
  // run would fail with the thread out of memory instead of finishing.
  RUN_MAX_MEMORY_MB: process.env.BENCH_RUN_MAX_MEMORY_MB ?? "256",
};
// lib/env parses process.env once, on first import: set it before any lib module loads.
Object.assign(process.env, benchEnv);

type Result = { rows: number; destination: string; seconds: number; rowsPerSecond: number; idleMb: number; peakMb: number };

async function main() {
  const { default: postgres } = await import("postgres");
  const { migrateDatabase, createDatabaseIfMissing, dropDatabase } = await import("@/lib/db/migrate");
  await migrateDatabase(benchEnv.DATABASE_URL, benchEnv.DATASET_SCHEMA);
  await createDatabaseIfMissing(sourceUrl.toString());
  const source = postgres(sourceUrl.toString(), { max: 1, onnotice: () => {} });
  const { db, closeDb } = await import("@/lib/db/client");
  const { createUserWithWorkspace } = await import("@/lib/db/queries/users");
  const { insertConnection } = await import("@/lib/db/queries/connections");
  const { insertJob } = await import("@/lib/db/queries/jobs");
  const { insertRun, getRun } = await import("@/lib/db/queries/runs");
  const { enqueueRun, runsQueue } = await import("@/lib/queue/runs-queue");
  const { closeQueues } = await import("@/lib/queue/producer");
  const { jobDefinitionSchema } = await import("@/lib/schemas/jobs");

  const results: Result[] = [];
  let failed = false;
  try {
    const { user, workspace } = await createUserWithWorkspace(db, {
      email: "bench@example.test",
      name: "bench",
      password: "benchmark-password",
      workspaceName: "bench",
    });
    const connection = await insertConnection(db, {
      workspaceId: workspace.id,
      name: "bench source",
      config: {
        type: "postgres",
        host: sourceUrl.hostname,
        port: Number(sourceUrl.port || 5432),
        database: sourceUrl.pathname.slice(1),
        user: decodeURIComponent(sourceUrl.username) || "postgres",
        ssl: "disable",
      },
      secret: null,
      createdBy: user.id,
    });
    for (const rows of ROWS) {
      await source`DROP TABLE IF EXISTS orders`;
      await source`
        CREATE TABLE orders AS
        SELECT g AS id, 'customer ' || (g % 9973) AS customer, (g % 100000) / 100.0 AS amount,
          (ARRAY['Lisbon', 'Porto', 'Zürich', 'São Paulo'])[g % 4 + 1] AS city, g % 3 = 0 AS paid,
          timestamptz '2024-03-01' + g * interval '1 second' AS ordered_at, jsonb_build_object('n', g % 10) AS payload
        FROM generate_series(1, ${rows}) g`;
      const destinations = [
        { type: "dataset", mode: "replace" },
        { type: "postgres", connectionId: connection.id, table: `copy_${rows}`, mode: "append" },
      ];
      for (const destination of destinations) {
        const job = await insertJob(db, {
          workspaceId: workspace.id,
          name: `orders ${rows} → ${destination.type}`,
          description: null,
          definition: jobDefinitionSchema.parse({
            source: { type: "postgres", connectionId: connection.id, query: "SELECT * FROM orders" },
            destination,
            retry: { attempts: 1, backoffSeconds: 1 },
          }),
          createdBy: user.id,
        });
        const worker = startWorker(benchEnv);
        try {
          await new Promise((resolve) => setTimeout(resolve, 3000));
          const idleMb = await currentRssMb(worker.pid!);
          const run = await insertRun(db, { jobId: job.id, workspaceId: workspace.id, trigger: "api", definition: job.definition });
          const started = Date.now();
          await enqueueRun(run.id, job.definition.retry);
          let finished = await getRun(db, run.id);
          while (finished && !["success", "failed", "cancelled"].includes(finished.status)) {
            if (worker.exitCode !== null) throw new Error(`The worker exited with code ${worker.exitCode} during the run.`);
            await new Promise((resolve) => setTimeout(resolve, 500));
            finished = await getRun(db, run.id);
          }
          const seconds = (Date.now() - started) / 1000;
          const peakMb = await peakRssMb(worker.pid!);
          if (finished?.status !== "success" || finished.rowsLoaded !== rows) {
            throw new Error(`The ${rows}-row run ended ${finished?.status} with ${finished?.rowsLoaded} rows: ${finished?.errorMessage}`);
          }
          const result = {
            rows,
            destination: destination.type,
            seconds: Math.round(seconds * 10) / 10,
            rowsPerSecond: Math.round(rows / seconds),
            idleMb: Math.round(idleMb),
            peakMb: Math.round(peakMb),
          };
          results.push(result);
          console.log(
            `${rows.toLocaleString("en")} rows, postgres → ${destination.type}: ${result.seconds} s, ` +
              `${result.rowsPerSecond.toLocaleString("en")} rows/s, worker RSS idle ${result.idleMb} MB, peak ${result.peakMb} MB`,
          );
        } finally {
          await stopWorker(worker);
        }
      }
    }
  } finally {
    await source.end();
    await runsQueue().obliterate({ force: true }).catch(() => undefined);
    await closeQueues();
    await closeDb();
    await dropDatabase(benchEnv.DATABASE_URL);
    await dropDatabase(sourceUrl.toString());
  }

  for (const result of results) {
    if (result.peakMb > MAX_RSS_MB) {
      console.error(`FAIL: peak RSS ${result.peakMb} MB for ${result.rows} rows into ${result.destination} is over BENCH_MAX_RSS_MB=${MAX_RSS_MB}.`);
      failed = true;
    }
  }
  for (const destination of new Set(results.map((r) => r.destination))) {
    const runs = results.filter((r) => r.destination === destination);
    const [smallest, largest] = [runs[0], runs[runs.length - 1]];
    if (smallest && largest && largest !== smallest && largest.peakMb > smallest.peakMb * MAX_GROWTH) {
      console.error(`FAIL: into ${destination}, peak RSS grew from ${smallest.peakMb} MB to ${largest.peakMb} MB with the input (over ${MAX_GROWTH}×).`);
      failed = true;
    }
  }
  console.log(JSON.stringify(results));
  process.exit(failed ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
