import AxeBuilder from "@axe-core/playwright";
import { test as base, expect, type APIRequestContext, type Page } from "@playwright/test";

/** The first admin that e2e/serve.ts seeded with the credentials playwright.config.ts chose. */
export const admin = {
  email: process.env.ADMIN_EMAIL ?? "admin@example.com",
  password: process.env.ADMIN_PASSWORD ?? "",
};

/** Writes with the session cookie must come from our own origin (the API's CSRF defence). */
export const sameOrigin = { origin: process.env.E2E_BASE_URL ?? "" };

export async function signIn(page: Page, email = admin.email, password = admin.password) {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Saves a full-page screenshot under e2e/screenshots/ (gitignored) for people to look at. */
export async function screenshot(page: Page, name: string) {
  await page.screenshot({ path: `e2e/screenshots/${name}.png`, fullPage: true });
}

/**
 * Runs axe-core on the page as it is now (WCAG 2.x A and AA rules) and fails on any serious or
 * critical violation, naming each with the elements it found.
 */
export async function expectAccessible(page: Page, what: string) {
  const { violations } = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const blocking = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const report = blocking.map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.map((n) => n.target.join(" ")).join("\n  ")}`);
  expect(report, `accessibility of ${what}`).toEqual([]);
}

/** Uploads a file through the API with the page's session, as the builder would. */
export async function uploadFile(request: APIRequestContext, name: string, content: string, mimeType = "text/csv") {
  const response = await request.post("/api/v1/files", { headers: sameOrigin, multipart: { file: { name, mimeType, buffer: Buffer.from(content) } } });
  expect(response.status()).toBe(201);
  return (await response.json()) as { id: string; format: string };
}

type Fixtures = { signedInPage: Page };

export const test = base.extend<Fixtures>({
  signedInPage: async ({ page }, provide) => {
    await signIn(page);
    await expect(page).toHaveURL(/\/$/);
    await provide(page);
  },
});

export { expect };
