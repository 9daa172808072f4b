import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { validateWorkflow } from "@action-validator/core";
import { validate as validateDockerfile } from "dockerfile-utils";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";

/**
 * No GitHub runner and no Docker engine exist where this project is developed, so the pipeline
 * and deployment files are checked here: workflows against GitHub's workflow schema, the
 * Dockerfile with the linter behind VS Code's Docker support, the compose file for consistency.
 */
const root = path.resolve(import.meta.dirname, "..");
const read = (file: string) => readFileSync(path.join(root, file), "utf8");
const workflows = readdirSync(path.join(root, ".github/workflows")).filter((f) => /\.ya?ml$/.test(f));

describe("GitHub workflows", () => {
  it("has the CI and release workflows", () => {
    expect(workflows.sort()).toEqual(["ci.yml", "release.yml"]);
  });

  it.each(workflows)("%s is a valid workflow", (file) => {
    const { errors } = validateWorkflow(read(`.github/workflows/${file}`));
    expect(errors).toEqual([]);
  });

  it("CI runs the same test command as .ci/run", () => {
    const steps = (parse(read(".github/workflows/ci.yml")).jobs.test.steps as { run?: string }[]).map((s) => s.run);
    expect(steps).toContain("npm test");
    expect(read(".ci/run")).toMatch(/^npm test$/m);
  });

  it("rejects a broken workflow, so the check above can fail", () => {
    const { errors } = validateWorkflow("on: push\njobs:\n  build:\n    steps: 3\n");
    expect(errors.length).toBeGreaterThan(0);
  });

  it("dependabot watches npm, GitHub Actions and Docker", () => {
    const config = parse(read(".github/dependabot.yml")) as { version: number; updates: { "package-ecosystem": string }[] };
    expect(config.version).toBe(2);
    expect(config.updates.map((u) => u["package-ecosystem"]).sort()).toEqual(["docker", "github-actions", "npm"]);
  });
});

describe("Dockerfile", () => {
  const dockerfile = read("Dockerfile");

  it("lints clean", () => {
    expect(validateDockerfile(dockerfile).map((d) => `${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
  });

  it("reports a broken Dockerfile, so the check above can fail", () => {
    expect(validateDockerfile("FROM node:20\nEXPOSE abc\nCMD").length).toBeGreaterThan(0);
  });

  it("builds web and worker targets that run as a non-root user, with health checks", () => {
    for (const target of ["web", "worker"]) {
      const stage = dockerfile.split(/^FROM /m).find((s) => new RegExp(`AS ${target}\\b`).test(s.split("\n")[0]!));
      expect(stage, `stage ${target}`).toBeDefined();
      expect(stage).toMatch(/^USER node$/m);
      expect(stage).toMatch(/^HEALTHCHECK /m);
    }
  });
});

describe("docker-compose.yml", () => {
  type Service = { depends_on?: Record<string, unknown>; build?: { target?: string }; command?: string[] };
  const compose = parse(read("docker-compose.yml")) as { services: Record<string, Service> };

  it("runs postgres, redis, a migrate step, web and worker", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["migrate", "postgres", "redis", "web", "worker"]);
  });

  it("depends only on services it defines, and builds existing Dockerfile targets", () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const dependency of Object.keys(service.depends_on ?? {})) {
        expect(compose.services, `${name} depends on ${dependency}`).toHaveProperty(dependency);
      }
      if (service.build?.target) expect(read("Dockerfile")).toContain(`AS ${service.build.target}`);
    }
  });

  it("keeps Redis from evicting queue keys", () => {
    expect(compose.services.redis?.command).toEqual(expect.arrayContaining(["--maxmemory-policy", "noeviction"]));
  });
});
