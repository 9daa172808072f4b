import { randomBytes } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { getConnection, insertConnection } from "@/lib/db/queries/connections";
import { reencryptSecrets } from "@/lib/connections/rotate-secrets";
import { createSecretBox } from "@/lib/crypto/secrets";
import { createUser, resetDatabase } from "../db";

const oldKey = randomBytes(32).toString("base64");
const newKey = randomBytes(32).toString("base64");
const config = { type: "postgres", host: "db.internal", port: 5432, database: "shop", user: "etl", ssl: "disable" } as const;

beforeEach(async () => {
  await resetDatabase();
});

describe("reencryptSecrets", () => {
  it("moves every secret to the current key, after which the old key can be dropped", async () => {
    const { user, workspace } = await createUser();
    const before = createSecretBox(oldKey);
    const save = (name: string, secret: string | null) =>
      insertConnection(db, { workspaceId: workspace.id, name, config, secret, createdBy: user.id });
    const a = await save("a", before.encrypt("first secret"));
    const b = await save("b", before.encrypt("second secret"));
    const none = await save("none", null);
    const foreign = await save("foreign", createSecretBox(randomBytes(32).toString("base64")).encrypt("lost"));

    const during = createSecretBox(newKey, [oldKey]);
    expect(await reencryptSecrets(db, during)).toEqual({ total: 3, reencrypted: 2, unreadable: [foreign.id] });
    // A second pass finds nothing left to do.
    expect(await reencryptSecrets(db, during)).toEqual({ total: 3, reencrypted: 0, unreadable: [foreign.id] });

    const after = createSecretBox(newKey);
    expect(after.decrypt((await getConnection(db, a.id))!.secret!)).toBe("first secret");
    expect(after.decrypt((await getConnection(db, b.id))!.secret!)).toBe("second secret");
    expect((await getConnection(db, none.id))!.secret).toBeNull();
  });
});
