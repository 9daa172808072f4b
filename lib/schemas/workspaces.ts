import { z } from "zod";

export const roleSchema = z.enum(["viewer", "editor", "admin"]);

const workspaceName = z.string().trim().min(1, "name is required").max(120, "at most 120 characters");

export const workspaceSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  createdAt: z.iso.datetime(),
  memberCount: z.number().int(),
  role: roleSchema.nullable().describe("The caller's role here; null for an instance admin who is not a member"),
});
export type Workspace = z.infer<typeof workspaceSchema>;

export const workspaceCreateSchema = z.object({ name: workspaceName }).strict();
export const workspaceUpdateSchema = z.object({ name: workspaceName }).strict();

export const memberSchema = z.object({
  userId: z.uuid(),
  email: z.string(),
  name: z.string(),
  role: roleSchema,
  active: z.boolean(),
  createdAt: z.iso.datetime(),
});
export type Member = z.infer<typeof memberSchema>;

export const memberAddSchema = z.object({ email: z.email().max(320), role: roleSchema }).strict();
export const memberUpdateSchema = z.object({ role: roleSchema }).strict();

export const workspaceListQuerySchema = z.object({
  all: z
    .enum(["true", "false"])
    .transform((v) => v === "true")
    .optional()
    .describe("Instance admins: every workspace, not only those you are a member of"),
});

export const meUpdateSchema = z
  .object({ defaultWorkspaceId: z.uuid().describe("A workspace you are a member of") })
  .strict();

export const meSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  isInstanceAdmin: z.boolean().describe("Always false through a role-capped token"),
  memberships: z.array(z.object({ workspaceId: z.uuid(), role: roleSchema, isDefault: z.boolean() })),
  roleCap: z.enum(["viewer", "editor"]).nullable().describe("The cap of the token in use, if any"),
});
