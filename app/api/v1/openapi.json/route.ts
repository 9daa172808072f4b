import { buildOpenApiDocument } from "@/lib/openapi/document";

export async function GET(req: Request) {
  return Response.json(buildOpenApiDocument(new URL(req.url).origin));
}
