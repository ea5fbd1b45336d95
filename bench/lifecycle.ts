/**
 * Lifecycle evaluation speed: 10k and 100k synthetic images against a 50-rule policy (the AWS
 * maximum). Goal: 100k under 1 s and near-linear growth (100k/10k ratio near 10).
 */
import { evaluateLifecyclePolicy, ImageDetail, LifecyclePolicy, LifecycleRule, MAX_RULES, protectTag, validateLifecyclePolicy } from "../lifecycle";

const DAY_MS = 24 * 60 * 60 * 1000;
const NOW = new Date("2026-06-01T00:00:00Z");
const SERVICES = 60;

/** Deterministic xorshift32, so every run measures the same repository. */
function random(seed: number): () => number {
    let state = seed >>> 0 || 1;
    return () => {
        state ^= state << 13;
        state >>>= 0;
        state ^= state >>> 17;
        state ^= state << 5;
        state >>>= 0;
        return state / 0x100000000;
    };
}

export function benchPolicy(): LifecyclePolicy {
    const rules: LifecycleRule[] = [protectTag("buildcache", 1)];
    for (let k = 0; k < 45; k++) {
        const priority = k + 2;
        const tagged =
            k % 3 === 0
                ? { tagStatus: "tagged" as const, tagPrefixList: [`svc${k}-`] }
                : k % 3 === 1
                  ? { tagStatus: "tagged" as const, tagPatternList: [`svc${k}-*`] }
                  : { tagStatus: "tagged" as const, tagPatternList: [`svc${k}-*`, "*-rc*"] };
        const count =
            k % 2 === 0
                ? { countType: "imageCountMoreThan" as const, countNumber: 20 }
                : { countType: "sinceImagePushed" as const, countUnit: "days" as const, countNumber: 30 };
        rules.push({ rulePriority: priority, selection: { ...tagged, ...count }, action: { type: "expire" } });
    }
    rules.push({ rulePriority: 47, selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 }, action: { type: "expire" } });
    rules.push({
        rulePriority: 48,
        selection: { tagStatus: "tagged", tagPrefixList: ["feature-"], countType: "sinceImagePulled", countUnit: "days", countNumber: 30 },
        action: { type: "transition", targetStorageClass: "archive" },
    });
    rules.push({
        rulePriority: 49,
        selection: { tagStatus: "any", storageClass: "archive", countType: "sinceImageTransitioned", countUnit: "days", countNumber: 365 },
        action: { type: "expire" },
    });
    rules.push({ rulePriority: 50, selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 1000 }, action: { type: "expire" } });
    return { rules };
}

export function benchImages(count: number, seed = 42): ImageDetail[] {
    const next = random(seed);
    const images: ImageDetail[] = [];
    for (let i = 0; i < count; i++) {
        const pushedAt = NOW.getTime() - Math.floor(next() * 400 * DAY_MS);
        const kind = next();
        let imageTags: string[] = [];
        if (kind < 0.6) {
            const service = Math.floor(next() * SERVICES);
            imageTags = [`svc${service}-${i}`];
            if (next() < 0.2) imageTags.push(`svc${service}-${i}-rc${i % 7}`);
        } else if (kind < 0.75) {
            imageTags = [`feature-${i}`];
        }
        const archived = next() < 0.1;
        images.push({
            imageDigest: `sha256:${i.toString(16).padStart(64, "0")}`,
            imageTags,
            imagePushedAt: new Date(pushedAt).toISOString(),
            lastRecordedPullTime: next() < 0.5 ? new Date(pushedAt + Math.floor(next() * 30 * DAY_MS)).toISOString() : undefined,
            imageManifestMediaType: "application/vnd.oci.image.manifest.v1+json",
            imageStatus: archived ? "ARCHIVED" : "ACTIVE",
            lastArchivedAt: archived ? new Date(pushedAt + 30 * DAY_MS).toISOString() : undefined,
        });
    }
    return images;
}

interface Timing {
    wallMs: number;
    cpuMs: number;
    acted: number;
}

/** Best of `runs`: wall-clock time, and the process CPU time of that run (steadier on a shared machine). */
function timeEvaluation(policy: LifecyclePolicy, images: ImageDetail[], runs: number): Timing {
    let best: Timing = { wallMs: Infinity, cpuMs: Infinity, acted: 0 };
    for (let run = 0; run < runs; run++) {
        const cpuStart = process.cpuUsage();
        const start = process.hrtime.bigint();
        const preview = evaluateLifecyclePolicy(policy, images, NOW);
        const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
        const cpu = process.cpuUsage(cpuStart);
        if (wallMs < best.wallMs) best = { wallMs, cpuMs: (cpu.user + cpu.system) / 1000, acted: preview.previewResults.length };
    }
    return best;
}

export async function run(): Promise<void> {
    const policy = benchPolicy();
    const issues = validateLifecyclePolicy(policy);
    if (issues.length > 0 || policy.rules.length !== MAX_RULES) {
        throw new Error(`bench policy must be a valid ${MAX_RULES}-rule policy: ${issues.map((i) => i.message).join("; ")}`);
    }
    const small = benchImages(10_000);
    const large = benchImages(100_000);
    timeEvaluation(policy, small, 3); // warm-up: let the JIT settle before measuring
    timeEvaluation(policy, large, 1);
    const tenK = timeEvaluation(policy, small, 20);
    const hundredK = timeEvaluation(policy, large, 5);
    const show = (label: string, t: Timing) =>
        console.log(`lifecycle evaluate ${label} images x ${policy.rules.length} rules: ${t.wallMs.toFixed(1)} ms wall, ${t.cpuMs.toFixed(1)} ms cpu (${t.acted} acted on)`);
    show(" 10k", tenK);
    show("100k", hundredK);
    console.log(`lifecycle growth 100k/10k: ${(hundredK.wallMs / tenK.wallMs).toFixed(2)}x wall, ${(hundredK.cpuMs / tenK.cpuMs).toFixed(2)}x cpu (linear = 10)`);
    console.log(`lifecycle goal 100k under 1000 ms wall: ${hundredK.wallMs < 1000 ? "met" : "MISSED"}`);
}
