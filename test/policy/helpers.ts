import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { IMAGE_POLICY_NAMES } from "../../dockerfile/types";
import { AnalyzeResult, Diagnostic, PolicyPackClient, StartPolicyPackOptions, startPolicyPack } from "../../engine/policy-pack-client";
import { sharedPath } from "../shared-data";

export const REPO = path.resolve(__dirname, "..", "..");
export const PACK_DIR = path.join(REPO, "policy");
export const SHARED = sharedPath();
export const FIXTURES = path.join(__dirname, "fixtures");
export const PROJECT = path.join(FIXTURES, "project");

export const FULL_LABELS: Record<string, string> = {
    "org.opencontainers.image.title": "app",
    "org.opencontainers.image.source": "https://github.com/example/app",
    "org.opencontainers.image.revision": "0123456789abcdef0123456789abcdef01234567",
    "org.opencontainers.image.created": "2026-01-02T03:04:05Z",
    "org.opencontainers.image.version": "1.2.3",
};

function newestMtime(dir: string): number {
    let newest = 0;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
        else if (entry.name.endsWith(".ts")) newest = Math.max(newest, fs.statSync(full).mtimeMs);
    }
    return newest;
}

/**
 * The engine runs the compiled pack; a missing build, or one older than the pack's
 * sources, would test other code than the sources, so refuse with the command that
 * fixes it. (The analyzer and lifecycle sources are compiled by the same build; they
 * are not compared because other work edits them concurrently.)
 */
export function assertPackBuilt(): void {
    const compiled = path.join(REPO, "dist", "policy", "pack.js");
    assert.ok(fs.existsSync(compiled), `${compiled} is missing: run \`npm run build\` first (npm ci does)`);
    const built = fs.statSync(compiled).mtimeMs;
    for (const dir of ["policy"]) {
        const newest = newestMtime(path.join(REPO, dir));
        assert.ok(newest <= built + 1000, `${dir}/ changed after ${compiled} was built: run \`npm run build\``);
    }
}

export async function startPack(options: StartPolicyPackOptions = {}): Promise<PolicyPackClient> {
    assertPackBuilt();
    return startPolicyPack(PACK_DIR, options);
}

export function byPolicy(result: AnalyzeResult, policy: string): Diagnostic[] {
    return result.diagnostics.filter((d) => d.policyName === policy);
}

export function image(properties: Record<string, unknown>, name = "img") {
    return { type: "docker-build:index:Image", name, properties };
}

export function repository(properties: Record<string, unknown>, name = "repo") {
    return { type: "aws:ecr/repository:Repository", name, properties };
}

/** Image config that only varies the given policies; projectRoot points at the fixture project. */
export function imageConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    const base: Record<string, unknown> = {};
    for (const name of IMAGE_POLICY_NAMES) {
        base[name] = { projectRoot: PROJECT };
    }
    for (const [name, value] of Object.entries(overrides)) {
        base[name] = typeof value === "string" ? { projectRoot: PROJECT, enforcementLevel: value } : { projectRoot: PROJECT, ...(value as object) };
    }
    return base;
}
