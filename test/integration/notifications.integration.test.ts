import { Worker } from "bullmq";
import type { IncomingHttpHeaders } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { env } from "@/lib/env";
import { processDelivery, recordDeliveryFailure } from "@/lib/notifications/deliver";
import { verifySignature } from "@/lib/notifications/payload";
import { NOTIFICATIONS_QUEUE, type DeliveryPayload } from "@/lib/notifications/queue";
import { createRedis } from "@/lib/queue/connection";
import { POST as createJobRoute } from "@/app/api/v1/jobs/route";
import { apiToken, call, expectProblem } from "../api";
import { createUser, resetDatabase, resetQueue } from "../db";
import { sendJson, startFixtureServer, type FixtureServer } from "../fixture-server";
import { startRunsWorker, waitForRun } from "../worker";
import { createJob, logMessages, triggerJob } from "./jobs";

type Delivery = { at: number; headers: IncomingHttpHeaders; body: string };

let fixture: FixtureServer;
let runsWorker: Awaited<ReturnType<typeof startRunsWorker>>;
let deliveries: { worker: Worker<DeliveryPayload>; close(): Promise<void> };
let received: Delivery[] = [];
/** The answers the webhook gives, in order; 204 once they run out. */
let answers: number[] = [];

beforeAll(async () => {
  fixture = await startFixtureServer();
  runsWorker = await startRunsWorker();
  const connection = createRedis("worker");
  const worker = new Worker<DeliveryPayload>(NOTIFICATIONS_QUEUE, processDelivery, { connection, prefix: env.QUEUE_PREFIX });
  worker.on("failed", (job, error) => void (job && recordDeliveryFailure(job, error)));
  await worker.waitUntilReady();
  deliveries = {
    worker,
    async close() {
      await worker.close();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
});

afterAll(async () => {
  await deliveries?.close();
  await runsWorker?.close();
  await fixture?.close();
});

beforeEach(async () => {
  await resetQueue();
  await resetDatabase();
  fixture.reset();
  received = [];
  answers = [];
  fixture.route("/orders", (_req, res) => sendJson(res, 200, { items: [{ id: 1 }, { id: 2 }] }));
  fixture.route("/hook", (req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      received.push({ at: Date.now(), headers: req.headers, body });
      res.writeHead(answers.shift() ?? 204).end();
    });
  });
});

async function notifyingJob(path: string, notify: Record<string, unknown>) {
  const { user, workspace } = await createUser();
  return createJob({
    workspaceId: workspace.id,
    userId: user.id,
    name: "Notifying",
    definition: { source: { type: "http", url: `${fixture.origin}${path}`, recordsPath: "items" }, retry: { attempts: 1, backoffSeconds: 1 }, notify },
  });
}

async function deliveredCount(count: number, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (received.length < count) {
    if (Date.now() > deadline) throw new Error(`expected ${count} deliveries, got ${received.length}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe("run notifications", () => {
  it("POSTs the finished run to the webhook, signed with HMAC-SHA256 over the timestamp and body", async () => {
    const job = await notifyingJob("/orders", { webhookUrl: `${fixture.origin}/hook?token=abc` });
    const run = await waitForRun((await triggerJob(job)).id);
    expect(run.status).toBe("success");
    await deliveredCount(1);
    const [delivery] = received;
    expect(delivery!.headers).toMatchObject({
      "content-type": "application/json",
      "user-agent": "DataFlowHub-Webhook/1",
      "x-dataflowhub-event": "run.success",
      "x-dataflowhub-delivery": `notify-${run.id}`,
    });
    const timestamp = Number(delivery!.headers["x-dataflowhub-timestamp"]);
    expect(Math.abs(timestamp - Date.now() / 1000)).toBeLessThan(30);
    const header = delivery!.headers["x-dataflowhub-signature"] as string;
    expect(header).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifySignature(env.NOTIFY_WEBHOOK_SECRET!, timestamp, delivery!.body, header)).toBe(true);
    expect(verifySignature(env.NOTIFY_WEBHOOK_SECRET!, timestamp + 1, delivery!.body, header)).toBe(false);
    expect(verifySignature("another secret of enough length", timestamp, delivery!.body, header)).toBe(false);
    expect(JSON.parse(delivery!.body)).toEqual({
      event: "run.success",
      job: { id: job.id, name: "Notifying" },
      run: expect.objectContaining({ id: run.id, jobId: job.id, status: "success", rowsLoaded: 2, attempt: 1, error: null }),
    });
    await expectLogLine(run.id, `Notification run.success delivered to ${fixture.origin}/hook (HTTP 204).`);
  });

  it("retries a failing webhook with backoff until it answers 2xx, as the same delivery", async () => {
    answers = [500, 503];
    const job = await notifyingJob("/orders", { webhookUrl: `${fixture.origin}/hook`, on: ["success"] });
    const run = await waitForRun((await triggerJob(job)).id);
    await deliveredCount(3);
    expect(received.map((d) => d.headers["x-dataflowhub-delivery"])).toEqual(Array(3).fill(`notify-${run.id}`));
    // NOTIFY_BACKOFF_MS is 100 in tests: about 100 ms, then 200 ms.
    expect(received[1]!.at - received[0]!.at).toBeGreaterThanOrEqual(90);
    expect(received[2]!.at - received[1]!.at).toBeGreaterThanOrEqual(190);
    await expectLogLine(run.id, `Notification run.success delivered to ${fixture.origin}/hook (HTTP 204).`);
  });

  it("reports only the outcomes the job asks for", async () => {
    fixture.route("/gone", (_req, res) => sendJson(res, 404, { error: "gone" }));
    const job = await notifyingJob("/orders", { webhookUrl: `${fixture.origin}/hook`, on: ["failure"] });
    const ok = await waitForRun((await triggerJob(job)).id);
    expect(ok.status).toBe("success");
    const failing = await notifyingJob("/gone", { webhookUrl: `${fixture.origin}/hook`, on: ["failure"] });
    const failed = await waitForRun((await triggerJob(failing)).id);
    expect(failed.status).toBe("failed");
    await deliveredCount(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(received).toHaveLength(1);
    expect(JSON.parse(received[0]!.body)).toMatchObject({
      event: "run.failure",
      run: { id: failed.id, status: "failed", error: { stage: "extract", message: `${fixture.origin}/gone answered HTTP 404 Not Found.` } },
    });
  });

  it("never sends to an address the outbound rules refuse: 422 when saved, and no retry when it slipped through", async () => {
    const { user } = await createUser();
    const token = await apiToken(user.id);
    const problem = expectProblem(
      await call(createJobRoute, {
        method: "POST",
        path: "/api/v1/jobs",
        token,
        json: { name: "Internal hook", source: { type: "http", url: `${fixture.origin}/orders` }, notify: { webhookUrl: "http://169.254.169.254/latest" } },
      }),
      422,
    );
    expect(problem.errors?.map((e) => e.path)).toEqual(["notify.webhookUrl"]);

    const job = await notifyingJob("/orders", { webhookUrl: "http://10.1.2.3/hook" });
    const run = await waitForRun((await triggerJob(job)).id);
    await expectLogLine(run.id, (line) => line.startsWith("The notification could not be delivered after 1 tries: 10.1.2.3 is a private (RFC 1918) address."));
    expect(received).toEqual([]);
  });
});

async function expectLogLine(runId: string, match: string | ((line: string) => boolean), timeoutMs = 10_000) {
  const test = typeof match === "string" ? (line: string) => line === match : match;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lines = await logMessages(runId);
    if (lines.some(test)) return;
    if (Date.now() > deadline) throw new Error(`run log of ${runId} lacks the expected line; it holds:\n${lines.join("\n")}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
