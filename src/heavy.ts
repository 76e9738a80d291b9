/**
 * What a command needs beyond parsing its arguments: reading dumps, the analyses and the renderers.
 * The CLI imports this module only when a command runs, so `--help` and `--version` start quickly.
 */
export { loadBytes, loadFile } from "./load/dump.js";
export { openInput } from "./load/open.js";
export { renderExplain } from "./render/explain.js";
export { renderClusters, renderEndpoints, renderListeners, renderRoutes, renderSecrets } from "./render/listings.js";
export { renderTlsCheck } from "./render/tlscheck.js";
export { renderDiff } from "./render/diff.js";
export { renderDocument, serialize } from "./render/output.js";
export * from "./documents.js";
export { renderCheck, renderLog, renderOverview } from "./render/findings.js";
export { readInputBytes } from "./load/read.js";
export { sarifLog } from "./render/sarif.js";
export { failsAt } from "./findings/index.js";
export { fleetCheckDocument, fleetTlsDocument } from "./fleetdoc.js";
export { renderFleetCheck, renderFleetTls } from "./render/fleet.js";
export { fleetFiles, isFleetArg } from "./fleet-inputs.js";
export { threadCount, threadSteps } from "./fleet-threads.js";
export { renderFleetDiff } from "./render/fleetdiff.js";
export { fleetDiffFails } from "./analyses/fleetdiff.js";
