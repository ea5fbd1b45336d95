#!/usr/bin/env node
"use strict";
// Runs the compiled CLI; `npm ci` compiles it through the `prepare` script.
const path = require("path");
const fs = require("fs");
const entry = path.join(__dirname, "..", "dist", "cli", "main.js");
if (!fs.existsSync(entry)) {
    console.error(`shipshape: ${entry} is missing; run \`npm ci\` (or \`npm run build\`) in ${path.dirname(__dirname)} first.`);
    process.exit(2);
}
require(entry).main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (err) => { console.error(`shipshape: ${err && err.stack ? err.stack : err}`); process.exitCode = 2; },
);
