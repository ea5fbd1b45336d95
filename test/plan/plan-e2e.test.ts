/**
 * `npm run plan` end to end: the compiled CLI (`bin/shipshape.js`), the real
 * program (`index.ts`) with every `Pulumi.*.yaml` stack file of the repository,
 * and the real policy pack started as `pulumi preview --policy-pack policy`
 * would. Broken variants run on a copy of the project in a temp directory.
 */
import * as assert from "assert";
import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { copyProject as copyRepo } from "../../bench/plan";
import { ensureBuilt } from "../build-once";

const REPO = path.resolve(__dirname, "..", "..");
const BIN = path.join(REPO, "bin", "shipshape.js");

interface CliRun {
    code: number | null;
    stdout: string;
    stderr: string;
}

function runCli(args: string[], cwd = REPO): Promise<CliRun> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NODE_OPTIONS: "" }, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
        child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
}

function stackFiles(dir: string): string[] {
    return fs
        .readdirSync(dir)
        .filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f))
        .map((f) => f.slice("Pulumi.".length, -".yaml".length))
        .sort();
}

interface PlanJson {
    stack: string;
    resources: { type: string; name: string; urn: string; inputs: Record<string, unknown> }[];
    diagnostics: { policy: string; enforcementLevel: string; urn: string; message: string }[];
}

describe("shipshape plan end to end (compiled CLI, real program, real policy pack)", function () {
    this.timeout(180_000);
    const temps: string[] = [];

    before(function () {
        this.timeout(300_000);
        ensureBuilt();
    });

    after(() => {
        for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
    });

    const stacks = stackFiles(REPO);

    it("finds at least two stack files in the repository", () => {
        assert.ok(stacks.length >= 2, `stack files: ${stacks.join(", ")}`);
        assert.ok(stacks.includes("dev") && stacks.includes("prod"), `stack files: ${stacks.join(", ")}`);
    });

    for (const stack of stacks) {
        it(`plans stack ${stack} as JSON with every resource and no mandatory diagnostic`, async () => {
            const run = await runCli(["plan", "--stack", stack, "--format", "json"]);
            assert.strictEqual(run.code, 0, `exit ${run.code}\n${run.stderr}\n${run.stdout.slice(0, 4000)}`);
            const plan = JSON.parse(run.stdout) as PlanJson;
            assert.deepStrictEqual(Object.keys(plan).sort(), ["diagnostics", "resources", "stack"]);
            assert.strictEqual(plan.stack, stack);
            for (const r of plan.resources) {
                assert.deepStrictEqual(Object.keys(r).sort(), ["inputs", "name", "type", "urn"]);
                assert.ok(r.urn.startsWith(`urn:pulumi:${stack}::shipshape::`), r.urn);
            }
            for (const d of plan.diagnostics) {
                assert.deepStrictEqual(Object.keys(d).sort(), ["enforcementLevel", "message", "policy", "urn"]);
                assert.notStrictEqual(d.enforcementLevel, "mandatory", d.message);
            }
            // One image and one repository per `shipshape:images` entry of the stack file.
            const config = (yaml.load(fs.readFileSync(path.join(REPO, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> }).config;
            const entries = (config["shipshape:images"] as { name: string }[]).map((i) => i.name).sort();
            const images = plan.resources.filter((r) => r.type === "docker-build:index:Image");
            assert.deepStrictEqual(images.map((r) => r.name).sort(), entries);
            assert.deepStrictEqual(plan.resources.filter((r) => r.type === "aws:ecr/repository:Repository").map((r) => r.name).sort(), entries);
            assert.strictEqual(plan.resources.filter((r) => r.type === "aws:ecr/lifecyclePolicy:LifecyclePolicy").length, entries.length);
            for (const image of images) assert.deepStrictEqual(image.inputs.platforms, ["linux/amd64"], image.name);
        });
    }

    it("prints a readable text plan for dev: resource tree, image verdicts, lifecycle protection, diagnostics", async () => {
        const run = await runCli(["plan"]);
        assert.strictEqual(run.code, 0, run.stderr);
        // Not a TTY: no spinner control characters on stderr.
        assert.ok(!run.stderr.includes("\r"), JSON.stringify(run.stderr));
        const out = run.stdout;
        assert.match(out, /^Plan for stack dev \(Pulumi\.dev\.yaml\) of project shipshape$/m);
        assert.match(out, /^  pulumi:pulumi:Stack +shipshape-dev$/m);
        assert.match(out, /├─ shipshape:ecr:Repository +stroma/);
        assert.match(out, /aws:ecr:Repository +stroma +scan on push · IMMUTABLE_WITH_EXCLUSION \(except cache\)/);
        assert.match(out, /^ {2}stroma: passes · base gcr\.io\/distroless\/[^ ]+ · user [^ ]+ \(non-root\) · linux\/amd64 · \d+ labels/m);
        assert.match(out, /^ {4}tag cache: never expires: rule \d+ /m);
        // The builder image's exemptions: once per policy under the image, program messages under the resource that logged them.
        assert.match(out, /^ {4}~ image-non-root-user not applied: builder image/m);
        assert.match(out, /^ {2}info: shipshape:docker:Image colony-base: image-non-root-user: /m);
        assert.match(out, /^Policy diagnostics \(\d+\)$/m);
        assert.match(out, /^Result: no mandatory violation/m);
    });

    it("draws a progress line on a terminal's stderr only, leaving stdout clean", async function () {
        let scriptTool: string;
        try {
            scriptTool = execFileSync("sh", ["-c", "command -v script"], { encoding: "utf8" }).trim();
        } catch {
            this.skip(); // util-linux `script` provides the pseudo-terminal; without it this cannot be observed
            return;
        }
        const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-tty-"));
        temps.push(outDir);
        const out = path.join(outDir, "plan.json");
        const command = `"${process.execPath}" "${BIN}" plan --format json > "${out}"`;
        const terminal = await new Promise<string>((resolve, reject) => {
            const child = spawn(scriptTool, ["-qec", command, "/dev/null"], { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
            let text = "";
            child.stdout.on("data", (c: Buffer) => (text += c.toString("utf8")));
            child.on("error", reject);
            child.on("close", (code) => (code === 0 ? resolve(text) : reject(new Error(`exit ${code}: ${text}`))));
        });
        assert.match(terminal, /\r\x1b\[2K. starting the policy pack and running the program/);
        assert.ok(terminal.endsWith("\r\x1b[2K"), JSON.stringify(terminal.slice(-40)));
        assert.strictEqual((JSON.parse(fs.readFileSync(out, "utf8")) as PlanJson).stack, "dev");
    });

    it("exits 2 naming shipshape:images and Pulumi.dev.yaml when the image list is broken", async () => {
        const dir = copyRepo(REPO);
        temps.push(dir);
        const file = path.join(dir, "Pulumi.dev.yaml");
        const doc = yaml.load(fs.readFileSync(file, "utf8")) as { config: Record<string, unknown> };
        doc.config["shipshape:images"] = [{ name: 42, context: "services/stroma" }];
        fs.writeFileSync(file, yaml.dump(doc));
        const run = await runCli(["plan", "--cwd", dir]);
        assert.strictEqual(run.code, 2, `${run.stdout}\n${run.stderr}`);
        assert.strictEqual(run.stdout, "");
        assert.match(run.stderr, /shipshape:images/);
        assert.match(run.stderr, /Pulumi\.dev\.yaml/);
    });

    it("exits 1 naming image-non-root-user when a service Dockerfile switches to USER root", async () => {
        const dir = copyRepo(REPO);
        temps.push(dir);
        const dockerfile = path.join(dir, "services", "stroma", "Dockerfile");
        fs.appendFileSync(dockerfile, "\nUSER root\n");
        const run = await runCli(["plan", "--cwd", dir, "--format", "json"]);
        assert.strictEqual(run.code, 1, `${run.stdout}\n${run.stderr}`);
        const plan = JSON.parse(run.stdout) as PlanJson;
        const rootUser = plan.diagnostics.filter((d) => d.policy === "image-non-root-user" && d.enforcementLevel === "mandatory");
        assert.ok(rootUser.length > 0, JSON.stringify(plan.diagnostics, null, 2));
        assert.match(rootUser[0].message, /root/);
    });

    it("exits 1 on a mandatory diagnostic from the pack itself (a policy config requiring KMS for dev)", async () => {
        const dir = copyRepo(REPO);
        temps.push(dir);
        const config = path.join(dir, "kms.json");
        fs.writeFileSync(config, JSON.stringify({ "ecr-encryption": { enforcementLevel: "mandatory", requireKms: true } }));
        const run = await runCli(["plan", "--cwd", dir, "--policy-pack-config", config]);
        assert.strictEqual(run.code, 1, `${run.stdout}\n${run.stderr}`);
        assert.match(run.stdout, /^ {2}mandatory \(\d+\)$/m);
        assert.match(run.stdout, /^ {4}\[ecr-encryption\] aws:ecr:Repository stroma: /m);
        assert.match(run.stdout, /^Result: \d+ mandatory violations?: pulumi preview --policy-pack would fail\.$/m);
    });

    it("exits 2 naming the stack file when the stack does not exist", async () => {
        const run = await runCli(["plan", "--stack", "staging"]);
        assert.strictEqual(run.code, 2);
        assert.match(run.stderr, /Pulumi\.staging\.yaml: stack file not found/);
    });
});
