import { describe, expect, it } from "vitest";
import { jobCreateSchema, jobUpdateSchema } from "./jobs";
import { cronProblem, idempotencyKeySchema, isTimeZone, nextRunTimes, notifySchema, scheduleSchema } from "./run-control";

const source = { type: "http", url: "https://shop.example.com/api/orders" };

function issues(result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) {
  expect(result.success).toBe(false);
  return result.error!.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
}

describe("schedule", () => {
  it("accepts five-field, six-field (seconds) and @alias cron expressions, UTC by default", () => {
    expect(scheduleSchema.parse({ cron: "*/15 * * * *" })).toEqual({ cron: "*/15 * * * *", timezone: "UTC" });
    expect(scheduleSchema.parse({ cron: " 0 6 * * MON-FRI ", timezone: "Europe/Vienna" })).toEqual({
      cron: "0 6 * * MON-FRI",
      timezone: "Europe/Vienna",
    });
    expect(scheduleSchema.parse({ cron: "*/10 * * * * *", timezone: "America/New_York" }).cron).toBe("*/10 * * * * *");
    expect(scheduleSchema.parse({ cron: "@daily" }).cron).toBe("@daily");
  });

  it("names what is wrong with a cron expression or a time zone", () => {
    expect(cronProblem("* * *")).toBe("needs 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), got 3");
    expect(cronProblem("* * * * * * *")).toBe("needs 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), got 7");
    expect(cronProblem("61 * * * *")).toBe("is not a valid cron expression: Constraint error, got value 61 expected range 0-59");
    expect(cronProblem("0 0 30 2 *")).toBe("is not a valid cron expression: Invalid explicit day of month definition");
    expect(issues(scheduleSchema.safeParse({ cron: "61 * * * *", timezone: "Mars/Olympus" }))).toEqual([
      { path: "timezone", message: "is not a known IANA time zone, e.g. UTC or Europe/Vienna" },
    ]);
    expect(issues(jobCreateSchema.safeParse({ name: "x", source, schedule: { cron: "every day" } }))).toEqual([
      { path: "schedule.cron", message: "needs 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), got 2" },
    ]);
  });

  it("knows IANA zones and UTC through Intl", () => {
    expect(isTimeZone("UTC")).toBe(true);
    expect(isTimeZone("Etc/GMT+5")).toBe(true);
    expect(isTimeZone("Asia/Kolkata")).toBe(true);
    expect(isTimeZone("Europe/Springfield")).toBe(false);
    expect(isTimeZone("")).toBe(false);
  });

  it("computes the next run times in the schedule's time zone, across a DST change", () => {
    // Vienna moves from UTC+1 to UTC+2 on 2025-03-30 at 02:00 local time.
    const times = nextRunTimes({ cron: "30 6 * * *", timezone: "Europe/Vienna" }, 3, new Date("2025-03-28T12:00:00Z"));
    expect(times.map((t) => t.toISOString())).toEqual(["2025-03-29T05:30:00.000Z", "2025-03-30T04:30:00.000Z", "2025-03-31T04:30:00.000Z"]);
    const everyQuarter = nextRunTimes({ cron: "*/15 * * * *", timezone: "UTC" }, 2, new Date("2025-01-01T00:07:00Z"));
    expect(everyQuarter.map((t) => t.toISOString())).toEqual(["2025-01-01T00:15:00.000Z", "2025-01-01T00:30:00.000Z"]);
  });
});

describe("overlap and notify", () => {
  it("defaults overlap to queue and notify to null, and takes both in a PATCH", () => {
    const job = jobCreateSchema.parse({ name: "x", source });
    expect(job.overlap).toBe("queue");
    expect(job.notify).toBeNull();
    expect(jobUpdateSchema.parse({ overlap: "skip", notify: null, schedule: null })).toEqual({ overlap: "skip", notify: null, schedule: null });
    expect(issues(jobUpdateSchema.safeParse({ overlap: "parallel" }))[0]?.path).toBe("overlap");
  });

  it("reports both outcomes unless told otherwise, each listed once, to an http(s) URL", () => {
    expect(notifySchema.parse({ webhookUrl: "https://hooks.example.com/dfh" })).toEqual({
      webhookUrl: "https://hooks.example.com/dfh",
      on: ["success", "failure"],
    });
    expect(notifySchema.parse({ webhookUrl: "https://hooks.example.com/dfh", on: ["failure"] }).on).toEqual(["failure"]);
    expect(issues(notifySchema.safeParse({ webhookUrl: "ftp://hooks.example.com", on: ["failure", "failure"] }))).toEqual([
      { path: "webhookUrl", message: "must be an http or https URL" },
      { path: "on", message: "list each event once" },
    ]);
    expect(issues(notifySchema.safeParse({ webhookUrl: "https://hooks.example.com", on: [] }))[0]?.path).toBe("on");
  });
});

describe("idempotency key", () => {
  it("takes 1 to 255 visible ASCII characters", () => {
    expect(idempotencyKeySchema.parse("9f1c2a3b-run-2025-01-01")).toBe("9f1c2a3b-run-2025-01-01");
    expect(idempotencyKeySchema.safeParse("").success).toBe(false);
    expect(idempotencyKeySchema.safeParse("a b").success).toBe(false);
    expect(idempotencyKeySchema.safeParse("ü").success).toBe(false);
    expect(idempotencyKeySchema.safeParse("k".repeat(255)).success).toBe(true);
    expect(idempotencyKeySchema.safeParse("k".repeat(256)).success).toBe(false);
  });
});
