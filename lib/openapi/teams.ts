import type { RouteConfig } from "@asteasolutions/zod-to-openapi";
import { z } from "zod";
import { auditEventSchema, auditQuerySchema } from "@/lib/schemas/audit";
import { pageEnvelopeSchema, pageQuerySchema } from "@/lib/schemas/common";
import { userCreateSchema, userListQuerySchema, userSchema, userUpdateSchema } from "@/lib/schemas/users";
import {
  memberAddSchema,
  memberSchema,
  memberUpdateSchema,
  meSchema,
  meUpdateSchema,
  workspaceCreateSchema,
  workspaceListQuerySchema,
  workspaceSchema,
  workspaceUpdateSchema,
} from "@/lib/schemas/workspaces";

type Response = { description: string; content: Record<string, { schema: z.ZodType }> };

/** What lib/openapi/document.ts builds its paths with. */
export type PathHelpers = {
  path: (config: RouteConfig) => void;
  register: <T extends z.ZodType>(name: string, schema: T) => T;
  json: (description: string, schema: z.ZodType) => Response;
  problem: (description: string) => Response;
};

const body = (schema: z.ZodType) => ({ body: { content: { "application/json": { schema } } } });
const id = z.object({ id: z.uuid() });
const member = z.object({ id: z.uuid().describe("The workspace"), userId: z.uuid() });

/** Workspaces, members, users, the caller's profile and the audit log. */
export function registerTeamPaths({ path, register, json, problem }: PathHelpers): void {
  const Workspace = register("Workspace", workspaceSchema);
  const Member = register("Member", memberSchema);
  const User = register("User", userSchema);
  const AuditEvent = register("AuditEvent", auditEventSchema);
  const lastAdmin = problem("Would leave the workspace without an active admin");
  const list = (schema: z.ZodType) => pageEnvelopeSchema(schema);

  const Me = register("Me", meSchema);
  path({ method: "get", path: "/api/v1/me", summary: "You, your workspace roles and your token's cap", responses: { 200: json("You", Me) } });
  path({
    method: "patch",
    path: "/api/v1/me",
    summary: "Switch your default workspace (where jobs created without a workspaceId land)",
    request: body(register("MeUpdate", meUpdateSchema)),
    responses: { 200: json("You, with the new default", Me) },
  });

  path({
    method: "get",
    path: "/api/v1/workspaces",
    summary: "Your workspaces with your role in each; instance admins may list all",
    request: { query: workspaceListQuerySchema },
    responses: { 200: json("Workspaces", list(Workspace)) },
  });
  path({
    method: "post",
    path: "/api/v1/workspaces",
    summary: "Create a workspace (instance admins); you become its admin",
    request: body(register("WorkspaceCreate", workspaceCreateSchema)),
    responses: { 201: json("The workspace", Workspace) },
  });
  path({ method: "get", path: "/api/v1/workspaces/{id}", summary: "Read a workspace (members)", request: { params: id }, responses: { 200: json("The workspace", Workspace) } });
  path({
    method: "patch",
    path: "/api/v1/workspaces/{id}",
    summary: "Rename a workspace (workspace admins)",
    request: { params: id, ...body(register("WorkspaceUpdate", workspaceUpdateSchema)) },
    responses: { 200: json("The workspace", Workspace) },
  });
  path({
    method: "delete",
    path: "/api/v1/workspaces/{id}",
    summary: "Delete a workspace with its jobs, runs, datasets, files and connections (instance admins)",
    request: { params: id },
    responses: { 204: { description: "Deleted" } },
  });

  path({
    method: "get",
    path: "/api/v1/workspaces/{id}/members",
    summary: "List a workspace's members (members)",
    request: { params: id },
    responses: { 200: json("Members", list(Member)) },
  });
  path({
    method: "post",
    path: "/api/v1/workspaces/{id}/members",
    summary: "Add an existing user by email with a role (workspace admins)",
    request: { params: id, ...body(register("MemberAdd", memberAddSchema)) },
    responses: { 201: json("The member", Member), 409: problem("Already a member") },
  });
  path({
    method: "patch",
    path: "/api/v1/workspaces/{id}/members/{userId}",
    summary: "Change a member's role (workspace admins)",
    request: { params: member, ...body(register("MemberUpdate", memberUpdateSchema)) },
    responses: { 200: json("The member", Member), 409: lastAdmin },
  });
  path({
    method: "delete",
    path: "/api/v1/workspaces/{id}/members/{userId}",
    summary: "Remove a member (workspace admins)",
    request: { params: member },
    responses: { 204: { description: "Removed" }, 409: lastAdmin },
  });

  path({
    method: "get",
    path: "/api/v1/users",
    summary: "List users (instance admins)",
    request: { query: pageQuerySchema.extend(userListQuerySchema.shape) },
    responses: { 200: json("A page of users", list(User)) },
  });
  path({
    method: "post",
    path: "/api/v1/users",
    summary: "Create a user with a password (instance admins)",
    request: body(register("UserCreate", userCreateSchema)),
    responses: { 201: json("The user", User), 409: problem("Email taken") },
  });
  path({ method: "get", path: "/api/v1/users/{id}", summary: "Read a user (instance admins)", request: { params: id }, responses: { 200: json("The user", User) } });
  path({
    method: "patch",
    path: "/api/v1/users/{id}",
    summary: "Rename, set a password, grant or drop instance admin, deactivate or reactivate (instance admins)",
    request: { params: id, ...body(register("UserUpdate", userUpdateSchema)) },
    responses: { 200: json("The user", User), 409: problem("Would lock the instance out (yourself, or the last instance admin)") },
  });
  path({
    method: "delete",
    path: "/api/v1/users/{id}",
    summary: "Delete a user (instance admins)",
    request: { params: id },
    responses: { 204: { description: "Deleted" }, 409: problem("Yourself, the last instance admin, or the only admin of a shared workspace") },
  });

  path({
    method: "get",
    path: "/api/v1/audit",
    summary: "The audit log, newest first: all events for instance admins, their workspaces' for workspace admins",
    request: { query: auditQuerySchema },
    responses: { 200: json("A page of events", list(AuditEvent)) },
  });
}
