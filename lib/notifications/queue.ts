import "server-only";
import type { Queue } from "bullmq";
import { z } from "zod";
import { env } from "@/lib/env";
import { producerQueue } from "@/lib/queue/producer";

/** Webhook deliveries, on a queue of their own so a slow receiver never holds up runs. */
export const NOTIFICATIONS_QUEUE = "notifications";

export const deliveryPayloadSchema = z.object({ runId: z.uuid() });
export type DeliveryPayload = z.infer<typeof deliveryPayloadSchema>;

export function notificationsQueue(): Queue<DeliveryPayload> {
  return producerQueue<DeliveryPayload>(NOTIFICATIONS_QUEUE);
}

/** One delivery per run: a run ends once, and a repeated enqueue (a retried processor) finds the same queue job. */
export async function enqueueDelivery(runId: string): Promise<void> {
  await notificationsQueue().add(
    "deliver",
    { runId },
    {
      jobId: `notify-${runId}`,
      attempts: env.NOTIFY_ATTEMPTS,
      // With the defaults: 10 s, 20 s, 40 s … about 21 minutes until the eighth and last try.
      backoff: { type: "exponential", delay: env.NOTIFY_BACKOFF_MS },
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 5000 },
    },
  );
}
