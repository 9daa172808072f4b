import { readQuery } from "@/lib/api/body";
import { pageEnvelope } from "@/lib/api/pagination";
import { apiRoute } from "@/lib/api/route";
import { auditQuerySchema } from "@/lib/schemas/audit";
import { listAuditFor } from "@/lib/services/audit";

/** The audit trail, newest first: every event for instance admins, their workspaces' for workspace admins. */
export const GET = apiRoute({ permission: "audit:read" }, async ({ url, principal }) => {
  const query = readQuery(url, auditQuerySchema);
  const { count, results } = await listAuditFor(principal, query);
  return Response.json(pageEnvelope(url, query.page, query.pageSize, count, results));
});
