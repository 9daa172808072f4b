import { admin, expect, expectAccessible, screenshot, signIn, test } from "./fixtures";

test("a signed-out visitor is sent to sign in, then back to the page they asked for", async ({ page }) => {
  await page.goto("/tokens");
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Ftokens$/);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await expectAccessible(page, "the sign-in page");
  await screenshot(page, "signin");

  await page.getByLabel("Email").fill(admin.email);
  await page.getByLabel("Password").fill(admin.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/tokens$/);
  await expect(page.getByRole("banner")).toContainText(admin.email);
});

test("a wrong password shows an error and keeps the user signed out", async ({ page }) => {
  await signIn(page, admin.email, "not-the-password");
  await expect(page.getByRole("alert").filter({ hasText: "Wrong email or password" })).toBeVisible();
  await expect(page).toHaveURL(/\/signin/);
  await expect(page.getByLabel("Email")).toHaveValue(admin.email);
  await expectAccessible(page, "the sign-in page with an error");
  await screenshot(page, "signin-error");

  await page.goto("/jobs");
  await expect(page).toHaveURL(/\/signin/);
});

test("signing out ends the session", async ({ page }) => {
  await signIn(page);
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin$/);
  await page.goto("/jobs");
  await expect(page).toHaveURL(/\/signin/);
});

test("a session that ends while a page is open leads back to sign in, then to that page", async ({ page, context }) => {
  await signIn(page);
  await expect(page).toHaveURL(/\/$/);
  await page.goto("/jobs");
  // next-auth refreshes the session cookie on load: let that finish, or it would set the cookie again.
  await page.waitForLoadState("networkidle");
  await context.clearCookies();
  await page.getByLabel("Search jobs").fill("anything");
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fjobs%3Fq%3Danything$/);
  await page.getByLabel("Email").fill(admin.email);
  await page.getByLabel("Password").fill(admin.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/jobs\?q=anything$/);
  await expect(page.getByLabel("Search jobs")).toHaveValue("anything");
});
