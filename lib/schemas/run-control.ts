import { CronExpressionParser } from "cron-parser";
import { z } from "zod";

/**
 * The parts of a job that say when and how its runs are started and reported: schedule, overlap
 * policy and notifications. Client-safe, like every schema here (cron-parser is plain JS).
 */

const CRON_ALIASES = new Set(["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"]);

/** Whether the runtime knows the IANA time zone (Intl accepts "UTC" and "Etc/…" too). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** Why a cron expression is unusable, or null. Five fields (minute first) or six (seconds first), or an @alias. */
export function cronProblem(cron: string, timezone = "UTC"): string | null {
  const fields = cron.trim().split(/\s+/);
  const alias = fields.length === 1 && CRON_ALIASES.has(fields[0]!.toLowerCase());
  if (!alias && (fields.length < 5 || fields.length > 6)) {
    return `needs 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), got ${fields.length}`;
  }
  try {
    CronExpressionParser.parse(cron, { tz: timezone }).next();
    return null;
  } catch (error) {
    return `is not a valid cron expression: ${(error as Error).message}`;
  }
}

/** The next `count` times the schedule fires after `from`. */
export function nextRunTimes(schedule: Schedule, count: number, from = new Date()): Date[] {
  const interval = CronExpressionParser.parse(schedule.cron, { tz: schedule.timezone, currentDate: from });
  return Array.from({ length: count }, () => interval.next().toDate());
}

export const scheduleSchema = z
  .object({
    cron: z.string().trim().min(1).max(200).describe('A cron expression, e.g. "*/15 * * * *" (every 15 minutes) or "0 6 * * MON-FRI"'),
    timezone: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .default("UTC")
      .refine(isTimeZone, { error: "is not a known IANA time zone, e.g. UTC or Europe/Vienna" })
      .describe("IANA time zone the cron expression is read in"),
  })
  .strict()
  .superRefine((schedule, ctx) => {
    if (!isTimeZone(schedule.timezone)) return;
    const problem = cronProblem(schedule.cron, schedule.timezone);
    if (problem) ctx.addIssue({ code: "custom", path: ["cron"], message: problem });
  })
  .describe("Triggers a run at every time the cron expression matches");
export type Schedule = z.infer<typeof scheduleSchema>;

export const overlapSchema = z
  .enum(["queue", "skip"])
  .describe(
    "While a run of the job is pending or running: queue = a new run waits for it; skip = a trigger answers 409 and a schedule tick starts nothing",
  );
export type Overlap = z.infer<typeof overlapSchema>;

export const notifyEvents = ["success", "failure"] as const;

export const notifySchema = z
  .object({
    webhookUrl: z
      .url({ protocol: /^https?$/, error: "must be an http or https URL" })
      .max(2000)
      .describe("Receives a signed JSON POST when a run ends"),
    on: z
      .array(z.enum(notifyEvents))
      .min(1)
      .max(notifyEvents.length)
      .refine((events) => new Set(events).size === events.length, "list each event once")
      .default(["success", "failure"])
      .describe("Which final outcomes are reported; a run retried before it succeeds reports only its outcome"),
  })
  .strict()
  .describe("Webhook called with the run when it ends (signed with HMAC-SHA256, retried with backoff)");
export type Notify = z.infer<typeof notifySchema>;

export const idempotencyKeySchema = z
  .string()
  .regex(/^[\x21-\x7e]{1,255}$/, "must be 1 to 255 visible ASCII characters, e.g. a UUID")
  .describe(
    "Makes the trigger safe to retry: the first request with a key starts a run, every later one with the same key (for this job) answers that run with Idempotent-Replayed: true",
  );
