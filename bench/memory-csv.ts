/**
 * Memory benchmark for file sources (npm run bench:memory; not part of npm test).
 *
 * Generates CSV files of 1M and 5M rows, uploads each into the chunked file storage of a
 * throwaway database, and runs a replace job over it through a real worker process — the same
 * bundle production runs (bench/worker-process.ts) — started fresh for each file. The worker's
 * peak RSS is its kernel high-water mark (VmHWM in /proc/<pid>/status), so no spike between
 * samples is missed. Fails when any peak passes BENCH_MAX_RSS_MB (default 300, issue #5's
 * target) or when the 5M-row peak is not within BENCH_MAX_GROWTH (default 1.1×) of the 1M-row
 * one: memory must not grow with the input.
 *
 * Usage: npm run bench:memory [-- 1000000 5000000]
 */
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { once } from "node:events";
import { currentRssMb, peakRssMb, startWorker, stopWorker } from "./worker-process";

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const ROWS = sizes.length > 0 ? sizes : [1_000_000, 5_000_000];
const MAX_RSS_MB = Number(process.env.BENCH_MAX_RSS_MB ?? 300);
const MAX_GROWTH = Number(process.env.BENCH_MAX_GROWTH ?? 1.1);

const id = `${process.pid}_${Date.now()}`;
const server = new URL(process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres");
server.pathname = `/dfh_bench_${id}`;
const benchEnv = {
  NODE_ENV: "development",
  DATABASE_URL: server.toString(),
  QUEUE_PREFIX: `dfh_bench_${id}`,
  REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
  DATASET_SCHEMA: "datasets",
  NEXTAUTH_SECRET: "benchmark-only-secret-0123456789abcdef0123",
  WORKER_CONCURRENCY: "1",
  ADMIN_EMAIL: "",
  ADMIN_PASSWORD: "",
  UPLOAD_MAX_BYTES: String(8 * 1024 * 1024 * 1024),
};
// lib/env parses process.env once, on first import: set it before any lib module loads.
Object.assign(process.env, benchEnv);

const CITIES = ["Lisbon", "Porto", "Zürich", "São Paulo", 'Quote "City"', "Comma, Town"];

/** A CSV with integers, decimals, text (some quoted, with commas and quotes), booleans and dates. */
async function writeCsv(file: string, rows: number): Promise<void> {
  const out = createWriteStream(file);
  out.write("id,customer,amount,city,paid,ordered_at\n");
  let buffer = "";
  for (let i = 1; i <= rows; i++) {
    const city = CITIES[i % CITIES.length]!;
    const quoted = /[",]/.test(city) ? `"${city.replace(/"/g, '""')}"` : city;
    const day = String((i % 28) + 1).padStart(2, "0");
    buffer += `${i},customer ${i % 9973},${(i % 100000) / 100},${quoted},${i % 3 === 0},2024-03-${day}T10:${String(i % 60).padStart(2, "0")}:00Z\n`;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, "drain");
      buffer = "";
    }
  }
  out.end(buffer);
  await once(out, "finish");
}

async function main() {
  const { migrateDatabase, dropDatabase } = await import("@/lib/db/migrate");
  await migrateDatabase(benchEnv.DATABASE_URL, benchEnv.DATASET_SCHEMA);
  const { db, sql, closeDb } = await import("@/lib/db/client");
  const { createUserWithWorkspace } = await import("@/lib/db/queries/users");
  const { insertJob } = await import("@/lib/db/queries/jobs");
  const { insertRun, getRun } = await import("@/lib/db/queries/runs");
  const { enqueueRun, runsQueue } = await import("@/lib/queue/runs-queue");
  const { closeQueues } = await import("@/lib/queue/producer");
  const { pgFileStorage } = await import("@/lib/files/storage");
  const { jobDefinitionSchema } = await import("@/lib/schemas/jobs");
  type Sql = typeof sql;

  const dir = await mkdtemp(path.join(tmpdir(), "dfh-bench-"));
  const results: { rows: number; fileMb: number; seconds: number; rowsPerSecond: number; idleMb: number; peakMb: number; progressUpdates: number }[] = [];
  let failed = false;
  try {
    const { user, workspace } = await createUserWithWorkspace(db, {
      email: "bench@example.test",
      name: "bench",
      password: "benchmark-password",
      workspaceName: "bench",
    });
    for (const rows of ROWS) {
      const file = path.join(dir, `orders-${rows}.csv`);
      await writeCsv(file, rows);
      const size = (await stat(file)).size;
      const fileId = await sql.begin(async (transaction) => {
        const tx = transaction as unknown as Sql;
        const [row] = await tx<{ id: string }[]>`
          INSERT INTO files (workspace_id, name, format, size, sha256, created_by)
          VALUES (${workspace.id}, ${path.basename(file)}, 'csv', 0, '', ${user.id}) RETURNING id`;
        const stored = await pgFileStorage(tx).put(row!.id, createReadStream(file), { maxBytes: Number.MAX_SAFE_INTEGER });
        await tx`UPDATE files SET size = ${stored.size}, sha256 = ${stored.sha256} WHERE id = ${row!.id}`;
        return row!.id;
      });
      await rm(file);

      const job = await insertJob(db, {
        workspaceId: workspace.id,
        name: `orders ${rows}`,
        description: null,
        definition: jobDefinitionSchema.parse({ source: { type: "file", fileId, format: "csv" }, retry: { attempts: 1, backoffSeconds: 1 } }),
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
        // Progress the API would show while the run goes on: rows read and loaded so far.
        const progress = new Set<string>();
        while (finished && !["success", "failed", "cancelled"].includes(finished.status)) {
          if (worker.exitCode !== null) throw new Error(`The worker exited with code ${worker.exitCode} during the run.`);
          if (finished.progress && finished.progress.rowsRead > 0) progress.add(`${finished.progress.rowsRead}/${finished.progress.rowsLoaded}`);
          await new Promise((resolve) => setTimeout(resolve, 500));
          finished = await getRun(db, run.id);
        }
        const seconds = (Date.now() - started) / 1000;
        const peakMb = await peakRssMb(worker.pid!);
        if (finished?.status !== "success" || finished.rowsLoaded !== rows) {
          throw new Error(`The ${rows}-row run ended ${finished?.status} with ${finished?.rowsLoaded} rows: ${finished?.errorMessage}`);
        }
        results.push({
          rows,
          fileMb: Math.round(size / 1024 / 1024),
          seconds: Math.round(seconds * 10) / 10,
          rowsPerSecond: Math.round(rows / seconds),
          idleMb: Math.round(idleMb),
          peakMb: Math.round(peakMb),
          progressUpdates: progress.size,
        });
        console.log(
          `${rows.toLocaleString("en")} rows (${Math.round(size / 1024 / 1024)} MB CSV): ${seconds.toFixed(1)} s, ` +
            `${Math.round(rows / seconds).toLocaleString("en")} rows/s, worker RSS idle ${Math.round(idleMb)} MB, peak ${Math.round(peakMb)} MB, ` +
            `${progress.size} distinct progress values seen while running`,
        );
      } finally {
        await stopWorker(worker);
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
    await runsQueue().obliterate({ force: true }).catch(() => undefined);
    await closeQueues();
    await closeDb();
    await dropDatabase(benchEnv.DATABASE_URL);
  }

  for (const result of results) {
    if (result.peakMb > MAX_RSS_MB) {
      console.error(`FAIL: peak RSS ${result.peakMb} MB for ${result.rows} rows is over BENCH_MAX_RSS_MB=${MAX_RSS_MB}.`);
      failed = true;
    }
  }
  const [smallest, largest] = [results[0], results[results.length - 1]];
  for (const result of results) {
    if (result.progressUpdates < 2) {
      console.error(`FAIL: the ${result.rows}-row run reported progress ${result.progressUpdates} times while running.`);
      failed = true;
    }
  }
  if (smallest && largest && largest !== smallest && largest.peakMb > smallest.peakMb * MAX_GROWTH) {
    console.error(`FAIL: peak RSS grew from ${smallest.peakMb} MB to ${largest.peakMb} MB with the input (over ${MAX_GROWTH}×).`);
    failed = true;
  }
  console.log(JSON.stringify(results));
  process.exit(failed ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
