import { readJson, readQuery } from "@/lib/api/body";
import { pageEnvelope } from "@/lib/api/pagination";
import { apiRoute } from "@/lib/api/route";
import { pageQuerySchema } from "@/lib/schemas/common";
import { userCreateSchema, userListQuerySchema } from "@/lib/schemas/users";
import { createUser, listUsersFor } from "@/lib/services/users";

export const GET = apiRoute({ permission: "users:manage" }, async ({ url }) => {
  const query = readQuery(url, pageQuerySchema.extend(userListQuerySchema.shape));
  const { count, results } = await listUsersFor(query);
  return Response.json(pageEnvelope(url, query.page, query.pageSize, count, results));
});

export const POST = apiRoute({ permission: "users:manage" }, async ({ req, principal }) => {
  return Response.json(await createUser(principal, await readJson(req, userCreateSchema)), { status: 201 });
});
