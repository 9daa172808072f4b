import { pathId } from "@/lib/api/body";
import { apiRoute } from "@/lib/api/route";
import { readFile, removeFile } from "@/lib/services/files";

export const GET = apiRoute({}, async ({ principal, params }) => {
  return Response.json(await readFile(principal, pathId(params, "file")));
});

export const DELETE = apiRoute({}, async ({ principal, params }) => {
  await removeFile(principal, pathId(params, "file"));
  return new Response(null, { status: 204 });
});
