import { pathId, readQuery } from "@/lib/api/body";
import { pageEnvelope } from "@/lib/api/pagination";
import { apiRoute } from "@/lib/api/route";
import { pageQuerySchema } from "@/lib/schemas/common";
import { loadJob, triggerRun } from "@/lib/services/jobs";
import { listRunsFor } from "@/lib/services/runs";

/** Triggers a run: 202 with the pending run; a browser session counts as manual, a token as api. */
export const POST = apiRoute({ objectPermission: "runs:execute" }, async ({ principal, params }) => {
  const run = await triggerRun(principal, pathId(params, "job"), principal.via === "token" ? "api" : "manual");
  return Response.json(run, { status: 202, headers: { location: `/api/v1/runs/${run.id}` } });
});

export const GET = apiRoute({ objectPermission: "runs:read" }, async ({ url, principal, params }) => {
  const job = await loadJob(principal, pathId(params, "job"), "jobs:read");
  const query = readQuery(url, pageQuerySchema);
  const { count, results } = await listRunsFor(principal, { ...query, jobId: job.id });
  return Response.json(pageEnvelope(url, query.page, query.pageSize, count, results));
});
