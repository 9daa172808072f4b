import type { Metadata } from "next";
import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { safeCallbackUrl } from "@/components/auth/callback-url";
import { SignInForm } from "@/components/auth/sign-in-form";
import { authOptions } from "@/lib/auth/options";

export const metadata: Metadata = { title: "Sign in" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function SignInPage({ searchParams }: Props) {
  const callbackUrl = safeCallbackUrl((await searchParams).callbackUrl);
  if (await getServerSession(authOptions)) redirect(callbackUrl);
  return (
    <main id="main" className="signin-page">
      <div className="signin-card">
        <p className="brand">DataFlowHub</p>
        <h1>Sign in</h1>
        <SignInForm callbackUrl={callbackUrl} />
      </div>
    </main>
  );
}
