"use client";

import { QueryError } from "@/components/ui/query-error";
import { formatCount } from "@/components/ui/format";
import type { ColumnStats } from "@/lib/schemas/results";
import { CellValue } from "./cell-value";
import { useResultsProfile, type ResultsScope } from "./results-queries";

const formatBound = (value: unknown) => (typeof value === "number" ? Number(value.toPrecision(6)).toLocaleString() : String(value));

/** Bars scaled to the largest bucket; each bar's count and range are in its accessible name and tooltip. */
function Bars({ label, bars }: { label: string; bars: { name: string; count: number }[] }) {
  const max = Math.max(1, ...bars.map((b) => b.count));
  return (
    <ul className="bars" aria-label={label}>
      {bars.map((bar) => (
        <li key={bar.name} title={`${bar.name}: ${formatCount(bar.count)}`}>
          <span className="bar-label">{bar.name}</span>
          <span className="bar-track" aria-hidden="true">
            <span className="bar-fill" style={{ width: `${(bar.count / max) * 100}%` }} />
          </span>
          <span className="bar-count">{formatCount(bar.count)}</span>
        </li>
      ))}
    </ul>
  );
}

function ColumnCard({ stats, rows }: { stats: ColumnStats; rows: number }) {
  const nullShare = rows > 0 ? Math.round((stats.nulls / rows) * 100) : 0;
  return (
    <li className="profile-card">
      <h4>
        <code>{stats.name}</code> <span className="column-type">{stats.type}</span>
      </h4>
      <dl className="profile-facts">
        <div>
          <dt>Nulls</dt>
          <dd>
            {formatCount(stats.nulls)} ({nullShare}%)
          </dd>
        </div>
        <div>
          <dt>Distinct</dt>
          <dd>{formatCount(stats.distinct)}</dd>
        </div>
        {stats.min !== null ? (
          <div>
            <dt>Min</dt>
            <dd>
              <CellValue value={stats.min} />
            </dd>
          </div>
        ) : null}
        {stats.max !== null ? (
          <div>
            <dt>Max</dt>
            <dd>
              <CellValue value={stats.max} />
            </dd>
          </div>
        ) : null}
      </dl>
      {stats.histogram ? (
        <Bars
          label={`Distribution of ${stats.name}`}
          bars={stats.histogram.map((b) => ({ name: b.from === b.to ? formatBound(b.from) : `${formatBound(b.from)} – ${formatBound(b.to)}`, count: b.count }))}
        />
      ) : null}
      {stats.top ? <Bars label={`Most frequent values of ${stats.name}`} bars={stats.top.map((t) => ({ name: String(t.value), count: t.count }))} /> : null}
    </li>
  );
}

/** Per-column statistics of the rows in scope, computed by the API in SQL. */
export function ColumnProfile({ endpoint, scope }: { endpoint: string; scope: ResultsScope }) {
  const profile = useResultsProfile(endpoint, scope, true);
  if (profile.isError) return <QueryError error={profile.error} what="the column profile" onRetry={() => profile.refetch()} />;
  if (!profile.data) {
    return (
      <p className="muted" role="status">
        Profiling the columns…
      </p>
    );
  }
  if (profile.data.columns.length === 0) return <p className="empty">No columns to profile.</p>;
  return (
    <div aria-busy={profile.isFetching}>
      <p className="muted small">
        Profile of {formatCount(profile.data.count)} {profile.data.count === 1 ? "row" : "rows"}
        {scope.q || scope.filters.length > 0 ? " matching the search and filters" : ""}.
      </p>
      <ul className="profile-grid">
        {profile.data.columns.map((stats) => (
          <ColumnCard key={stats.name} stats={stats} rows={profile.data.count} />
        ))}
      </ul>
    </div>
  );
}
