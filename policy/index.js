// Entry the Pulumi engine runs (via @pulumi/pulumi/cmd/run-policy-pack, in this
// directory). It loads the compiled pack so no TypeScript is compiled or
// type-checked on each preview; `npm run build` (run by `npm ci`) produces it.
"use strict";
const path = require("path");
const compiled = path.join(__dirname, "..", "dist", "policy", "pack.js");
try {
    require.resolve(compiled);
} catch {
    process.stderr.write(`shipshape policy pack: ${compiled} is missing; run \`npm run build\` in ${path.dirname(__dirname)}\n`);
    process.exit(1);
}
require(compiled);
