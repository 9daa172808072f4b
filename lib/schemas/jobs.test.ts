import { describe, expect, it } from "vitest";
import { jobCreateSchema, jobUpdateSchema, type HttpSource } from "./jobs";

/** The SPEC.md job definition shape for an http job, with the optional parts left out. */
const specExample = {
  name: "Shop orders",
  description: "optional",
  source: {
    type: "http",
    url: "https://shop.example.com/api/orders",
    headers: { "x-api-key": "secret" },
    recordsPath: "data.items",
    pagination: { type: "next_url", nextUrlPath: "links.next" },
  },
  transform: [{ op: "normalize" }, { op: "select", columns: ["id", "customer.name"] }],
  destination: { type: "dataset", mode: "replace" },
  schedule: null,
  retry: { attempts: 3, backoffSeconds: 30 },
};

const AN_ID = "7d6f0a52-3c8e-4c1e-9d53-1b8a3f5e2c10";

function issues(input: unknown) {
  const result = jobCreateSchema.safeParse(input);
  expect(result.success).toBe(false);
  return result.error!.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
}

describe("jobCreateSchema", () => {
  it("accepts the SPEC example and fills in defaults", () => {
    expect(jobCreateSchema.parse(specExample)).toEqual({
      name: "Shop orders",
      description: "optional",
      source: {
        type: "http",
        url: "https://shop.example.com/api/orders",
        method: "GET",
        headers: { "x-api-key": "secret" },
        query: {},
        recordsPath: "data.items",
        pagination: { type: "next_url", nextUrlPath: "links.next" },
        maxPages: 1000,
        timeoutMs: 30_000,
      },
      transform: [{ op: "normalize", sep: "." }, { op: "select", columns: ["id", "customer.name"] }],
      destination: { type: "dataset", mode: "replace" },
      schedule: null,
      retry: { attempts: 3, backoffSeconds: 30 },
      overlap: "queue",
      notify: null,
    });
  });

  it("defaults everything but the name and the source URL", () => {
    expect(jobCreateSchema.parse({ name: "  Minimal  ", source: { type: "http", url: "http://127.0.0.1:8080/x" } })).toEqual({
      name: "Minimal",
      source: {
        type: "http",
        url: "http://127.0.0.1:8080/x",
        method: "GET",
        headers: {},
        query: {},
        recordsPath: "",
        pagination: { type: "none" },
        maxPages: 1000,
        timeoutMs: 30_000,
      },
      transform: [],
      destination: { type: "dataset", mode: "replace" },
      retry: { attempts: 3, backoffSeconds: 30 },
      schedule: null,
      overlap: "queue",
      notify: null,
    });
  });

  it("fills in pagination defaults per style", () => {
    const parse = (pagination: unknown) =>
      (jobCreateSchema.parse({ ...specExample, source: { ...specExample.source, pagination } }).source as HttpSource).pagination;
    expect(parse({ type: "page" })).toEqual({ type: "page", pageParam: "page", sizeParam: "page_size", pageSize: 100, startPage: 1 });
    expect(parse({ type: "offset", limit: 500 })).toEqual({ type: "offset", offsetParam: "offset", limitParam: "limit", limit: 500 });
    expect(parse({ type: "cursor", cursorPath: "meta.next_cursor" })).toEqual({
      type: "cursor",
      cursorParam: "cursor",
      cursorPath: "meta.next_cursor",
    });
    expect(parse({ type: "link_header" })).toEqual({ type: "link_header" });
  });

  it.each([["not a url"], ["ftp://shop.example.com/orders"], ["file:///etc/passwd"], ["javascript:alert(1)"]])(
    "rejects the source URL %s",
    (url) => {
      expect(issues({ ...specExample, source: { ...specExample.source, url } })).toEqual([
        { path: "source.url", message: "must be an http or https URL" },
      ]);
    },
  );

  it("rejects unknown top-level keys", () => {
    expect(issues({ ...specExample, owner: "me" })).toEqual([{ path: "", message: 'Unrecognized key: "owner"' }]);
  });

  it.each([
    ["the source", { source: { ...specExample.source, recordPath: "data" } }, "source", "recordPath"],
    ["the pagination", { source: { ...specExample.source, pagination: { type: "page", pageSze: 50 } } }, "source.pagination", "pageSze"],
    ["a format's options", { source: { type: "file", fileId: AN_ID, format: "xlsx", delimiter: ";" } }, "source", "delimiter"],
    [
      "a query source",
      { source: { type: "postgres", connectionId: AN_ID, query: "SELECT 1", incremental: { column: "id", from: 5 } }, destination: { type: "dataset", mode: "append" } },
      "source.incremental",
      "from",
    ],
    ["a step", { transform: [{ op: "filter", expr: "d => d.a > 0", columns: ["a"] }] }, "transform.0", "columns"],
    ["a sort key", { transform: [{ op: "sort", by: [{ column: "a", descending: true }] }] }, "transform.0.by.0", "descending"],
    ["the dataset", { destination: { type: "dataset", mode: "append", table: "orders" } }, "destination", "table"],
    ["a table destination", { destination: { type: "postgres", connectionId: AN_ID, table: "t", mode: "append", truncate: true } }, "destination", "truncate"],
    ["the schedule", { schedule: { cron: "0 2 * * *", extra: 1 } }, "schedule", "extra"],
    ["retry", { retry: { attempts: 3, backoff: 30 } }, "retry", "backoff"],
    ["notify", { notify: { webhookUrl: "https://hooks.example.com/dfh", events: ["failure"] } }, "notify", "events"],
  ])("refuses an unknown key in %s, naming the object's path", (_, change, path, key) => {
    const message = `Unrecognized key: "${key}"`;
    expect(issues({ ...specExample, ...change })).toEqual([{ path, message }]);
    const update = jobUpdateSchema.safeParse(change);
    expect(update.error?.issues.map((i) => ({ path: i.path.join("."), message: i.message }))).toEqual([{ path, message }]);
  });

  it("rejects bad pagination with the field's path", () => {
    const withPagination = (pagination: unknown) => ({ ...specExample, source: { ...specExample.source, pagination } });
    expect(issues(withPagination({ type: "next_url" }))).toEqual([
      { path: "source.pagination.nextUrlPath", message: "Invalid input: expected string, received undefined" },
    ]);
    expect(issues(withPagination({ type: "page", pageSize: 0 }))).toEqual([
      { path: "source.pagination.pageSize", message: "Too small: expected number to be >=1" },
    ]);
    expect(issues(withPagination({ type: "cursor", cursorPath: "meta..cursor" }))).toEqual([
      { path: "source.pagination.cursorPath", message: "must be a dot path like data.items, or empty" },
    ]);
    const [unknownStyle] = issues(withPagination({ type: "infinite" }));
    expect(unknownStyle?.path).toBe("source.pagination.type");
  });

  it("names the failing field for names, steps and retry", () => {
    expect(issues({ ...specExample, name: "   " })).toEqual([{ path: "name", message: "name is required" }]);
    expect(issues({ ...specExample, name: "x".repeat(121) })).toEqual([{ path: "name", message: "at most 120 characters" }]);
    expect(issues({ ...specExample, transform: [{ op: "select", columns: [] }] })[0]?.path).toBe("transform.0.columns");
    expect(issues({ ...specExample, transform: [{ op: "rename", columns: {} }] })).toEqual([
      { path: "transform.0.columns", message: "name at least one column" },
    ]);
    expect(issues({ ...specExample, retry: { attempts: 0, backoffSeconds: 30 } })[0]?.path).toBe("retry.attempts");
    expect(issues({ ...specExample, workspaceId: "not-a-uuid" })[0]?.path).toBe("workspaceId");
  });
  it("refuses request headers fetch would refuse, naming the header", () => {
    expect(issues({ ...specExample, source: { ...specExample.source, headers: { "Bad Header": "x" } } })).toEqual([
      { path: "source.headers.Bad Header", message: expect.stringMatching(/HTTP header name/) },
    ]);
    expect(issues({ ...specExample, source: { ...specExample.source, headers: { "x-note": "a\r\nx-injected: 1" } } })).toEqual([
      { path: "source.headers.x-note", message: "must not contain line breaks or NUL characters" },
    ]);
  });

  it("refuses a database query that cannot return rows", () => {
    const job = { name: "Copy", source: { type: "mysql", connectionId: "00000000-0000-4000-8000-000000000000", query: "DROP TABLE orders" } };
    expect(issues(job)).toEqual([
      {
        path: "source.query",
        message: "The query must be one statement that returns rows (SELECT, WITH … SELECT, VALUES or TABLE); it starts with DROP.",
      },
    ]);
  });
});

describe("an incremental source", () => {
  const source = (type: string) => ({ type, connectionId: AN_ID, query: "SELECT * FROM orders", incremental: { column: "updated_at" } });
  const refused = {
    path: "destination.mode",
    message:
      'mode replace cannot load an incremental source: each run reads only the rows whose "updated_at" is past the highest value already loaded, so replace would keep only those; use append or upsert',
  };

  it.each([
    ["the default dataset", undefined],
    ["the dataset", { type: "dataset", mode: "replace" }],
    ["a PostgreSQL table", { type: "postgres", connectionId: AN_ID, table: "orders", mode: "replace" }],
    ["a MySQL table", { type: "mysql", connectionId: AN_ID, table: "orders", mode: "replace" }],
  ])("is refused with mode replace into %s, naming the mode", (_, destination) => {
    for (const type of ["postgres", "mysql"]) expect(issues({ name: "Orders", source: source(type), destination })).toEqual([refused]);
  });

  it("is taken with append or upsert; replace is taken for a query that reads everything", () => {
    const ok = (job: unknown) => expect(jobCreateSchema.safeParse(job).success).toBe(true);
    ok({ name: "Orders", source: source("postgres"), destination: { type: "dataset", mode: "append" } });
    ok({ name: "Orders", source: source("mysql"), destination: { type: "postgres", connectionId: AN_ID, table: "orders", mode: "upsert", key: ["id"] } });
    ok({ name: "Orders", source: { ...source("postgres"), incremental: undefined } });
    ok({ name: "Orders", source: { ...source("mysql"), incremental: undefined }, destination: { type: "mysql", connectionId: AN_ID, table: "orders", mode: "replace" } });
  });
});

describe("jobUpdateSchema", () => {
  it("accepts partial updates without adding defaults", () => {
    expect(jobUpdateSchema.parse({ name: "Renamed" })).toEqual({ name: "Renamed" });
  });

  it("rejects unknown keys", () => {
    const result = jobUpdateSchema.safeParse({ nmae: "typo" });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('Unrecognized key: "nmae"');
  });
});
