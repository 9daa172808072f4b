import { apiRoute } from "@/lib/api/route";

/** The caller and their workspace roles, for the UI to show what the user may do. */
export const GET = apiRoute({}, async ({ principal }) => {
  return Response.json({
    id: principal.userId,
    email: principal.email,
    isInstanceAdmin: principal.isInstanceAdmin,
    memberships: principal.memberships,
  });
});
