/**
 * The benchmark's own database, queue prefix and settings. lib/env parses process.env once, on
 * first import: this module is imported before any lib module, and worker processes get the same.
 */
const id = `${process.pid}_${Date.now()}`;
const server = new URL(process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres");

function databaseUrl(name: string): string {
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

export const SERVER_URL = server.toString();
/** A second database on the same server: the PostgreSQL source reads from it (jobs may never read the app's own). */
export const SOURCE_DATABASE = `dfh_bench_src_${id}`;
export const SOURCE_DATABASE_URL = databaseUrl(SOURCE_DATABASE);

export const benchEnv: Record<string, string> = {
  NODE_ENV: "production",
  DATABASE_URL: databaseUrl(`dfh_bench_${id}`),
  QUEUE_PREFIX: `dfh_bench_${id}`,
  REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
  DATASET_SCHEMA: "datasets",
  NEXTAUTH_SECRET: "benchmark-only-secret-0123456789abcdef0123",
  NEXTAUTH_URL: "http://127.0.0.1:3000",
  ENCRYPTION_KEY: Buffer.from("benchmark-only-key-32-bytes-long").toString("base64"),
  NOTIFY_WEBHOOK_SECRET: "benchmark-only-webhook-secret-0123456789abcdef",
  ADMIN_EMAIL: "bench@example.test",
  ADMIN_PASSWORD: "benchmark-password",
  LOG_LEVEL: "warn",
  UPLOAD_MAX_BYTES: String(8 * 1024 * 1024 * 1024),
  // The JSON source and the PostgreSQL source are on this machine.
  OUTBOUND_ALLOWLIST: "127.0.0.1",
  // The load test sends thousands of requests a second with one token: throttling would measure the limiter.
  RATE_LIMIT_API_PER_MINUTE: String(10_000_000),
};
Object.assign(process.env, benchEnv);
