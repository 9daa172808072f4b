import { readJson, readQuery } from "@/lib/api/body";
import { pageEnvelope } from "@/lib/api/pagination";
import { apiRoute } from "@/lib/api/route";
import { pageQuerySchema } from "@/lib/schemas/common";
import { jobListQuerySchema } from "@/lib/schemas/job-list";
import { jobCreateSchema } from "@/lib/schemas/jobs";
import { createJob, listJobsFor } from "@/lib/services/jobs";

const listQuery = pageQuerySchema.extend(jobListQuerySchema.shape);

export const GET = apiRoute({ permission: "jobs:read" }, async ({ url, principal }) => {
  const query = readQuery(url, listQuery);
  const { count, results } = await listJobsFor(principal, query);
  return Response.json(pageEnvelope(url, query.page, query.pageSize, count, results));
});

export const POST = apiRoute({ permission: "jobs:write" }, async ({ req, principal }) => {
  const job = await createJob(principal, await readJson(req, jobCreateSchema));
  return Response.json(job, { status: 201 });
});
