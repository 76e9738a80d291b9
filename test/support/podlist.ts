// `kubectl get pods -o json` output for the stand-in kubectl (kubectl-pods.sh). Not a capture: written
// from Kubernetes' documented shapes — the Pod v1 API reference (metadata.name/namespace/labels/
// deletionTimestamp; spec.containers[].name, spec.initContainers[].restartPolicy "Always" for a native
// sidecar; status.phase, status.containerStatuses[] and status.initContainerStatuses[] with
// state.running/waiting/terminated) — and printed as kubectl prints a list: a "List" of the items,
// keys in order, four-space indentation. Istio's injected sidecar is the container istio-proxy (or, with
// native sidecars, an init container of that name), beside the istio-init or istio-validation init container.

type State = { running: { startedAt: string } } | { waiting: { reason: string; message?: string } } | { terminated: { exitCode: number; reason: string } };

export interface PodSpec {
  name: string;
  namespace: string;
  app: string;
  /** status.phase (Running by default). */
  phase?: "Pending" | "Running" | "Succeeded" | "Failed" | "Unknown";
  /** Regular containers (the app's, then istio-proxy unless `proxy` says otherwise). */
  proxy?: "sidecar" | "native" | "none";
  /** The proxy container's state (running by default). */
  proxyState?: State;
  /** metadata.deletionTimestamp is set: kubectl shows Terminating. */
  deleting?: boolean;
}

const STARTED = "2024-05-14T09:12:31Z";

function status(name: string, image: string, state: State): Record<string, unknown> {
  const running = "running" in state;
  return {
    containerID: running ? "containerd://5b1f0e4c2a7d9e3b8c6f1a0d4e2b7c9f3a8d6e1b0c5f2a7d9e4b3c8f1a6d0e2b" : undefined,
    image,
    imageID: "",
    lastState: {},
    name,
    ready: running,
    restartCount: 0,
    started: running,
    state,
  };
}

export function pod(p: PodSpec): Record<string, unknown> {
  const proxy = p.proxy ?? "sidecar";
  const phase = p.phase ?? "Running";
  const appImage = `docker.io/istio/examples-bookinfo-${p.app}-v1:1.20.2`;
  const proxyImage = "docker.io/istio/proxyv2:1.22.0";
  const proxyState: State = p.proxyState ?? (phase === "Running" ? { running: { startedAt: STARTED } } : { waiting: { reason: "PodInitializing" } });
  const appState: State = phase === "Running" ? { running: { startedAt: STARTED } } : { waiting: { reason: "ContainerCreating" } };
  const proxyContainer = { args: ["proxy", "sidecar", "--domain", "$(POD_NAMESPACE).svc.cluster.local"], image: proxyImage, name: "istio-proxy", ports: [{ containerPort: 15090, name: "http-envoy-prom", protocol: "TCP" }] };
  const appContainer = { image: appImage, imagePullPolicy: "IfNotPresent", name: p.app, ports: [{ containerPort: 9080, protocol: "TCP" }] };
  const containers = proxy === "sidecar" ? [appContainer, proxyContainer] : [appContainer];
  const initContainers = proxy === "none" ? undefined : proxy === "native" ? [{ image: proxyImage, name: "istio-validation" }, { ...proxyContainer, restartPolicy: "Always" }] : [{ image: proxyImage, name: "istio-init" }];
  const labels = { app: p.app, "pod-template-hash": "5c9d7b8f4", "security.istio.io/tlsMode": proxy === "none" ? undefined : "istio", "service.istio.io/canonical-name": p.app, version: "v1" };
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      annotations: proxy === "none" ? undefined : { "sidecar.istio.io/status": JSON.stringify({ initContainers: ["istio-init"], containers: ["istio-proxy"], volumes: ["istio-envoy", "istio-data"], imagePullSecrets: null, revision: "default" }) },
      creationTimestamp: "2024-05-14T09:12:20Z",
      deletionGracePeriodSeconds: p.deleting ? 30 : undefined,
      deletionTimestamp: p.deleting ? "2024-05-14T10:01:02Z" : undefined,
      generateName: `${p.name.replace(/[^-]+$/, "")}`,
      labels,
      name: p.name,
      namespace: p.namespace,
      resourceVersion: "48213",
      uid: "3f6c1d2e-8a4b-4c5d-9e7f-0a1b2c3d4e5f",
    },
    spec: {
      containers,
      dnsPolicy: "ClusterFirst",
      initContainers,
      nodeName: "kind-worker",
      restartPolicy: "Always",
      serviceAccountName: `bookinfo-${p.app}`,
    },
    status: {
      conditions: [{ lastProbeTime: null, lastTransitionTime: STARTED, status: phase === "Running" ? "True" : "False", type: "Ready" }],
      containerStatuses: [status(p.app, appImage, appState), ...(proxy === "sidecar" ? [status("istio-proxy", proxyImage, proxyState)] : [])],
      hostIP: "172.18.0.3",
      initContainerStatuses: proxy === "native" ? [status("istio-validation", proxyImage, { terminated: { exitCode: 0, reason: "Completed" } }), status("istio-proxy", proxyImage, proxyState)] : undefined,
      phase,
      podIP: phase === "Running" ? "10.244.1.17" : undefined,
      qosClass: "Burstable",
      startTime: "2024-05-14T09:12:20Z",
    },
  };
}

/** The list as kubectl prints it for `get pods -o json`. */
export function podList(items: Array<Record<string, unknown>>): string {
  return `${JSON.stringify({ apiVersion: "v1", items, kind: "List", metadata: { resourceVersion: "" } }, null, 4)}\n`;
}
