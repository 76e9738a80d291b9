// Envoy's admin /config_dump ({configs: [...]}: one section per element, each with its @type), as
// istioctl proxy-config all -o json and pilot-agent request GET config_dump print it. --format
// config_dump insists on it.
import { InputError, childPath } from "../../diag.js";
import { getKey, keyOf } from "../v2.js";
import { isObject } from "../keys.js";
import type { Recognizer } from "./index.js";

type Obj = Record<string, unknown>;

export const configDump: Recognizer = {
  shape: "the admin /config_dump ({configs: [...]}), istioctl proxy-config all -o json",
  detect: (v, forced) => isObject(v) && (forced === "config_dump" || (forced === undefined && Array.isArray(getKey(v, "configs")))),
  read(v, path, x) {
    x.input.format = "config_dump";
    const o = v as Obj;
    const configs = getKey(o, "configs");
    if (!Array.isArray(configs)) throw new InputError(x.input.file, `--format config_dump: no "configs" list`);
    const k = keyOf(o, "configs")!;
    configs.forEach((c, i) => x.config(c, childPath(childPath(path, k), i)));
  },
};
