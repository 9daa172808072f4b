import { test as base, expect, type Page } from "@playwright/test";

/** The first admin that e2e/serve.ts seeded with the credentials playwright.config.ts chose. */
export const admin = {
  email: process.env.ADMIN_EMAIL ?? "admin@example.com",
  password: process.env.ADMIN_PASSWORD ?? "",
};

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

type Fixtures = { signedInPage: Page };

export const test = base.extend<Fixtures>({
  signedInPage: async ({ page }, provide) => {
    await signIn(page);
    await expect(page).toHaveURL(/\/jobs$/);
    await provide(page);
  },
});

export { expect };
