// Findings as SARIF 2.1.0, for GitHub code scanning and other CI tools: one run, the catalogue as the
// rules (id = code), one result per finding located at its input file, line and column.
import { CATALOGUE } from "../findings/catalogue.gen.js";
import type { Finding } from "../findings/types.js";

const LEVEL = { error: "error", warning: "warning", info: "note" } as const;

/** A rule name in SARIF's PascalCase: PERMISSIVE_TLS_TRAP → PermissiveTlsTrap. */
const ruleName = (code: string) => code.toLowerCase().replace(/(^|_)([a-z0-9])/g, (_m, _u: string, c: string) => c.toUpperCase());

export function sarifLog(findings: Finding[], tool: { version: string }): object {
  const index = new Map<string, number>(CATALOGUE.map((e, i) => [e.code, i]));
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "envoy-explain",
            version: tool.version,
            rules: CATALOGUE.map((e) => ({
              id: e.code,
              name: ruleName(e.code),
              shortDescription: { text: e.title },
              fullDescription: { text: e.description },
              help: { text: e.fix },
              defaultConfiguration: { level: LEVEL[e.level] },
            })),
          },
        },
        results: findings.map((f) => ({
          ruleId: f.code,
          ruleIndex: index.get(f.code),
          level: LEVEL[f.severity],
          message: { text: `${f.message.replace(/\.$/, "")}. Fix: ${f.fix}` },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: encodeURI(f.file) },
                ...(f.line ? { region: { startLine: f.line, ...(f.column ? { startColumn: f.column } : {}) } } : {}),
              },
              ...(f.path ? { logicalLocations: [{ name: f.resource.name, fullyQualifiedName: f.path, kind: "object" }] } : {}),
            },
          ],
          properties: { resource: f.resource, ...(f.evidence ? { evidence: f.evidence } : {}) },
        })),
      },
    ],
  };
}
