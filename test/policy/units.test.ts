/** Direct tests of the pack's pure pieces; the engine-protocol tests cover the same behaviour end to end. */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startPolicyPack } from "../../engine/policy-pack-client";
import {
    AnalyzerInfo,
    PolicyPackConfigError,
    parsePolicyPackConfig,
    reconcilePolicyPackConfig,
    schemaDefaultConfig,
    validateJsonSchema,
} from "../../engine/policy-pack-config";
import { removeTrivialPolicyPack, writeTrivialPolicyPack } from "../../engine/trivial-policy-pack";
import { parsePolicyConfig } from "../../policy/config-schema";
import { parseEcrReference, pushedReferences, registryCacheEntries } from "../../policy/ecr-references";
import { ImageAnalysisMemo } from "../../policy/image-analysis-memo";
import { analyzeImageInputs, checkImageInputs, judgeImageAnalysis, stableJson } from "../../policy/image-inputs";
import { isUnknown, plainProperties, unknownOutcome, unknownPaths } from "../../policy/resource-values";
import { forResourceType, resolveProjectRoot } from "../../policy/policies/support";
import { PACK_DIR, PROJECT, REPO, assertPackBuilt } from "./helpers";

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

describe("policy pack: packaging", () => {
    it("carries the root package.json version", () => {
        const root = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8"));
        const pack = JSON.parse(fs.readFileSync(path.join(PACK_DIR, "package.json"), "utf8"));
        assert.equal(pack.version, root.version);
        assert.equal(pack.main, "index.js");
    });

    it("is a nodejs pack whose entry loads compiled JavaScript, with no tsconfig for ts-node to type-check", () => {
        assert.match(fs.readFileSync(path.join(PACK_DIR, "PulumiPolicy.yaml"), "utf8"), /^runtime: nodejs$/m);
        assert.ok(!fs.existsSync(path.join(PACK_DIR, "tsconfig.json")));
        assert.match(fs.readFileSync(path.join(PACK_DIR, "index.js"), "utf8"), /dist", "policy", "pack\.js"/);
    });

    it("policies are importable without starting a server or loading Pulumi", () => {
        // A fresh process, so modules other tests loaded cannot hide what the import pulls in.
        assertPackBuilt();
        const script = [
            'const { ALL_POLICIES } = require("./dist/policy/policies");',
            "const pulumi = Object.keys(require.cache).filter((k) => /node_modules[\\\\/]@pulumi[\\\\/]/.test(k));",
            "const servers = process._getActiveHandles().filter((h) => /Server/.test(h.constructor.name)).length;",
            "process.stdout.write(JSON.stringify({ count: ALL_POLICIES.length, pulumi, servers }));",
        ].join("\n");
        const out = JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd: REPO, encoding: "utf8", timeout: 20000 }));
        assert.equal(out.count, 9);
        assert.deepEqual(out.pulumi, []);
        assert.equal(out.servers, 0);
    });

    it("the shipped configs validate against the schemas", () => {
        for (const file of ["dev.json", "prod.json"]) {
            const config = parsePolicyPackConfig(fs.readFileSync(path.join(PACK_DIR, "config", file), "utf8"), file);
            for (const [name, entry] of Object.entries(config)) {
                if (name === "all") continue;
                assert.doesNotThrow(() => parsePolicyConfig(name as never, entry.properties), `${file} ${name}`);
            }
        }
    });
});

describe("policy pack config as the engine reconciles it", () => {
    const info: AnalyzerInfo = {
        name: "p",
        displayName: "",
        version: "1",
        supportsConfig: true,
        initialConfig: {},
        policies: [
            {
                name: "a",
                displayName: "",
                description: "",
                message: "",
                enforcementLevel: "mandatory",
                policyType: "resource",
                configSchema: { properties: { n: { type: "integer", default: 3, minimum: 1 }, tags: { type: "array", items: { type: "string" }, default: ["x"] } }, required: [] },
            },
            { name: "b", displayName: "", description: "", message: "", enforcementLevel: "advisory", policyType: "stack", configSchema: { properties: {}, required: ["must"] } },
        ],
    };

    it("parses string levels and objects carrying enforcementLevel; refuses bad levels with the file name", () => {
        assert.deepEqual(parsePolicyPackConfig('{"a":"advisory","b":{"enforcementLevel":"disabled","x":1}}', "c.json"), {
            a: { enforcementLevel: "advisory", properties: {} },
            b: { enforcementLevel: "disabled", properties: { x: 1 } },
        });
        assert.throws(() => parsePolicyPackConfig('{"a":"loud"}', "c.json"), /c\.json: "a": "loud" is not a valid enforcement level/);
        assert.throws(() => parsePolicyPackConfig("{", "c.json"), /c\.json: invalid JSON/);
        assert.deepEqual(parsePolicyPackConfig("  ", "c.json"), {});
    });

    it("starts from schema defaults and policy levels, applies 'all' then per-policy values, validates", () => {
        assert.deepEqual(schemaDefaultConfig(info).a, { enforcementLevel: "mandatory", properties: { n: 3, tags: ["x"] } });
        const ok = reconcilePolicyPackConfig(info, { all: { enforcementLevel: "advisory", properties: {} }, a: { enforcementLevel: "", properties: { n: 5 } }, b: { enforcementLevel: "", properties: { must: 1 } } });
        assert.deepEqual(ok.a, { enforcementLevel: "advisory", properties: { n: 5, tags: ["x"] } });
        assert.equal(ok.b.enforcementLevel, "advisory");
        assert.ok(!("all" in ok));
        assert.throws(
            () => reconcilePolicyPackConfig(info, { a: { enforcementLevel: "", properties: { n: 0, tags: [1] } } }),
            (err: Error) => err instanceof PolicyPackConfigError && /a: n: must be >= 1/.test(err.message) && /a: tags\[0\]: expected string/.test(err.message) && /b: must: is required/.test(err.message),
        );
    });

    it("refuses schema keywords it cannot check instead of passing them", () => {
        assert.match(validateJsonSchema({ type: "string", format: "uri" }, "x", "k")[0], /keyword "format"/);
        assert.deepEqual(validateJsonSchema({ type: "string", enum: ["a"] }, "a", "k"), []);
    });
});

describe("policy pack pure helpers", () => {
    it("finds unknowns by path and reads through the policy proxy's target", () => {
        const props = { dockerfile: { location: UNKNOWN }, platforms: ["linux/amd64", UNKNOWN], labels: {} };
        assert.deepEqual(unknownPaths(props), ["dockerfile.location", "platforms[1]"]);
        assert.deepEqual(unknownPaths(props, ["labels"]), []);
        assert.ok(isUnknown("dd056dcd-154b-4c76-9bd3-c8f88648b5ff"));
        const proxy = new Proxy(props, { get: (t, k) => (k === "__getSpecialProxyTarget" ? t : (t as Record<string | symbol, unknown>)[k]) });
        assert.equal(plainProperties(proxy), props);
    });

    it("decides unknowns: fail closed in preview by default, advisory when deferred, always fail during an update", () => {
        assert.equal(unknownOutcome(["x"], "fail", { PULUMI_DRY_RUN: "true" }).enforcementLevel, undefined);
        assert.equal(unknownOutcome(["x"], "defer", { PULUMI_DRY_RUN: "true" }).enforcementLevel, "advisory");
        assert.equal(unknownOutcome(["x"], "defer", {}).enforcementLevel, "advisory");
        const update = unknownOutcome(["x", "y"], "defer", { PULUMI_DRY_RUN: "false" });
        assert.equal(update.enforcementLevel, undefined);
        assert.match(update.message, /x, y are unknown during the update/);
    });

    it("recognises ECR references and registry cache entries", () => {
        assert.deepEqual(parseEcrReference("123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:cache"), {
            registry: "123456789012.dkr.ecr.us-east-1.amazonaws.com",
            repository: "team/app",
            tag: "cache",
        });
        assert.equal(parseEcrReference("123456789012.dkr.ecr.us-east-1.amazonaws.com/app")!.tag, "latest");
        assert.equal(parseEcrReference("123456789012.dkr-ecr.eu-west-1.on.aws/app:1")!.repository, "app");
        assert.equal(parseEcrReference("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app:1")!.tag, "1");
        assert.equal(parseEcrReference("ghcr.io/x/app:1"), undefined);
        assert.equal(parseEcrReference("docker.io/library/alpine"), undefined);
        assert.deepEqual(registryCacheEntries([{ raw: "type=registry,ref=r:1,image-manifest=true,oci-mediatypes=false" }, { gha: {} }, { disabled: true, registry: { ref: "r:2" } }]), [
            { index: 0, form: "raw", ref: "r:1", imageManifest: true, ociMediaTypes: false },
        ]);
        // An export's names are overridden by the image's tags when it has any (docker-build ExportImage/ExportRegistry docs).
        assert.deepEqual(pushedReferences({ push: false, tags: ["a"], exports: [{ registry: { names: ["b"] } }] }), ["a"]);
        assert.deepEqual(pushedReferences({ push: false, exports: [{ registry: { names: ["b"] } }] }), ["b"]);
        assert.deepEqual(pushedReferences({ push: false, tags: ["a"], exports: [{ registry: {} }] }), ["a"]);
        assert.deepEqual(pushedReferences({ push: false, tags: ["a"], exports: [{ registry: { push: false } }, { image: {} }, { docker: {} }, { disabled: true, registry: {} }] }), []);
        assert.deepEqual(pushedReferences({ exports: [{ image: { push: true, names: ["c"] } }] }), ["c"]);
        assert.deepEqual(pushedReferences({ exports: [{ raw: "type=image,name=d,push=true" }, { raw: "type=registry,name=e" }, { raw: "type=image,name=f" }, { raw: "type=docker,name=g" }] }), ["d", "e"]);
        assert.deepEqual(registryCacheEntries([{ raw: "r:cache" }]), [{ index: 0, form: "raw", ref: "r:cache", imageManifest: undefined, ociMediaTypes: undefined }]);
    });

    it("finds the project root: configured (relative to the pack), else the nearest Pulumi.yaml above the pack", () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-root-"));
        try {
            fs.mkdirSync(path.join(root, "a", "policy"), { recursive: true });
            assert.equal(resolveProjectRoot(undefined, path.join(root, "a", "policy")), undefined);
            fs.writeFileSync(path.join(root, "Pulumi.yaml"), "name: x\n");
            assert.equal(resolveProjectRoot(undefined, path.join(root, "a", "policy")), root);
            fs.writeFileSync(path.join(root, "a", "Pulumi.yaml"), "name: y\n");
            assert.equal(resolveProjectRoot(undefined, path.join(root, "a", "policy")), path.join(root, "a"));
            assert.equal(resolveProjectRoot("../..", path.join(root, "a", "policy")), root);
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });

    it("a policy that throws reports a failure at its own level instead of an RPC error", async () => {
        const reported: unknown[] = [];
        const validate = forResourceType("x:y:Z", () => {
            throw new Error("boom");
        });
        const args = { type: "x:y:Z", notApplicable: () => assert.fail("applicable") } as unknown as Parameters<typeof validate>[0];
        await validate(args, (message: string) => reported.push(message));
        assert.equal(reported.length, 1);
        assert.match(String(reported[0]), /could not evaluate this resource: boom; failing closed/);
        assert.equal((validate as unknown as { __pulumiType: string }).__pulumiType, "x:y:Z");
    });

    it("checkImageInputs resolves the Dockerfile in the documented order and fails every judgment when it cannot", () => {
        const labels = { "org.opencontainers.image.title": "t" };
        const inline = checkImageInputs({ dockerfile: { inline: "FROM scratch\nUSER 1000\n", location: "nope" }, platforms: ["linux/amd64"], labels }, { projectRoot: PROJECT });
        assert.equal(inline.dockerfile.source, "dockerfile.inline");
        assert.equal(inline.facts!.user, "1000");
        const context = checkImageInputs({ context: { location: "app" } }, { projectRoot: PROJECT });
        assert.equal(context.dockerfile.file, path.join(PROJECT, "app", "Dockerfile"));
        const relative = checkImageInputs({ dockerfile: { location: "app/Dockerfile" } });
        assert.equal(relative.violations.length, 4);
        assert.match(relative.violations[0].message, /relative and no project root/);
        const bad = checkImageInputs({ dockerfile: { inline: "FROM scratch\n" }, buildArgs: { A: 1 as unknown as string } });
        assert.match(bad.violations[0].message, /buildArgs\.A must be a string/);
    });
});

describe("policy pack: one analysis per image per Analyze", () => {
    const POLICIES = ["image-non-root-user", "image-distroless-base", "image-amd64-only", "image-oci-labels"] as const;
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-memo-"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("stableJson ignores key order and refuses values that are not plain data", () => {
        assert.equal(stableJson({ b: 1, a: [{ y: "2", x: null }] }), stableJson({ a: [{ x: null, y: "2" }], b: 1 }));
        assert.notEqual(stableJson({ a: "1" }), stableJson({ a: 1 }));
        assert.equal(stableJson({ a: undefined, b: 1 }), '{"b":1}');
        assert.equal(stableJson({ f: () => 1 }), undefined);
        assert.equal(stableJson([NaN]), undefined);
        assert.equal(stableJson(new Date(0)), undefined);
    });

    it("serves each policy once per analysis, re-reads the Dockerfile when a policy asks again, and stays bounded", () => {
        const file = path.join(dir, "Dockerfile");
        fs.writeFileSync(file, "FROM gcr.io/distroless/static-debian12:nonroot\nUSER 65532\n");
        const memo = new ImageAnalysisMemo(POLICIES, 4);
        const inputs = { dockerfile: { location: file }, platforms: ["linux/amd64"], labels: { b: "2", a: "1" } };
        const first = memo.analysis("image-non-root-user", inputs, {});
        assert.equal(first.facts!.user, "65532");
        // The rest of the same Analyze call: the same analysis, whatever the key order of the inputs.
        fs.writeFileSync(file, "FROM gcr.io/distroless/static-debian12:nonroot\nUSER 1000\n");
        assert.equal(memo.analysis("image-distroless-base", { ...inputs, labels: { a: "1", b: "2" } }, {}), first);
        assert.equal(memo.analysis("image-amd64-only", inputs, {}), first);
        // The next Analyze call of the same resource sees the file as it is now.
        const second = memo.analysis("image-non-root-user", inputs, {});
        assert.notEqual(second, first);
        assert.equal(second.facts!.user, "1000");
        // Different analysis options are a different analysis.
        const otherRoot = memo.analysis("image-distroless-base", inputs, { projectRoot: dir });
        assert.notEqual(otherRoot, second);
        // An entry every policy used is dropped; the memo never grows past its capacity.
        for (const policy of POLICIES.slice(1)) memo.analysis(policy, inputs, {});
        for (let i = 0; i < 10; i++) memo.analysis("image-non-root-user", { ...inputs, target: `t${i}` }, {});
        assert.equal(memo.size, 4);
    });

    it("checkImageInputs is analyzeImageInputs judged with the config", () => {
        const inputs = { dockerfile: { inline: "FROM debian:12\n" }, platforms: ["linux/amd64"] };
        const analysis = analyzeImageInputs(inputs);
        assert.deepEqual(checkImageInputs(inputs), judgeImageAnalysis(analysis));
        const failed = analyzeImageInputs({ dockerfile: { location: path.join(dir, "missing") } });
        assert.equal(failed.facts, undefined);
        assert.equal(judgeImageAnalysis(failed, { requiredLabels: [] }).violations.length, 4);
    });
});

describe("policy config: image patterns", () => {
    it("a bad allowedBaseImages or baseImages pattern is a config error naming its key", () => {
        assert.throws(
            () => parsePolicyConfig("image-distroless-base", { allowedBaseImages: ["gcr.io/distroless/*", "gcr.io/{a"] }),
            /invalid policy config: image-distroless-base\.allowedBaseImages\.1: invalid image pattern: .*unbalanced/,
        );
        assert.throws(() => parsePolicyConfig("image-non-root-user", { baseImages: [{ match: "!" }] }), /image-non-root-user\.baseImages\.0\.match: invalid image pattern: empty/);
        assert.deepEqual(parsePolicyConfig("image-distroless-base", { allowedBaseImages: ["registry.example.com/base/*", "!registry.example.com/base/*:debug"] }).allowedBaseImages, [
            "registry.example.com/base/*",
            "!registry.example.com/base/*:debug",
        ]);
    });
});

describe("policy pack client", function () {
    this.timeout(120000);

    it("refuses a pack that prints to stdout before its port line", async () => {
        const dir = writeTrivialPolicyPack(REPO, { preamble: 'console.log("starting up");' });
        try {
            await assert.rejects(startPolicyPack(dir), /printed to stdout before its port line: "starting up"/);
        } finally {
            removeTrivialPolicyPack(dir);
        }
    });

    it("reports a pack that dies before its port line with its stderr", async () => {
        const dir = writeTrivialPolicyPack(REPO, { preamble: 'throw new Error("broken pack");' });
        try {
            await assert.rejects(startPolicyPack(dir), /exited .* before printing its port[\s\S]*broken pack/);
        } finally {
            removeTrivialPolicyPack(dir);
        }
    });
});
