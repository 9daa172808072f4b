import { pathId } from "@/lib/api/body";
import { apiRoute } from "@/lib/api/route";
import { jobDataProfile } from "@/lib/services/results";

export const GET = apiRoute({ objectPermission: "jobs:read" }, async ({ url, principal, params }) =>
  Response.json(await jobDataProfile(principal, pathId(params, "job"), url)),
);
