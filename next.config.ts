import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // The e2e suite builds into its own folder so it never touches the build of `npm start`.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // `npm run typecheck` is the type gate; this lets a local e2e rerun skip the build's second check.
  typescript: { ignoreBuildErrors: process.env.NEXT_SKIP_TYPECHECK === "1" },
  // The Dockerfile builds with NEXT_OUTPUT=standalone and copies that server, so the image carries
  // no dev dependencies; `next start` (npm start, e2e) refuses to serve a standalone build.
  output: process.env.NEXT_OUTPUT === "standalone" ? "standalone" : undefined,
  poweredByHeader: false,
  // Server-only packages with native or dynamic requires are loaded by Node, not bundled.
  serverExternalPackages: ["postgres", "bullmq", "ioredis", "arquero"],
  typedRoutes: false,
};

export default nextConfig;
