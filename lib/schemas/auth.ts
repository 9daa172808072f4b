import { z } from "zod";

export const credentialsSchema = z.object({
  email: z.email().max(320),
  password: z.string().min(1).max(1024),
});

export const tokenCreateWithPasswordSchema = credentialsSchema
  .extend({ name: z.string().trim().min(1).max(100) })
  .strict();

export const tokenCreateSchema = z.object({ name: z.string().trim().min(1).max(100) }).strict();

export const apiTokenSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable(),
});

export const apiTokenCreatedSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  token: z.string().describe("Shown once; store it now"),
  createdAt: z.iso.datetime(),
});
