import "next-auth";
import "next-auth/jwt";

declare module "next-auth" {
  interface User {
    isInstanceAdmin: boolean;
  }
  interface Session {
    user?: { id: string; name?: string | null; email?: string | null; isInstanceAdmin: boolean };
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    isInstanceAdmin?: boolean;
  }
}
