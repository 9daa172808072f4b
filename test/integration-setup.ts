import { afterAll } from "vitest";
import { closeDb } from "@/lib/db/client";
import { closeQueues } from "@/lib/queue/producer";

// Every integration file runs in its own worker: close its pool and queue connection at the end
// so the file finishes promptly and the database can be dropped at teardown.
afterAll(async () => {
  await closeQueues();
  await closeDb();
});
