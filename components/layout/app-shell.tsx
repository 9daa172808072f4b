import Link from "next/link";
import type { ReactNode } from "react";
import { WorkspaceSwitcher } from "@/components/admin/workspace-switcher";
import { SignOutButton } from "@/components/auth/sign-out-button";
import { NavLinks } from "./nav-links";

export function AppShell({ email, children }: { email: string; children: ReactNode }) {
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <Link href="/" className="brand">
          DataFlowHub
        </Link>
        <NavLinks />
        <WorkspaceSwitcher />
        <div className="account">
          <span className="account-email" title="Signed in as">
            {email}
          </span>
          <SignOutButton />
        </div>
      </header>
      <main id="main" className="page" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
