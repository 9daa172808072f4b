import { beforeAll, afterAll, beforeEach, describe, expect, it } from "vitest";
import { GET as runResults } from "@/app/api/v1/runs/[id]/results/route";
import { CURSOR_FROM_ROWS } from "@/lib/services/results";
import { apiToken, call, expectProblem } from "../api";
import { createUser, resetDatabase, resetQueue } from "../db";
import { loadFileThroughApi } from "../integration/file-helpers";
import { startRunsWorker } from "../worker";

const ROWS = 2600;
/** Few distinct scores (many ties) and every 7th one missing: the cases a seek must get right. */
const score = (id: number) => (id % 7 === 0 ? null : id % 4);
const label = (id: number) => (id % 11 === 0 ? null : `L${id % 3}`);

let worker: Awaited<ReturnType<typeof startRunsWorker>>;
let token: string;
let runId: string;

beforeAll(async () => {
  worker = await startRunsWorker();
});

afterAll(async () => {
  await worker?.close();
});

beforeEach(async () => {
  await resetQueue();
  await resetDatabase();
  const { user } = await createUser("analyst");
  token = await apiToken(user.id);
  let csv = "id,score,label\n";
  for (let id = 1; id <= ROWS; id++) csv += `${id},${score(id) ?? ""},${label(id) ?? ""}\n`;
  ({ runId } = await loadFileThroughApi(user.id, token, { name: "scores.csv", content: csv, format: "csv" }, "Scores"));
});

const get = (pathAndQuery: string) => call(runResults, { path: pathAndQuery, params: { id: runId }, token });

/** Follows `next` from the first page to the end; returns the ids in order and every link followed. */
async function walk(query: string) {
  const ids: number[] = [];
  const links: string[] = [];
  let path: string | null = `/api/v1/runs/${runId}/results?${query}`;
  while (path) {
    const res = await get(path);
    expect(res.status).toBe(200);
    ids.push(...res.body.results.map((r: { id: number }) => r.id));
    path = res.body.next ? new URL(res.body.next).pathname + new URL(res.body.next).search : null;
    if (path) links.push(path);
  }
  return { ids, links };
}

/** The expected order: the sort value with nulls last, ties in load order (reversed when descending). */
function expected(ids: number[], value: (id: number) => number | string | null, desc: boolean) {
  return [...ids].sort((a, b) => {
    const [x, y] = [value(a), value(b)];
    if (x === null || y === null) return x === y ? (desc ? b - a : a - b) : x === null ? 1 : -1;
    if (x !== y) return (x < y ? -1 : 1) * (desc ? -1 : 1);
    return desc ? b - a : a - b;
  });
}

const all = Array.from({ length: ROWS }, (_, i) => i + 1);

describe("results paged through next links (cursor past the first pages)", () => {
  it("visits every row once, in order, ascending and descending, with ties and nulls in the sort column", async () => {
    for (const [sort, value] of [
      ["score", score],
      ["-score", score],
      ["label", label],
      ["-label", label],
    ] as const) {
      const { ids, links } = await walk(`sort=${sort}&pageSize=170`);
      expect(ids).toEqual(expected(all, value, sort.startsWith("-")));
      // Shallow pages keep plain page numbers; past CURSOR_FROM_ROWS the links seek.
      const firstCursor = links.findIndex((link) => link.includes("cursor="));
      expect(firstCursor).toBe(Math.floor(CURSOR_FROM_ROWS / 170) - 1 + 1);
      expect(links.slice(firstCursor).every((link) => link.includes("cursor="))).toBe(true);
      expect(links.at(-1)).toContain(`page=${Math.ceil(ROWS / 170)}`);
    }
  });

  it("keeps the filter and the count along the cursor links, and stops at the last row", async () => {
    const filtered = all.filter((id) => score(id) !== null && score(id)! >= 2);
    const { ids, links } = await walk("sort=-score&filter[score][gte]=2&pageSize=100");
    expect(ids).toEqual(expected(filtered, score, true));
    const deep = await get(links.at(-1)!);
    expect(deep.body).toMatchObject({ count: filtered.length, countExact: true, next: null });
    expect(deep.body.previous).toContain(`page=${Math.ceil(filtered.length / 100) - 1}`);
    expect(deep.body.previous).not.toContain("cursor=");
  });

  it("pages in load order without a sort", async () => {
    const { ids } = await walk("pageSize=500");
    expect(ids).toEqual(all);
  });

  it("refuses a cursor that was altered or made for another sort", async () => {
    const { links } = await walk("sort=score&pageSize=400");
    const withCursor = links.find((link) => link.includes("cursor="))!;
    expectProblem(await get(withCursor.replace("sort=score", "sort=-score")), 400);
    expectProblem(await get(withCursor.replace(/cursor=[^&]+/, "cursor=bm90LWEtY3Vyc29y")), 400);
  });
});
