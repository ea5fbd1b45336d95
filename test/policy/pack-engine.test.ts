/**
 * The policy pack driven exactly as `pulumi preview --policy-pack policy` drives it:
 * spawned through @pulumi/pulumi/cmd/run-policy-pack in policy/, port read from
 * stdout, GetAnalyzerInfo, Configure (schema defaults overlaid by config), then
 * Analyze / AnalyzeStack over gRPC.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PolicyPackClient, UNKNOWN, secret } from "../../engine/policy-pack-client";
import { FULL_LABELS, PACK_DIR, PROJECT, REPO, byPolicy, image, imageConfig, repository, startPack } from "./helpers";

const IMAGE_POLICIES = ["image-non-root-user", "image-distroless-base", "image-amd64-only", "image-oci-labels"];
const ALL_POLICIES = [
    "ecr-encryption",
    "ecr-immutable-tags",
    "ecr-lifecycle-policy",
    "ecr-scan-on-push",
    "image-amd64-only",
    "image-distroless-base",
    "image-non-root-user",
    "image-oci-labels",
    "image-registry-cache",
];

const goodImage = (extra: Record<string, unknown> = {}) =>
    image({ dockerfile: { location: "app/Dockerfile" }, platforms: ["linux/amd64"], labels: FULL_LABELS, push: false, ...extra });

describe("policy pack over the engine protocol", function () {
    this.timeout(120000);

    describe("start and metadata", () => {
        let pack: PolicyPackClient;
        before(async () => {
            pack = await startPack();
        });
        after(async () => pack?.close());

        it("prints only its port on stdout and serves GetAnalyzerInfo with the nine policies, mandatory by default", async () => {
            assert.ok(pack.port > 0);
            const info = await pack.getAnalyzerInfo();
            assert.equal(info.name, "shipshape");
            assert.equal(info.version, JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")).version);
            assert.equal(info.supportsConfig, true);
            assert.deepEqual(
                info.policies.map((p) => p.name),
                ALL_POLICIES,
            );
            for (const p of info.policies) assert.equal(p.enforcementLevel, "mandatory", p.name);
            assert.equal(info.policies.find((p) => p.name === "ecr-lifecycle-policy")!.policyType, "stack");
            assert.equal(info.policies.find((p) => p.name === "image-non-root-user")!.policyType, "resource");
        });

        it("advertises schema defaults that Configure sends when no config file is given", async () => {
            const sent = await pack.configure();
            assert.deepEqual(Object.keys(sent).sort(), ALL_POLICIES);
            assert.equal(sent["image-non-root-user"].properties.requireNumericUser, false);
            assert.equal(sent["image-non-root-user"].properties.allowBuilderImages, true);
            assert.ok((sent["image-oci-labels"].properties.requiredLabels as string[]).includes("org.opencontainers.image.revision"));
            assert.ok((sent["image-distroless-base"].properties.allowedBaseImages as string[]).includes("gcr.io/distroless/*"));
            assert.deepEqual(sent["ecr-immutable-tags"].properties.cacheTags, ["cache"]);
            assert.equal(sent["ecr-encryption"].properties.unknownInputsDuringPreview, "fail");
        });

        it("rejects config the schema does not admit, naming the policy and key", async () => {
            await assert.rejects(pack.configure({ "image-non-root-user": { requireNumericUser: "yes" } }), /image-non-root-user: requireNumericUser: expected boolean/);
            await assert.rejects(pack.configure({ "image-non-root-usr": "advisory" }), /image-non-root-usr: no such policy/);
            await assert.rejects(pack.configure({ "ecr-encryption": { enforcementLevel: "strict" } }), /ecr-encryption.enforcementLevel/);
        });

        it("loads the shipped dev and prod config files", async () => {
            const dev = await pack.configure(path.join(PACK_DIR, "config", "dev.json"));
            assert.equal(dev["image-distroless-base"].enforcementLevel, "advisory");
            assert.equal(dev["image-non-root-user"].enforcementLevel, "mandatory");
            const prod = await pack.configure(path.join(PACK_DIR, "config", "prod.json"));
            for (const name of ALL_POLICIES) assert.equal(prod[name].enforcementLevel, "mandatory", name);
            assert.equal(prod["image-non-root-user"].properties.requireNumericUser, true);
            assert.equal(prod["ecr-encryption"].properties.requireKms, true);
        });
    });

    describe("image policies", () => {
        let pack: PolicyPackClient;
        before(async () => {
            pack = await startPack();
        });
        after(async () => pack?.close());

        it("pass a distroless, non-root, amd64, fully labelled image (Dockerfile relative to the project root)", async () => {
            await pack.configure(imageConfig());
            const result = await pack.analyze(goodImage());
            assert.deepEqual(result.diagnostics, []);
            assert.ok(result.notApplicable.some((n) => n.policyName === "ecr-scan-on-push"));
        });

        it("see secret inputs as their plain values, as the engine sends them", async () => {
            await pack.configure(imageConfig());
            const labels = { ...FULL_LABELS, "org.opencontainers.image.revision": secret(FULL_LABELS["org.opencontainers.image.revision"]) };
            assert.deepEqual((await pack.analyze(goodImage({ labels }))).diagnostics, []);
            const empty = await pack.analyze(goodImage({ labels: { ...FULL_LABELS, "org.opencontainers.image.revision": secret("") } }));
            assert.match(byPolicy(empty, "image-oci-labels")[0].message, /org\.opencontainers\.image\.revision/);
        });

        it("judge inline Dockerfiles and <context>/Dockerfile the same way", async () => {
            await pack.configure(imageConfig());
            const text = fs.readFileSync(path.join(PROJECT, "app", "Dockerfile"), "utf8");
            assert.deepEqual((await pack.analyze(goodImage({ dockerfile: { inline: text } }))).diagnostics, []);
            assert.deepEqual((await pack.analyze(goodImage({ dockerfile: undefined, context: { location: "app" } }))).diagnostics, []);
            assert.deepEqual((await pack.analyze(goodImage({ dockerfile: { location: path.join(PROJECT, "app", "Dockerfile") } }))).diagnostics, []);
        });

        it("report each failing judgment as a mandatory diagnostic naming file and line", async () => {
            await pack.configure(imageConfig());
            const result = await pack.analyze(
                goodImage({ dockerfile: { location: "app/Dockerfile.root" }, platforms: ["linux/arm64"], labels: { "org.opencontainers.image.title": "x" } }),
            );
            const file = path.join(PROJECT, "app", "Dockerfile.root");
            const nonRoot = byPolicy(result, "image-non-root-user");
            assert.equal(nonRoot.length, 1);
            assert.equal(nonRoot[0].enforcementLevel, "mandatory");
            assert.equal(nonRoot[0].policyPackName, "shipshape");
            assert.match(nonRoot[0].message, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:3: .*root`));
            assert.match(byPolicy(result, "image-distroless-base")[0].message, /debian/);
            assert.match(byPolicy(result, "image-amd64-only")[0].message, /linux\/arm64/);
            const labels = byPolicy(result, "image-oci-labels");
            assert.ok(labels.length >= 1);
            assert.ok(labels.some((d) => /org\.opencontainers\.image\.revision/.test(d.message)));
            for (const d of result.diagnostics) assert.equal(d.enforcementLevel, "mandatory");
        });

        it("judge the Dockerfile as it is at each Analyze call (nothing reused from an earlier call)", async () => {
            await pack.configure(imageConfig());
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-pack-"));
            try {
                const file = path.join(dir, "Dockerfile");
                const good = fs.readFileSync(path.join(PROJECT, "app", "Dockerfile"), "utf8");
                fs.writeFileSync(file, good);
                const resource = goodImage({ dockerfile: { location: file } });
                assert.deepEqual((await pack.analyze(resource)).diagnostics, []);
                fs.writeFileSync(file, `${good}\nUSER root\n`);
                const after = await pack.analyze(resource);
                assert.deepEqual(after.diagnostics.map((d) => d.policyName), ["image-non-root-user"]);
                assert.match(after.diagnostics[0].message, /root/);
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });

        it("treat missing platforms as a violation (buildx would build for the host)", async () => {
            await pack.configure(imageConfig());
            const result = await pack.analyze(goodImage({ platforms: undefined }));
            assert.equal(byPolicy(result, "image-amd64-only").length, 1);
            assert.equal(byPolicy(result, "image-amd64-only")[0].enforcementLevel, "mandatory");
            assert.deepEqual(result.diagnostics.map((d) => d.policyName), ["image-amd64-only"]);
        });

        it("fail closed on an unreadable Dockerfile, naming the file", async () => {
            await pack.configure(imageConfig());
            const missing = path.join(PROJECT, "app", "Dockerfile.missing");
            const result = await pack.analyze(goodImage({ dockerfile: { location: "app/Dockerfile.missing" } }));
            assert.deepEqual(result.diagnostics.map((d) => d.policyName).sort(), [...IMAGE_POLICIES].sort());
            for (const d of result.diagnostics) {
                assert.equal(d.enforcementLevel, "mandatory");
                assert.ok(d.message.includes(missing), d.message);
                assert.match(d.message, /ENOENT/);
            }
            const dir = await pack.analyze(goodImage({ dockerfile: { location: "app" } }));
            assert.equal(dir.diagnostics.length, 4);
            assert.match(dir.diagnostics[0].message, /not a regular file/);
            const none = await pack.analyze(goodImage({ dockerfile: undefined }));
            assert.equal(none.diagnostics.length, 4);
            assert.match(none.diagnostics[0].message, /no Dockerfile/);
            assert.ok(pack.isAlive());
        });

        it("fail closed on an invalid Dockerfile with file:line", async () => {
            await pack.configure(imageConfig());
            const result = await pack.analyze(goodImage({ dockerfile: { location: "app/Dockerfile.invalid" } }));
            assert.equal(result.diagnostics.length, 4);
            for (const d of result.diagnostics) {
                assert.equal(d.enforcementLevel, "mandatory");
                assert.ok(d.message.includes(`${path.join(PROJECT, "app", "Dockerfile.invalid")}:2`), d.message);
            }
        });

        it("fail closed when a relative Dockerfile has no project root", async () => {
            await pack.configure(imageConfig({ "image-non-root-user": { projectRoot: path.join(PROJECT, "nowhere") } }));
            const result = await pack.analyze(goodImage());
            assert.match(byPolicy(result, "image-non-root-user")[0].message, /nowhere.*ENOENT/);
        });

        it("exempt builder images from non-root and distroless with advisory diagnostics, unless allowBuilderImages is off", async () => {
            await pack.configure(imageConfig());
            const builder = goodImage({ dockerfile: { location: "builder/Dockerfile" } });
            const exempt = await pack.analyze(builder);
            for (const policy of ["image-non-root-user", "image-distroless-base"]) {
                const ds = byPolicy(exempt, policy);
                assert.equal(ds.length, 1, policy);
                assert.equal(ds[0].enforcementLevel, "advisory");
                assert.match(ds[0].message, /builder/);
            }
            assert.deepEqual(byPolicy(exempt, "image-amd64-only"), []);
            await pack.configure(imageConfig({ "image-non-root-user": { allowBuilderImages: false }, "image-distroless-base": { allowBuilderImages: false } }));
            const strict = await pack.analyze(builder);
            assert.equal(byPolicy(strict, "image-non-root-user")[0].enforcementLevel, "mandatory");
            assert.equal(byPolicy(strict, "image-distroless-base")[0].enforcementLevel, "mandatory");
            // Still checked by the other two: the builder label alone is no free pass.
            const unlabelled = await pack.analyze({ ...builder, properties: { ...builder.properties, labels: {}, platforms: [] } });
            assert.ok(byPolicy(unlabelled, "image-oci-labels").length > 0);
            assert.equal(byPolicy(unlabelled, "image-amd64-only").length, 1);
        });

        it("accept a named user unless requireNumericUser is on", async () => {
            const named = goodImage({ dockerfile: { location: "app/Dockerfile.named-user" } });
            await pack.configure(imageConfig());
            assert.deepEqual(byPolicy(await pack.analyze(named), "image-non-root-user"), []);
            await pack.configure(imageConfig({ "image-non-root-user": { requireNumericUser: true } }));
            const ds = byPolicy(await pack.analyze(named), "image-non-root-user");
            assert.equal(ds.length, 1);
            assert.match(ds[0].message, /app/);
        });

        it("follow config: required labels, allowed bases, extra base-image facts", async () => {
            await pack.configure(imageConfig({ "image-oci-labels": { requiredLabels: ["com.example.team"] } }));
            const labels = byPolicy(await pack.analyze(goodImage()), "image-oci-labels");
            assert.equal(labels.length, 1);
            assert.match(labels[0].message, /com\.example\.team/);

            const custom = goodImage({ dockerfile: { inline: "FROM registry.example.com/base/runtime:1\nENTRYPOINT [\"/app\"]\n" } });
            await pack.configure(imageConfig());
            const before = await pack.analyze(custom);
            assert.equal(byPolicy(before, "image-distroless-base").length, 1);
            await pack.configure(
                imageConfig({
                    "image-distroless-base": { allowedBaseImages: ["registry.example.com/base/*"], baseImages: [{ match: "registry.example.com/base/runtime", user: "65532", distroless: true }] },
                    "image-non-root-user": { baseImages: [{ match: "registry.example.com/base/runtime", user: "65532", distroless: true }] },
                }),
            );
            const after = await pack.analyze(custom);
            assert.deepEqual(byPolicy(after, "image-distroless-base"), []);
            assert.deepEqual(byPolicy(after, "image-non-root-user"), []);
        });

        it("change enforcement: advisory downgrades, disabled silences, 'all' applies to every policy", async () => {
            const bad = goodImage({ dockerfile: { location: "app/Dockerfile.root" } });
            await pack.configure(imageConfig({ "image-non-root-user": "advisory", "image-distroless-base": "disabled" }));
            const result = await pack.analyze(bad);
            assert.equal(byPolicy(result, "image-non-root-user")[0].enforcementLevel, "advisory");
            assert.deepEqual(byPolicy(result, "image-distroless-base"), []);
            await pack.configure({ ...imageConfig(), all: "advisory" });
            const all = await pack.analyze(bad);
            assert.ok(all.diagnostics.length >= 2);
            for (const d of all.diagnostics) assert.equal(d.enforcementLevel, "advisory");
        });

        it("fail closed on inputs unknown during preview, or defer them as advisory when configured", async () => {
            const unknownPath = goodImage({ dockerfile: { location: UNKNOWN } });
            await pack.configure(imageConfig());
            const failed = await pack.analyze(unknownPath);
            assert.deepEqual(failed.diagnostics.map((d) => d.policyName).sort(), [...IMAGE_POLICIES].sort());
            for (const d of failed.diagnostics) {
                assert.equal(d.enforcementLevel, "mandatory");
                assert.match(d.message, /cannot verify during preview: dockerfile\.location is unknown/);
            }
            const deferAll: Record<string, unknown> = {};
            for (const name of IMAGE_POLICIES) deferAll[name] = { unknownInputsDuringPreview: "defer" };
            await pack.configure(imageConfig(deferAll));
            const deferred = await pack.analyze(unknownPath);
            assert.equal(deferred.diagnostics.length, 4);
            for (const d of deferred.diagnostics) {
                assert.equal(d.enforcementLevel, "advisory");
                assert.match(d.message, /cannot verify during preview/);
            }
            const unknownNamedContext = await pack.analyze(goodImage({ context: { location: "app", named: { deps: { location: UNKNOWN } } } }));
            assert.deepEqual(unknownNamedContext.diagnostics, []);
            const unknownLabel = await pack.analyze(goodImage({ labels: { ...FULL_LABELS, "org.opencontainers.image.revision": UNKNOWN } }));
            assert.match(unknownLabel.diagnostics[0].message, /labels\.org\.opencontainers\.image\.revision is unknown/);
        });

        it("reject a policy config with unknown keys at the policy's level (fail closed)", async () => {
            // The engine validates only declared properties, so a misspelt key reaches the
            // pack; the policy cannot know what was meant and refuses to decide.
            await pack.configure({ "image-amd64-only": { projectRoot: PROJECT, platfroms: ["linux/amd64"] } });
            const ds = byPolicy(await pack.analyze(goodImage()), "image-amd64-only");
            assert.equal(ds.length, 1);
            assert.equal(ds[0].enforcementLevel, "mandatory");
            assert.match(ds[0].message, /invalid policy config: image-amd64-only.*platfroms/);
        });
        it("report an invalid image pattern in config as a config error naming the key, at the policy's level", async () => {
            await pack.configure(imageConfig({ "image-distroless-base": { allowedBaseImages: ["gcr.io/distroless/*", "gcr.io/{static"] } }));
            const result = await pack.analyze(goodImage());
            const ds = byPolicy(result, "image-distroless-base");
            assert.equal(ds.length, 1);
            assert.equal(ds[0].enforcementLevel, "mandatory");
            assert.match(ds[0].message, /\ninvalid policy config: image-distroless-base\.allowedBaseImages\.1: invalid image pattern/);
            // The other policies, whose config is valid, still judge the image (and pass it).
            assert.deepEqual(result.diagnostics.map((d) => d.policyName), ["image-distroless-base"]);
        });
    });

    describe("unknown inputs during an update", () => {
        let pack: PolicyPackClient;
        before(async () => {
            pack = await startPack({ dryRun: false });
        });
        after(async () => pack?.close());

        it("always fail closed, even when deferral is configured", async () => {
            await pack.configure(imageConfig({ "image-non-root-user": { unknownInputsDuringPreview: "defer" } }));
            const result = await pack.analyze(goodImage({ dockerfile: { location: UNKNOWN } }));
            const ds = byPolicy(result, "image-non-root-user");
            assert.equal(ds.length, 1);
            assert.equal(ds[0].enforcementLevel, "mandatory");
            assert.match(ds[0].message, /during the update; failing closed/);
        });
    });

    describe("ECR repository and registry-cache policies", () => {
        let pack: PolicyPackClient;
        before(async () => {
            pack = await startPack();
            await pack.configure();
        });
        after(async () => pack?.close());

        const goodRepo = {
            name: "app",
            imageScanningConfiguration: { scanOnPush: true },
            imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
            imageTagMutabilityExclusionFilters: [{ filter: "cache", filterType: "WILDCARD" }],
            encryptionConfigurations: [{ encryptionType: "KMS" }],
        };

        it("pass a well-configured repository", async () => {
            const result = await pack.analyze(repository(goodRepo));
            assert.deepEqual(result.diagnostics, []);
            assert.ok(result.notApplicable.some((n) => n.policyName === "image-non-root-user"));
        });

        it("ecr-scan-on-push", async () => {
            const off = byPolicy(await pack.analyze(repository({ ...goodRepo, imageScanningConfiguration: { scanOnPush: false } })), "ecr-scan-on-push");
            assert.equal(off.length, 1);
            assert.equal(off[0].enforcementLevel, "mandatory");
            assert.match(off[0].message, /scanOnPush must be true/);
            assert.equal(byPolicy(await pack.analyze(repository({ ...goodRepo, imageScanningConfiguration: undefined })), "ecr-scan-on-push").length, 1);
        });

        it("ecr-immutable-tags", async () => {
            assert.deepEqual(byPolicy(await pack.analyze(repository({ ...goodRepo, imageTagMutability: "IMMUTABLE", imageTagMutabilityExclusionFilters: undefined })), "ecr-immutable-tags"), []);
            const mutable = byPolicy(await pack.analyze(repository({ ...goodRepo, imageTagMutability: "MUTABLE" })), "ecr-immutable-tags");
            assert.match(mutable[0].message, /"MUTABLE"/);
            const wildcard = byPolicy(await pack.analyze(repository({ ...goodRepo, imageTagMutabilityExclusionFilters: [{ filter: "*", filterType: "WILDCARD" }] })), "ecr-immutable-tags");
            assert.match(wildcard[0].message, /excludes more than the cache tag/);
            await pack.configure({ "ecr-immutable-tags": { cacheTags: ["buildcache"] } });
            assert.equal(byPolicy(await pack.analyze(repository(goodRepo)), "ecr-immutable-tags").length, 1);
            await pack.configure();
        });

        it("ecr-encryption, with requireKms from config", async () => {
            const none = byPolicy(await pack.analyze(repository({ ...goodRepo, encryptionConfigurations: undefined })), "ecr-encryption");
            assert.match(none[0].message, /encryptionConfigurations is not set/);
            const aes = repository({ ...goodRepo, encryptionConfigurations: [{ encryptionType: "AES256" }] });
            assert.deepEqual(byPolicy(await pack.analyze(aes), "ecr-encryption"), []);
            await pack.configure({ "ecr-encryption": { requireKms: true } });
            assert.match(byPolicy(await pack.analyze(aes), "ecr-encryption")[0].message, /requires KMS/);
            await pack.configure({ "ecr-encryption": "advisory" });
            assert.equal(byPolicy(await pack.analyze(repository({ ...goodRepo, encryptionConfigurations: [] })), "ecr-encryption")[0].enforcementLevel, "advisory");
            await pack.configure();
        });

        it("unknown repository inputs fail closed by default", async () => {
            const ds = byPolicy(await pack.analyze(repository({ ...goodRepo, imageScanningConfiguration: UNKNOWN })), "ecr-scan-on-push");
            assert.equal(ds[0].enforcementLevel, "mandatory");
            assert.match(ds[0].message, /imageScanningConfiguration is unknown/);
        });

        it("every repository policy: unknown inputs fail closed, deferred ones are advisory, 'all' changes every level", async () => {
            const unknownAll = repository({ ...goodRepo, imageScanningConfiguration: { scanOnPush: UNKNOWN }, imageTagMutability: UNKNOWN, encryptionConfigurations: UNKNOWN });
            const failed = await pack.analyze(unknownAll);
            assert.deepEqual(failed.diagnostics.map((d) => d.policyName).sort(), ["ecr-encryption", "ecr-immutable-tags", "ecr-scan-on-push"]);
            for (const d of failed.diagnostics) {
                assert.equal(d.enforcementLevel, "mandatory", d.policyName);
                assert.match(d.message, /cannot verify during preview: .* is unknown; failing closed/);
            }
            const defer = { unknownInputsDuringPreview: "defer" };
            await pack.configure({ "ecr-encryption": defer, "ecr-immutable-tags": defer, "ecr-scan-on-push": defer });
            const deferred = await pack.analyze(unknownAll);
            assert.equal(deferred.diagnostics.length, 3);
            for (const d of deferred.diagnostics) assert.equal(d.enforcementLevel, "advisory", d.policyName);
            await pack.configure({ all: "advisory" });
            const bad = repository({ ...goodRepo, imageScanningConfiguration: { scanOnPush: false }, imageTagMutability: "MUTABLE", encryptionConfigurations: [] });
            const downgraded = await pack.analyze(bad);
            assert.deepEqual(downgraded.diagnostics.map((d) => d.policyName).sort(), ["ecr-encryption", "ecr-immutable-tags", "ecr-scan-on-push"]);
            for (const d of downgraded.diagnostics) assert.equal(d.enforcementLevel, "advisory", d.policyName);
            const stack = await pack.analyzeStack([{ ...bad, urn: "urn:pulumi:dev::shipshape::aws:ecr/repository:Repository::repo" }]);
            assert.deepEqual(stack.diagnostics.map((d) => [d.policyName, d.enforcementLevel]), [["ecr-lifecycle-policy", "advisory"]]);
            await pack.configure({ "ecr-scan-on-push": "disabled" });
            assert.deepEqual(byPolicy(await pack.analyze(bad), "ecr-scan-on-push"), []);
            await pack.configure();
        });

        const ecr = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app";
        const pushing = (extra: Record<string, unknown>) =>
            image({ dockerfile: { location: path.join(PROJECT, "app", "Dockerfile") }, platforms: ["linux/amd64"], labels: FULL_LABELS, push: true, tags: [`${ecr}:1.0.0`], ...extra });

        it("image-registry-cache", async () => {
            const good = pushing({
                cacheFrom: [{ registry: { ref: `${ecr}:cache` } }],
                cacheTo: [{ registry: { ref: `${ecr}:cache`, mode: "max", imageManifest: true, ociMediaTypes: true } }],
            });
            assert.deepEqual(byPolicy(await pack.analyze(good), "image-registry-cache"), []);
            const none = byPolicy(await pack.analyze(pushing({})), "image-registry-cache");
            assert.equal(none.length, 2);
            assert.match(none[0].message, /no cacheFrom registry entry in ECR/);
            assert.match(none[1].message, /no cacheTo registry entry in ECR/);
            const manifestList = byPolicy(
                await pack.analyze(pushing({ cacheFrom: [{ registry: { ref: `${ecr}:cache` } }], cacheTo: [{ registry: { ref: `${ecr}:cache` } }] })),
                "image-registry-cache",
            );
            assert.equal(manifestList.length, 1);
            assert.match(manifestList[0].message, /cacheTo\[0\].*imageManifest: true and ociMediaTypes: true/);
            const raw = byPolicy(
                await pack.analyze(pushing({ cacheFrom: [{ raw: `type=registry,ref=${ecr}:cache` }], cacheTo: [{ raw: `type=registry,ref=${ecr}:cache,image-manifest=true` }] })),
                "image-registry-cache",
            );
            assert.match(raw[0].message, /oci-mediatypes=true/);
            assert.deepEqual(byPolicy(await pack.analyze(pushing({ tags: ["ghcr.io/example/app:1"] })), "image-registry-cache"), []);
            assert.deepEqual(byPolicy(await pack.analyze(pushing({ push: false })), "image-registry-cache"), []);
            // Pushed by a registry export (its names default to the tags) rather than by push: true.
            const exported = byPolicy(await pack.analyze(pushing({ push: false, exports: [{ registry: {} }] })), "image-registry-cache");
            assert.equal(exported.length, 2);
            assert.match(exported[0].message, /no cacheFrom registry entry in ECR/);
            const unknown = byPolicy(await pack.analyze(pushing({ tags: [UNKNOWN] })), "image-registry-cache");
            assert.match(unknown[0].message, /tags\[0\] is unknown/);
        });
    });

    describe("ecr-lifecycle-policy (AnalyzeStack)", () => {
        let pack: PolicyPackClient;
        before(async () => {
            pack = await startPack();
            await pack.configure();
        });
        after(async () => pack?.close());

        const url = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app";
        const repo = { ...repository({ name: "app", repositoryUrl: url }), urn: "urn:pulumi:dev::shipshape::aws:ecr/repository:Repository::app" };
        const protectCache = {
            rules: [
                { rulePriority: 1, selection: { tagStatus: "tagged", tagPatternList: ["cache"], countType: "imageCountMoreThan", countNumber: 1 }, action: { type: "expire" } },
                { rulePriority: 10, selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 }, action: { type: "expire" } },
            ],
        };
        const expireEverything = {
            rules: [{ rulePriority: 1, selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 5 }, action: { type: "expire" } }],
        };
        const lifecycle = (policy: unknown, repositoryValue: unknown = "app", deps: string[] = [repo.urn]) => ({
            type: "aws:ecr/lifecyclePolicy:LifecyclePolicy",
            name: "app-lifecycle",
            properties: { repository: repositoryValue, policy },
            propertyDependencies: { repository: deps },
        });
        const cachingImage = {
            type: "docker-build:index:Image",
            name: "app-image",
            properties: { push: true, tags: [`${url}:1`], cacheTo: [{ registry: { ref: `${url}:cache`, imageManifest: true, ociMediaTypes: true } }] },
        };

        it("passes a repository whose valid policy protects the cache tag (policy as JSON string or object)", async () => {
            assert.deepEqual((await pack.analyzeStack([repo, lifecycle(JSON.stringify(protectCache)), cachingImage])).diagnostics, []);
            assert.deepEqual((await pack.analyzeStack([repo, lifecycle(protectCache), cachingImage])).diagnostics, []);
        });

        it("flags a repository without a lifecycle policy", async () => {
            const ds = (await pack.analyzeStack([repo])).diagnostics;
            assert.equal(ds.length, 1);
            assert.equal(ds[0].policyName, "ecr-lifecycle-policy");
            assert.equal(ds[0].enforcementLevel, "mandatory");
            assert.equal(ds[0].urn, repo.urn);
            assert.match(ds[0].message, /ECR repository app has no aws:ecr\/lifecyclePolicy:LifecyclePolicy/);
        });

        it("flags a policy AWS would reject, naming the rule and field", async () => {
            const invalid = { rules: [{ rulePriority: 1, selection: { tagStatus: "tagged", countType: "imageCountMoreThan", countNumber: 3 }, action: { type: "expire" } }] };
            const ds = (await pack.analyzeStack([repo, lifecycle(invalid)])).diagnostics;
            assert.equal(ds.length, 1);
            assert.match(ds[0].message, /not valid/);
            assert.match(ds[0].message, /rule|rules\[0\]/);
            assert.match(ds[0].message, /tagPrefixList|tagPatternList/);
        });

        it("flags a policy that may expire the cache tag an image writes to", async () => {
            const ds = (await pack.analyzeStack([repo, lifecycle(expireEverything), cachingImage])).diagnostics;
            assert.equal(ds.length, 1);
            assert.match(ds[0].message, /may expire the registry-cache tag "cache" that image app-image writes to/);
            assert.match(ds[0].message, /rule priority 1/);
        });

        it("matches policies to repositories through property dependencies when the name is unknown", async () => {
            assert.deepEqual((await pack.analyzeStack([repo, lifecycle(protectCache, UNKNOWN)])).diagnostics, []);
            const unlinked = (await pack.analyzeStack([repo, lifecycle(protectCache, UNKNOWN, [])])).diagnostics;
            assert.equal(unlinked.length, 1);
            assert.match(unlinked[0].message, /cannot verify during preview: app-lifecycle\.repository is unknown/);
            const unknownPolicy = (await pack.analyzeStack([repo, lifecycle(UNKNOWN)])).diagnostics;
            assert.match(unknownPolicy[0].message, /app-lifecycle\.policy is unknown/);
        });

        it("is not applicable to stacks without ECR repositories", async () => {
            const result = await pack.analyzeStack([{ type: "aws:s3/bucket:Bucket", name: "b", properties: {} }]);
            assert.deepEqual(result.diagnostics, []);
        });
    });
});
