import { readJson, readQuery } from "@/lib/api/body";
import { pageEnvelope } from "@/lib/api/pagination";
import { apiRoute } from "@/lib/api/route";
import { pageQuerySchema } from "@/lib/schemas/common";
import { connectionCreateSchema, connectionListQuerySchema } from "@/lib/schemas/connections";
import { createConnection, listConnectionsFor } from "@/lib/services/connections";

const listQuery = pageQuerySchema.extend(connectionListQuerySchema.shape);

export const GET = apiRoute({ permission: "connections:read" }, async ({ url, principal }) => {
  const query = readQuery(url, listQuery);
  const { count, results } = await listConnectionsFor(principal, query);
  return Response.json(pageEnvelope(url, query.page, query.pageSize, count, results));
});

export const POST = apiRoute({ permission: "connections:write" }, async ({ req, principal }) => {
  const connection = await createConnection(principal, await readJson(req, connectionCreateSchema));
  return Response.json(connection, { status: 201 });
});
