// Text that every string-width this package bundles (4 for cli-table3, 7 for cliui and wrap-ansi, 8 for
// yargs) measures as one column per UTF-16 unit: printable ASCII, Latin-1 and Latin Extended (not © or ®,
// which are emoji), general punctuation (dashes, quotes, bullets, …), arrows ← ↑ → ↓, mathematical
// operators (≤ ≥ ≠), box drawing and block elements, ✓ and ✗. Tables and --help are made of these, so
// the build's string-width stand-in answers them itself and loads the real one (an emoji regex and a
// segmenter) only for other text. test/scripts.test.ts checks every character against each version.
export const NARROW_TEXT = /^[\x20-\x7e\u00a0-\u00a8\u00aa-\u00ac\u00af-\u02ff\u2010-\u2027\u2030-\u203b\u2190-\u2193\u2200-\u22ff\u2500-\u25a9\u2713\u2717]*$/;
