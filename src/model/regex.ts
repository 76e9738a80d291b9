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

/** The longest result replaceAll builds: a substitution that repeats a long path is cut there. */
const MAX_REPLACED = 64 * 1024;

/**
 * RE2::GlobalReplace as Envoy's regex_rewrite runs it: every non-overlapping match in `value` replaced
 * by `substitution`, where \0 to \9 insert a capture group and \\ a backslash. Undefined for a pattern
 * RE2 rejects. Linear in the input (RE2), and the result is bounded.
 */
export function replaceAll(pattern: string, value: string, substitution: string): string | undefined {
  const c = compileRegex(pattern);
  if (!c.ok) return undefined;
  const m = c.re.matcher(value);
  let out = "";
  let at = 0;
  let lastEnd = -1;
  while (at <= value.length && m.find(at)) {
    const start = m.start();
    const end = m.end();
    // RE2 disallows an empty match where the previous match ended: it keeps that character and moves on.
    if (start === end && start === lastEnd) {
      if (start >= value.length) break;
      out += value[start];
      at = start + 1;
      continue;
    }
    out += value.slice(at, start) + expand(substitution, (g) => (g <= m.groupCount() ? (m.group(g) ?? "") : ""));
    if (out.length > MAX_REPLACED) return out.slice(0, MAX_REPLACED);
    lastEnd = end;
    if (end === start) {
      // An empty match: the character after it is kept and the search moves on.
      if (start < value.length) out += value[start];
      at = start + 1;
    } else at = end;
  }
  return at <= value.length ? out + value.slice(at) : out;
}

function expand(sub: string, group: (g: number) => string): string {
  let out = "";
  for (let i = 0; i < sub.length; i++) {
    const ch = sub[i]!;
    if (ch !== "\\" || i + 1 >= sub.length) {
      out += ch;
      continue;
    }
    const next = sub[++i]!;
    out += next >= "0" && next <= "9" ? group(Number(next)) : next;
  }
  return out;
}
