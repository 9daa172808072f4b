import nextEnv from "@next/env";

// Standalone processes (worker, scripts) read .env files the same way `next` does, before lib/env parses them.
nextEnv.loadEnvConfig(process.cwd(), process.env.NODE_ENV !== "production");
