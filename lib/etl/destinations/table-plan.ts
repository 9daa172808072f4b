import type { DatasetColumn } from "@/lib/db/schema";
import { safeColumnName } from "@/lib/db/identifiers";
import { EtlError } from "@/lib/etl/errors";
import { mergeTypes } from "@/lib/etl/infer-types";
import { batchColumnType, columnValues } from "@/lib/etl/transforms/batch";
import type { Batch } from "@/lib/etl/transforms/apply";
import type { ColumnType } from "@/lib/schemas/jobs";

/** A column the target table already has, as its database describes it. */
export type ExistingColumn = {
  name: string;
  /** The full type, e.g. `character varying(40)` or `datetime(6)`: staging columns copy it. */
  sqlType: string;
  /**
   * json: values go in as JSON text; datetime: a type without time zone, which takes timestamps as
   * UTC wall-clock time; integer (MySQL): whole numbers only, since MySQL rounds any other.
   */
  kind: "json" | "datetime" | "integer" | "other";
};

/** How one data column reaches the table. */
export type PlannedColumn = {
  source: string;
  name: string;
  /** The target's column of that name; null for a column this run adds. */
  existing: ExistingColumn | null;
  /** The type inferred from (or cast for) the values so far; null while they were all null. */
  type: ColumnType | null;
};

/**
 * Maps a run's data columns onto an external table: a column the table has (same name) keeps the
 * table's type; any other is added, typed from the values of the whole run. Names are made safe
 * and distinct the way dataset columns are, and keys are checked on every batch, so a missing or
 * empty key fails the run before anything is loaded.
 */
export class TablePlan {
  readonly columns: PlannedColumn[] = [];
  private rows = 0;

  constructor(
    /** The table's columns, or null when the table does not exist yet. */
    readonly existing: ReadonlyMap<string, ExistingColumn> | null,
    private readonly key: readonly string[] = [],
  ) {}

  get tableExists(): boolean {
    return this.existing !== null;
  }

  /** The batch's columns in order, and the ones seen for the first time (to add to the staging table). */
  map(batch: Batch): { columns: PlannedColumn[]; added: PlannedColumn[]; arrays: ArrayLike<unknown>[] } {
    const names = batch.columnNames();
    const arrays = names.map((name) => columnValues(batch, name));
    this.checkKey(names, arrays);
    const added: PlannedColumn[] = [];
    const columns = names.map((source, i) => {
      const type = batchColumnType(batch, source, arrays[i]!);
      let column = this.columns.find((c) => c.source === source);
      if (!column) {
        // The same mapping every run, so a renamed column (too long, or named like ours) meets itself again.
        const name = safeColumnName(source, new Set(this.columns.map((c) => c.name)));
        column = { source, name, existing: this.existing?.get(name) ?? null, type };
        this.columns.push(column);
        added.push(column);
      } else if (type !== null) {
        column.type = column.type === null ? type : (mergeTypes(column.type, type) ?? column.type);
      }
      return column;
    });
    this.rows += batch.numRows();
    return { columns, added, arrays };
  }

  /** Columns the table lacks: created with the table, or added to it, at commit. */
  get newColumns(): PlannedColumn[] {
    return this.columns.filter((c) => c.existing === null);
  }

  /** The key's target columns, in the key's order. */
  get keyColumns(): PlannedColumn[] {
    return this.key.map((name) => this.columns.find((c) => c.source === name)!);
  }

  get columnTypes(): DatasetColumn[] {
    return this.columns.map((c) => ({ name: c.name, type: c.type ?? "string" }));
  }

  private checkKey(names: string[], arrays: ArrayLike<unknown>[]): void {
    for (const keyName of this.key) {
      const index = names.indexOf(keyName);
      if (index === -1) {
        throw new EtlError(`The upsert key column "${keyName}" is not in the data; its columns are ${names.map((n) => `"${n}"`).join(", ") || "none"}.`, true);
      }
      const values = arrays[index]!;
      for (let row = 0; row < values.length; row++) {
        if (values[row] === null || values[row] === undefined) {
          throw new EtlError(`Row ${this.rows + row + 1} has no value for the upsert key column "${keyName}"; every row needs one. Nothing was loaded.`, true);
        }
      }
    }
  }
}
