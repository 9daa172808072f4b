import "server-only";
import { db } from "@/lib/db/client";
import { getRun } from "@/lib/db/queries/runs";
import { runLog } from "@/lib/logger";
import { enqueueDelivery } from "./queue";
import { eventOf } from "./payload";

/**
 * Queues the webhook of a run that just ended, if its job asks for that outcome. Never throws:
 * a notification that cannot be queued is logged, and the run's own result stands.
 */
export async function notifyRunEnded(runId: string): Promise<void> {
  try {
    const run = await getRun(db, runId);
    const event = run && eventOf(run.status);
    if (!run || !event || !run.definition.notify?.on.includes(event)) return;
    await enqueueDelivery(runId);
  } catch (error) {
    runLog(runId).error({ err: error }, "could not queue the run's notification");
  }
}
