import { pathId, readJson } from "@/lib/api/body";
import { apiRoute } from "@/lib/api/route";
import { jobUpdateSchema } from "@/lib/schemas/jobs";
import { patchJob, readJob, removeJob } from "@/lib/services/jobs";

export const GET = apiRoute({ objectPermission: "jobs:read" }, async ({ principal, params }) => {
  return Response.json(await readJob(principal, pathId(params, "job")));
});

export const PATCH = apiRoute({ objectPermission: "jobs:write" }, async ({ req, principal, params }) => {
  const id = pathId(params, "job");
  return Response.json(await patchJob(principal, id, await readJson(req, jobUpdateSchema)));
});

export const DELETE = apiRoute({ objectPermission: "jobs:write" }, async ({ principal, params }) => {
  await removeJob(principal, pathId(params, "job"));
  return new Response(null, { status: 204 });
});
