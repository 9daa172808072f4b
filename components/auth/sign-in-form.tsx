"use client";

import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";

/** Email and password through next-auth's Credentials provider; errors are announced, not only shown. */
export function SignInForm({ callbackUrl }: { callbackUrl: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get("email") ?? "").trim();
    const password = String(form.get("password") ?? "");
    if (!email || !password) {
      setError("Enter your email and password.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const result = await signIn("credentials", { email, password, redirect: false });
      if (result?.ok && !result.error) {
        router.replace(callbackUrl);
        router.refresh();
        return;
      }
      setError(signInError(result?.error, result?.status));
    } catch {
      setError("The server could not be reached; try again.");
    }
    setBusy(false);
  };

  return (
    <form className="form" onSubmit={onSubmit} noValidate aria-describedby={error ? "signin-error" : undefined}>
      <div className="field">
        <label htmlFor="signin-email">Email</label>
        <input id="signin-email" name="email" type="email" autoComplete="username" required autoFocus />
      </div>
      <div className="field">
        <label htmlFor="signin-password">Password</label>
        <input id="signin-password" name="password" type="password" autoComplete="current-password" required />
      </div>
      <div role="alert" id="signin-error" className={error ? "alert alert-error" : "visually-hidden"}>
        {error}
      </div>
      <button type="submit" className="button button-primary" disabled={busy}>
        {busy ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}

// The server's own words when it throttles sign-in (429 or 503), so people know how long to wait.
const THROTTLED = /^(Too many requests; retry in \d+ s\.|Sign-in is unavailable for a moment.*)$/;

function signInError(error: string | null | undefined, status: number | undefined): string {
  if (error && THROTTLED.test(error)) return error;
  if (error === "CredentialsSignin" || status === 401) return "Wrong email or password";
  return "Sign-in failed; try again.";
}
