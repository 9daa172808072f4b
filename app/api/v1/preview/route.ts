import { readJson } from "@/lib/api/body";
import { apiRoute } from "@/lib/api/route";
import { previewRequestSchema } from "@/lib/schemas/preview";
import { previewJob } from "@/lib/services/preview";

export const POST = apiRoute({ permission: "jobs:write" }, async ({ req, principal }) => {
  const request = await readJson(req, previewRequestSchema);
  return Response.json(await previewJob(principal, request, req.signal));
});
