/**
 * A minimal JavaScript policy pack (one no-op policy), the yardstick the pack
 * benchmark measures shipshape's pack against, and a test double for the client.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export interface TrivialPackOptions {
    /** JavaScript run before the PolicyPack is constructed (tests use it to misbehave). */
    preamble?: string;
}

/**
 * Writes the pack into a fresh temporary directory and links the repository's
 * node_modules there, so `@pulumi/policy` and the runner resolve exactly as for
 * policy/. Returns the directory; remove it with `removeTrivialPolicyPack`.
 */
export function writeTrivialPolicyPack(repoRoot: string, options: TrivialPackOptions = {}): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-trivial-pack-"));
    fs.writeFileSync(path.join(dir, "PulumiPolicy.yaml"), "runtime: nodejs\n");
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "trivial-pack", version: "0.0.1", main: "index.js" }, null, 2));
    fs.writeFileSync(
        path.join(dir, "index.js"),
        [
            '"use strict";',
            options.preamble ?? "",
            'const { PolicyPack } = require("@pulumi/policy");',
            'new PolicyPack("trivial", { policies: [{ name: "no-op", description: "Reports nothing.", enforcementLevel: "advisory", validateResource: () => {} }] });',
            "",
        ].join("\n"),
    );
    fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(dir, "node_modules"), "dir");
    return dir;
}

export function removeTrivialPolicyPack(dir: string): void {
    fs.rmSync(dir, { recursive: true, force: true });
}
