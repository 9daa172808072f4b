import { removeE2eState } from "./cleanup";

/** Drops the suite's database and deletes its BullMQ keys (names chosen in playwright.config.ts). */
export default async function globalTeardown() {
  await removeE2eState();
}
