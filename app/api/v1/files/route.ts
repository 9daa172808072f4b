import { readQuery } from "@/lib/api/body";
import { readFilePart } from "@/lib/api/multipart";
import { pageEnvelope } from "@/lib/api/pagination";
import { apiRoute } from "@/lib/api/route";
import { env } from "@/lib/env";
import { pageQuerySchema } from "@/lib/schemas/common";
import { fileListQuerySchema, fileUploadQuerySchema } from "@/lib/schemas/files";
import { listFilesFor, storeUpload, uploadWorkspace } from "@/lib/services/files";

const listQuery = pageQuerySchema.extend(fileListQuerySchema.shape);

export const GET = apiRoute({ permission: "files:read" }, async ({ url, principal }) => {
  const query = readQuery(url, listQuery);
  const { count, results } = await listFilesFor(principal, query);
  return Response.json(pageEnvelope(url, query.page, query.pageSize, count, results));
});

export const POST = apiRoute({ permission: "files:write", deadline: false }, async ({ req, url, principal }) => {
  const workspaceId = uploadWorkspace(principal, readQuery(url, fileUploadQuerySchema).workspaceId);
  const max = env.UPLOAD_MAX_BYTES;
  const file = await readFilePart(req, max, (part) => storeUpload(principal, workspaceId, part, max));
  return Response.json(file, { status: 201 });
});
