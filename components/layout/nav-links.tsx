"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useAdminLinks } from "@/components/admin/admin-links";
import { useMe } from "@/components/auth/use-me";

const LINKS = [
  { href: "/", label: "Dashboard", matches: [] },
  { href: "/jobs", label: "Jobs", matches: ["/jobs", "/runs"] },
  { href: "/tokens", label: "API tokens", matches: ["/tokens"] },
];

export function NavLinks() {
  const pathname = usePathname();
  const me = useMe().data;
  // Connections are for editors (the API refuses viewers): the link shows where the user may edit.
  const connections = me?.memberships.some((m) => m.role !== "viewer") ? [{ href: "/connections", label: "Connections", matches: ["/connections"] }] : [];
  const links = [...LINKS, ...connections, ...useAdminLinks()];
  return (
    <nav aria-label="Main">
      <ul className="nav-links">
        {links.map((link) => {
          const current = pathname === link.href || link.matches.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`));
          return (
            <li key={link.href}>
              <Link href={link.href} aria-current={current ? "page" : undefined}>
                {link.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
