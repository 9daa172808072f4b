import { z } from "zod";

export const credentialsSchema = z.object({
  email: z.email().max(320),
  password: z.string().min(1).max(1024),
});

const tokenOptions = {
  name: z.string().trim().min(1).max(100),
  expiresAt: z.iso
    .datetime({ offset: true })
    .refine((at) => Date.parse(at) > Date.now(), "must be in the future")
    .nullish()
    .describe("When the token stops working; omit for a token that never expires"),
  roleCap: z
    .enum(["viewer", "editor"])
    .nullish()
    .describe("The token acts with at most this role in every workspace, and never as instance admin"),
};

export const tokenCreateWithPasswordSchema = credentialsSchema.extend(tokenOptions).strict();

export const tokenCreateSchema = z.object(tokenOptions).strict();
export type TokenCreate = z.infer<typeof tokenCreateSchema>;

export const apiTokenSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable().describe("Updated at most once a minute"),
  expiresAt: z.iso.datetime().nullable(),
  roleCap: z.enum(["viewer", "editor", "admin"]).nullable(),
});
export type ApiToken = z.infer<typeof apiTokenSchema>;

export const apiTokenCreatedSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  token: z.string().describe("Shown once; store it now"),
  createdAt: z.iso.datetime(),
});
