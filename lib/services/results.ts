import "server-only";
import { LRUCache } from "lru-cache";
import { db, sql } from "@/lib/db/client";
import { findDataset, findRunWithDataset, type DatasetRow as Dataset } from "@/lib/db/queries/datasets";
import { getJob } from "@/lib/db/queries/jobs";
import { profileResults } from "@/lib/db/queries/result-profile";
import type { ResultScope } from "@/lib/db/queries/result-scope";
import { ensurePageIndex } from "@/lib/db/queries/result-indexes";
import { decodeCursor, encodeCursor } from "@/lib/db/queries/result-seek";
import { countResults, readResults, streamResults, type ResultsOrder } from "@/lib/db/queries/results";
import { env } from "@/lib/env";
import { HttpError, isDataException, VALUE_MISFIT } from "@/lib/api/errors";
import { resultLinks } from "@/lib/api/pagination";
import { safeFileStem, streamDownload } from "@/lib/api/download";
import type { Principal } from "@/lib/auth/principal";
import { rowEncoder } from "@/lib/exports/row-encoders";
import { filterValueProblem, parseFilters, profileQuerySchema, resultsQuerySchema, type ResultFilter, type ResultsProfile } from "@/lib/schemas/results";
import { assertAccess } from "./access";
import { loadJob } from "./jobs";
import { rememberedCount } from "./result-counts";
import { accessibleRun } from "./runs";

/**
 * `replaces`: the run's mode swaps the whole dataset, so it holds that run's rows or none of them.
 * `dataset`: the job's, read with the run or job; undefined before the first successful load.
 */
type Target = { jobId: string; workspaceId: string; runId?: string; replaces?: boolean; dataset: Dataset | undefined };

/** In replace mode a later successful run swapped this run's rows out of the dataset. */
const isGone = ({ dataset, runId, replaces }: Target) => Boolean(dataset && runId && replaces && dataset.lastRunId !== runId);

/**
 * The dataset rows a request addresses: the job's table, one run's rows in it, narrowed by `q`
 * and `filter[…]`, ordered by `sort`. `dataset` is undefined before the first successful load;
 * `gone` means a later run replaced this run's rows.
 */
async function resolveScope(url: URL, target: Target) {
  const options = resultsQuerySchema.parse(Object.fromEntries(url.searchParams));
  const { dataset } = target;
  const gone = isGone(target);
  const filters = parseFilters(url.searchParams);
  const sort = options.sort ? { column: options.sort.replace(/^-/, ""), desc: options.sort.startsWith("-") } : undefined;
  if (dataset && !gone) {
    const known = new Set(["_run_id", "_row", ...dataset.columns.map((c) => c.name)]);
    const unknown = (name: string) =>
      new HttpError(422, `Unknown column "${name}".`, [{ path: name, message: `available: ${[...known].join(", ")}` }]);
    for (const filter of filters) if (!known.has(filter.column)) throw unknown(filter.column);
    if (sort && !known.has(sort.column)) throw unknown(sort.column);
    assertFilterValuesFit(filters, dataset.columns);
  }
  const scope: ResultScope & ResultsOrder = {
    schema: env.DATASET_SCHEMA,
    table: dataset?.tableName ?? "",
    columns: dataset?.columns ?? [],
    runId: target.runId,
    filters,
    q: options.q,
    sort,
  };
  return { options, dataset, gone, scope };
}

/** Refuses (422) filter values that cannot be compared with their columns, naming each; PostgreSQL's cast is the last word on the rest. */
function assertFilterValuesFit(filters: ResultFilter[], columns: Dataset["columns"]) {
  const problems = filters.flatMap((filter) => {
    if (filter.op === "contains") return [];
    const type = filter.column === "_run_id" ? "uuid" : filter.column === "_row" ? "integer" : columns.find((c) => c.name === filter.column)!.type;
    const problem = filterValueProblem(type, filter.value);
    return problem ? [{ path: filter.param ?? filter.column, message: problem }] : [];
  });
  if (problems.length > 0) throw new HttpError(422, "A filter value does not fit its column's type.", problems);
}

/**
 * A read whose values PostgreSQL refused as their columns' types (SQLSTATE class 22): the values
 * a read binds are the request's (filters, a cursor's key), so the request is what failed to
 * validate, in forms only PostgreSQL judges (dates, timestamps, numbers out of range).
 */
async function withRefusedValues<T>(read: Promise<T>): Promise<T> {
  try {
    return await read;
  } catch (error) {
    throw isDataException(error) ? new HttpError(422, VALUE_MISFIT) : error;
  }
}

/** From this many rows deep, `next` links seek with a cursor instead of counting pages. */
export const CURSOR_FROM_ROWS = 1000;

/** `expectVersion`: read the rows only while the dataset is still at the target's version (readResults' `expect`); null if it was not. */
async function pageOf(url: URL, target: Target, expectVersion = false) {
  const { options, dataset, gone, scope } = await resolveScope(url, target);
  const cursor = options.cursor ? decodeCursor(options.cursor, scope.sort) : null;
  if (options.cursor && !cursor) {
    throw new HttpError(400, "The cursor is not valid for this request (it was made for another sort, or altered); start again from the first page.");
  }
  const paging = { page: options.page, pageSize: options.pageSize };
  if (!dataset || gone) return { count: 0, countExact: true, next: null, previous: null, results: [], columns: dataset?.columns ?? [] };
  const table = { schema: scope.schema, name: dataset.tableName, version: dataset.updatedAt.toISOString(), rows: dataset.rowCount };
  // A run's rows in a dataset other runs also wrote are found by their run id, like an equality filter.
  const equals = [...(target.runId && !target.replaces ? ["_run_id"] : []), ...scope.filters.filter((f) => f.op === "eq").map((f) => f.column)];
  await ensurePageIndex(sql, table, { equals, sort: scope.sort });
  // Appended and upserted datasets mix runs: a run's rows must be counted, not taken from row_count.
  const unfiltered = scope.filters.length === 0 && !scope.q && (!target.runId || target.replaces === true);
  const [counted, page] = await Promise.all([
    cursor
      ? { count: cursor.count, exact: cursor.exact }
      : unfiltered
        ? { count: dataset.rowCount, exact: true }
        : rememberedCount(countKey(dataset, scope), () => countResults(sql, scope)),
    readResults(sql, {
      ...(cursor ? { ...scope, pageSize: paging.pageSize, after: cursor.key } : { ...scope, ...paging }),
      expect: expectVersion ? { jobId: dataset.jobId, updatedAt: dataset.updatedAt, lastRunId: dataset.lastRunId, runId: target.runId } : undefined,
    }),
  ]);
  const seek = page.more && page.last && (cursor || paging.page * paging.pageSize >= CURSOR_FROM_ROWS);
  const next = seek ? encodeCursor({ key: page.last!, count: counted.count, exact: counted.exact }, scope.sort) : null;
  const links = resultLinks(url, { ...paging, count: counted.count, more: page.more, cursor: next });
  const answer = { count: counted.count, countExact: counted.exact, ...links, results: page.results, columns: dataset.columns };
  return page.current ? answer : null;
}

/** What a count depends on: the dataset's table and version, and the rows the request narrows it to. */
function countKey(dataset: Dataset, scope: ResultScope): string {
  return JSON.stringify([dataset.tableName, dataset.updatedAt.toISOString(), scope.runId ?? null, scope.filters, scope.q ?? null]);
}

/**
 * Targets of recent page requests, by run or job. A busy results page is read with the target a
 * previous request found, and the page query checks that the dataset is still at its version:
 * one round trip instead of two. When it was not, or the kept target named what no longer exists
 * (a column, the table), the target is read afresh, so an answer never rests on a stale one.
 * Only targets with a dataset table to read are kept; access is checked against a kept target as
 * against a fresh one, since a run's or a job's workspace never changes.
 */
const recentTargets = new LRUCache<string, Target>({ max: 1000 });

async function pageWithRecentTarget(key: string, url: URL, authorize: (target: Target) => void, resolve: () => Promise<Target>) {
  const known = recentTargets.get(key);
  if (known) {
    authorize(known);
    const page = await pageOf(url, known, true).catch((error: unknown) => {
      if (staleTargetError(error)) return null;
      throw error;
    });
    if (page) return page;
    recentTargets.delete(key);
  }
  const target = await resolve();
  if (target.dataset && !isGone(target)) recentTargets.set(key, target);
  return (await withRefusedValues(pageOf(url, target)))!;
}

/**
 * What a target a later load changed can cause: a column it no longer knows (422), SQL on a table
 * or column that changed (SQLSTATE 42…, 0A000), or a value cast to a column's former type (22…).
 * The fresh target's attempt answers whichever of these the request itself deserves.
 */
function staleTargetError(error: unknown): boolean {
  if (error instanceof HttpError) return error.status === 422;
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === "string" && (code.startsWith("42") || code.startsWith("22") || code === "0A000");
}

async function download(url: URL, target: Target, filename: string) {
  const { options, dataset, gone, scope } = await resolveScope(url, target);
  if (options.format === "json") throw new HttpError(400, "A download needs format=csv or format=ndjson.");
  const format = options.format;
  const encoder = rowEncoder(format, (dataset?.columns ?? []).map((c) => c.name));
  const rows: AsyncGenerator<Record<string, unknown>[]> =
    dataset && !gone ? streamResults(sql, scope) : (async function* () {})();
  // The first batch is read before answering, so a query that fails at once gets a proper error status.
  const first = await withRefusedValues(rows.next());
  return streamDownload(first, rows, encoder, `${filename}.${encoder.extension}`);
}

async function profileOf(url: URL, target: Target): Promise<ResultsProfile> {
  profileQuerySchema.parse(Object.fromEntries(url.searchParams));
  const { dataset, gone, scope } = await resolveScope(url, target);
  if (!dataset) return { count: 0, columns: [] };
  if (gone) return { count: 0, columns: dataset.columns.map(emptyStats) };
  return withRefusedValues(profileResults(sql, scope));
}

const emptyStats = ({ name, type }: Dataset["columns"][number]) => ({ name, type, nulls: 0, distinct: 0, min: null, max: null, histogram: null, top: null });

/** Does the request ask for a download (`format=csv|ndjson`) rather than a page? */
export const wantsDownload = (url: URL) => ["csv", "ndjson"].includes(url.searchParams.get("format") ?? "");

async function runTarget(principal: Principal, runId: string) {
  const found = await findRunWithDataset(db, runId);
  const run = accessibleRun(principal, found?.run, "runs:read");
  const target: Target = { jobId: run.jobId, workspaceId: run.workspaceId, runId: run.id, replaces: run.replaces, dataset: found?.dataset };
  // Only downloads are named: a page request does not read the job.
  const filename = async () => `${safeFileStem((await getJob(db, run.jobId))?.name ?? "run")}-run-${run.id.slice(0, 8)}`;
  return { target, filename };
}

async function jobTarget(principal: Principal, jobId: string) {
  const job = await loadJob(principal, jobId, "jobs:read");
  const target: Target = { jobId: job.id, workspaceId: job.workspaceId, dataset: await findDataset(db, job.id) };
  return { target, filename: async () => `${safeFileStem(job.name)}-data` };
}

/** A page of the rows a run loaded, while they are still the job's dataset. */
export async function runResults(principal: Principal, runId: string, url: URL) {
  return pageWithRecentTarget(
    `run:${runId}`,
    url,
    (target) => accessibleRun(principal, target, "runs:read"),
    async () => (await runTarget(principal, runId)).target,
  );
}

/** Every row of the run matching the request, streamed as CSV or NDJSON. */
export async function runResultsDownload(principal: Principal, runId: string, url: URL): Promise<Response> {
  const { target, filename } = await runTarget(principal, runId);
  return download(url, target, await filename());
}

/** A page of the job's current dataset. */
export async function jobData(principal: Principal, jobId: string, url: URL) {
  return pageWithRecentTarget(
    `job:${jobId}`,
    url,
    (target) => assertAccess(principal, target.workspaceId, "jobs:read", "job"),
    async () => (await jobTarget(principal, jobId)).target,
  );
}

/** Every row of the job's dataset matching the request, streamed as CSV or NDJSON. */
export async function jobDataDownload(principal: Principal, jobId: string, url: URL): Promise<Response> {
  const { target, filename } = await jobTarget(principal, jobId);
  return download(url, target, await filename());
}

/** Per-column statistics of a run's rows that match `q` and the filters. */
export async function runResultsProfile(principal: Principal, runId: string, url: URL) {
  return profileOf(url, (await runTarget(principal, runId)).target);
}

/** Per-column statistics of the job's dataset rows that match `q` and the filters. */
export async function jobDataProfile(principal: Principal, jobId: string, url: URL) {
  return profileOf(url, (await jobTarget(principal, jobId)).target);
}
