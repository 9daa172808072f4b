import "server-only";
import { parentPort } from "node:worker_threads";
import { executeRun } from "./run";
import type { RunThreadInput, RunThreadMessage } from "./isolated-run";
import type { RunLog } from "./run-log";

const post = (message: RunThreadMessage) => parentPort!.postMessage(message);

/**
 * The attempt's log goes to the main thread, which writes it (isolated-run.ts): a line posted is
 * safe even if this thread is stopped the next moment, stuck in a step, and the run never waits
 * for an insert.
 */
const toMainThread = (runId: string): RunLog => ({
  log: async (level, message, data) => post({ kind: "log", runId, line: { level, message, data, ts: new Date() } }),
  flush: async () => undefined,
});

/**
 * Entry of a thread that executes run attempts (see isolated-run.ts), one at a time, each with
 * its time limit, answering each with its outcome. The thread keeps its modules and database
 * pool between runs, so only the first run pays for loading them.
 */
parentPort!.on("message", async ({ runId, ...attempt }: RunThreadInput) => {
  const outcome = await executeRun(runId, attempt, toMainThread(runId));
  post({ kind: "outcome", outcome });
});
