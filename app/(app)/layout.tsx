import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { AppShell } from "@/components/layout/app-shell";
import { authOptions } from "@/lib/auth/options";

/** Every page but sign-in: requires a session (proxy.ts redirects too) and wears the app shell. */
export default async function SignedInLayout({ children }: { children: ReactNode }) {
  const session = await getServerSession(authOptions);
  const email = session?.user?.email;
  if (!email) redirect("/signin");
  return <AppShell email={email}>{children}</AppShell>;
}
