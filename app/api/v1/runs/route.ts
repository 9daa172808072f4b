import { readQuery } from "@/lib/api/body";
import { pageEnvelope } from "@/lib/api/pagination";
import { apiRoute } from "@/lib/api/route";
import { pageQuerySchema } from "@/lib/schemas/common";
import { runListQuerySchema } from "@/lib/schemas/runs";
import { listRunsFor } from "@/lib/services/runs";

export const GET = apiRoute({ permission: "runs:read" }, async ({ url, principal }) => {
  const query = readQuery(url, pageQuerySchema.extend(runListQuerySchema.shape));
  const { count, results } = await listRunsFor(principal, query);
  return Response.json(pageEnvelope(url, query.page, query.pageSize, count, results));
});
