import type { DatasetColumn } from "@/lib/db/schema";
import type { ColumnType } from "@/lib/schemas/jobs";

/** A column of one run's load: `empty` when the run had only nulls in it, so any type can hold it. */
export type RunColumn = DatasetColumn & { empty: boolean };

export type TypeConflict = { name: string; dataset: ColumnType; run: ColumnType };

export type SchemaPlan = {
  /** The dataset's columns after this run: existing ones first, in their order, then new ones. */
  columns: DatasetColumn[];
  added: DatasetColumn[];
  widened: { name: string; from: ColumnType; to: ColumnType }[];
  /** Dataset columns this run has no values for: its rows hold null there. */
  missing: string[];
  conflicts: TypeConflict[];
};

/**
 * How a run's values fit a dataset column of another type. `store`: as they are (a narrower type
 * converts losslessly: integers into numbers, dates into timestamps, anything into text);
 * `widen`: the dataset column must widen first; `conflict`: neither, the run fails.
 */
export function fit(dataset: ColumnType, run: ColumnType): "store" | "widen" | "conflict" {
  if (dataset === run || dataset === "string") return "store";
  if ((dataset === "number" && run === "integer") || (dataset === "timestamp" && run === "date")) return "store";
  if ((dataset === "integer" && run === "number") || (dataset === "date" && run === "timestamp")) return "widen";
  return "conflict";
}

/** Compares a run's columns with an existing dataset's (append and upsert), deciding every change up front. */
export function planSchema(existing: readonly DatasetColumn[], incoming: readonly RunColumn[]): SchemaPlan {
  const plan: SchemaPlan = { columns: existing.map((c) => ({ ...c })), added: [], widened: [], missing: [], conflicts: [] };
  const byName = new Map(plan.columns.map((c) => [c.name, c]));
  for (const column of incoming) {
    const current = byName.get(column.name);
    if (!current) {
      const added = { name: column.name, type: column.type };
      plan.columns.push(added);
      plan.added.push(added);
      continue;
    }
    if (column.empty) continue;
    const verdict = fit(current.type, column.type);
    if (verdict === "widen") {
      plan.widened.push({ name: column.name, from: current.type, to: column.type });
      current.type = column.type;
    } else if (verdict === "conflict") {
      plan.conflicts.push({ name: column.name, dataset: current.type, run: column.type });
    }
  }
  const names = new Set(incoming.map((c) => c.name));
  plan.missing = existing.filter((c) => !names.has(c.name)).map((c) => c.name);
  return plan;
}

export function conflictMessage(conflicts: readonly TypeConflict[]): string {
  const list = conflicts.map((c) => `column "${c.name}" is ${c.dataset} in the dataset but ${c.run} in this run`).join("; ");
  return (
    `Type conflict with the existing dataset: ${list}. Nothing was loaded. ` +
    "Add a cast step to convert the values, or run once in replace mode to redefine the dataset."
  );
}

/** One log line describing how the dataset's columns changed, or null when they did not. */
export function describeDrift(plan: Pick<SchemaPlan, "added" | "widened" | "missing">): string | null {
  const parts: string[] = [];
  if (plan.added.length) parts.push(`new column${plural(plan.added)} ${plan.added.map((c) => `"${c.name}" (${c.type})`).join(", ")} added`);
  if (plan.widened.length) parts.push(plan.widened.map((w) => `column "${w.name}" widened from ${w.from} to ${w.to}`).join(", "));
  if (plan.missing.length) parts.push(`column${plural(plan.missing)} ${plan.missing.map((n) => `"${n}"`).join(", ")} absent from this run (null in its rows)`);
  return parts.length ? `Schema drift: ${parts.join("; ")}.` : null;
}

/** Differences between the dataset a replace run swaps out and the one it swaps in. */
export function describeReplacement(before: readonly DatasetColumn[], after: readonly DatasetColumn[]): string | null {
  const old = new Map(before.map((c) => [c.name, c.type]));
  const now = new Map(after.map((c) => [c.name, c.type]));
  const parts: string[] = [];
  const added = after.filter((c) => !old.has(c.name));
  const removed = before.filter((c) => !now.has(c.name));
  const changed = after.filter((c) => old.has(c.name) && old.get(c.name) !== c.type);
  if (added.length) parts.push(`added ${added.map((c) => `"${c.name}" (${c.type})`).join(", ")}`);
  if (removed.length) parts.push(`removed ${removed.map((c) => `"${c.name}"`).join(", ")}`);
  if (changed.length) parts.push(`retyped ${changed.map((c) => `"${c.name}" from ${old.get(c.name)} to ${c.type}`).join(", ")}`);
  return parts.length ? `Schema drift: the replaced dataset's columns changed: ${parts.join("; ")}.` : null;
}

function plural(list: readonly unknown[]): string {
  return list.length > 1 ? "s" : "";
}
