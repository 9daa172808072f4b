import { afterAll } from "vitest";
import { closeDb } from "@/lib/db/client";
import { closeRunsQueue } from "@/lib/queue/runs-queue";

// Every integration file runs in its own worker: close its pool and queue connection at the end
// so the file finishes promptly and the database can be dropped at teardown.
afterAll(async () => {
  await closeRunsQueue();
  await closeDb();
});
