import "server-only";
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { env } from "@/lib/env";

/**
 * Secrets at rest (connection passwords, tokens, API keys): AES-256-GCM with a fresh 96-bit IV per
 * value. A stored value reads `v1.<key id>.<iv>.<tag>.<ciphertext>` (base64url parts); the key id
 * names the key that encrypted it, so values written before a key rotation still decrypt with the
 * previous key while new ones use the current key.
 */

const VERSION = "v1";
const IV_BYTES = 12;

export class SecretDecryptionError extends Error {
  constructor(reason: string) {
    super(`A stored secret could not be decrypted: ${reason}.`);
    this.name = "SecretDecryptionError";
  }
}

export type SecretBox = {
  encrypt(plaintext: string): string;
  decrypt(stored: string): string;
  /** True when the value was encrypted with the current key; false means `npm run secrets:rotate` should re-encrypt it. */
  isCurrent(stored: string): boolean;
};

/** A key's public name: the first bytes of its SHA-256, enough to tell a handful of keys apart. */
function keyId(key: Buffer): string {
  return createHash("sha256").update(key).digest("base64url").slice(0, 8);
}

export function createSecretBox(currentKey: string, previousKeys: readonly string[] = []): SecretBox {
  const current = Buffer.from(currentKey, "base64");
  if (current.length !== 32) throw new Error("The encryption key must be 32 bytes.");
  const currentId = keyId(current);
  const keys = new Map<string, Buffer>();
  for (const key of [currentKey, ...previousKeys]) {
    const bytes = Buffer.from(key, "base64");
    if (bytes.length !== 32) throw new Error("Every previous encryption key must be 32 bytes.");
    keys.set(keyId(bytes), bytes);
  }

  return {
    encrypt(plaintext) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", current, iv);
      const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      const parts = [iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString("base64url"));
      return [VERSION, currentId, ...parts].join(".");
    },

    decrypt(stored) {
      const [version, id, iv, tag, ciphertext, ...rest] = stored.split(".");
      if (version !== VERSION || !id || !iv || !tag || ciphertext === undefined || rest.length > 0) {
        throw new SecretDecryptionError("it is not in the expected format");
      }
      const key = keys.get(id);
      if (!key) throw new SecretDecryptionError(`key ${id} is neither ENCRYPTION_KEY nor in ENCRYPTION_KEYS_PREVIOUS`);
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
        decipher.setAuthTag(Buffer.from(tag, "base64url"));
        return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
      } catch {
        throw new SecretDecryptionError("it was altered or the key is wrong");
      }
    },

    isCurrent(stored) {
      return stored.split(".")[1] === currentId;
    },
  };
}

let box: SecretBox | undefined;

/** The box keyed from the environment (ENCRYPTION_KEY, ENCRYPTION_KEYS_PREVIOUS). */
export function secrets(): SecretBox {
  box ??= createSecretBox(env.ENCRYPTION_KEY, env.ENCRYPTION_KEYS_PREVIOUS);
  return box;
}
