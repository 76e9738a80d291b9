// What Envoy itself reports about its config: updates it rejected (error_state) and resources still
// warming. No replay is needed: the dump says it.
import { finding, type Analyzer, type Finding } from "./types.js";
import { RESOURCE_KINDS, type ResourceKind } from "../load/core.js";

/** What a resource Envoy never accepted means for traffic. */
const NEVER_ACCEPTED: Record<ResourceKind, string> = {
  listener: "nothing listens where it would",
  cluster: "routes and TCP proxies that name it find no cluster (503 NC)",
  route: "connection managers that ask for it answer 404 (NR route_not_found) until one arrives",
  endpoint: "its cluster has no endpoints from it (503 UH)",
  secret: "listeners and clusters that need it stay warming or fail their TLS handshakes",
  bootstrap: "the proxy does not start with it",
};

export const rejectedConfig: Analyzer = {
  name: "rejected-config",
  codes: ["REJECTED_CONFIG"],
  run({ input }) {
    return input.failedUpdates.map((f) =>
      finding(input, "REJECTED_CONFIG", {
        message: f.active
          ? `Envoy rejected an update of ${f.kind} ${f.name || "(unnamed)"} and keeps serving its previous version: ${f.details}`
          : `Envoy rejected ${f.kind} ${f.name || "(unnamed)"}, which it never accepted, so ${NEVER_ACCEPTED[f.kind]}: ${f.details}`,
        resource: { kind: f.kind, name: f.name },
        path: f.path,
      }),
    );
  },
};

export const warming: Analyzer = {
  name: "warming",
  codes: ["WARMING"],
  run({ input }) {
    const out: Finding[] = [];
    for (const kind of RESOURCE_KINDS) {
      for (const rec of input.resources[kind]) {
        if (rec.state !== "warming") continue;
        const what =
          kind === "listener"
            ? "does not accept connections yet: Envoy waits for what its chains need (route configurations, secrets) or for the clusters to initialise"
            : kind === "cluster"
              ? "is not used yet: Envoy waits for its endpoints (EDS) or its secrets (SDS)"
              : "is not used yet: Envoy waits for it to arrive";
        out.push(finding(input, "WARMING", { message: `${kind} ${rec.name} is warming and ${what}`, resource: { kind, name: rec.name }, path: rec.path }));
      }
    }
    return out;
  },
};
