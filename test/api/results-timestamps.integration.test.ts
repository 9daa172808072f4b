import { NextRequest } from "next/server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GET as jobData } from "@/app/api/v1/jobs/[id]/data/route";
import { GET as runResultsProfile } from "@/app/api/v1/runs/[id]/results/profile/route";
import { GET as runResults } from "@/app/api/v1/runs/[id]/results/route";
import { apiToken, BASE_URL, call } from "../api";
import { createUser, resetDatabase, resetQueue } from "../db";
import { loadFileThroughApi } from "../integration/file-helpers";
import { startRunsWorker } from "../worker";

/** More rows than a page of 1,000, so that `next` links seek with a cursor. */
const ROWS = 1200;
/** Every row's timestamp in the same millisecond, apart by microseconds: only the full value orders and finds them. */
const micros = (id: number) => `2024-01-01T10:00:00.${123_000 + id}Z`;

let worker: Awaited<ReturnType<typeof startRunsWorker>>;
let token: string;
let jobId: string;
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
  const rows = [{ id: 0, ts: "2024-01-01T09:00:00.12Z" }, ...Array.from({ length: ROWS }, (_, i) => ({ id: i + 1, ts: micros(i + 1) }))];
  const content = rows.map((row) => JSON.stringify(row)).join("\n");
  ({ jobId, runId } = await loadFileThroughApi(user.id, token, { name: "times.ndjson", content, format: "ndjson" }, "Times"));
});

const results = (query: string) => call(runResults, { path: `/api/v1/runs/${runId}/results?${query}`, params: { id: runId }, token });

async function download(query: string): Promise<string> {
  const req = new NextRequest(new URL(`/api/v1/jobs/${jobId}/data?${query}`, BASE_URL), { headers: { authorization: `Bearer ${token}` } });
  return (await jobData(req, { params: Promise.resolve({ id: jobId }) })).text();
}

describe("timestamps finer than milliseconds", () => {
  it("answer with their microseconds, and milliseconds as before when the value has no finer digits", async () => {
    const page = await results("sort=ts&pageSize=3");
    expect(page.body.results.map((r: { ts: string }) => r.ts)).toEqual([
      "2024-01-01T09:00:00.120Z",
      "2024-01-01T10:00:00.123001Z",
      "2024-01-01T10:00:00.123002Z",
    ]);
    // PostgreSQL prints 10:00:00.12301 for the tenth; its answer keeps six digits all the same.
    expect((await results("filter[id]=10")).body.results[0].ts).toBe("2024-01-01T10:00:00.123010Z");
    const data = await call(jobData, { path: `/api/v1/jobs/${jobId}/data?filter[id]=7`, params: { id: jobId }, token });
    expect(data.body.results[0].ts).toBe("2024-01-01T10:00:00.123007Z");
  });

  it("find the row by the value they answered", async () => {
    const ids = async (query: string) => (await results(query)).body.results.map((r: { id: number }) => r.id);
    const answered = (await results("filter[id]=500")).body.results[0].ts;
    expect(await ids(`filter[ts]=${answered}`)).toEqual([500]);
    expect(await ids(`filter[ts][gt]=${answered}&filter[ts][lte]=${micros(502)}`)).toEqual([501, 502]);
  });

  it("page in order through cursors that fall within one millisecond, both ways", async () => {
    for (const sort of ["ts", "-ts"]) {
      const ids: number[] = [];
      let query: string | null = `sort=${sort}&pageSize=1000`;
      while (query) {
        const page = await results(query);
        expect(page.status).toBe(200);
        ids.push(...page.body.results.map((r: { id: number }) => r.id));
        query = page.body.next ? new URL(page.body.next).searchParams.toString() : null;
      }
      const ascending = Array.from({ length: ROWS + 1 }, (_, id) => id);
      expect(ids).toEqual(sort === "ts" ? ascending : ascending.reverse());
    }
  });

  it("go into CSV and NDJSON downloads and the column profile whole", async () => {
    expect((await download("format=csv&filter[id][lte]=2&sort=id")).split("\r\n")).toEqual([
      "id,ts",
      "0,2024-01-01T09:00:00.120Z",
      "1,2024-01-01T10:00:00.123001Z",
      "2,2024-01-01T10:00:00.123002Z",
      "",
    ]);
    expect((await download("format=ndjson&filter[id]=3")).trimEnd()).toBe('{"id":3,"ts":"2024-01-01T10:00:00.123003Z"}');
    const profile = await call(runResultsProfile, { path: `/api/v1/runs/${runId}/results/profile?filter[id][gte]=1`, params: { id: runId }, token });
    const ts = profile.body.columns.find((c: { name: string }) => c.name === "ts");
    expect(ts).toMatchObject({ min: micros(1), max: micros(ROWS) });
    // The histogram spans them as well: its buckets start at the min and end at the max.
    expect([ts.histogram[0].from, ts.histogram.at(-1).to]).toEqual([micros(1), micros(ROWS)]);
    expect(ts.histogram.reduce((sum: number, b: { count: number }) => sum + b.count, 0)).toBe(ROWS);
  });
});
