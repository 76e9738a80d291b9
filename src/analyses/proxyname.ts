// A proxy's name in a fleet of dumps: what its bootstrap says it is (pod.namespace, as kubectl names it),
// else the file it came from. Fleet commands pair and label proxies by it.
import type { LoadedInput } from "../load/input.js";

/** The file's base name without its directory and its dump extensions (.json, .yaml, .yml, .txt, .gz). */
export function fileStem(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  return base.replace(/\.gz$/i, "").replace(/\.(json|ya?ml|txt)$/i, "") || base;
}

/** pod.namespace from the proxy's bootstrap node, the pod alone, else the file's stem. */
export function proxyName(input: LoadedInput, file: string = input.file): string {
  const id = input.identity;
  if (id?.podName && id.namespace) return `${id.podName}.${id.namespace}`;
  if (id?.podName) return id.podName;
  return fileStem(file);
}
