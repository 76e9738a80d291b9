// The fuzzer's worker thread (test/support/hostile.ts runs each command and library call here, so
// that one that never ends is stopped and reported): TypeScript through tsx, as the tests run it.
const { register } = await import("tsx/esm/api");
register();
await import("./hostile.ts");
