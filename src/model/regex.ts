// Regular expressions as Envoy runs them: Google RE2 syntax, matched against the whole value
// (safe_regex is a full match), in linear time. re2js is a pure-JavaScript port of RE2.
import { RE2JS } from "re2js";

type Compiled = { ok: true; re: RE2JS } | { ok: false; error: string };
const cache = new Map<string, Compiled>();

/** The pattern compiled as RE2 compiles it, or RE2's error (Envoy refuses such a config). */
export function compileRegex(pattern: string): Compiled {
  let c = cache.get(pattern);
  if (!c) {
    try {
      c = { ok: true, re: RE2JS.compile(pattern) };
    } catch (e) {
      c = { ok: false, error: `invalid regex '${pattern}': ${(e as Error).message.replace(/^error parsing regexp: /, "")}` };
    }
    if (cache.size < 10_000) cache.set(pattern, c);
  }
  return c;
}

/** True when RE2 matches the whole of `value`; false for no match or a pattern RE2 rejects. */
export function fullMatch(pattern: string, value: string): boolean {
  const c = compileRegex(pattern);
  return c.ok && c.re.matches(value);
}

/** RE2's error for a pattern it rejects, or undefined. */
export function regexError(pattern: string): string | undefined {
  const c = compileRegex(pattern);
  return c.ok ? undefined : c.error;
}
