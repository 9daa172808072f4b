import { pathId, readQuery } from "@/lib/api/body";
import { pageEnvelope } from "@/lib/api/pagination";
import { apiRoute } from "@/lib/api/route";
import { pageQuerySchema } from "@/lib/schemas/common";
import { runLogQuerySchema } from "@/lib/schemas/runs";
import { readRunLogs } from "@/lib/services/runs";

export const GET = apiRoute({ objectPermission: "runs:read" }, async ({ url, principal, params }) => {
  const query = readQuery(url, pageQuerySchema.extend(runLogQuerySchema.shape));
  const { count, results } = await readRunLogs(principal, pathId(params, "run"), query);
  return Response.json(pageEnvelope(url, query.page, query.pageSize, count, results));
});
