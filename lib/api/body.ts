import type { z } from "zod";
import { jsonValueDepth, MAX_JSON_DEPTH, tooDeepMessage } from "@/lib/security/json-depth";
import { HttpError } from "./errors";

const MAX_JSON_BYTES = 1024 * 1024;

/** Reads a JSON body and validates it: 415 for another content type, 400 for bad or too deeply nested JSON, 422 for bad data. */
export async function readJson<S extends z.ZodType>(req: Request, schema: S): Promise<z.output<S>> {
  const contentType = req.headers.get("content-type") ?? "";
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(contentType)) {
    throw new HttpError(415, "Send the body as application/json.");
  }
  const text = await req.text();
  if (text.length > MAX_JSON_BYTES) throw new HttpError(413, `The body is larger than ${MAX_JSON_BYTES} bytes.`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, `The body is not valid JSON: ${(error as Error).message}`);
  }
  if (jsonValueDepth(data) > MAX_JSON_DEPTH) throw new HttpError(400, tooDeepMessage("The body"));
  return schema.parse(data);
}

/** Validates the query string against a schema; repeated keys keep their last value. */
export function readQuery<S extends z.ZodType>(url: URL, schema: S): z.output<S> {
  return schema.parse(Object.fromEntries(url.searchParams));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A path id that is not a UUID cannot name anything: answer exactly as for a missing one. */
export function pathId(params: Record<string, string>, what: string, key = "id"): string {
  const id = params[key] ?? "";
  if (!UUID.test(id)) throw new HttpError(404, `The ${what} does not exist.`);
  return id.toLowerCase();
}
