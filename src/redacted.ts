// Values that must never be printed as they are: what Envoy's admin redacts (fields annotated
// `(udpa.annotations.sensitive) = true`, and everything below them), credentials in header values,
// and inline code or keys shown only as their size and a fingerprint.
//
// The loader wraps such a value in a `Redacted` marker; analyses can still compute with it
// (`reveal`), and every way of turning it into text (JSON.stringify, String(), template strings)
// gives the masked form unless the render layer was told to show secrets (`--show-secrets`).
import { hex, hmacSha256, sha256 } from "./sha256.js";

export type RedactedKind =
  /** Envoy's admin masks it: a private key, a password, session ticket keys, a generic secret. */
  | "secret"
  /** A credential in a plain field: the value of an Authorization, Cookie or API-key header. */
  | "credential"
  /** Inline code or key material shown as its size and fingerprint: Lua, Wasm, inline JWKS. */
  | "blob";

export const REDACTED_TEXT = "[redacted]";

let key: Uint8Array | undefined;
/** The key of this run's secret fingerprints: random, never printed, gone with the process. */
function runKey(): Uint8Array {
  key ??= globalThis.crypto.getRandomValues(new Uint8Array(32));
  return key;
}

let revealAll = false;

/** `--show-secrets`: print what is redacted by default (for local use only). */
export function setRevealSecrets(on: boolean): void {
  revealAll = on;
}
export function revealingSecrets(): boolean {
  return revealAll;
}

export class Redacted {
  readonly kind: RedactedKind;
  readonly #value: unknown;
  #fingerprint?: string;
  constructor(kind: RedactedKind, value: unknown) {
    this.kind = kind;
    this.#value = value;
  }

  /** The real value, for analyses (matching a header, comparing two secrets); never for printing. */
  reveal(): unknown {
    return this.#value;
  }

  /**
   * A short fingerprint: enough to tell that a value changed, not what it is. Inline code (a blob) gets a
   * SHA-256, the same in every run. A secret or credential gets an HMAC under a key drawn for this run
   * ("run:…"): equal values still compare equal within the run (diff's two dumps), but a password or a
   * Basic credential cannot be guessed offline from a printed fingerprint.
   */
  get fingerprint(): string {
    if (this.#fingerprint === undefined) {
      const text = stableJson(this.#value);
      this.#fingerprint =
        this.kind === "blob"
          ? `sha256:${hex(sha256("envoy-explain\u0000", text)).slice(0, 12)}`
          : `run:${hex(hmacSha256(runKey(), text)).slice(0, 12)}`;
    }
    return this.#fingerprint;
  }

  /** Length of the value's text (a string's characters, or its JSON). */
  get size(): number {
    const v = this.#value;
    return typeof v === "string" ? v.length : stableJson(v).length;
  }

  /** The masked form: Envoy's for secrets and credentials, size and fingerprint for blobs. */
  masked(): unknown {
    if (this.kind === "blob") return `[inline, ${this.size} bytes, ${this.fingerprint}]`;
    return maskLike(this.#value);
  }

  toJSON(): unknown {
    return revealAll ? this.#value : this.masked();
  }

  toString(): string {
    if (revealAll) return typeof this.#value === "string" ? this.#value : stableJson(this.#value);
    const m = this.masked();
    return typeof m === "string" ? m : REDACTED_TEXT;
  }
}

/** As Envoy's MessageUtil::redact does below a sensitive field: text becomes "[redacted]", other scalars are cleared. */
function maskLike(v: unknown, depth = 0): unknown {
  if (typeof v === "string") return REDACTED_TEXT;
  if (depth > 64) return REDACTED_TEXT;
  if (Array.isArray(v)) return v.map((x) => maskLike(x, depth + 1));
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = Object.create(null);
    for (const k of Object.keys(v)) {
      const m = maskLike((v as Record<string, unknown>)[k], depth + 1);
      if (m !== undefined) out[k] = m;
    }
    return out;
  }
  return undefined;
}

function stableJson(v: unknown, depth = 0): string {
  if (v instanceof Redacted) return stableJson(v.reveal(), depth);
  if (depth > 64) return '"…"';
  if (Array.isArray(v)) return `[${v.map((x) => stableJson(x, depth + 1)).join(",")}]`;
  if (v && typeof v === "object") {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k], depth + 1)}`)
      .join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

/** Header names whose values are credentials. */
const CREDENTIAL_HEADERS = new Set([
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
  "api-key",
  "apikey",
  "x-auth-token",
  "x-access-token",
  "x-amz-security-token",
  "x-goog-api-key",
  "x-vault-token",
  "x-csrf-token",
  "x-xsrf-token",
]);
const CREDENTIAL_WORDS = /(^|[-_])(token|secret|password|passwd|api[-_]?key|credentials?|session|auth)($|[-_])/i;

/** True for a header whose value is a credential (Authorization, Cookie, X-Api-Key, …-Token, …). */
export function isCredentialHeader(name: unknown): boolean {
  if (typeof name !== "string") return false;
  const n = name.toLowerCase();
  return CREDENTIAL_HEADERS.has(n) || CREDENTIAL_WORDS.test(n);
}

/** Keys that hold secrets in free-form payloads (an unknown @type kept opaque, a Struct). */
const SECRET_KEYS = /^(privatekey|password|passphrase|pkcs12|sessionticketkeys|clientsecret|hmacsecret|secret|token|accesstoken|bearertoken|apikey|secretkey|genericsecret)$/;
export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.test(key.replace(/[_-]/g, "").toLowerCase());
}

/** The value itself for analyses: a Redacted marker's real value, anything else unchanged. */
export function plain<T>(v: T | Redacted): T {
  return v instanceof Redacted ? (v.reveal() as T) : v;
}
