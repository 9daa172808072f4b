import { pathId, readJson } from "@/lib/api/body";
import { apiRoute } from "@/lib/api/route";
import { userUpdateSchema } from "@/lib/schemas/users";
import { patchUser, readUser, removeUser } from "@/lib/services/users";

export const GET = apiRoute({ permission: "users:manage" }, async ({ params }) => {
  return Response.json(await readUser(pathId(params, "user")));
});

export const PATCH = apiRoute({ permission: "users:manage" }, async ({ req, principal, params }) => {
  const id = pathId(params, "user");
  return Response.json(await patchUser(principal, id, await readJson(req, userUpdateSchema)));
});

export const DELETE = apiRoute({ permission: "users:manage" }, async ({ principal, params }) => {
  await removeUser(principal, pathId(params, "user"));
  return new Response(null, { status: 204 });
});
