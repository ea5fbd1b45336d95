/**
 * Policy pack speed, each figure against a trivial JavaScript pack (one no-op
 * policy) measured in the same run:
 * - cold start: spawn of @pulumi/pulumi/cmd/run-policy-pack to the port line, as
 *   the engine does on every preview (goal: within 1.5x of the trivial pack);
 * - Analyze latency per docker-build Image resource (distinct corpus Dockerfiles,
 *   so no analysis is reused across calls; within a call the four image policies
 *   share one, as in a preview).
 */
import * as fs from "fs";
import * as path from "path";
import { PolicyPackClient, startPolicyPack } from "../engine/policy-pack-client";
import { removeTrivialPolicyPack, writeTrivialPolicyPack } from "../engine/trivial-policy-pack";
import { median } from "./stats";

const START_RUNS = Number(process.env.SHIPSHAPE_BENCH_PACK_STARTS ?? 7);
const ANALYZE_CALLS = Number(process.env.SHIPSHAPE_BENCH_PACK_ANALYZES ?? 200);
const START_GOAL = 1.5;

const LABELS: Record<string, string> = {
    "org.opencontainers.image.title": "bench",
    "org.opencontainers.image.source": "https://example.com/bench",
    "org.opencontainers.image.revision": "0123456789abcdef0123456789abcdef01234567",
    "org.opencontainers.image.created": "2026-01-01T00:00:00Z",
    "org.opencontainers.image.version": "1.0.0",
};

/** The repository root, whether this runs compiled (dist/bench) or through ts-node (bench). */
function repoRoot(): string {
    let dir = __dirname;
    for (;;) {
        const manifest = path.join(dir, "package.json");
        if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, "utf8")).name === "shipshape") return dir;
        const parent = path.dirname(dir);
        if (parent === dir) throw new Error(`no shipshape package.json above ${__dirname}`);
        dir = parent;
    }
}

async function coldStart(dir: string): Promise<number> {
    const pack = await startPolicyPack(dir);
    const ms = pack.startupMs;
    await pack.close();
    return ms;
}

async function analyzeLatencies(pack: PolicyPackClient, files: string[]): Promise<number[]> {
    await pack.configure();
    const resource = (file: string) => ({
        type: "docker-build:index:Image",
        name: path.basename(file).slice(0, 60),
        properties: { dockerfile: { location: file }, platforms: ["linux/amd64"], labels: LABELS, push: false },
    });
    // Warm the gRPC channel and the JIT on a file outside the measured set.
    for (let i = 0; i < 5; i++) await pack.analyze(resource(files[files.length - 1]));
    const times: number[] = [];
    for (const file of files.slice(0, ANALYZE_CALLS)) {
        const started = process.hrtime.bigint();
        await pack.analyze(resource(file));
        times.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    return times;
}

export async function run(): Promise<void> {
    const root = repoRoot();
    const packDir = path.join(root, "policy");
    if (!fs.existsSync(path.join(root, "dist", "policy", "pack.js"))) throw new Error("dist/policy/pack.js is missing: run `npm run build`");
    const trivialDir = writeTrivialPolicyPack(root);
    try {
        // Interleaved, so machine load drifts affect both packs alike.
        const ours: number[] = [];
        const trivial: number[] = [];
        await coldStart(trivialDir);
        for (let i = 0; i < START_RUNS; i++) {
            trivial.push(await coldStart(trivialDir));
            ours.push(await coldStart(packDir));
        }
        const startRatio = median(ours) / median(trivial);
        console.log(`pack cold start (spawn to port line), median of ${START_RUNS}: shipshape ${median(ours).toFixed(0)} ms, trivial JS pack ${median(trivial).toFixed(0)} ms`);
        console.log(`pack cold start ratio: ${startRatio.toFixed(2)}x (goal <= ${START_GOAL}x: ${startRatio <= START_GOAL ? "met" : "MISSED"})`);

        const corpus = path.resolve(root, "..", "shared", "corpus", "files");
        const files = fs
            .readdirSync(corpus)
            .sort()
            .map((f) => path.join(corpus, f));
        const oursPack = await startPolicyPack(packDir);
        const trivialPack = await startPolicyPack(trivialDir);
        try {
            const oursTimes = await analyzeLatencies(oursPack, files);
            const trivialTimes = await analyzeLatencies(trivialPack, files);
            const analyzeRatio = median(oursTimes) / median(trivialTimes);
            console.log(
                `pack Analyze per image resource, median of ${oursTimes.length} distinct Dockerfiles: shipshape ${median(oursTimes).toFixed(2)} ms, trivial JS pack ${median(trivialTimes).toFixed(2)} ms`,
            );
            console.log(`pack Analyze ratio: ${analyzeRatio.toFixed(2)}x (the trivial pack judges nothing; absolute figure is what a preview pays per image)`);
        } finally {
            await oursPack.close();
            await trivialPack.close();
        }
    } finally {
        removeTrivialPolicyPack(trivialDir);
    }
}
