"use client";

import { flexRender, getCoreRowModel, useReactTable, type ColumnDef, type SortingState } from "@tanstack/react-table";
import { useId, useMemo, useState } from "react";
import { formatCount } from "@/components/ui/format";
import { Pager } from "@/components/ui/pager";
import { QueryError } from "@/components/ui/query-error";
import { useDebouncedValue } from "@/components/ui/use-debounced-value";
import { CellValue } from "./cell-value";
import { ColumnProfile } from "./column-profile";
import { ResultFilters } from "./result-filters";
import { downloadUrl, useResultsPage, type ResultFilterInput, type ResultsScope } from "./results-queries";

const PAGE_SIZE = 25;
const NUMERIC = new Set(["integer", "number"]);
type Row = Record<string, unknown>;

type Props = {
  /** The API path of the rows: runs/{id}/results or jobs/{id}/data. */
  endpoint: string;
  /** Names the grid for screen readers, e.g. "Rows loaded by this run". */
  caption: string;
  /** What to say when there are no rows at all. */
  emptyText: string;
  /** Says when the API answers no rows because a later run replaced them. */
  replacedText?: string;
  expectedRows?: number;
};

/**
 * A results grid over the API: pages, sort by a column header, per-column filters, full-text
 * search, column types, downloads of everything matching (streamed by the API) and a column
 * profile. Sorting, filtering and paging happen in PostgreSQL; the table renders one page.
 */
export function ResultsExplorer({ endpoint, caption, emptyText, replacedText, expectedRows }: Props) {
  const [page, setPage] = useState(1);
  const [sorting, setSorting] = useState<SortingState>([]);
  const [search, setSearch] = useState("");
  const [filters, setFilters] = useState<ResultFilterInput[]>([]);
  const [showProfile, setShowProfile] = useState(false);
  const searchId = useId();
  const q = useDebouncedValue(search.trim(), 300);
  const sort = sorting[0] ? `${sorting[0].desc ? "-" : ""}${sorting[0].id}` : undefined;
  const scope: ResultsScope = useMemo(() => ({ q: q || undefined, sort, filters }), [q, sort, filters]);
  const results = useResultsPage(endpoint, scope, page, PAGE_SIZE, true);
  // The columns of the last page read: a request the API refuses has none of its own, and the
  // filters it needs them for must stay, to be changed or removed.
  const [lastColumns, setLastColumns] = useState<NonNullable<typeof results.data>["columns"]>();
  if (results.data && results.data.columns !== lastColumns) setLastColumns(results.data.columns);
  const columns = results.data?.columns ?? lastColumns;

  const columnDefs = useMemo<ColumnDef<Row>[]>(
    () => [
      { id: "_row", header: "#", accessorFn: (row) => row._row, enableSorting: false, meta: { type: "integer" } },
      ...(columns ?? []).map<ColumnDef<Row>>((column) => ({
        id: column.name,
        header: column.name,
        accessorFn: (row) => row[column.name],
        meta: { type: column.type },
      })),
    ],
    [columns],
  );
  // TanStack Table hands out functions whose results change without their identity changing: the
  // React Compiler leaves this component alone, which is what it must do.
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({
    data: results.data?.results ?? [],
    columns: columnDefs,
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    manualPagination: true,
    manualFiltering: true,
    enableSortingRemoval: false,
    sortDescFirst: false,
    state: { sorting },
    onSortingChange: (updater) => {
      setSorting(updater);
      setPage(1);
    },
    getRowId: (row) => `${String(row._run_id)}:${String(row._row)}`,
  });

  const narrowed = Boolean(q) || filters.length > 0;
  const onFilters = (next: ResultFilterInput[]) => {
    setFilters(next);
    setPage(1);
  };
  // Shown whatever the rows' state: a search or filter the API refuses (a value that is not a
  // number, say) must stay visible, to be changed or removed, beside the error it caused.
  const controls = (
    <>
      <div className="toolbar">
        <search>
          <label htmlFor={searchId}>Search rows</label>
          <input
            id={searchId}
            type="search"
            value={search}
            placeholder="Text contains…"
            onChange={(e) => {
              setSearch(e.target.value);
              setPage(1);
            }}
          />
        </search>
        <div className="actions">
          <a className="button" href={downloadUrl(endpoint, scope, "csv")} download>
            Download CSV
          </a>
          <a className="button" href={downloadUrl(endpoint, scope, "ndjson")} download>
            Download NDJSON
          </a>
          <button type="button" className="button" aria-expanded={showProfile} onClick={() => setShowProfile((v) => !v)}>
            {showProfile ? "Hide column profile" : "Column profile"}
          </button>
        </div>
      </div>
      {columns && columns.length > 0 ? <ResultFilters columns={columns} filters={filters} onChange={onFilters} /> : null}
    </>
  );

  if (results.isError && !results.data) {
    const error = <QueryError error={results.error} what="the rows" onRetry={() => results.refetch()} />;
    if (!narrowed) return error;
    return (
      <div className="results-explorer">
        {controls}
        {error}
      </div>
    );
  }
  if (!results.data) {
    return (
      <p className="muted" role="status">
        Loading rows…
      </p>
    );
  }

  const { count } = results.data;
  const sortedBy = sorting[0] ? `, sorted by ${sorting[0].id} ${sorting[0].desc ? "descending" : "ascending"}` : "";

  if (!narrowed && count === 0 && (columns?.length ?? 0) === 0) return <p className="empty">{emptyText}</p>;

  return (
    <div className="results-explorer">
      {controls}
      <p className="muted" aria-live="polite">
        {results.data.countExact === false ? "About " : ""}
        {formatCount(count)} {count === 1 ? "row" : "rows"}
        {q ? ` matching “${q}”` : ""}
        {filters.length > 0 ? ` with ${filters.length} ${filters.length === 1 ? "filter" : "filters"}` : ""}
        {sortedBy}
        {results.isError ? ` (could not refresh: the last page is shown)` : ""}
      </p>
      {results.isError ? <QueryError error={results.error} what="the rows" onRetry={() => results.refetch()} /> : null}

      {showProfile ? (
        <section aria-label="Column profile" className="card">
          <ColumnProfile endpoint={endpoint} scope={scope} />
        </section>
      ) : null}

      {count === 0 ? (
        <p className="empty">{narrowed ? "No rows match the search and filters." : replacedText && (expectedRows ?? 0) > 0 ? replacedText : emptyText}</p>
      ) : (
        <div className="table-wrap">
          <table className="table results" aria-busy={results.isFetching} aria-rowcount={count + 1}>
            <caption className="visually-hidden">{caption}; select a column header to sort</caption>
            <thead>
              {table.getHeaderGroups().map((group) => (
                <tr key={group.id}>
                  {group.headers.map((header) => {
                    const type = (header.column.columnDef.meta as { type: string }).type;
                    const numeric = NUMERIC.has(type) ? "numeric" : undefined;
                    if (header.column.id === "_row") {
                      return (
                        <th key={header.id} scope="col" className="numeric row-number">
                          #
                        </th>
                      );
                    }
                    const direction = header.column.getIsSorted();
                    return (
                      <th key={header.id} scope="col" className={numeric} aria-sort={direction === "asc" ? "ascending" : direction === "desc" ? "descending" : "none"}>
                        <button type="button" className="sort-button" onClick={header.column.getToggleSortingHandler()}>
                          <span className="column-name">{flexRender(header.column.columnDef.header, header.getContext())}</span>
                          <span className="column-type">{type}</span>
                          <span className="sort-indicator" aria-hidden="true">
                            {direction === "asc" ? "▲" : direction === "desc" ? "▼" : "↕"}
                          </span>
                        </button>
                      </th>
                    );
                  })}
                </tr>
              ))}
            </thead>
            <tbody>
              {table.getRowModel().rows.map((row) => (
                <tr key={row.id}>
                  {row.getVisibleCells().map((cell) => {
                    const type = (cell.column.columnDef.meta as { type: string }).type;
                    const className = cell.column.id === "_row" ? "numeric row-number" : NUMERIC.has(type) ? "numeric" : undefined;
                    return (
                      <td key={cell.id} className={className}>
                        <CellValue value={cell.getValue()} />
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager
        label="rows"
        page={page}
        pageSize={PAGE_SIZE}
        count={count}
        hasNext={Boolean(results.data.next)}
        hasPrevious={Boolean(results.data.previous)}
        onPageChange={setPage}
      />
    </div>
  );
}
