"use client";

import { useId, useState, type FormEvent } from "react";
import type { FilterOperator } from "@/lib/schemas/results";
import type { ResultColumn, ResultFilterInput } from "./results-queries";

export const OPERATORS: { value: FilterOperator; label: string; symbol: string }[] = [
  { value: "eq", label: "equals", symbol: "=" },
  { value: "ne", label: "is not", symbol: "≠" },
  { value: "gt", label: "greater than", symbol: ">" },
  { value: "gte", label: "at least", symbol: "≥" },
  { value: "lt", label: "less than", symbol: "<" },
  { value: "lte", label: "at most", symbol: "≤" },
  { value: "contains", label: "contains", symbol: "contains" },
];

const PLACEHOLDERS: Record<string, string> = {
  integer: "e.g. 42",
  number: "e.g. 9.5",
  boolean: "true or false",
  date: "YYYY-MM-DD",
  timestamp: "e.g. 2024-01-31T12:00:00Z",
  json: "text inside the JSON",
  string: "text",
};

type Props = { columns: ResultColumn[]; filters: ResultFilterInput[]; onChange: (filters: ResultFilterInput[]) => void };

/**
 * Per-column filters as the API takes them (filter[col][op]=value): a column, a comparison and a
 * value to add one; the active ones as removable chips. One filter per column and comparison.
 */
export function ResultFilters({ columns, filters, onChange }: Props) {
  const id = useId();
  const [column, setColumn] = useState("");
  const [op, setOp] = useState<FilterOperator>("eq");
  const [value, setValue] = useState("");
  const chosen = columns.find((c) => c.name === column) ?? columns[0];

  const add = (event: FormEvent) => {
    event.preventDefault();
    if (!chosen || value.trim() === "") return;
    const next = filters.filter((f) => !(f.column === chosen.name && f.op === op));
    onChange([...next, { column: chosen.name, op, value: value.trim() }]);
    setValue("");
  };

  return (
    <div className="result-filters">
      <form className="filter-form" onSubmit={add} aria-label="Add a filter">
        <div className="field">
          <label htmlFor={`${id}-column`}>Filter column</label>
          <select id={`${id}-column`} value={chosen?.name ?? ""} onChange={(e) => setColumn(e.target.value)}>
            {columns.map((c) => (
              <option key={c.name} value={c.name}>
                {c.name} ({c.type})
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-op`}>Comparison</label>
          <select id={`${id}-op`} value={op} onChange={(e) => setOp(e.target.value as FilterOperator)}>
            {OPERATORS.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-value`}>Value</label>
          <input id={`${id}-value`} value={value} placeholder={PLACEHOLDERS[chosen?.type ?? "string"]} onChange={(e) => setValue(e.target.value)} />
        </div>
        <button type="submit" className="button" disabled={!chosen || value.trim() === ""}>
          Add filter
        </button>
      </form>
      {filters.length > 0 ? (
        <ul className="filter-chips" aria-label="Active filters">
          {filters.map((filter) => {
            const symbol = OPERATORS.find((o) => o.value === filter.op)?.symbol ?? filter.op;
            const text = `${filter.column} ${symbol} ${filter.value}`;
            return (
              <li key={`${filter.column}:${filter.op}`} className="filter-chip">
                <code>{text}</code>
                <button
                  type="button"
                  className="button button-quiet"
                  aria-label={`Remove filter ${text}`}
                  onClick={() => onChange(filters.filter((f) => f !== filter))}
                >
                  ✕
                </button>
              </li>
            );
          })}
          <li>
            <button type="button" className="button button-quiet" onClick={() => onChange([])}>
              Clear filters
            </button>
          </li>
        </ul>
      ) : null}
    </div>
  );
}
