"use client";

import { useMe } from "@/components/auth/use-me";

type NavLink = { href: string; label: string; matches: string[] };

/**
 * The navigation entries for team administration, shown to those who may use them: members to
 * every member, the audit log to workspace and instance admins, users to instance admins. The
 * API refuses everybody else anyway; hiding only spares them a dead end.
 */
export function useAdminLinks(): NavLink[] {
  const me = useMe().data;
  if (!me) return [];
  const links: NavLink[] = [];
  if (me.memberships.length > 0) links.push({ href: "/members", label: "Members", matches: ["/members"] });
  if (me.isInstanceAdmin || me.memberships.some((m) => m.role === "admin")) {
    links.push({ href: "/audit", label: "Audit log", matches: ["/audit"] });
  }
  if (me.isInstanceAdmin) links.push({ href: "/users", label: "Users", matches: ["/users"] });
  return links;
}
