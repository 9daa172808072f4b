import { pathId, readQuery } from "@/lib/api/body";
import { HttpError, zodProblems } from "@/lib/api/errors";
import { pageEnvelope } from "@/lib/api/pagination";
import { apiRoute } from "@/lib/api/route";
import { pageQuerySchema } from "@/lib/schemas/common";
import { idempotencyKeySchema } from "@/lib/schemas/run-control";
import { loadJob, triggerRun } from "@/lib/services/jobs";
import { listRunsFor } from "@/lib/services/runs";

/**
 * Triggers a run: 202 with the pending run; a browser session counts as manual, a token as api.
 * A repeat with the same Idempotency-Key answers the first request's run, also 202, marked with
 * Idempotent-Replayed: true.
 */
export const POST = apiRoute({ objectPermission: "runs:execute" }, async ({ req, principal, params }) => {
  const key = idempotencyKey(req.headers.get("idempotency-key"));
  const { run, replayed } = await triggerRun(principal, pathId(params, "job"), principal.via === "token" ? "api" : "manual", key);
  const headers: Record<string, string> = { location: `/api/v1/runs/${run.id}` };
  if (replayed) headers["idempotent-replayed"] = "true";
  return Response.json(run, { status: 202, headers });
});

function idempotencyKey(header: string | null): string | undefined {
  if (header === null) return undefined;
  const parsed = idempotencyKeySchema.safeParse(header);
  if (!parsed.success) {
    throw new HttpError(422, "The request did not validate.", zodProblems(parsed.error).map((p) => ({ ...p, path: "Idempotency-Key" })));
  }
  return parsed.data;
}

export const GET = apiRoute({ objectPermission: "runs:read" }, async ({ url, principal, params }) => {
  const job = await loadJob(principal, pathId(params, "job"), "jobs:read");
  const query = readQuery(url, pageQuerySchema);
  const { count, results } = await listRunsFor(principal, { ...query, jobId: job.id });
  return Response.json(pageEnvelope(url, query.page, query.pageSize, count, results));
});
