/**
 * The plan pipeline on a throwaway program and a throwaway pack: which config
 * the pack gets, what reaches Analyze and AnalyzeStack, how diagnostics and
 * exit decisions come out, and what the reports show.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PlanInputError } from "../../engine/errors";
import { computePlan, hasMandatory, PlanResult } from "../../engine/plan";
import { displayType, formatPlanText, planJson } from "../../engine/plan-report";
import { ProgramError } from "../../engine/program-runner";

const FIXTURES = path.join(__dirname, "fixtures");
const TINY = path.join(FIXTURES, "tiny");
const PACK = path.join(FIXTURES, "tiny-pack");
const WORKER_URN = "urn:pulumi:dev::tiny::tiny:index:Registry$aws:ecr/repository:Repository::worker";

describe("engine/plan: program, pack and reports together", function () {
    this.timeout(90_000);
    let dev: PlanResult;
    const progress: string[] = [];
    const temps: string[] = [];
    const tempDir = (prefix: string) => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
        temps.push(dir);
        return dir;
    };

    after(() => {
        for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
    });

    before(async () => {
        dev = await computePlan({ projectDir: TINY, stack: "dev", packDir: PACK, onProgress: (m) => progress.push(m) });
    });

    it("configures the pack from <pack>/config/<stack>.json and reports its diagnostics per resource and for the stack", () => {
        assert.strictEqual(dev.pack.configSource, path.join(PACK, "config", "dev.json"));
        assert.deepStrictEqual(
            dev.diagnostics.map((d) => [d.policy, d.enforcementLevel, d.urn, d.message]),
            [
                // @pulumi/policy puts the policy's description before a violation given as a bare string.
                ["tiny-scan-on-push", "advisory", WORKER_URN, "ECR repositories scan images on push.\nrepository worker does not scan on push"],
                // AnalyzeStack saw both repositories with their parents, and the configured max of 1.
                ["tiny-repository-count", "advisory", "", "A stack holds at most `max` repositories.\n2 repositories (2 with a parent) exceed the maximum of 1"],
            ],
        );
        assert.strictEqual(hasMandatory(dev), false);
        assert.deepStrictEqual(progress.slice(0, 2), ["starting the policy pack and running the program", "configuring the policy pack"]);
    });

    it("falls back to the schema defaults and the policies' own levels without a config file", async () => {
        const qa = await computePlan({ projectDir: TINY, stack: "qa", packDir: PACK });
        assert.strictEqual(qa.pack.configSource, "schema defaults");
        assert.deepStrictEqual(
            qa.diagnostics.map((d) => [d.policy, d.enforcementLevel, d.urn]),
            [["tiny-scan-on-push", "mandatory", WORKER_URN.replace(":dev::", ":qa::")]],
        );
        assert.strictEqual(hasMandatory(qa), true);
    });

    it("takes an explicit --policy-pack-config file and refuses one naming a policy the pack lacks", async () => {
        const dir = tempDir("shipshape-plan-config-");
        const strict = path.join(dir, "strict.json");
        fs.writeFileSync(strict, JSON.stringify({ "tiny-repository-count": { enforcementLevel: "mandatory", max: 1 } }));
        const plan = await computePlan({ projectDir: TINY, stack: "dev", packDir: PACK, policyConfigFile: strict });
        assert.deepStrictEqual(
            plan.diagnostics.map((d) => [d.policy, d.enforcementLevel]),
            [
                ["tiny-scan-on-push", "mandatory"],
                ["tiny-repository-count", "mandatory"],
            ],
        );
        // A config outside the project is shown by its own path, not as ../../..
        assert.ok(formatPlanText(plan).split("\n").includes(`Policy pack tiny-pack 0.0.1, config: ${strict}`), formatPlanText(plan).slice(0, 300));
        const typo = path.join(dir, "typo.json");
        fs.writeFileSync(typo, JSON.stringify({ "tiny-scan-on-pus": "advisory" }));
        await assert.rejects(
            computePlan({ projectDir: TINY, stack: "dev", packDir: PACK, policyConfigFile: typo }),
            (err: Error) => err instanceof PlanInputError && err.message.includes(typo) && err.message.includes("tiny-scan-on-pus: no such policy"),
        );
        const badLevel = path.join(dir, "level.json");
        fs.writeFileSync(badLevel, JSON.stringify({ "tiny-scan-on-push": "mandtory" }));
        await assert.rejects(
            computePlan({ projectDir: TINY, stack: "dev", packDir: PACK, policyConfigFile: badLevel }),
            (err: Error) =>
                err instanceof PlanInputError &&
                err.message === `${badLevel}: "tiny-scan-on-push": "mandtory" is not a valid enforcement level (advisory, mandatory, remediate, disabled)`,
        );
    });

    it("reports a program error as such, without consulting the pack", async () => {
        await assert.rejects(computePlan({ projectDir: TINY, stack: "broken", packDir: PACK }), (err: Error) => {
            assert.ok(err instanceof ProgramError);
            assert.match(err.message, /^program failed for stack broken \(Pulumi\.broken\.yaml\): tiny:repos\[0\]\.name in Pulumi\.broken\.yaml/);
            return true;
        });
    });

    it("refuses a --policy-pack directory that holds no PulumiPolicy.yaml, naming it", async () => {
        const notAPack = tempDir("shipshape-not-a-pack-");
        await assert.rejects(
            computePlan({ projectDir: TINY, stack: "dev", packDir: notAPack }),
            (err: Error) => err instanceof PlanInputError && err.message === `${notAPack}: not a policy pack (no PulumiPolicy.yaml)`,
        );
    });

    it("reports a pack that cannot start, naming its directory", async () => {
        const pack = tempDir("shipshape-bad-pack-");
        fs.writeFileSync(path.join(pack, "PulumiPolicy.yaml"), "runtime: nodejs\n");
        fs.writeFileSync(path.join(pack, "package.json"), JSON.stringify({ name: "bad-pack", version: "0.0.0", main: "index.js" }));
        fs.writeFileSync(path.join(pack, "index.js"), 'throw new Error("bad pack: refusing to start");\n');
        fs.symlinkSync(path.resolve(__dirname, "..", "..", "node_modules"), path.join(pack, "node_modules"));
        await assert.rejects(computePlan({ projectDir: TINY, stack: "dev", packDir: pack }), (err: Error) => {
            assert.ok(err instanceof PlanInputError, String(err));
            assert.ok(err.message.startsWith(`the policy pack in ${pack} did not start`), err.message);
            assert.match(err.message, /bad pack: refusing to start/);
            return true;
        });
    });

    it("emits exactly the documented JSON shape, secrets and unknowns masked", () => {
        const json = planJson(dev);
        assert.deepStrictEqual(Object.keys(json), ["stack", "resources", "diagnostics"]);
        assert.strictEqual(json.stack, "dev");
        assert.deepStrictEqual(json.resources[3], {
            type: "aws:ecr/repository:Repository",
            name: "worker",
            urn: WORKER_URN,
            inputs: { name: "worker", imageScanningConfiguration: { scanOnPush: false }, tags: { team: "[secret]" } },
        });
        assert.deepStrictEqual(json.diagnostics[0], {
            policy: "tiny-scan-on-push",
            enforcementLevel: "advisory",
            urn: WORKER_URN,
            message: "ECR repositories scan images on push.\nrepository worker does not scan on push",
        });
    });

    it("prints the resource tree, repositories, program messages and diagnostics grouped by level", () => {
        const text = formatPlanText(dev);
        const lines = text.split("\n");
        assert.ok(lines.includes("  pulumi:pulumi:Stack       tiny-dev"), text);
        assert.ok(lines.includes("  └─ tiny:Registry          registry"), text);
        assert.ok(lines.includes("     ├─ aws:ecr:Repository  web       scan on push · MUTABLE · AES256 (default)"), text);
        assert.ok(lines.includes("     └─ aws:ecr:Repository  worker    NO scan on push · MUTABLE · AES256 (default)"), text);
        assert.ok(lines.includes("    lifecycle: no lifecycle policy: images accumulate without limit"), text);
        // Stack outputs, the secret one masked.
        assert.ok(lines.includes("  password: [secret]"), text);
        assert.ok(lines.includes('  urls: ["123456789012.dkr.ecr.eu-west-1.amazonaws.com/web","123456789012.dkr.ecr.eu-west-1.amazonaws.com/worker"]'), text);
        assert.ok(lines.includes("  warn: tiny: a warning from the program"), text);
        assert.ok(lines.includes("  tiny:password is encrypted (secure:); the program saw a placeholder"), text);
        const advisory = lines.indexOf("  advisory (2)");
        assert.ok(advisory > 0, text);
        assert.deepStrictEqual(lines.slice(advisory + 1, advisory + 5), [
            "    [tiny-scan-on-push] aws:ecr:Repository worker: ECR repositories scan images on push.",
            "      repository worker does not scan on push",
            "    [tiny-repository-count] stack: A stack holds at most `max` repositories.",
            "      2 repositories (2 with a parent) exceed the maximum of 1",
        ]);
        assert.ok(!lines.includes("  mandatory (0)"));
        assert.strictEqual(lines[lines.length - 2], "Result: no mandatory violation (2 advisory): pulumi preview --policy-pack would pass.");
    });

    it("shortens type tokens the way pulumi preview shows them", () => {
        assert.strictEqual(displayType("aws:ecr/repository:Repository"), "aws:ecr:Repository");
        assert.strictEqual(displayType("aws:ecr/lifecyclePolicy:LifecyclePolicy"), "aws:ecr:LifecyclePolicy");
        assert.strictEqual(displayType("docker-build:index:Image"), "docker-build:Image");
        assert.strictEqual(displayType("shipshape:ecr:Repository"), "shipshape:ecr:Repository");
        assert.strictEqual(displayType("pulumi:pulumi:Stack"), "pulumi:pulumi:Stack");
    });
});
