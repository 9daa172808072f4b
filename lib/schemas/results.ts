import { z } from "zod";
import { MAX_PAGE_SIZE } from "./common";

export const filterOperators = ["eq", "gt", "gte", "lt", "lte", "ne", "contains"] as const;
export type FilterOperator = (typeof filterOperators)[number];
export type ResultFilter = { column: string; op: FilterOperator; value: string };

export const resultsQuerySchema = z.object({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
  sort: z.string().max(300).optional().describe("A column to order by; prefix with - for descending"),
  q: z.string().max(200).optional().describe("Case-insensitive search across text columns"),
});

/** Reads `filter[col]=v` and `filter[col][op]=v` pairs from a query string. */
export function parseFilters(params: URLSearchParams): ResultFilter[] {
  const filters: ResultFilter[] = [];
  for (const [key, value] of params) {
    const withOp = /^filter\[(.+)\]\[(gt|gte|lt|lte|ne|contains|eq)\]$/.exec(key);
    if (withOp) {
      filters.push({ column: withOp[1]!, op: withOp[2] as FilterOperator, value });
      continue;
    }
    const plain = /^filter\[(.+)\]$/.exec(key);
    if (plain) filters.push({ column: plain[1]!, op: "eq", value });
  }
  return filters;
}
