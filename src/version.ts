// This package's version, from its own package.json (bundled in at build time): what --version and
// SARIF's tool.driver.version say, wherever the package is installed.
import pkg from "../package.json" with { type: "json" };

export const VERSION: string = pkg.version;
