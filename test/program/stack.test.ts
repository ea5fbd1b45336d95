/**
 * The real program (index.ts) for each stack file, run the way `shipshape plan`
 * runs it: engine/program-runner in a child process, SDK mocks in preview mode,
 * config from Pulumi.<stack>.yaml as PULUMI_CONFIG. A child process per run
 * keeps Pulumi's global runtime state out of the mocha process.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { ProgramError, ProgramRun, RegisteredResource, runProgram } from "../../engine/program-runner";
import { plainValue } from "../../engine/wire-values";
import { checkImageInputs, DockerBuildImageInputs } from "../../policy/image-inputs";
import { LifecycleRule } from "../../lifecycle/index";

const REPO_ROOT = path.resolve(__dirname, "..", "..");
const IMAGE_NAMES = ["stroma", "colony-base", "colony", "dockerutilities"];

function ofType(run: ProgramRun, type: string): RegisteredResource[] {
    return run.resources.filter((r) => r.type === type);
}

function one(run: ProgramRun, type: string, name: string): RegisteredResource {
    const found = run.resources.filter((r) => r.type === type && r.name === name);
    assert.strictEqual(found.length, 1, `${type} ${name}`);
    return found[0];
}

describe("the shipshape program (index.ts) under the embedded engine", function () {
    this.timeout(180_000);
    const runs: Record<string, ProgramRun> = {};
    before(async () => {
        for (const stack of ["dev", "prod"]) runs[stack] = await runProgram({ projectDir: REPO_ROOT, stack });
    });

    for (const stack of ["dev", "prod"]) {
        describe(`stack ${stack}`, () => {
            it("registers one repository and one image component per image, each with its children", () => {
                const run = runs[stack];
                const stackUrn = `urn:pulumi:${stack}::shipshape::pulumi:pulumi:Stack::shipshape-${stack}`;
                assert.deepStrictEqual(ofType(run, "shipshape:ecr:Repository").map((r) => r.name).sort(), [...IMAGE_NAMES].sort());
                assert.deepStrictEqual(ofType(run, "shipshape:docker:Image").map((r) => r.name).sort(), [...IMAGE_NAMES].sort());
                for (const name of IMAGE_NAMES) {
                    const repo = one(run, "shipshape:ecr:Repository", name);
                    const image = one(run, "shipshape:docker:Image", name);
                    assert.strictEqual(repo.parent, stackUrn);
                    assert.strictEqual(image.parent, stackUrn);
                    assert.strictEqual(one(run, "aws:ecr/repository:Repository", name).parent, repo.urn);
                    assert.strictEqual(one(run, "aws:ecr/lifecyclePolicy:LifecyclePolicy", name).parent, repo.urn);
                    assert.strictEqual(one(run, "docker-build:index:Image", name).parent, image.urn);
                    assert.deepStrictEqual(Object.keys(repo.registeredOutputs ?? {}).sort(), ["arn", "cacheRef", "registryId", "repositoryUrl"]);
                    assert.deepStrictEqual(Object.keys(image.registeredOutputs ?? {}).sort(), ["digest", "imageName", "ref"]);
                }
                const policies = ofType(run, "aws:ecr/repositoryPolicy:RepositoryPolicy");
                assert.strictEqual(policies.length, stack === "prod" ? 4 : 0);
                const types = new Set(run.resources.map((r) => r.type));
                assert.deepStrictEqual([...types].sort(), [
                    "aws:ecr/lifecyclePolicy:LifecyclePolicy",
                    "aws:ecr/repository:Repository",
                    ...(stack === "prod" ? ["aws:ecr/repositoryPolicy:RepositoryPolicy"] : []),
                    "docker-build:index:Image",
                    "pulumi:pulumi:Stack",
                    "shipshape:docker:Image",
                    "shipshape:ecr:Repository",
                ]);
            });

            it("repositories: scan on push, immutable tags except the cache tag, encryption and forceDelete per stack", () => {
                for (const name of IMAGE_NAMES) {
                    const inputs = one(runs[stack], "aws:ecr/repository:Repository", name).inputs;
                    assert.strictEqual(inputs.name, `shipshape/${stack}/${name}`);
                    assert.deepStrictEqual(inputs.imageScanningConfiguration, { scanOnPush: true });
                    assert.strictEqual(inputs.imageTagMutability, "IMMUTABLE_WITH_EXCLUSION");
                    assert.deepStrictEqual(inputs.imageTagMutabilityExclusionFilters, [{ filter: "cache", filterType: "WILDCARD" }]);
                    if (stack === "dev") {
                        assert.strictEqual(inputs.forceDelete, true);
                        assert.deepStrictEqual(inputs.encryptionConfigurations, [{ encryptionType: "AES256" }]);
                    } else {
                        assert.strictEqual(inputs.forceDelete, false);
                        assert.deepStrictEqual(inputs.encryptionConfigurations, [
                            { encryptionType: "KMS", kmsKey: "arn:aws:kms:eu-west-1:111122223333:key/0b5c1a62-7d43-4e7a-9b9e-3f2a6c1d8e40" },
                        ]);
                        const document = JSON.parse(one(runs[stack], "aws:ecr/repositoryPolicy:RepositoryPolicy", name).inputs.policy as string);
                        assert.deepStrictEqual(document.Statement[0].Principal, { AWS: ["444455556666", "777788889999"] });
                        assert.deepStrictEqual(document.Statement[0].Action, ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]);
                    }
                }
            });

            it("lifecycle JSON: cache protected first, then the stack's retention, sorted by priority", () => {
                const policy = JSON.parse(one(runs[stack], "aws:ecr/lifecyclePolicy:LifecyclePolicy", "stroma").inputs.policy as string) as { rules: LifecycleRule[] };
                const summary = policy.rules.map((r) => [r.rulePriority, r.selection.tagStatus, r.selection.tagPatternList ?? null, r.selection.countType, r.selection.countNumber]);
                assert.deepStrictEqual(
                    summary,
                    stack === "dev"
                        ? [
                              [1, "tagged", ["cache"], "imageCountMoreThan", 1],
                              [10, "tagged", ["*"], "imageCountMoreThan", 10],
                              [20, "untagged", null, "sinceImagePushed", 1],
                          ]
                        : [
                              [1, "tagged", ["cache"], "imageCountMoreThan", 1],
                              [10, "tagged", ["*.*.*"], "imageCountMoreThan", 50],
                              [20, "untagged", null, "sinceImagePushed", 14],
                          ],
                );
            });

            it("images: amd64 only, registry cache in their own repository, fully qualified tags, labels, base ref as build arg", () => {
                const run = runs[stack];
                const registry = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/shipshape/${stack}`;
                for (const name of IMAGE_NAMES) {
                    const image = one(run, "docker-build:index:Image", name);
                    const inputs = image.inputs;
                    assert.deepStrictEqual(inputs.platforms, ["linux/amd64"]);
                    assert.strictEqual(inputs.push, true);
                    assert.deepStrictEqual(inputs.cacheFrom, [{ registry: { ref: `${registry}/${name}:cache` } }]);
                    assert.deepStrictEqual(inputs.cacheTo, [{ registry: { ref: `${registry}/${name}:cache`, mode: "max", imageManifest: true, ociMediaTypes: true } }]);
                    const tags = inputs.tags as string[];
                    // prod pushes the version and the commit; dev (tagVersion: false) only the commit.
                    if (stack === "prod") assert.strictEqual(tags.shift(), `${registry}/${name}:0.1.0`);
                    assert.strictEqual(tags.length, 1);
                    assert.match(tags[0], new RegExp(`^${registry.replace(/\./g, "\\.")}/${name}:[0-9a-f]{40}$`));
                    const labels = inputs.labels as Record<string, string>;
                    assert.strictEqual(labels["org.opencontainers.image.title"], name);
                    assert.strictEqual(labels["org.opencontainers.image.version"], "0.1.0");
                    assert.strictEqual(labels["org.opencontainers.image.revision"], tags[0].split(":").pop());
                    assert.match(labels["org.opencontainers.image.created"], /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
                    assert.match(labels["org.opencontainers.image.source"], /^https:\/\//);
                    assert.strictEqual(labels["org.opencontainers.image.vendor"], "shipshape platform team");
                    assert.strictEqual(labels["org.opencontainers.image.licenses"], name === "stroma" ? "AGPL-3.0-or-later" : "Apache-2.0");
                    assert.strictEqual(labels["dev.shipshape.image.role"], name === "colony-base" ? "builder" : "runtime");
                    const registries = plainValue(inputs.registries) as { address: string; username: string }[];
                    assert.deepStrictEqual(registries.map((r) => [r.address, r.username]), [["123456789012.dkr.ecr.eu-west-1.amazonaws.com", "AWS"]]);
                }
                const base = one(run, "docker-build:index:Image", "colony-base");
                const app = one(run, "docker-build:index:Image", "colony");
                assert.deepStrictEqual(app.inputs.buildArgs, { BASE_IMAGE: base.outputs.ref });
                assert.match(String(base.outputs.ref), new RegExp(`^${registry.replace(/\./g, "\\.")}/colony-base:${stack === "prod" ? "0\\.1\\.0" : "[0-9a-f]{40}"}@sha256:[0-9a-f]{64}$`));
                // The build arg is what orders the builds: the app image depends on the base image.
                assert.ok(app.dependencies.includes(base.urn) || (app.propertyDependencies.buildArgs ?? []).includes(base.urn), "colony depends on colony-base");
                assert.deepStrictEqual(one(run, "docker-build:index:Image", "colony-base").inputs.dockerfile, { location: "services/colony/Dockerfile.base" });
            });

            it("exports each image's ref and each repository's URL", () => {
                const outputs = runs[stack].stackOutputs as { imageRefs: Record<string, string>; repositoryUrls: Record<string, string> };
                assert.deepStrictEqual(Object.keys(outputs.imageRefs).sort(), [...IMAGE_NAMES].sort());
                for (const name of IMAGE_NAMES) {
                    assert.strictEqual(outputs.repositoryUrls[name], `123456789012.dkr.ecr.eu-west-1.amazonaws.com/shipshape/${stack}/${name}`);
                    assert.strictEqual(outputs.imageRefs[name], one(runs[stack], "docker-build:index:Image", name).outputs.ref);
                }
            });

            it("every service Dockerfile passes the four judgments on the inputs the policy pack will see (the builder exempt from two)", () => {
                for (const name of IMAGE_NAMES) {
                    const inputs = one(runs[stack], "docker-build:index:Image", name).inputs as DockerBuildImageInputs;
                    const check = checkImageInputs(inputs, { projectRoot: REPO_ROOT });
                    assert.deepStrictEqual(check.violations, [], name);
                    assert.ok(check.facts && check.facts.errors.length === 0, name);
                    const exempted = check.exemptions.map((e) => e.policy).sort();
                    assert.deepStrictEqual(exempted, name === "colony-base" ? ["image-distroless-base", "image-non-root-user"] : [], name);
                }
                const exemptionLogs = runs[stack].logs.filter((l) => /: exempt: /.test(l.message));
                assert.deepStrictEqual(exemptionLogs.map((l) => l.urn).sort(), [
                    `urn:pulumi:${stack}::shipshape::shipshape:docker:Image::colony-base`,
                    `urn:pulumi:${stack}::shipshape::shipshape:docker:Image::colony-base`,
                ]);
                assert.ok(!runs[stack].logs.some((l) => l.severity !== "info"), "the program logs no warning or error");
            });
        });
    }

    describe("failures", () => {
        let project: string;
        const devConfig = () => (yaml.load(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.dev.yaml"), "utf8")) as { config: Record<string, unknown> }).config;
        const writeStack = (stack: string, config: Record<string, unknown>) => fs.writeFileSync(path.join(project, `Pulumi.${stack}.yaml`), yaml.dump({ config }));
        const failureOf = async (stack: string): Promise<ProgramError> => {
            try {
                await runProgram({ projectDir: project, stack });
            } catch (err) {
                assert.ok(err instanceof ProgramError, String(err));
                return err;
            }
            return assert.fail(`stack ${stack} ran without error`);
        };

        before(() => {
            // A project that runs this repository's index.ts with stack files the test writes.
            project = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-program-"));
            fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(project, "node_modules"));
            fs.writeFileSync(path.join(project, "tsconfig.json"), JSON.stringify({ extends: path.join(REPO_ROOT, "tsconfig.json") }));
            fs.writeFileSync(path.join(project, "Pulumi.yaml"), yaml.dump({ name: "shipshape", runtime: "nodejs", main: path.join(REPO_ROOT, "index.ts") }));
            fs.mkdirSync(path.join(project, "runs-base"));
            fs.writeFileSync(path.join(project, "runs-base", "Dockerfile"), "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n");
        });
        after(() => fs.rmSync(project, { recursive: true, force: true }));

        it("a broken shipshape:images fails naming the key and the stack file", async () => {
            const config = devConfig();
            delete (config["shipshape:images"] as Record<string, unknown>[])[1].context;
            writeStack("broken", config);
            const err = await failureOf("broken");
            assert.match(err.message, /Pulumi\.broken\.yaml: shipshape:images\[1\]\.context: is required/);
            assert.strictEqual(err.cause.name, "StackConfigError");
        });

        it("a ContainerImage argument refused by the component names the image entry's key and the stack file", async () => {
            const config = devConfig();
            (config["shipshape:images"] as Record<string, unknown>[])[0].labels = { "dev.shipshape.image.role": "builder" };
            writeStack("role-label", config);
            const err = await failureOf("role-label");
            assert.strictEqual(err.cause.name, "StackConfigError", err.message);
            assert.match(err.message, /Pulumi\.role-label\.yaml: shipshape:images\[0\]\.labels: ContainerImage "stroma": label dev\.shipshape\.image\.role=builder contradicts role "runtime"/);
        });

        it("a package.json version that is not a valid tag names shipshape:version and the stack file", async () => {
            const versioned = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-version-"));
            try {
                // The program run from a project of its own, whose package.json gives the version.
                fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(versioned, "node_modules"));
                fs.symlinkSync(path.join(project, "runs-base"), path.join(versioned, "runs-base"));
                fs.writeFileSync(path.join(versioned, "tsconfig.json"), JSON.stringify({ extends: path.join(REPO_ROOT, "tsconfig.json") }));
                fs.writeFileSync(path.join(versioned, "Pulumi.yaml"), yaml.dump({ name: "shipshape", runtime: "nodejs", main: "index.ts" }));
                fs.writeFileSync(
                    path.join(versioned, "index.ts"),
                    `import { runShipshapeProgram } from ${JSON.stringify(path.join(REPO_ROOT, "components", "program"))};\nexport const stack = runShipshapeProgram(__dirname);\n`,
                );
                fs.writeFileSync(path.join(versioned, "package.json"), JSON.stringify({ name: "x", version: "1.0.0+build.5" }));
                fs.writeFileSync(path.join(versioned, "Pulumi.v.yaml"), yaml.dump({ config: { ...devConfig(), "shipshape:images": [{ name: "runs-base", context: "runs-base" }] } }));
                const err = await runProgram({ projectDir: versioned, stack: "v" }).then(
                    () => assert.fail("stack v ran without error"),
                    (e: unknown) => e as ProgramError,
                );
                assert.strictEqual(err.cause.name, "StackConfigError", err.message);
                assert.match(err.message, /Pulumi\.v\.yaml: shipshape:version: not set, and .*package\.json version "1\.0\.0\+build\.5" is not a valid image tag/);
            } finally {
                fs.rmSync(versioned, { recursive: true, force: true });
            }
        });

        it("an image whose repository is not in ECR is refused before anything is pushed (its tags would name Docker Hub)", async () => {
            // A program of its own: EcrRepository always yields an ECR URL, so the guard is reached only through ImageRepository.
            const programDir = path.join(project, "hub");
            fs.mkdirSync(programDir);
            const componentsDir = path.join(REPO_ROOT, "components");
            fs.writeFileSync(
                path.join(programDir, "index.ts"),
                [
                    'import * as pulumi from "@pulumi/pulumi";',
                    `import { ContainerImage } from ${JSON.stringify(path.join(componentsDir, "container-image"))};`,
                    "const repository = { repositoryUrl: pulumi.output(\"team/app\"), registryId: pulumi.output(\"123456789012\"), cacheRef: pulumi.output(\"team/app:cache\") };",
                    `const image = new ContainerImage("hub", { repository, version: "1.0.0", context: ${JSON.stringify(path.join(REPO_ROOT, "services", "stroma"))}, projectRoot: ${JSON.stringify(REPO_ROOT)}, provenance: { sourceUrl: "https://example.com/r" } });`,
                    "export const ref = image.ref;",
                    "",
                ].join("\n"),
            );
            fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(programDir, "node_modules"));
            fs.writeFileSync(path.join(programDir, "tsconfig.json"), JSON.stringify({ extends: path.join(REPO_ROOT, "tsconfig.json") }));
            fs.writeFileSync(path.join(programDir, "Pulumi.yaml"), yaml.dump({ name: "shipshape", runtime: "nodejs", main: "index.ts" }));
            fs.writeFileSync(path.join(programDir, "Pulumi.hub.yaml"), yaml.dump({ config: { "aws:region": "eu-west-1" } }));
            const err = await runProgram({ projectDir: programDir, stack: "hub" }).then(
                (run) => assert.fail(`ran without error; registered ${run.resources.map((r) => r.type).join(", ")}`),
                (e: unknown) => e as ProgramError,
            );
            assert.strictEqual(err.cause.name, "ContainerImageArgsError", err.message + err.output);
            assert.match(err.message, /ContainerImage "hub": (repository URL "team\/app"|cache ref "team\/app:cache") is not in ECR/);
        });

        // A Dockerfile failing a judgment with known inputs is tested in test/components/container-image.test.ts
        // (same code path, in-process); this case needs the program: the check runs when the base's ref resolves.
        it("an image built on another image's ref is judged once the ref is known, and fails the run", async () => {
            const config = devConfig();
            (config["shipshape:images"] as Record<string, unknown>[]).push({ name: "runs-base", context: path.join(project, "runs-base"), base: "stroma" });
            writeStack("runs-base", config);
            const err = await failureOf("runs-base");
            assert.strictEqual(err.cause.name, "ImageJudgmentError", err.message + err.output);
            assert.ok(err.cause.violations?.some((v) => v.policy === "image-non-root-user"), JSON.stringify(err.cause.violations));
            assert.match(err.message, /ContainerImage "runs-base"/);
        });
    });
});
