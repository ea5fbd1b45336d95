import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const REPO = path.resolve(__dirname, "..");
/** The directories tsconfig.build.json compiles into dist/. */
const BUILD_DIRS = ["dockerfile", "lifecycle", "policy", "cli", "bench", "engine"];
const ENTRY = path.join(REPO, "dist", "cli", "main.js");

function newestSourceMtime(dir: string): number {
    let newest = 0;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtime(full));
        else if (entry.name.endsWith(".ts") || entry.name.endsWith(".json")) newest = Math.max(newest, fs.statSync(full).mtimeMs);
    }
    return newest;
}

/**
 * Tests that spawn the compiled CLI or pack need dist/ to match the sources. `npm ci`
 * builds it (prepare); rebuild only when a source is newer, so the suite compiles at
 * most once and a local run never tests stale JavaScript.
 */
export function ensureBuilt(): void {
    const builtAt = fs.existsSync(ENTRY) ? fs.statSync(ENTRY).mtimeMs : 0;
    const sourcesAt = Math.max(...BUILD_DIRS.map((d) => newestSourceMtime(path.join(REPO, d))));
    if (builtAt >= sourcesAt) return;
    try {
        execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: REPO, stdio: "pipe" });
    } catch (err) {
        // Type errors still emit JavaScript; `npm test` reports them in its typecheck step.
        if (!fs.existsSync(ENTRY)) throw err;
    }
}
