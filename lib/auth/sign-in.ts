import "server-only";
import { assertNotExhausted, consume, forgive, penalize } from "@/lib/api/rate-limit";
import { db } from "@/lib/db/client";
import { findUserByEmail } from "@/lib/db/queries/users";
import { recordSignIn, type SignInAttempt } from "@/lib/services/audit";
import { DUMMY_PASSWORD_HASH, verifyPassword } from "./password";

type SignIn = { email: string; password: string; ip: string | null; purpose: SignInAttempt["purpose"] };

/**
 * The one path from an email and password to a user, shared by the sign-in form (next-auth) and
 * POST /api/v1/auth/token: throttled per client IP and per email, audited either way. Resolves
 * to the active user, or undefined for wrong credentials; throws 429 (or 503 without Redis).
 */
export async function signInWithPassword({ email, password, ip, purpose }: SignIn) {
  const emailKey = email.toLowerCase();
  // Without an address (a handler called outside Next's server) only the per-email limit applies.
  if (ip) await consume("credentialsPerIp", ip);
  await assertNotExhausted("signInFailuresPerEmail", emailKey);

  const user = await findUserByEmail(db, email);
  // Verify even for unknown emails, so the answer's timing does not reveal which emails exist.
  const passwordOk = await verifyPassword(password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
  if (!user || !passwordOk || user.deactivatedAt) {
    await penalize("signInFailuresPerEmail", emailKey);
    const failure = user && passwordOk ? "deactivated" : "wrong_credentials";
    await recordSignIn({ email, userId: user?.id ?? null, ip, purpose, failure });
    return undefined;
  }
  await forgive("signInFailuresPerEmail", emailKey);
  await recordSignIn({ email: user.email, userId: user.id, ip, purpose });
  return user;
}
