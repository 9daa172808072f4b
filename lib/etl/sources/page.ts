/**
 * A page of source rows held column by column: `columns[i]` holds the values of `names[i]`, one
 * per row. Readers that see rows as cells (CSV) produce it directly, which spares an object per row
 * and the conversion of those objects back into columns for the transform steps.
 */
export class ColumnPage {
  constructor(
    readonly names: readonly string[],
    readonly columns: readonly unknown[][],
    readonly length: number,
  ) {}
}

/** What a source yields per page or chunk: records, or a ColumnPage. Both have a `length` in rows. */
export type SourcePage = readonly unknown[] | ColumnPage;

/** The page's first rows (all by default) as records, for the few readers that want rows: preview samples, tests. */
export function pageRecords(page: SourcePage, limit = page.length): unknown[] {
  if (!(page instanceof ColumnPage)) return page.slice(0, limit);
  const records: Record<string, unknown>[] = [];
  for (let row = 0; row < Math.min(limit, page.length); row++) {
    const record: Record<string, unknown> = {};
    for (let c = 0; c < page.names.length; c++) record[page.names[c]!] = page.columns[c]![row];
    records.push(record);
  }
  return records;
}
