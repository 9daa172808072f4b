import { z } from "zod";
import { pageQuerySchema } from "./common";

/** Every action the audit trail records, as `<target>.<verb>`. */
export const auditActions = [
  "auth.sign_in",
  "auth.sign_in_failed",
  "token.create",
  "token.revoke",
  "user.create",
  "user.update",
  "user.delete",
  "workspace.create",
  "workspace.update",
  "workspace.delete",
  "member.add",
  "member.update",
  "member.remove",
  "job.create",
  "job.update",
  "job.delete",
  "run.trigger",
  "run.cancel",
  "connection.create",
  "connection.update",
  "connection.delete",
  "file.upload",
  "file.delete",
] as const;
export const auditActionSchema = z.enum(auditActions);
export type AuditAction = z.infer<typeof auditActionSchema>;

export const auditEventSchema = z.object({
  id: z.number().int(),
  at: z.iso.datetime(),
  actor: z.object({ id: z.uuid().nullable(), email: z.string().nullable() }),
  tokenId: z.uuid().nullable().describe("The API token the actor used, if any"),
  action: auditActionSchema,
  target: z.object({ type: z.string(), id: z.string().nullable() }),
  workspaceId: z.uuid().nullable(),
  ip: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});
export type AuditEvent = z.infer<typeof auditEventSchema>;

export const auditQuerySchema = pageQuerySchema
  .extend({
    action: auditActionSchema.optional(),
    actorId: z.uuid().optional().describe("Only events by this user"),
    actor: z.string().trim().min(1).max(320).optional().describe("Only events whose actor email contains this"),
    workspaceId: z.uuid().optional(),
    targetId: z.string().max(200).optional(),
  })
  .strict();
export type AuditQuery = z.infer<typeof auditQuerySchema>;
