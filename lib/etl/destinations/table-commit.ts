import type { Sql } from "@/lib/db/client";
import type { EtlError } from "@/lib/etl/errors";
import type { TablePlan } from "./table-plan";

type TwoPhase<T> = {
  /** Opens the target's transaction. */
  begin: () => Promise<unknown>;
  /** Does the target's work inside it; its result is handed back. */
  run: () => Promise<T>;
  commit: () => Promise<unknown>;
  rollback: () => Promise<unknown>;
  /** The app's database, where `finalize` marks the run successful. */
  app: Sql;
  finalize: (tx: Sql) => Promise<void>;
  /** Describes a target driver error for the run log. */
  fail: (error: unknown) => EtlError;
};

/**
 * Commits an external load together with the run's success, across two databases. The target's
 * work is done in its open transaction first; then, inside the app database's transaction, the
 * run is finalized (which locks the run and refuses a cancelled one) and the target commits; the
 * app's commit follows. A failure before the target's commit changes nothing anywhere. The only
 * gap left, the app's commit failing right after the target's, is closed by the loads being
 * idempotent per run: the retry puts the same rows in place again, never twice.
 */
export async function commitBoth<T>(phase: TwoPhase<T>): Promise<T> {
  try {
    await phase.begin();
  } catch (error) {
    throw phase.fail(error);
  }
  let outcome: T;
  try {
    outcome = await phase.run();
  } catch (error) {
    await phase.rollback().catch(() => undefined);
    throw phase.fail(error);
  }
  let committed = false;
  try {
    await phase.app.begin(async (tx) => {
      await phase.finalize(tx as unknown as Sql);
      try {
        await phase.commit();
      } catch (error) {
        throw phase.fail(error);
      }
      committed = true;
    });
  } catch (error) {
    if (!committed) await phase.rollback().catch(() => undefined);
    throw error;
  }
  return outcome;
}

/** The key columns as a list for log lines: `(id, region)`. */
export function describeKey(plan: TablePlan): string {
  return `(${plan.keyColumns.map((c) => c.name).join(", ")})`;
}
