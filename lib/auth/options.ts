import "server-only";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { clientIp } from "@/lib/api/client-ip";
import { HttpError } from "@/lib/api/errors";
import { db } from "@/lib/db/client";
import { findUserById } from "@/lib/db/queries/users";
import { env } from "@/lib/env";
import { credentialsSchema } from "@/lib/schemas/auth";
import { signInWithPassword } from "./sign-in";

export const authOptions: NextAuthOptions = {
  secret: env.NEXTAUTH_SECRET,
  session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
  // Errors go back to our own sign-in page too, not next-auth's built-in HTML.
  pages: { signIn: "/signin", error: "/signin" },
  providers: [
    CredentialsProvider({
      name: "Email and password",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(credentials, req) {
        const parsed = credentialsSchema.safeParse(credentials);
        if (!parsed.success) return null;
        const ip = clientIp(new Headers(req.headers as Record<string, string> | undefined));
        try {
          const user = await signInWithPassword({ ...parsed.data, ip, purpose: "session" });
          if (!user) return null;
          return { id: user.id, email: user.email, name: user.name, isInstanceAdmin: user.isInstanceAdmin };
        } catch (error) {
          // next-auth hands a thrown message to the sign-in form as its `error`.
          if (error instanceof HttpError) throw new Error(error.detail);
          throw error;
        }
      },
    }),
  ],
  callbacks: {
    async jwt({ token, user }) {
      if (user) {
        token.sub = user.id;
        token.isInstanceAdmin = user.isInstanceAdmin;
        return token;
      }
      // A deactivated or deleted account loses its session on the next page load: next-auth
      // clears the cookie when this callback throws.
      const current = token.sub ? await findUserById(db, token.sub) : undefined;
      if (!current || current.deactivatedAt) throw new Error("The account is no longer active.");
      token.isInstanceAdmin = current.isInstanceAdmin;
      return token;
    },
    session({ session, token }) {
      if (session.user) {
        session.user.id = token.sub ?? "";
        session.user.isInstanceAdmin = token.isInstanceAdmin === true;
      }
      return session;
    },
  },
};
