import { z } from "zod";

/**
 * The only reader of process.env. Parsed once; a bad or missing variable stops the process with a
 * message naming every offender instead of failing later somewhere deep in a request.
 */

// Empty strings in .env files mean "unset", so defaults apply.
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === "" ? undefined : value), schema);

const isBuild = process.env.NEXT_PHASE === "phase-production-build";
const isProduction = process.env.NODE_ENV === "production" && !isBuild;

// AES-256 keys for secrets at rest (lib/crypto/secrets.ts): 32 random bytes, base64-encoded.
const encryptionKey = z
  .string()
  .trim()
  .refine((key) => /^[A-Za-z0-9+/]{43}=$/.test(key) && Buffer.from(key, "base64").length === 32, {
    error: "must be 32 random bytes, base64-encoded (openssl rand -base64 32)",
  });
// Development and tests only: production refuses to start without a real key.
const DEVELOPMENT_ENCRYPTION_KEY = Buffer.from("development-only-key-change-me!!").toString("base64");

const schema = z.object({
  NODE_ENV: optional(z.enum(["development", "test", "production"]).default("development")),
  DATABASE_URL: optional(z.url().default("postgres://postgres@127.0.0.1:5432/dataflowhub")),
  // A run's COPY holds one connection of its thread's pool for as long as it loads.
  DATABASE_POOL_SIZE: optional(z.coerce.number().int().min(2).max(100).default(10)),
  REDIS_URL: optional(z.url().default("redis://127.0.0.1:6379")),
  QUEUE_PREFIX: optional(z.string().regex(/^[\w:-]+$/).default("dfh")),
  NEXTAUTH_SECRET: isProduction
    ? z.string({ error: "is required in production (32+ random characters)" }).min(32)
    : optional(z.string().min(1).default("development-only-secret-change-me-please")),
  ADMIN_EMAIL: optional(z.email().optional()),
  ADMIN_PASSWORD: optional(z.string().min(8).optional()),
  DATASET_SCHEMA: optional(z.string().regex(/^[a-z_][a-z0-9_]*$/).default("datasets")),
  WORKER_CONCURRENCY: optional(z.coerce.number().int().min(1).max(64).default(2)),
  TRANSFORM_MAX_BUFFERED_ROWS: optional(z.coerce.number().int().min(1000).default(1_000_000)),
  RUN_TIMEOUT_MS: optional(z.coerce.number().int().min(1000).default(3_600_000)),
  RUN_MAX_MEMORY_MB: optional(z.coerce.number().int().min(64).default(4096)),
  // Run control and fault tolerance (see .env.example): queue locks, heartbeats, shutdown, upkeep.
  WORKER_LOCK_DURATION_MS: optional(z.coerce.number().int().min(1000).default(30_000)),
  WORKER_STALLED_INTERVAL_MS: optional(z.coerce.number().int().min(500).default(15_000)),
  WORKER_MAX_STALLED_COUNT: optional(z.coerce.number().int().min(0).max(100).default(2)),
  WORKER_SHUTDOWN_GRACE_MS: optional(z.coerce.number().int().min(0).default(20_000)),
  RUN_HEARTBEAT_MS: optional(z.coerce.number().int().min(200).default(10_000)),
  RUN_STALE_AFTER_MS: optional(z.coerce.number().int().min(1000).default(120_000)),
  RUN_OVERLAP_POLL_MS: optional(z.coerce.number().int().min(100).default(5_000)),
  MAINTENANCE_INTERVAL_MS: optional(z.coerce.number().int().min(500).default(60_000)),
  RUN_LOG_RETENTION_DAYS: optional(z.coerce.number().int().min(0).default(30)),
  RUN_RETENTION_DAYS: optional(z.coerce.number().int().min(0).default(90)),
  METRICS_TOKEN: optional(z.string().min(16, "must be at least 16 characters").optional()),
  NOTIFY_WEBHOOK_SECRET: isProduction
    ? optional(z.string().min(16, "must be at least 16 characters").optional())
    : optional(z.string().min(16).default("development-only-webhook-secret")),
  NOTIFY_ATTEMPTS: optional(z.coerce.number().int().min(1).max(50).default(8)),
  NOTIFY_BACKOFF_MS: optional(z.coerce.number().int().min(10).default(10_000)),
  NOTIFY_TIMEOUT_MS: optional(z.coerce.number().int().min(100).default(10_000)),
  HTTP_MAX_RESPONSE_BYTES: optional(z.coerce.number().int().min(1024).default(64 * 1024 * 1024)),
  // Entries are checked by lib/security/outbound.ts when it loads (IP, CIDR, host name or *.domain).
  OUTBOUND_ALLOWLIST: optional(
    z
      .string()
      .default("")
      .transform((list) => list.split(",").map((entry) => entry.trim()).filter(Boolean)),
  ),
  UPLOAD_MAX_BYTES: optional(z.coerce.number().int().min(1024).default(1024 * 1024 * 1024)),
  XLSX_MAX_UNCOMPRESSED_BYTES: optional(z.coerce.number().int().min(1024 * 1024).default(2 * 1024 * 1024 * 1024)),
  LOG_LEVEL: optional(z.enum(["debug", "info", "warn", "error"]).default("info")),
  TRUSTED_PROXY_HOPS: optional(z.coerce.number().int().min(1).max(10).default(1)),
  RATE_LIMIT_API_PER_MINUTE: optional(z.coerce.number().int().min(1).default(600)),
  RATE_LIMIT_SIGNIN_PER_IP_PER_MINUTE: optional(z.coerce.number().int().min(1).default(10)),
  RATE_LIMIT_SIGNIN_FAILURES_PER_EMAIL: optional(z.coerce.number().int().min(1).default(10)),
  API_REQUEST_TIMEOUT_MS: optional(z.coerce.number().int().min(1000).default(30_000)),
  ENCRYPTION_KEY: isProduction
    ? z.string({ error: "is required in production (openssl rand -base64 32)" }).pipe(encryptionKey)
    : optional(encryptionKey.default(DEVELOPMENT_ENCRYPTION_KEY)),
  ENCRYPTION_KEYS_PREVIOUS: optional(
    z
      .string()
      .default("")
      .transform((list) => list.split(",").map((key) => key.trim()).filter(Boolean))
      .pipe(z.array(encryptionKey)),
  ),
});

export type Env = z.infer<typeof schema>;

function parseEnv(): Env {
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`Invalid environment variables:\n${problems.join("\n")}`);
  }
  return parsed.data;
}

export const env = parseEnv();
