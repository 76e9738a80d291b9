// One entry cut out of a config dump section: a dynamic_listeners[] element ({name, active_state…}),
// a dynamic_active_clusters[] element ({cluster, version_info, last_updated})…, read as the section
// would read it.
import { sectionEntry as entryOf } from "../sections.js";
import { isObject } from "../keys.js";
import type { Recognizer } from "./index.js";

type Obj = Record<string, unknown>;

export const sectionEntry: Recognizer = {
  shape: "one entry of a config dump section (a dynamic_listeners[] element…)",
  detect: (v, forced) => forced === undefined && isObject(v) && entryOf(v) !== undefined,
  read(v, path, x) {
    const entry = entryOf(v as Obj)!;
    x.input.format = "config_dump_section";
    x.config({ [entry.list]: [v] }, path, entry.section);
  },
};
