import { randomBytes } from "node:crypto";
import nextEnv from "@next/env";
import { defineConfig } from "@playwright/test";

/**
 * The e2e suite runs against a stack of its own: a fresh database, its own BullMQ key prefix and
 * its own port and build folder, so it never touches `npm run dev` or another test run. The
 * settings go into process.env once, in the runner; the web server and the test workers inherit
 * them (workers load this file again, hence the guard).
 */
if (!process.env.E2E_RUN_ID) {
  nextEnv.loadEnvConfig(process.cwd(), false, { info: () => {}, error: console.error });
  const runId = `${Date.now()}`;
  const port = process.env.E2E_PORT ?? "3100";
  const database = new URL(process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/dataflowhub");
  database.pathname = `/dataflowhub_e2e_${runId}`;
  Object.assign(process.env, {
    E2E_RUN_ID: runId,
    E2E_PORT: port,
    E2E_BASE_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: database.toString(),
    QUEUE_PREFIX: `dfh_e2e_${runId}`,
    NEXTAUTH_URL: `http://127.0.0.1:${port}`,
    NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
    ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    // The suite signs in many times a minute from one address.
    RATE_LIMIT_SIGNIN_PER_IP_PER_MINUTE: "1000",
    RATE_LIMIT_SIGNIN_FAILURES_PER_EMAIL: "1000",
    ADMIN_EMAIL: "admin@example.com",
    ADMIN_PASSWORD: `e2e-${randomBytes(8).toString("hex")}`,
    NEXT_DIST_DIR: ".next/e2e",
    // `npm test` type-checks the whole project first (test:static); the build need not do it again.
    NEXT_SKIP_TYPECHECK: process.env.NEXT_SKIP_TYPECHECK ?? "1",
    NEXT_TELEMETRY_DISABLED: "1",
    LOG_LEVEL: "warn",
    // The suite's records server listens on 127.0.0.1, which the outbound rules refuse by default.
    OUTBOUND_ALLOWLIST: "127.0.0.1",
  });
}

export default defineConfig({
  testDir: "e2e",
  // Two cores: one browser at a time next to the web server, the worker and PostgreSQL.
  workers: 1,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  retries: process.env.CI ? 1 : 0,
  timeout: 90_000,
  expect: { timeout: 10_000 },
  reporter: "list",
  globalTeardown: "./e2e/global-teardown.ts",
  use: {
    baseURL: process.env.E2E_BASE_URL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--headless",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  webServer: {
    // Migrates and seeds the e2e database, builds the app, then runs `next start` and the worker.
    command: "node --conditions=react-server --import tsx e2e/serve.ts",
    url: `${process.env.E2E_BASE_URL}/api/health`,
    timeout: 300_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    gracefulShutdown: { signal: "SIGTERM", timeout: 20_000 },
  },
});
