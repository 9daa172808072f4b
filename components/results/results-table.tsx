"use client";

import { useState } from "react";
import { type ResultColumn, useRunResults } from "@/components/runs/run-queries";
import { formatCount } from "@/components/ui/format";
import { Pager } from "@/components/ui/pager";
import { QueryError } from "@/components/ui/query-error";
import { useDebouncedValue } from "@/components/ui/use-debounced-value";
import type { Run } from "@/lib/schemas/runs";
import { CellValue } from "./cell-value";

const PAGE_SIZE = 25;

type Sort = { column: string; desc: boolean } | null;

const NUMERIC = new Set(["integer", "number"]);

/** The rows a run loaded: paged, sortable by clicking a header, searchable across text columns. */
export function ResultsTable({ run }: { run: Run }) {
  const [page, setPage] = useState(1);
  const [sort, setSort] = useState<Sort>(null);
  const [search, setSearch] = useState("");
  const q = useDebouncedValue(search.trim(), 300);
  const params = { page, pageSize: PAGE_SIZE, sort: sort ? `${sort.desc ? "-" : ""}${sort.column}` : undefined, q: q || undefined };
  const results = useRunResults(run.id, params, run.status === "success");

  if (run.status !== "success") {
    const why = run.status === "pending" || run.status === "running" ? "once the run has succeeded" : `only for successful runs; this one ${run.status === "failed" ? "failed" : "was cancelled"}`;
    return <p className="muted">Results are shown {why}.</p>;
  }
  if (results.isError) return <QueryError error={results.error} what="the results" onRetry={() => results.refetch()} />;
  if (!results.data) return <p className="muted">Loading results…</p>;

  const { columns, count } = results.data;
  const replaced = count === 0 && !q && run.rowsLoaded > 0;
  const toggleSort = (column: string) => {
    setSort((current) => ({ column, desc: current?.column === column ? !current.desc : false }));
    setPage(1);
  };

  return (
    <>
      <div className="toolbar">
        <search>
          <label htmlFor="results-search">Search rows</label>
          <input
            id="results-search"
            type="search"
            value={search}
            placeholder="Text contains…"
            onChange={(e) => {
              setSearch(e.target.value);
              setPage(1);
            }}
          />
        </search>
        <p className="muted" aria-live="polite">
          {formatCount(count)} {count === 1 ? "row" : "rows"}
          {q ? ` matching “${q}”` : ""}
          {sort ? `, sorted by ${sort.column} ${sort.desc ? "descending" : "ascending"}` : ""}
        </p>
      </div>
      {replaced ? (
        <p className="empty">A later successful run replaced these rows in the dataset; open that run to see the current data.</p>
      ) : count === 0 ? (
        <p className="empty">{q ? `No rows match “${q}”.` : "This run loaded no rows."}</p>
      ) : (
        <div className="table-wrap">
          <table className="table results" aria-busy={results.isFetching}>
            <caption className="visually-hidden">Rows loaded by this run; select a column header to sort</caption>
            <thead>
              <tr>
                <th scope="col" className="numeric row-number">
                  #
                </th>
                {columns.map((column) => (
                  <SortableHeader key={column.name} column={column} sort={sort} onSort={toggleSort} />
                ))}
              </tr>
            </thead>
            <tbody>
              {results.data.results.map((row) => (
                <tr key={String(row._row)}>
                  <td className="numeric row-number">{String(row._row)}</td>
                  {columns.map((column) => (
                    <td key={column.name} className={NUMERIC.has(column.type) ? "numeric" : undefined}>
                      <CellValue value={row[column.name]} />
                    </td>
                  ))}
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
    </>
  );
}

function SortableHeader({ column, sort, onSort }: { column: ResultColumn; sort: Sort; onSort: (column: string) => void }) {
  const active = sort?.column === column.name;
  const direction = active ? (sort.desc ? "descending" : "ascending") : undefined;
  return (
    <th scope="col" aria-sort={direction ?? "none"} className={NUMERIC.has(column.type) ? "numeric" : undefined}>
      <button type="button" className="sort-button" onClick={() => onSort(column.name)}>
        <span className="column-name">{column.name}</span>
        <span className="column-type">{column.type}</span>
        <span className="sort-indicator" aria-hidden="true">
          {active ? (sort.desc ? "▼" : "▲") : "↕"}
        </span>
      </button>
    </th>
  );
}
