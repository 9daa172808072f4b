import { pathId } from "@/lib/api/body";
import { apiRoute } from "@/lib/api/route";
import { toRunDto } from "@/lib/services/dto";
import { loadRun } from "@/lib/services/runs";

export const GET = apiRoute({ objectPermission: "runs:read" }, async ({ principal, params }) => {
  return Response.json(toRunDto(await loadRun(principal, pathId(params, "run"), "runs:read")));
});
