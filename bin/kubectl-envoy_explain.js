#!/usr/bin/env node
// kubectl's plugin name (krew naming): `kubectl envoy-explain pod/NAME …` runs the same CLI as envoy-explain.
await import("./envoy-explain.js");
