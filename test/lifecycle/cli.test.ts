import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { evaluateLifecyclePolicy, parseImageDetails, protectTag } from "../../lifecycle/index";
import { runCli as runShipshape } from "../cli/in-process";
import { countRule, digestOf, image, NOW } from "./fixtures";
import { ensureBuilt } from "../build-once";

const REPO = path.resolve(__dirname, "..", "..");

/** `shipshape lifecycle <args>`, in process. */
const runCli = (args: string[]) => runShipshape(["lifecycle", ...args]);

describe("shipshape lifecycle", () => {
    let dir: string;
    const policy = { rules: [protectTag("buildcache"), countRule(2, { tagPatternList: ["v*"] }, 1)] };
    const describeImages = {
        imageDetails: [
            image("cache", ["buildcache"], 90),
            image("v1", ["v1"], 30),
            image("v2", ["v2"], 20),
            image("v3", ["v3", "latest"], 10),
        ],
    };
    const write = (name: string, content: unknown) => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content, null, 2));
        return file;
    };

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-lifecycle-"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("prints a table of the images a policy expires, exit 0", async () => {
        const result = await runCli(["--policy", write("p.json", policy), "--images", write("i.json", describeImages), "--now", NOW.toISOString()]);
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stderr, "");
        const lines = result.stdout.split("\n");
        assert.match(lines[0], /^RULE\s+ACTION\s+DIGEST\s+PUSHED\s+TAGS$/);
        assert.match(lines[1], new RegExp(`^2\\s+EXPIRE\\s+${digestOf("v1").slice(0, 19)}\\s+\\S+Z\\s+v1$`));
        assert.match(lines[2], new RegExp(`^2\\s+EXPIRE\\s+${digestOf("v2").slice(0, 19)}\\s+\\S+Z\\s+v2$`));
        assert.ok(result.stdout.includes("2 expire, 0 transition to archive, of 4 images."));
    });

    it("prints the GetLifecyclePolicyPreview shape with --format json", async () => {
        const result = await runCli(["--policy", write("p.json", policy), "--images", write("i.json", describeImages), "--now", NOW.toISOString(), "--format", "json"]);
        assert.equal(result.code, 0, result.stderr);
        const preview = JSON.parse(result.stdout);
        assert.deepEqual(preview, evaluateLifecyclePolicy(policy, parseImageDetails(describeImages), NOW));
        assert.deepEqual(Object.keys(preview), ["previewResults", "summary"]);
        assert.deepEqual(Object.keys(preview.previewResults[0]), ["imageTags", "imageDigest", "imagePushedAt", "action", "appliedRulePriority", "storageClass"]);
        assert.deepEqual(preview.summary, { expiringImageTotalCount: 2 });
    });

    it("says so when nothing expires, exit 0", async () => {
        const result = await runCli(["--policy", write("p.json", policy), "--images", write("few.json", { imageDetails: [image("v9", ["v9"], 1)] }), "--now", NOW.toISOString()]);
        assert.equal(result.code, 0);
        assert.equal(result.stdout, "No image would be expired or transitioned (1 images evaluated).\n");
    });

    it("explains images kept because a manifest list may reference them", async () => {
        const images = { imageDetails: [image("index", ["v5"], 50, { imageManifestMediaType: "application/vnd.oci.image.index.v1+json" }), image("child", [], 50)] };
        const untaggedPolicy = { rules: [{ rulePriority: 1, selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 }, action: { type: "expire" } }] };
        const result = await runCli(["--policy", write("u.json", untaggedPolicy), "--images", write("idx.json", images), "--now", NOW.toISOString()]);
        assert.equal(result.code, 0, result.stderr);
        assert.ok(result.stdout.startsWith("No image would be expired or transitioned (2 images evaluated)."));
        assert.match(result.stdout, /Kept although a rule marks them \(manifest list references\):\nRULE\s+DIGEST\s+WHY\n1\s+sha256:\S+\s+may be referenced by sha256:/);
    });

    it("exits 2 listing every policy issue with the file name", async () => {
        const bad = { rules: [countRule(1, {}, 1), { ...countRule(2, { tagPrefixList: ["a"] }, 0), extra: 1 }] };
        const file = write("bad.json", bad);
        const result = await runCli(["--policy", file, "--images", write("i.json", describeImages)]);
        assert.equal(result.code, 2);
        assert.equal(result.stdout, "");
        assert.ok(result.stderr.startsWith(`shipshape lifecycle: ${file}: invalid lifecycle policy (3 issues):`), result.stderr);
        assert.match(result.stderr, /rules\[0\]\.selection: tagStatus "tagged" requires/);
        assert.match(result.stderr, /rules\[1\]\.selection\.countNumber: must be a positive integer/);
        assert.match(result.stderr, /rules\[1\]\.extra: unknown field/);
    });

    it("exits 2 naming the file for unreadable or invalid inputs", async () => {
        const policyFile = write("p.json", policy);
        const missing = path.join(dir, "missing.json");
        let result = await runCli(["--policy", policyFile, "--images", missing]);
        assert.equal(result.code, 2);
        assert.match(result.stderr, new RegExp(`cannot read image list file ${missing.replace(/[.\\/]/g, "\\$&")}`));

        const notJson = write("broken.json", "{ imageDetails: ");
        result = await runCli(["--policy", policyFile, "--images", notJson]);
        assert.equal(result.code, 2);
        assert.ok(result.stderr.includes(`${notJson}: image list is not valid JSON`), result.stderr);

        const wrongShape = write("shape.json", { images: [] });
        result = await runCli(["--policy", policyFile, "--images", wrongShape]);
        assert.equal(result.code, 2);
        assert.ok(result.stderr.includes(`${wrongShape}: expected the output of \`aws ecr describe-images --output json\``), result.stderr);

        const badEntry = write("entry.json", { imageDetails: [{ imageDigest: "sha256:1", imagePushedAt: "whenever" }] });
        result = await runCli(["--policy", policyFile, "--images", badEntry]);
        assert.equal(result.code, 2);
        assert.ok(result.stderr.includes(`${badEntry}: invalid image list:`), result.stderr);

        const duplicate = write("dup.json", { imageDetails: [image("v1", ["v1"], 3), image("v1", ["v1b"], 2)] });
        result = await runCli(["--policy", policyFile, "--images", duplicate]);
        assert.equal(result.code, 2);
        assert.ok(result.stderr.includes(`${duplicate}: imageDetails[1]: duplicate imageDigest ${digestOf("v1")}`), result.stderr);

        const policyNotJson = write("policy-broken.json", "{");
        result = await runCli(["--policy", policyNotJson, "--images", write("i.json", describeImages)]);
        assert.equal(result.code, 2);
        assert.ok(result.stderr.includes(`${policyNotJson}: invalid lifecycle policy (1 issue):\n  - policy: is not valid JSON`), result.stderr);
    });

    it("exits 2 for an invalid --now, a missing option or an unknown format", async () => {
        const args = ["--policy", write("p.json", policy), "--images", write("i.json", describeImages)];
        for (const now of ["yesterday", "2026-13-45", "1700000000", "2026-02-30T00:00:00Z", "2026-04-31"]) {
            const result = await runCli([...args, "--now", now]);
            assert.equal(result.code, 2, now);
            assert.match(result.stderr, /--now: expected an ISO-8601 time/);
        }
        assert.equal((await runCli([...args, "--now", "2026-03-01"])).code, 0);
        assert.equal((await runCli([...args, "--now", "2028-02-29T00:00:00Z"])).code, 0);
        assert.equal((await runCli([...args, "--now", "2026-03-01T12:00:00+02:00"])).code, 0);
        const missing = await runCli(["--images", args[3]]);
        assert.equal(missing.code, 2);
        assert.match(missing.stderr, /required option '--policy <file>' not specified/);
        const format = await runCli([...args, "--format", "yaml"]);
        assert.equal(format.code, 2);
        assert.match(format.stderr, /Allowed choices are text, json/);
    });

    describe("compiled CLI (node bin/shipshape.js)", function () {
        this.timeout(600_000);
        before(() => {
            ensureBuilt();
            const compiled = path.join(REPO, "dist", "cli", "commands", "lifecycle.js");
            assert.ok(fs.existsSync(compiled), `npm run build did not produce ${compiled}`);
        });

        it("evaluates a policy end to end and exits 0", () => {
            const run = spawnSync(process.execPath, ["bin/shipshape.js", "lifecycle", "--policy", write("p.json", policy), "--images", write("i.json", describeImages), "--now", NOW.toISOString(), "--format", "json"], {
                cwd: REPO,
                encoding: "utf8",
            });
            assert.equal(run.status, 0, run.stderr);
            assert.deepEqual(JSON.parse(run.stdout).previewResults.map((r: { imageTags: string[] }) => r.imageTags[0]), ["v1", "v2"]);
        });

        it("exits 2 with the issues on stderr for an invalid policy", () => {
            const run = spawnSync(process.execPath, ["bin/shipshape.js", "lifecycle", "--policy", write("bad.json", { rules: [] }), "--images", write("i.json", describeImages)], { cwd: REPO, encoding: "utf8" });
            assert.equal(run.status, 2);
            assert.match(run.stderr, /rules: must contain at least one rule/);
        });
    });
});
