import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // The Dockerfile copies the standalone server so the image carries no dev dependencies.
  output: "standalone",
  poweredByHeader: false,
  // Server-only packages with native or dynamic requires are loaded by Node, not bundled.
  serverExternalPackages: ["postgres", "bullmq", "ioredis", "arquero"],
  typedRoutes: false,
};

export default nextConfig;
