import { pathId } from "@/lib/api/body";
import { apiRoute } from "@/lib/api/route";
import { cancelRun } from "@/lib/services/runs";

export const POST = apiRoute({ objectPermission: "runs:execute" }, async ({ principal, params }) => {
  return Response.json(await cancelRun(principal, pathId(params, "run")));
});
