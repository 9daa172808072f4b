import "server-only";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { env } from "@/lib/env";
import { logger } from "@/lib/logger";
import { producerRedis } from "@/lib/queue/producer";
import { HttpError } from "./errors";

/**
 * Throttling with rate-limiter-flexible on Redis, so every web process shares one count.
 *
 * When Redis is unreachable the policies differ on purpose: API calls fall back to a per-process
 * in-memory limiter (with a logged warning), since refusing every request would turn a Redis
 * outage into a full API outage; sign-in and token creation fail closed with 503, because
 * per-process counts would multiply an attacker's guesses by the number of processes.
 */
type Policy = { name: string; points: number; durationSeconds: number; whenRedisDown: "memory" | "refuse" };

const POLICIES = {
  api: { name: "api", points: env.RATE_LIMIT_API_PER_MINUTE, durationSeconds: 60, whenRedisDown: "memory" },
  credentialsPerIp: {
    name: "credentials-ip",
    points: env.RATE_LIMIT_SIGNIN_PER_IP_PER_MINUTE,
    durationSeconds: 60,
    whenRedisDown: "refuse",
  },
  signInFailuresPerEmail: {
    name: "signin-failures-email",
    points: env.RATE_LIMIT_SIGNIN_FAILURES_PER_EMAIL,
    durationSeconds: 15 * 60,
    whenRedisDown: "refuse",
  },
} satisfies Record<string, Policy>;

type PolicyName = keyof typeof POLICIES;

const redisLimiters = new Map<PolicyName, RateLimiterRedis>();
const memoryLimiters = new Map<PolicyName, RateLimiterMemory>();

function redisLimiter(name: PolicyName): RateLimiterRedis {
  let limiter = redisLimiters.get(name);
  if (!limiter) {
    const policy = POLICIES[name];
    limiter = new RateLimiterRedis({
      storeClient: producerRedis(),
      keyPrefix: `${env.QUEUE_PREFIX}:rl:${policy.name}`,
      points: policy.points,
      duration: policy.durationSeconds,
    });
    redisLimiters.set(name, limiter);
  }
  return limiter;
}

function memoryLimiter(name: PolicyName): RateLimiterMemory {
  let limiter = memoryLimiters.get(name);
  if (!limiter) {
    const policy = POLICIES[name];
    limiter = new RateLimiterMemory({ keyPrefix: policy.name, points: policy.points, duration: policy.durationSeconds });
    memoryLimiters.set(name, limiter);
  }
  return limiter;
}

export function tooManyRequests(msBeforeNext: number): HttpError {
  const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new HttpError(429, `Too many requests; retry in ${seconds} s.`, undefined, { "retry-after": String(seconds) });
}

let lastWarning = 0;

/** Logs a Redis failure at most once a minute: during an outage every request would repeat it. */
function warnRedisDown(policy: Policy, error: unknown) {
  if (Date.now() - lastWarning < 60_000) return;
  lastWarning = Date.now();
  const fallback = policy.whenRedisDown === "memory" ? "using per-process limits" : "refusing the request";
  logger.warn({ limiter: policy.name, reason: (error as Error)?.message ?? String(error) }, `rate limiter: Redis unavailable, ${fallback}`);
}

function unavailable(): HttpError {
  return new HttpError(503, "Sign-in is unavailable for a moment (the rate limiter cannot reach Redis); retry shortly.", undefined, {
    "retry-after": "5",
  });
}

/** Counts one request against `key`; 429 with Retry-After once the policy's budget is spent. */
export async function consume(name: PolicyName, key: string): Promise<void> {
  const policy = POLICIES[name];
  try {
    await redisLimiter(name).consume(key);
    return;
  } catch (error) {
    if (error instanceof RateLimiterRes) throw tooManyRequests(error.msBeforeNext);
    warnRedisDown(policy, error);
    if (policy.whenRedisDown === "refuse") throw unavailable();
  }
  try {
    await memoryLimiter(name).consume(key);
  } catch (error) {
    if (error instanceof RateLimiterRes) throw tooManyRequests(error.msBeforeNext);
    throw error;
  }
}

/** 429 when `key` has already spent the policy's budget, without counting this request. */
export async function assertNotExhausted(name: PolicyName, key: string): Promise<void> {
  const policy = POLICIES[name];
  let state: RateLimiterRes | null;
  try {
    state = await redisLimiter(name).get(key);
  } catch (error) {
    warnRedisDown(policy, error);
    throw unavailable();
  }
  if (state && state.consumedPoints >= policy.points) throw tooManyRequests(state.msBeforeNext);
}

/** Counts a failure against `key` without refusing this request (its answer is already decided). */
export async function penalize(name: PolicyName, key: string): Promise<void> {
  try {
    await redisLimiter(name).penalty(key);
  } catch (error) {
    warnRedisDown(POLICIES[name], error);
  }
}

/** Forgets `key`'s count, e.g. an email's failures after a successful sign-in. */
export async function forgive(name: PolicyName, key: string): Promise<void> {
  try {
    await redisLimiter(name).delete(key);
  } catch (error) {
    warnRedisDown(POLICIES[name], error);
  }
}
