import { pathId } from "@/lib/api/body";
import { apiRoute } from "@/lib/api/route";
import { readIncrementalState, resetIncrementalState } from "@/lib/services/incremental";

export const GET = apiRoute({ objectPermission: "jobs:read" }, async ({ principal, params }) => {
  return Response.json(await readIncrementalState(principal, pathId(params, "job")));
});

export const DELETE = apiRoute({ objectPermission: "jobs:write" }, async ({ principal, params }) => {
  await resetIncrementalState(principal, pathId(params, "job"));
  return new Response(null, { status: 204 });
});
