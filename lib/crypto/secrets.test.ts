import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createSecretBox, SecretDecryptionError } from "./secrets";

const keyA = randomBytes(32).toString("base64");
const keyB = randomBytes(32).toString("base64");

describe("createSecretBox (AES-256-GCM)", () => {
  it("round-trips text, unicode and the empty string", () => {
    const box = createSecretBox(keyA);
    for (const plaintext of ["s3cr3t-passw0rd", "pässwörd ☃ 🔑", "", "x".repeat(10_000)]) {
      expect(box.decrypt(box.encrypt(plaintext))).toBe(plaintext);
    }
  });

  it("stores neither the plaintext nor a repeatable ciphertext", () => {
    const box = createSecretBox(keyA);
    const first = box.encrypt("hunter2-hunter2");
    const second = box.encrypt("hunter2-hunter2");
    expect(first).not.toBe(second);
    expect(first).not.toContain("hunter2");
    expect(Buffer.from(first.split(".")[4]!, "base64url").toString("utf8")).not.toContain("hunter2");
    expect(first).toMatch(/^v1\.[\w-]{8}\.[\w-]{16}\.[\w-]{22}\.[\w-]+$/);
  });

  it("refuses a tampered value", () => {
    const box = createSecretBox(keyA);
    const [version, id, iv, tag, ciphertext] = box.encrypt("amount=100").split(".");
    const flipped = Buffer.from(ciphertext!, "base64url");
    flipped[0]! ^= 1;
    const tampered = [version, id, iv, tag, flipped.toString("base64url")].join(".");
    expect(() => box.decrypt(tampered)).toThrow(new SecretDecryptionError("it was altered or the key is wrong"));
    expect(() => box.decrypt("plain text")).toThrow(new SecretDecryptionError("it is not in the expected format"));
  });

  it("decrypts values of a previous key after rotation and says which need re-encrypting", () => {
    const before = createSecretBox(keyA);
    const stored = before.encrypt("old secret");
    const after = createSecretBox(keyB, [keyA]);
    expect(after.decrypt(stored)).toBe("old secret");
    expect(after.isCurrent(stored)).toBe(false);
    const reencrypted = after.encrypt(after.decrypt(stored));
    expect(after.isCurrent(reencrypted)).toBe(true);
    expect(createSecretBox(keyB).decrypt(reencrypted)).toBe("old secret");
  });

  it("names the missing key when the previous key was dropped too early", () => {
    const stored = createSecretBox(keyA).encrypt("old secret");
    const id = stored.split(".")[1];
    expect(() => createSecretBox(keyB).decrypt(stored)).toThrow(
      new SecretDecryptionError(`key ${id} is neither ENCRYPTION_KEY nor in ENCRYPTION_KEYS_PREVIOUS`),
    );
  });

  it("rejects keys that are not 32 bytes", () => {
    expect(() => createSecretBox(randomBytes(16).toString("base64"))).toThrow("The encryption key must be 32 bytes.");
    expect(() => createSecretBox(keyA, ["c2hvcnQ="])).toThrow("Every previous encryption key must be 32 bytes.");
  });
});
