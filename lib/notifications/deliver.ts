import "server-only";
import { UnrecoverableError, type Job } from "bullmq";
import { db } from "@/lib/db/client";
import { getJob } from "@/lib/db/queries/jobs";
import { getRun } from "@/lib/db/queries/runs";
import { env } from "@/lib/env";
import { runLogger } from "@/lib/etl/run-log";
import { OutboundRefusedError, safeFetch } from "@/lib/security/outbound";
import { toRunDto } from "@/lib/services/dto";
import { deliveryBody, eventOf, signature } from "./payload";
import { deliveryPayloadSchema, type DeliveryPayload } from "./queue";

export type DeliveryResult = { status: number } | { skipped: "run deleted" | "not wanted" };

/** Where a webhook points, for log lines: its query may carry a token. */
const display = (url: URL) => `${url.origin}${url.pathname}`;

/**
 * The processor of the notifications queue: POSTs the run's outcome to its job's webhook, signed
 * with NOTIFY_WEBHOOK_SECRET, through the outbound rules (no private addresses, no redirects
 * followed). Any answer but 2xx, and any network failure, is retried by the queue's backoff.
 */
export async function processDelivery(job: Job<DeliveryPayload>): Promise<DeliveryResult> {
  const payload = deliveryPayloadSchema.safeParse(job.data);
  if (!payload.success) throw new UnrecoverableError(`Invalid delivery payload: ${payload.error.message}`);
  const run = await getRun(db, payload.data.runId);
  if (!run) return { skipped: "run deleted" };
  const event = eventOf(run.status);
  const notify = run.definition.notify;
  if (!event || !notify?.on.includes(event)) return { skipped: "not wanted" };
  const secret = env.NOTIFY_WEBHOOK_SECRET;
  if (!secret) throw new UnrecoverableError("NOTIFY_WEBHOOK_SECRET is not set on the worker, so notifications cannot be signed.");

  const url = new URL(notify.webhookUrl);
  const jobRow = await getJob(db, run.jobId);
  const body = deliveryBody(event, { id: run.jobId, name: jobRow?.name ?? "" }, toRunDto(run));
  const timestamp = Math.floor(Date.now() / 1000);
  let response;
  try {
    response = await safeFetch(
      url,
      {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "DataFlowHub-Webhook/1",
          "x-dataflowhub-event": `run.${event}`,
          "x-dataflowhub-delivery": String(job.id),
          "x-dataflowhub-timestamp": String(timestamp),
          "x-dataflowhub-signature": signature(secret, timestamp, body),
        },
        body,
        signal: AbortSignal.timeout(env.NOTIFY_TIMEOUT_MS),
      },
      { followRedirects: false },
    );
  } catch (error) {
    if (error instanceof OutboundRefusedError) throw new UnrecoverableError(error.message);
    const reason = (error as Error).name === "TimeoutError" ? `no answer within ${env.NOTIFY_TIMEOUT_MS} ms` : "the request failed";
    throw new Error(`${display(url)}: ${reason}.`);
  }
  await response.discard();
  if (!response.ok) throw new Error(`${display(url)} answered HTTP ${response.status}.`);
  await runLogger(run.id)("info", `Notification run.${event} delivered to ${display(url)} (HTTP ${response.status}).`);
  return { status: response.status };
}

/** For the worker's `failed` event: once a delivery has no tries left, its run's log says so. */
export async function recordDeliveryFailure(job: Job<DeliveryPayload>, error: Error): Promise<void> {
  const attempts = job.opts.attempts ?? 1;
  const final = error instanceof UnrecoverableError || error.name === "UnrecoverableError" || job.attemptsMade >= attempts;
  if (!final || !(await getRun(db, job.data.runId))) return;
  await runLogger(job.data.runId)("warn", `The notification could not be delivered after ${job.attemptsMade} tries: ${error.message}`);
}
