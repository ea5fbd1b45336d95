import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ContainerImage, ImageJudgmentError, ImageRepository } from "../../components/container-image";
import { EcrRepository } from "../../components/ecr-repository";
import { MockSession, settle, useMocks, valueOf } from "./mocks";

const IMAGE = "docker-build:index:Image";
const URL = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app";
// The project the images are built from is a git repository of the test's own: its commit, committer time
// and origin are known here, and commits elsewhere while the suite runs cannot change them.
const COMMIT_TIME = "2026-02-06T13:04:05+01:00";
const COMMIT_TIME_UTC = "2026-02-06T12:04:05Z";
const ORIGIN = "git@github.com:example/app.git";
const ORIGIN_HTTPS = "https://github.com/example/app";

function git(dir: string, args: string[]): string {
    const identity = { GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" };
    const env = { ...process.env, ...identity, GIT_AUTHOR_DATE: "2020-01-01T00:00:00Z", GIT_COMMITTER_DATE: COMMIT_TIME };
    return execFileSync("git", ["-C", dir, ...args], { encoding: "utf8", env }).trim();
}

const DISTROLESS_NONROOT = ["FROM golang:1.24 AS build", "RUN go version", "FROM gcr.io/distroless/static-debian12:nonroot", "COPY --from=build /usr/local/go/bin/go /go", "USER 65532:65532", ""].join("\n");
const ROOT_ON_DEBIAN = ["FROM debian:12", "RUN apt-get update", "USER root", ""].join("\n");

function fakeRepository(): ImageRepository {
    return {
        repositoryUrl: pulumi.output(URL),
        registryId: pulumi.output("123456789012"),
        cacheRef: pulumi.output(`${URL}:cache`),
        cacheTag: "cache",
    };
}

describe("ContainerImage", () => {
    let mocks: MockSession;
    let workDir: string;
    let HEAD: string;
    before(async () => {
        mocks = await useMocks();
        workDir = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-image-"));
        fs.mkdirSync(path.join(workDir, "good"));
        fs.writeFileSync(path.join(workDir, "good", "Dockerfile"), DISTROLESS_NONROOT);
        fs.mkdirSync(path.join(workDir, "bad"));
        fs.writeFileSync(path.join(workDir, "bad", "Dockerfile"), ROOT_ON_DEBIAN);
        git(workDir, ["init", "-q"]);
        git(workDir, ["add", "."]);
        git(workDir, ["commit", "-qm", "services"]);
        git(workDir, ["remote", "add", "origin", ORIGIN]);
        HEAD = git(workDir, ["rev-parse", "HEAD"]);
    });
    after(() => fs.rmSync(workDir, { recursive: true, force: true }));

    const common = () => ({ repository: fakeRepository(), version: "1.2.3", projectRoot: workDir, provenance: { sourceUrl: "https://example.com/fallback/repo" } });

    it("builds linux/amd64 only, pushes fully qualified tags with ECR credentials and the registry cache", async () => {
        const image = new ContainerImage("app", { ...common(), context: path.join(workDir, "good") });
        assert.strictEqual(await valueOf(image.imageName), `${URL}:1.2.3`);
        assert.match(await valueOf(image.ref), new RegExp(`^${URL.replace(/\./g, "\\.")}:1\\.2\\.3@sha256:[0-9a-f]{64}$`));
        assert.match(await valueOf(image.digest), /^sha256:[0-9a-f]{64}$/);
        await settle();
        const inputs = mocks.find(IMAGE, "app")!.inputs;
        assert.strictEqual(inputs.push, true);
        assert.deepStrictEqual(inputs.platforms, ["linux/amd64"]);
        assert.deepStrictEqual(inputs.tags, [`${URL}:1.2.3`, `${URL}:${HEAD}`]);
        for (const tag of inputs.tags as string[]) assert.ok(tag.startsWith("123456789012.dkr.ecr."), `${tag} is fully qualified`);
        assert.deepStrictEqual(inputs.context, { location: path.join(workDir, "good") });
        assert.deepStrictEqual(inputs.dockerfile, { location: path.join(workDir, "good", "Dockerfile") });
        assert.deepStrictEqual(inputs.cacheFrom, [{ registry: { ref: `${URL}:cache` } }]);
        assert.deepStrictEqual(inputs.cacheTo, [{ registry: { ref: `${URL}:cache`, mode: "max", imageManifest: true, ociMediaTypes: true } }]);
        // The password makes the whole registries list a secret on the wire (signature + value).
        const registries = inputs.registries as { [signature: string]: unknown; value: { address: string; username: string; password: string }[] };
        assert.strictEqual(registries["4dabf18193072939515e22adb298388d"], "1b47061264138c4ac30d75fd1eb44270");
        assert.deepStrictEqual(registries.value, [{ address: "123456789012.dkr.ecr.eu-west-1.amazonaws.com", username: "AWS", password: "placeholder-ecr-password" }]);
        const urn = await valueOf(image.image.urn);
        assert.strictEqual(urn, "urn:pulumi:test::shipshape::shipshape:docker:Image$docker-build:index:Image::app");
    });

    it("fills the OCI labels from git and config; explicit labels override; the role is always stated", async () => {
        new ContainerImage("labelled", {
            ...common(),
            context: path.join(workDir, "good"),
            description: "an app",
            licenses: "Apache-2.0",
            vendor: "platform",
            url: "https://example.com/app",
            labels: { "org.opencontainers.image.title": "The App", "com.example.team": "payments" },
        });
        await settle();
        const labels = mocks.find(IMAGE, "labelled")!.inputs.labels as Record<string, string>;
        assert.deepStrictEqual(labels, {
            "com.example.team": "payments",
            "dev.shipshape.image.role": "runtime",
            // The commit's time, not the build's: a rebuild of the same commit carries the same labels.
            "org.opencontainers.image.created": COMMIT_TIME_UTC,
            "org.opencontainers.image.description": "an app",
            "org.opencontainers.image.licenses": "Apache-2.0",
            "org.opencontainers.image.revision": HEAD,
            // Git's origin as https wins over the configured fallback.
            "org.opencontainers.image.source": ORIGIN_HTTPS,
            "org.opencontainers.image.title": "The App",
            "org.opencontainers.image.url": "https://example.com/app",
            "org.opencontainers.image.vendor": "platform",
            "org.opencontainers.image.version": "1.2.3",
        });
    });

    it("a Dockerfile that violates a judgment makes construction fail with the policy's message, and nothing is registered", async () => {
        assert.throws(
            () => new ContainerImage("rooted", { ...common(), context: path.join(workDir, "bad") }),
            (err: unknown) => {
                assert.ok(err instanceof ImageJudgmentError);
                const policies = err.violations.map((v) => v.policy).sort();
                assert.deepStrictEqual(policies, ["image-distroless-base", "image-non-root-user"]);
                assert.match(err.message, /^ContainerImage "rooted": .*bad\/Dockerfile fails 2 image judgments/);
                assert.match(err.message, /image-non-root-user: .*root/);
                return true;
            },
        );
        await settle();
        assert.ok(!mocks.registrations.some((r) => r.name === "rooted"));
    });

    it("a builder image is exempt from exactly the non-root and distroless judgments, and says so", async () => {
        const builder = new ContainerImage("deps", { ...common(), context: path.join(workDir, "bad"), role: "builder" });
        assert.deepStrictEqual(builder.exemptions.map((e) => e.policy).sort(), ["image-distroless-base", "image-non-root-user"]);
        await settle();
        assert.strictEqual((mocks.find(IMAGE, "deps")!.inputs.labels as Record<string, string>)["dev.shipshape.image.role"], "builder");
        // Still judged for platform and labels: an empty required label fails it.
        assert.throws(
            () => new ContainerImage("deps-nolabel", { ...common(), context: path.join(workDir, "bad"), role: "builder", labels: { "org.opencontainers.image.version": "" } }),
            (err: unknown) => err instanceof ImageJudgmentError && err.violations.map((v) => v.policy).join() === "image-oci-labels",
        );
        // The exemption follows the pack's allowBuilderImages switch.
        assert.throws(
            () => new ContainerImage("deps-strict", { ...common(), context: path.join(workDir, "bad"), role: "builder", policy: { "image-non-root-user": { properties: { allowBuilderImages: false } } } }),
            (err: unknown) => err instanceof ImageJudgmentError && err.violations.some((v) => v.policy === "image-non-root-user"),
        );
    });

    it("applies the stack's policy levels and properties as the pack would: advisory reports, disabled skips, mandatory fails", async () => {
        const namedUser = ["FROM gcr.io/distroless/static-debian12:nonroot", "USER app", ""].join("\n");
        // Default properties: a named user is accepted.
        new ContainerImage("named", { ...common(), context: workDir, dockerfileInline: namedUser });
        // prod's requireNumericUser: the same Dockerfile fails, with the pack's message.
        assert.throws(
            () => new ContainerImage("named-prod", { ...common(), context: workDir, dockerfileInline: namedUser, policy: { "image-non-root-user": { properties: { requireNumericUser: true } } } }),
            (err: unknown) => err instanceof ImageJudgmentError && err.violations.length === 1 && err.violations[0].policy === "image-non-root-user" && /^<inline>:2: /.test(err.violations[0].message),
        );
        // Advisory: constructed, and the finding is kept and logged.
        const advisory = new ContainerImage("rooted-advisory", {
            ...common(),
            context: path.join(workDir, "bad"),
            policy: { "image-non-root-user": { enforcementLevel: "advisory" }, "image-distroless-base": { enforcementLevel: "disabled" } },
        });
        assert.deepStrictEqual(advisory.advisories.map((a) => a.policy), ["image-non-root-user"]);
        assert.match(advisory.advisories[0].message, /bad\/Dockerfile:3: /);
        await settle();
        assert.ok(mocks.find(IMAGE, "rooted-advisory"));
        // A policy config the pack would refuse is refused here too.
        assert.throws(
            () => new ContainerImage("badconfig", { ...common(), context: workDir, dockerfileInline: namedUser, policy: { "image-oci-labels": { properties: { requiredLabel: ["x"] } } } }),
            /image-oci-labels/,
        );
    });

    it("a Dockerfile LABEL cannot make a runtime image a builder", async () => {
        const sneaky = ROOT_ON_DEBIAN + "LABEL dev.shipshape.image.role=builder\n";
        assert.throws(() => new ContainerImage("sneaky", { ...common(), context: workDir, dockerfileInline: sneaky }), ImageJudgmentError);
        assert.throws(
            () => new ContainerImage("contradiction", { ...common(), context: workDir, dockerfileInline: DISTROLESS_NONROOT, labels: { "dev.shipshape.image.role": "builder" } }),
            /contradicts role "runtime"/,
        );
    });

    it("judges an image built on another image's ref once the ref is known, and passes the ref as the build arg", async () => {
        const onBase = ["ARG BASE_IMAGE", "FROM ${BASE_IMAGE} AS builder", "RUN true", "FROM gcr.io/distroless/cc-debian12:nonroot", "COPY --from=builder /etc/hostname /x", "USER 65532", ""].join("\n");
        const baseRef = pulumi.output(`${URL}-base:1.2.3@sha256:${"a".repeat(64)}`);
        const app = new ContainerImage("on-base", { ...common(), context: workDir, dockerfileInline: onBase, buildArgs: { BASE_IMAGE: baseRef, MODE: "release" } });
        await valueOf(app.ref);
        assert.deepStrictEqual(mocks.find(IMAGE, "on-base")!.inputs.buildArgs, { BASE_IMAGE: `${URL}-base:1.2.3@sha256:${"a".repeat(64)}`, MODE: "release" });
        // The failing case (the check throws once the ref resolves) is tested through the program runner in
        // test/program/stack.test.ts: it surfaces as the program's error, which this in-process test cannot isolate.
    });

    it("refuses tags that are invalid or collide with the cache tag", () => {
        assert.throws(() => new ContainerImage("v1", { ...common(), context: path.join(workDir, "good"), version: "1.0.0+build" }), /version "1\.0\.0\+build" is not a valid image tag/);
        assert.throws(() => new ContainerImage("v2", { ...common(), context: path.join(workDir, "good"), version: "cache" }), /cache tag/);
    });

    it("tagVersion: false pushes only the commit tag", async () => {
        const image = new ContainerImage("commit-only", { ...common(), context: path.join(workDir, "good"), tagVersion: false });
        assert.strictEqual(await valueOf(image.imageName), `${URL}:${HEAD}`);
        await valueOf(image.ref);
        assert.deepStrictEqual(mocks.find(IMAGE, "commit-only")!.inputs.tags, [`${URL}:${HEAD}`]);
        assert.strictEqual((mocks.find(IMAGE, "commit-only")!.inputs.labels as Record<string, string>)["org.opencontainers.image.version"], "1.2.3");
    });

    it("works with an EcrRepository: tags and cache go to that repository", async () => {
        const repo = new EcrRepository("paired", { name: "team/paired", cacheTag: "buildcache" });
        const image = new ContainerImage("paired", { repository: repo, version: "2.0.0", projectRoot: workDir, provenance: { sourceUrl: "https://example.com/r" }, context: path.join(workDir, "good") });
        await valueOf(image.ref);
        const inputs = mocks.find(IMAGE, "paired")!.inputs;
        const url = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/paired";
        assert.deepStrictEqual(inputs.tags, [`${url}:2.0.0`, `${url}:${HEAD}`]);
        assert.deepStrictEqual(inputs.cacheFrom, [{ registry: { ref: `${url}:buildcache` } }]);
    });
});
