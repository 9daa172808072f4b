import "server-only";
import { parentPort } from "node:worker_threads";
import { executeRun } from "./run";
import type { RunThreadInput } from "./isolated-run";

/**
 * Entry of a thread that executes run attempts (see isolated-run.ts), one at a time, each with
 * its time limit, answering each with its outcome. The thread keeps its modules and database
 * pool between runs, so only the first run pays for loading them.
 */
parentPort!.on("message", async ({ runId, ...attempt }: RunThreadInput) => {
  const outcome = await executeRun(runId, attempt);
  parentPort!.postMessage(outcome);
});
