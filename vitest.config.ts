import { createServer } from "node:net";
import path from "node:path";
import { defineConfig } from "vitest/config";

/**
 * Two tiers: `unit` (pure logic, next to the code) and `integration` (real PostgreSQL and Redis).
 *
 * Every integration run gets its own database and queue prefix. lib/env.ts parses process.env once
 * at import, so both are decided here, before any test worker starts, set on process.env for the
 * global setup (which creates and later drops them) and passed to the workers through `test.env`.
 * The dev instance's database and prefix are never used: TEST_DATABASE_URL / TEST_REDIS_URL only
 * choose the servers (the database name in TEST_DATABASE_URL is replaced).
 */
const root = import.meta.dirname;

process.env.DFH_TEST_RUN_ID ??= `${process.pid}_${Date.now()}`;
const runId = process.env.DFH_TEST_RUN_ID;
const databaseUrl = new URL(process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres");
databaseUrl.pathname = `/dfh_test_${runId}`;

const testEnv = {
  NODE_ENV: "test",
  DFH_TEST_RUN_ID: runId,
  DATABASE_URL: databaseUrl.toString(),
  DATABASE_POOL_SIZE: "5",
  REDIS_URL: process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379",
  QUEUE_PREFIX: `dfh_test_${runId}`,
  DATASET_SCHEMA: "datasets",
  NEXTAUTH_SECRET: "integration-tests-only-secret-0123456789abcdef",
  NEXTAUTH_URL: "http://localhost:3000",
  // Tests create their own users; a first admin from the shell's environment would only get in the way.
  ADMIN_EMAIL: "",
  ADMIN_PASSWORD: "",
  LOG_LEVEL: "warn",
  // Small enough that the 413 test uploads only a few MiB; larger than every other test file.
  UPLOAD_MAX_BYTES: String(3 * 1024 * 1024),
  // Fixture servers, PostgreSQL and MariaDB run on 127.0.0.1: opened here, so production stays strict.
  OUTBOUND_ALLOWLIST: "127.0.0.1",
  // Run control: short waits, so that overlapping runs and webhook retries play out within a test.
  RUN_OVERLAP_POLL_MS: "300",
  NOTIFY_BACKOFF_MS: "100",
  METRICS_TOKEN: "metrics-token-for-tests-only",
} as const;
Object.assign(process.env, testEnv);

/**
 * The fault-injection tier (test/faults) kills worker processes and restarts Redis, so it gets a
 * redis-server of its own on a free port (started by test/faults/redis-setup.ts; the shared Redis
 * is never touched), and a database and queue prefix apart from the integration tier's.
 */
process.env.DFH_FAULTS_REDIS_PORT ??= String(await freePort());
const faultsDatabaseUrl = new URL(databaseUrl);
faultsDatabaseUrl.pathname = `/dfh_test_${runId}_faults`;
const faultsEnv = {
  ...testEnv,
  DATABASE_URL: faultsDatabaseUrl.toString(),
  REDIS_URL: `redis://127.0.0.1:${process.env.DFH_FAULTS_REDIS_PORT}`,
  QUEUE_PREFIX: `dfh_test_${runId}_faults`,
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const exclude = ["**/node_modules/**", "**/.next/**", "e2e/**", "test-results/**", "playwright-report/**"];

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@\//, replacement: `${root}/` },
      // lib/ marks server modules with `import "server-only"`, which throws outside React Server
      // environments; in tests every module runs on the server, so it is a no-op.
      { find: /^server-only$/, replacement: path.join(root, "test/server-only.ts") },
    ],
  },
  test: {
    env: testEnv,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          environment: "node",
          include: ["**/*.test.ts"],
          exclude: [...exclude, "**/*.integration.test.ts", "**/*.faults.test.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          environment: "node",
          include: ["**/*.integration.test.ts"],
          exclude,
          globalSetup: ["test/global-setup.ts"],
          setupFiles: ["test/integration-setup.ts"],
          // The files share one database and one queue: run them one after another.
          fileParallelism: false,
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: "faults",
          environment: "node",
          include: ["test/faults/**/*.faults.test.ts"],
          exclude,
          env: faultsEnv,
          globalSetup: ["test/faults/redis-setup.ts", "test/global-setup.ts"],
          setupFiles: ["test/integration-setup.ts"],
          // Every file kills and restarts processes against the same database and Redis.
          fileParallelism: false,
          testTimeout: 90_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
