import { pathId } from "@/lib/api/body";
import { apiRoute } from "@/lib/api/route";
import { runResultsProfile } from "@/lib/services/results";

export const GET = apiRoute({ objectPermission: "runs:read" }, async ({ url, principal, params }) =>
  Response.json(await runResultsProfile(principal, pathId(params, "run"), url)),
);
