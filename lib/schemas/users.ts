import { z } from "zod";

const password = z.string().min(8, "at least 8 characters").max(1024);

export const userSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  isInstanceAdmin: z.boolean(),
  active: z.boolean(),
  createdAt: z.iso.datetime(),
  deactivatedAt: z.iso.datetime().nullable(),
});
export type User = z.infer<typeof userSchema>;

export const userCreateSchema = z
  .object({
    email: z.email().max(320),
    name: z.string().trim().min(1).max(120),
    password,
    isInstanceAdmin: z.boolean().default(false),
    personalWorkspace: z.boolean().default(true).describe("Create a workspace of their own, where they are admin"),
  })
  .strict();
export type UserCreate = z.infer<typeof userCreateSchema>;

export const userUpdateSchema = z
  .object({
    name: z.string().trim().min(1).max(120).optional(),
    password: password.optional().describe("Sets a new password"),
    isInstanceAdmin: z.boolean().optional(),
    active: z.boolean().optional().describe("false deactivates: sign-in, sessions and tokens stop working"),
  })
  .strict();
export type UserUpdate = z.infer<typeof userUpdateSchema>;

export const userListQuerySchema = z.object({ q: z.string().trim().max(320).optional().describe("Email or name contains") });
