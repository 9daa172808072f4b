import { z } from "zod";

export const fileFormats = ["csv", "xlsx", "json", "ndjson"] as const;
export const fileFormatSchema = z.enum(fileFormats);
export type FileFormat = z.infer<typeof fileFormatSchema>;

/** An uploaded file as the API returns it. */
export const fileSchema = z.object({
  id: z.uuid(),
  workspaceId: z.uuid(),
  name: z.string().describe("The uploaded file's name, without directories"),
  size: z.number().int().describe("Bytes"),
  format: fileFormatSchema.describe("Detected from the extension and the content"),
  sha256: z.string().describe("SHA-256 of the content, hex"),
  createdAt: z.iso.datetime(),
});
export type FileDto = z.infer<typeof fileSchema>;

export const fileListQuerySchema = z.object({
  workspaceId: z.uuid().optional().describe("Only files of this workspace"),
  q: z.string().max(200).optional().describe("Search file names"),
});

export const fileUploadQuerySchema = z.object({
  workspaceId: z.uuid().optional().describe("Defaults to the caller's default workspace"),
});
