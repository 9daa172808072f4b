import { describe, expect, it } from "vitest";
import { parseFilters, resultsQuerySchema } from "./results";

const filters = (query: string) => parseFilters(new URLSearchParams(query));

describe("parseFilters", () => {
  it("reads filter[col]=v as equality, keeping the parameter for errors to name", () => {
    expect(filters("filter[status]=paid")).toEqual([{ column: "status", op: "eq", value: "paid", param: "filter[status]" }]);
  });

  it("reads every operator", () => {
    expect(
      filters(
        "filter[a][gt]=1&filter[a][gte]=2&filter[a][lt]=3&filter[a][lte]=4&filter[a][ne]=5&filter[a][contains]=x&filter[a][eq]=6",
      ),
    ).toEqual([
      { column: "a", op: "gt", value: "1", param: "filter[a][gt]" },
      { column: "a", op: "gte", value: "2", param: "filter[a][gte]" },
      { column: "a", op: "lt", value: "3", param: "filter[a][lt]" },
      { column: "a", op: "lte", value: "4", param: "filter[a][lte]" },
      { column: "a", op: "ne", value: "5", param: "filter[a][ne]" },
      { column: "a", op: "contains", value: "x", param: "filter[a][contains]" },
      { column: "a", op: "eq", value: "6", param: "filter[a][eq]" },
    ]);
  });

  it("keeps dotted and encoded column names whole", () => {
    expect(filters("filter%5Bcustomer.name%5D%5Bcontains%5D=Ada%20L")).toEqual([
      { column: "customer.name", op: "contains", value: "Ada L", param: "filter[customer.name][contains]" },
    ]);
  });

  it("refuses a filter parameter it cannot read instead of ignoring it, naming the parameter", () => {
    const problems = (query: string) => {
      try {
        filters(query);
      } catch (error) {
        return (error as { issues: { path: string[]; message: string }[] }).issues.map((i) => ({ path: i.path.join("."), message: i.message }));
      }
      throw new Error(`${query} was accepted`);
    };
    expect(problems("filter[amount][foo]=1")).toEqual([
      { path: "filter[amount][foo]", message: 'unknown filter operator "foo"; use one of eq, gt, gte, lt, lte, ne, contains' },
    ]);
    for (const key of ["filter", "filter[]", "filter[a"]) {
      expect(problems(`${key}=x`)).toEqual([{ path: key, message: "a filter is filter[column]=value or filter[column][operator]=value" }]);
    }
    expect(filters("filters[a]=3&xfilter[a]=4&filtered=1")).toEqual([]);
  });

  it("keeps repeated filters, an empty value, and ignores other parameters", () => {
    expect(filters("page=2&sort=-id&q=x&filter[id][gt]=1&filter[id][lt]=9&filter[note]=")).toEqual([
      { column: "id", op: "gt", value: "1", param: "filter[id][gt]" },
      { column: "id", op: "lt", value: "9", param: "filter[id][lt]" },
      { column: "note", op: "eq", value: "", param: "filter[note]" },
    ]);
  });

});

describe("resultsQuerySchema", () => {
  it("applies paging defaults and coerces numbers", () => {
    expect(resultsQuerySchema.parse({})).toEqual({ page: 1, pageSize: 50, format: "json" });
    expect(resultsQuerySchema.parse({ page: "3", pageSize: "1000", sort: "-amount", q: "ada", format: "csv" })).toEqual({
      page: 3,
      pageSize: 1000,
      sort: "-amount",
      q: "ada",
      format: "csv",
    });
  });

  it("takes csv and ndjson as download formats, nothing else", () => {
    expect(resultsQuerySchema.parse({ format: "ndjson" }).format).toBe("ndjson");
    expect(resultsQuerySchema.safeParse({ format: "xlsx" }).error?.issues[0]?.path).toEqual(["format"]);
  });

  it("rejects out-of-range paging", () => {
    expect(resultsQuerySchema.safeParse({ pageSize: "1001" }).error?.issues[0]?.path).toEqual(["pageSize"]);
    expect(resultsQuerySchema.safeParse({ page: "0" }).error?.issues[0]?.path).toEqual(["page"]);
    expect(resultsQuerySchema.safeParse({ page: "two" }).error?.issues[0]?.path).toEqual(["page"]);
  });
});
