#!/usr/bin/env node
// The envoy-explain command: runs the CLI on the process's arguments and streams, and sets the exit code.
import { hideBin } from "yargs/helpers";
import { runCli, STDIN } from "./cli.js";

// A reader that went away (`| head -1`) is not an error: stop quietly, with success.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
}

const code = await runCli(
  hideBin(process.argv).map((a) => (a === "-" ? STDIN : a)),
  { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t), isTTY: process.stdout.isTTY === true, stderrIsTTY: process.stderr.isTTY === true },
);
process.exitCode = code;
