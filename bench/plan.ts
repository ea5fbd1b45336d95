/**
 * `shipshape plan` wall time, as a user sees it (spawn of the compiled CLI to
 * exit): the repository's dev stack, and a generated stack of 100 images in a
 * copy of the project. The dev stack is the peer: the 100-image plan is
 * reported against it as a ratio, with the time per image added.
 */
import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { median } from "./stats";

// dist/bench/plan.js or bench/plan.ts: the repository root is the first parent holding bin/shipshape.js.
function repoRoot(): string {
    for (let dir = __dirname; ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "bin", "shipshape.js")) && fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
        if (path.dirname(dir) === dir) throw new Error(`bench/plan: no repository root above ${__dirname}`);
    }
}

/**
 * The project as a fresh clone has it, in a temp directory: sources copied,
 * node_modules and dist linked, git initialised (image labels read the commit).
 */
export function copyProject(repo: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-plan-"));
    const skip = new Set(["node_modules", "dist", ".git", "tmp", "test"]);
    for (const entry of fs.readdirSync(repo)) {
        if (skip.has(entry)) continue;
        fs.cpSync(path.join(repo, entry), path.join(dir, entry), { recursive: true });
    }
    fs.symlinkSync(path.join(repo, "node_modules"), path.join(dir, "node_modules"));
    fs.symlinkSync(path.join(repo, "dist"), path.join(dir, "dist"));
    const git = (...args: string[]) =>
        execFileSync("git", ["-c", "user.name=shipshape", "-c", "user.email=shipshape@example.invalid", ...args], { cwd: dir, stdio: "pipe" });
    git("init", "-q");
    git("add", "-A");
    git("commit", "-qm", "copy of the project for shipshape plan");
    return dir;
}

/** A stack file like dev's whose `shipshape:images` lists `count` images, alternating two runtime services. */
export function writeGeneratedStack(projectDir: string, stack: string, count: number): void {
    const dev = yaml.load(fs.readFileSync(path.join(projectDir, "Pulumi.dev.yaml"), "utf8")) as { config: Record<string, unknown> };
    const services = [
        { context: "services/stroma", description: "generated stroma variant" },
        { context: "services/dockerutilities", buildArgs: { VERSION: "0.1.0-bench" }, description: "generated dockerutilities variant" },
    ];
    dev.config["shipshape:images"] = Array.from({ length: count }, (_, i) => ({ name: `svc-${String(i).padStart(3, "0")}`, ...services[i % services.length] }));
    fs.writeFileSync(path.join(projectDir, `Pulumi.${stack}.yaml`), yaml.dump(dev));
}

interface Timed {
    ms: number;
    code: number | null;
    resources: number;
    stderr: string;
}

function timePlan(repo: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Timed> {
    return new Promise((resolve, reject) => {
        const started = process.hrtime.bigint();
        const child = spawn(process.execPath, [path.join(repo, "bin", "shipshape.js"), "plan", "--format", "json", ...args], {
            cwd: repo,
            env: { ...process.env, ...env },
            stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
        child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
        child.on("error", reject);
        child.on("close", (code) => {
            const ms = Number(process.hrtime.bigint() - started) / 1e6;
            let resources = 0;
            try {
                resources = (JSON.parse(stdout) as { resources: unknown[] }).resources.length;
            } catch {
                resources = 0;
            }
            resolve({ ms, code, resources, stderr });
        });
    });
}

/** Both stacks pass their policies: a run that exits 1 measures a plan that stopped early, not the one the figure names. */
function check(what: string, run: Timed): void {
    if (run.code !== 0) throw new Error(`bench/plan: ${what} exited ${run.code}\n${run.stderr}`);
}

export async function run(): Promise<void> {
    const repo = repoRoot();
    const devRuns: Timed[] = [];
    for (let i = 0; i < 3; i++) {
        const timed = await timePlan(repo, ["--stack", "dev"]);
        check("plan --stack dev", timed);
        devRuns.push(timed);
    }
    const devMs = median(devRuns.map((r) => r.ms));
    console.log(`plan dev stack:        ${devMs.toFixed(0)} ms median of ${devRuns.length} (${devRuns.map((r) => r.ms.toFixed(0)).join(", ")}), ${devRuns[0].resources} resources`);

    const copy = copyProject(repo);
    try {
        writeGeneratedStack(copy, "bench100", 100);
        const args = ["--cwd", copy, "--stack", "bench100", "--policy-pack-config", path.join(repo, "policy", "config", "dev.json")];
        // An empty transpile cache: the first run compiles the program's TypeScript, as on a fresh checkout.
        const cache = { SHIPSHAPE_PLAN_CACHE_DIR: path.join(copy, ".plan-cache") };
        const cold = await timePlan(repo, args, cache);
        check("plan of the generated 100-image stack", cold);
        const big = await timePlan(repo, args, cache);
        check("plan of the generated 100-image stack", big);
        console.log(`plan 100-image stack:  ${big.ms.toFixed(0)} ms warm, ${cold.ms.toFixed(0)} ms cold (fresh checkout), ${big.resources} resources (exit ${big.code})`);
        const devImages = ((yaml.load(fs.readFileSync(path.join(repo, "Pulumi.dev.yaml"), "utf8")) as { config: Record<string, unknown[]> }).config["shipshape:images"] ?? []).length;
        console.log(`ratio 100-image / dev (warm): ${(big.ms / devMs).toFixed(2)}x; ${((big.ms - devMs) / (100 - devImages)).toFixed(1)} ms per image beyond dev's ${devImages}`);
    } finally {
        fs.rmSync(copy, { recursive: true, force: true });
    }
}

if (require.main === module) {
    run().catch((err) => {
        console.error(err instanceof Error ? err.stack : err);
        process.exit(1);
    });
}
