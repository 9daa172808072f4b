import "server-only";
import type postgres from "postgres";
import type { ExternalSql } from "@/lib/connections/postgres";
import type { ResolvedDatabaseConnection } from "@/lib/connections/resolve";
import { CopyTextReader, type CopyTextPage } from "./copy-text";
import { BATCH_ROWS, guard } from "./database-reading";
import { ColumnPage } from "./page";
import { startCopyOut } from "./postgres-copy-out";
import { selectStatementProblem } from "./select-statement";

/**
 * Types read through COPY: those whose text the cursor's parser (postgres.js's own, or this
 * project's exactTypes) turns into a scalar, or that it leaves as text. COPY prints a value with
 * the same output function, in the same session, as a result row does, so each cell goes through
 * the parser the cursor would apply. Arrays (which postgres.js parses into arrays), geometric,
 * enum, range, composite and extension types stay with the cursor.
 */
const COPY_TYPES = new Set([
  16, // bool
  17, // bytea
  18, // "char"
  19, // name
  20, // int8
  21, // int2
  23, // int4
  25, // text
  26, // oid
  114, // json
  142, // xml
  650, // cidr
  700, // float4
  701, // float8
  774, // macaddr8
  790, // money
  829, // macaddr
  869, // inet
  1042, // bpchar
  1043, // varchar
  1082, // date
  1083, // time
  1114, // timestamp
  1184, // timestamptz
  1186, // interval
  1266, // timetz
  1560, // bit
  1562, // varbit
  1700, // numeric
  2950, // uuid
  3802, // jsonb
]);

type Parser = ((text: string) => unknown) | undefined;

/** How to read a query's COPY output into pages that hold what the cursor's records would. */
export type CopyLayout = {
  /** Cells per COPY row: one per column the query describes. */
  width: number;
  /** The page's column names, as the keys of the cursor's records in their order. */
  names: string[];
  /** Per name: the cell its values come from. */
  fields: number[];
  /** Per name: the parser the cursor applies to its text (none: the text is the value). */
  parsers: Parser[];
};

/**
 * Whether COPY takes the query: a SELECT, WITH, VALUES or TABLE statement, after any comments and
 * opening parentheses, and no semicolon. A query may end in one before a comment, which a cursor
 * reads but COPY's parentheses cannot hold; one inside a literal sends the query to the cursor too.
 */
export function copyableQuery(text: string): boolean {
  return selectStatementProblem(text, "postgres") === null && !text.includes(";");
}

/** How to read the described query through COPY, or null when only the cursor reads it as it is read today. */
export function copyLayout(text: string, statement: Pick<postgres.Statement, "columns" | "types">): CopyLayout | null {
  return copyableQuery(text) ? describedLayout(statement) : null;
}

/**
 * The layout of a described statement, or null when COPY cannot give what the cursor would: a
 * parameter (COPY takes none), no columns, a type outside COPY_TYPES, or a column named `__proto__`
 * (which postgres.js sets on its records as their prototype, not as a key).
 */
export function describedLayout(statement: Pick<postgres.Statement, "columns" | "types">): CopyLayout | null {
  const { columns, types } = statement;
  if (types.length > 0 || columns.length === 0) return null;
  if (columns.some((column) => !COPY_TYPES.has(column.type) || column.name === "__proto__")) return null;
  // postgres.js sets each value on a plain object by column name, and integer-like names come first
  // among its keys: the page's names are in that order. (A repeated name is refused before this, by
  // extractPostgres; were one here, it would keep its first place and its last value, as a record does.)
  const place: Record<string, number> = {};
  columns.forEach((column, field) => (place[column.name] = field));
  const names = Object.keys(place);
  const fields = names.map((name) => place[name]!);
  return {
    width: columns.length,
    names,
    fields,
    parsers: fields.map((field) => columns[field]!.parser),
  };
}

/** What reading a query needs of its connection. */
export type PostgresReading = {
  connection: ResolvedDatabaseConnection;
  sql: ExternalSql;
  /** Turns a driver error into the run's error. */
  fail: (error: unknown) => Error;
  /** Receives the running statement, for a cancel to stop it; undefined once it has ended. */
  running: (statement: { cancel(): unknown } | undefined) => void;
};

/**
 * Reads the query's rows through `COPY (…) TO STDOUT` in pages of BATCH_ROWS rows, column by
 * column, which spares the object per row a cursor builds and the conversion back into columns.
 * Answers the number of rows read.
 */
export async function* readByCopy(reading: PostgresReading, text: string, layout: CopyLayout): AsyncGenerator<ColumnPage, number> {
  const { fail } = reading;
  const copy = await guard(fail, () => startCopyOut(reading.connection, reading.sql, text));
  reading.running(copy);
  const pages = copyPages(await guard(fail, () => copy.output), layout);
  let count = 0;
  // The next page is parsed from the output that arrives while this one is transformed and loaded.
  // A reader that stops early never awaits it; its failure (the connection closing) must not become unhandled.
  const fetchNext = () => {
    const next = pages.next();
    next.catch(() => undefined);
    return next;
  };
  let pending = fetchNext();
  while (true) {
    const next = await guard(fail, () => pending);
    if (next.done) {
      // Its process id may soon be another session's: a cancel from now on must not send it.
      reading.running(undefined);
      return count;
    }
    count += next.value.length;
    pending = fetchNext();
    yield next.value;
  }
}

/** Pages from COPY text output; the stream is read only as pages are asked for, which holds the server back. */
export async function* copyPages(output: AsyncIterable<Buffer>, layout: CopyLayout): AsyncGenerator<ColumnPage> {
  const reader = new CopyTextReader(layout.width, BATCH_ROWS);
  for await (const chunk of output) {
    for (const page of reader.push(chunk)) yield sourcePage(page, layout);
  }
  const last = reader.end();
  if (last) yield sourcePage(last, layout);
}

function sourcePage({ columns, rows }: CopyTextPage, layout: CopyLayout): ColumnPage {
  const values = layout.fields.map((field, i) => parseCells(columns[field]!, layout.parsers[i]));
  return new ColumnPage(layout.names, values, rows);
}

/** Parses a column's cells in place, NULL staying null, as postgres.js parses a result row's values. */
function parseCells(cells: (string | null)[], parse: Parser): unknown[] {
  if (!parse) return cells;
  const values: unknown[] = cells;
  for (let row = 0; row < cells.length; row++) {
    const cell = cells[row]!;
    if (cell !== null) values[row] = parse(cell);
  }
  return values;
}
