#!/usr/bin/env node
// The `modtasks` command. The real code is the bundle built by `npm run build`.
"use strict";
const path = require("node:path");
const fs = require("node:fs");
const cli = path.join(__dirname, "..", "..", "dist", "runtime", "cli.js");
if (!fs.existsSync(cli)) {
  process.stderr.write("modtasks: not built yet; run `npm run build` in " + path.join(__dirname, "..", "..") + "\n");
  process.exit(70);
}
require(cli)
  .main(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write("modtasks: internal error: " + (e && e.stack ? e.stack : String(e)) + "\n");
      process.exitCode = 70;
    },
  );
