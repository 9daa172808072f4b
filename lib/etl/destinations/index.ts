import "server-only";
import { sql } from "@/lib/db/client";
import { qualified, stagingTableName } from "@/lib/db/identifiers";
import { env } from "@/lib/env";
import type { Destination } from "@/lib/schemas/jobs";
import { DatasetLoad } from "./dataset";
import { MysqlTableLoad } from "./mysql";
import { PostgresTableLoad } from "./postgres";
import type { DestinationContext, DestinationLoad } from "./types";

export function openDestination(destination: Destination, ctx: DestinationContext): Promise<DestinationLoad> {
  switch (destination.type) {
    case "dataset":
      return DatasetLoad.open(sql, destination, ctx);
    case "postgres":
      return PostgresTableLoad.open(sql, destination, ctx);
    case "mysql":
      return MysqlTableLoad.open(sql, destination, ctx);
  }
}

/**
 * Removes what an attempt that was stopped from outside (its thread ended at the time or memory
 * limit, or the worker shut down) left behind. External loads stage in temporary tables, which
 * vanish with the thread's connections.
 */
export async function discardAttempt(destination: Destination, runId: string, attemptId: string): Promise<void> {
  switch (destination.type) {
    case "dataset":
      await sql.unsafe(`DROP TABLE IF EXISTS ${qualified(env.DATASET_SCHEMA, stagingTableName(runId, attemptId))}`);
  }
}
