"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { apiFetch, apiPath } from "@/components/api-client";
import type { Page } from "@/lib/schemas/common";
import type { ColumnType } from "@/lib/schemas/jobs";
import type { FilterOperator, ResultsProfile } from "@/lib/schemas/results";

export type ResultColumn = { name: string; type: ColumnType };
/** `countExact: false`: past 10,000 matching rows the count is PostgreSQL's estimate. */
export type ResultsPage = Page<Record<string, unknown>> & { columns: ResultColumn[]; countExact?: boolean };
export type ResultFilterInput = { column: string; op: FilterOperator; value: string };
export type ResultsScope = { q?: string; sort?: string; filters: ResultFilterInput[] };

/** The query parameters of a scope, as the results API reads them: q, sort and filter[col][op]=v. */
export function scopeParams({ q, sort, filters }: ResultsScope): Record<string, string | undefined> {
  const params: Record<string, string | undefined> = { q: q || undefined, sort };
  for (const filter of filters) params[`filter[${filter.column}][${filter.op}]`] = filter.value;
  return params;
}

/** `/api/v1/<endpoint>?format=…` with the scope: every matching row as a streamed download. */
export function downloadUrl(endpoint: string, scope: ResultsScope, format: "csv" | "ndjson"): string {
  return apiPath(endpoint, { ...scopeParams(scope), format });
}

export function useResultsPage(endpoint: string, scope: ResultsScope, page: number, pageSize: number, enabled: boolean) {
  return useQuery({
    queryKey: ["results", endpoint, scope, page, pageSize],
    queryFn: ({ signal }) => apiFetch<ResultsPage>(apiPath(endpoint, { ...scopeParams(scope), page, pageSize }), { signal }),
    placeholderData: keepPreviousData,
    enabled,
  });
}

export function useResultsProfile(endpoint: string, scope: ResultsScope, enabled: boolean) {
  const { q, filters } = scope;
  return useQuery({
    queryKey: ["results", endpoint, "profile", q, filters],
    queryFn: ({ signal }) => apiFetch<ResultsProfile>(apiPath(`${endpoint}/profile`, scopeParams({ q, filters })), { signal }),
    enabled,
    staleTime: 60_000,
  });
}
