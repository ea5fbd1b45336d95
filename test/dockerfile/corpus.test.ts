import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { analyzeDockerfile, judgeImage } from "../../dockerfile/index";
import type { ImageFacts } from "../../dockerfile/index";
import { sharedPath } from "../shared-data";

const CORPUS = sharedPath("corpus");
const FILES = path.join(CORPUS, "files");

/**
 * Counts observed over the whole corpus (596 files, platform linux/amd64).
 * A change here means the analyzer's behaviour on real files changed: check
 * the new errors against BuildKit before updating the numbers.
 */
const EXPECTED = { analysed: 596, withErrors: 44, emptyFiles: 1 };

/**
 * Files BuildKit's own parser tests reject (testfiles-negative), and what a build
 * says: the zero-byte one is refused by dockerfile2llb before the parser sees it.
 */
const BUILDKIT_NEGATIVES: Record<string, RegExp> = {
    "moby__buildkit__frontend__dockerfile__parser__testfiles-negative__empty_dockerfile__Dockerfile": /^the Dockerfile cannot be empty$/,
    "moby__buildkit__frontend__dockerfile__parser__testfiles-negative__env_no_value__Dockerfile": /ENV must have two arguments/,
    "moby__buildkit__frontend__dockerfile__parser__testfiles-negative__only_comments__Dockerfile": /file with no instructions/,
    "moby__buildkit__frontend__dockerfile__parser__testfiles-negative__shykes-nested-json__Dockerfile": /arrays must be comprised of strings only/,
};

function analyse(name: string, options: { target?: string; platforms?: string[] } = {}): ImageFacts {
    const text = fs.readFileSync(path.join(FILES, name), "utf8");
    return analyzeDockerfile(text, { file: name, platforms: ["linux/amd64"], ...options });
}

describe("corpus: every real Dockerfile is analysed and judged", function () {
    this.timeout(120_000);
    const names = fs.readdirSync(FILES).sort();
    const results = new Map<string, { facts: ImageFacts; bytes: number }>();

    before(() => {
        for (const name of names) {
            const text = fs.readFileSync(path.join(FILES, name), "utf8");
            // Any throw here is an uncaught exception of analyzeDockerfile/judgeImage: the test fails.
            const facts = analyzeDockerfile(text, { file: name, platforms: ["linux/amd64"] });
            judgeImage(facts);
            results.set(name, { facts, bytes: Buffer.byteLength(text) });
        }
    });

    it("analyses every file listed in MANIFEST.tsv", () => {
        const manifest = fs.readFileSync(path.join(CORPUS, "MANIFEST.tsv"), "utf8").trim().split("\n").slice(1).map((l) => l.split("\t")[0]);
        assert.deepEqual([...manifest].sort(), names);
        assert.equal(results.size, EXPECTED.analysed);
    });

    it("the number of files BuildKit would reject is stable", () => {
        const rejected = [...results].filter(([, r]) => r.facts.errors.length > 0).map(([n]) => n);
        assert.equal(rejected.length, EXPECTED.withErrors, rejected.join("\n"));
    });

    it("every error has a line number, except for an empty file (no line to point at)", () => {
        let empty = 0;
        for (const [name, { facts, bytes }] of results) {
            for (const error of facts.errors) {
                assert.ok(error.message.length > 0, name);
                if (error.line === undefined) {
                    assert.equal(bytes, 0, `${name}: error without line: ${error.message}`);
                    empty++;
                } else {
                    assert.ok(Number.isInteger(error.line) && error.line >= 1, `${name}: line ${error.line}`);
                }
            }
        }
        assert.equal(empty, EXPECTED.emptyFiles);
    });

    it("a file with errors fails every judgment closed; a clean one has a user verdict with a reason and a stage chain", () => {
        for (const [name, { facts }] of results) {
            const { violations } = judgeImage(facts);
            if (facts.errors.length > 0) {
                assert.equal(violations.length, 4, name);
                for (const v of violations) assert.match(v.message, /cannot judge/, name);
            } else {
                assert.ok(facts.stages.length >= 1, name);
                assert.ok(facts.userReason.length > 0, name);
                assert.ok(facts.base !== undefined, name);
            }
        }
    });

    it("BuildKit's negative parser cases are rejected with its message", () => {
        for (const [name, message] of Object.entries(BUILDKIT_NEGATIVES)) {
            const facts = results.get(name)?.facts;
            assert.ok(facts, name);
            assert.match(facts.errors[0]?.message ?? "", message, name);
        }
    });
});

describe("corpus spot checks (verdicts worked out from BuildKit's behaviour)", () => {
    it("distroless go example: the last stage on distroless static (latest tag) runs as root", () => {
        const facts = analyse("GoogleContainerTools__distroless__examples__go__Dockerfile");
        assert.equal(facts.target, "1");
        assert.equal(facts.base !== "scratch" && facts.base?.normalized, "gcr.io/distroless/static-debian12:latest");
        assert.equal(facts.userVerdict, "root");
        const policies = judgeImage(facts).violations.map((v) => v.policy);
        assert.ok(policies.includes("image-non-root-user"));
        assert.ok(!policies.includes("image-distroless-base"));
        assert.ok(!policies.includes("image-amd64-only"));
    });

    it("FROM with a quoted image name: the shell lexer removes the quotes", () => {
        const facts = analyse("kubernetes-sigs__kind__images__local-path-helper__Dockerfile");
        assert.equal(facts.base !== "scratch" && facts.base?.normalized, "gcr.io/distroless/static-debian13:latest");
        assert.ok(!judgeImage(facts).violations.some((v) => v.policy === "image-distroless-base"));
    });

    it("builder on $BUILDPLATFORM does not reach the image: amd64-only passes", () => {
        const facts = analyse("GoogleCloudPlatform__microservices-demo__src__productcatalogservice__Dockerfile");
        assert.deepEqual(facts.stages.map((s) => s.from), ["gcr.io/distroless/static"]);
        assert.ok(!judgeImage(facts).violations.some((v) => v.policy === "image-amd64-only"));
        const arm = analyse("GoogleCloudPlatform__microservices-demo__src__productcatalogservice__Dockerfile", { platforms: ["linux/arm64"] });
        assert.ok(judgeImage(arm).violations.some((v) => v.policy === "image-amd64-only"));
    });

    it("kaniko test_target: default target inherits stage 0 (distroless base); --target second is scratch", () => {
        const name = "GoogleContainerTools__kaniko__integration__dockerfiles__Dockerfile_test_target";
        const facts = analyse(name);
        assert.deepEqual(facts.stages.map((s) => s.index), [2, 0]);
        assert.equal(facts.base !== "scratch" && facts.base?.normalized, "gcr.io/distroless/base:latest");
        const second = analyse(name, { target: "SECOND" });
        assert.equal(second.base, "scratch");
        assert.equal(second.userVerdict, "root");
    });

    it("FROM BUG_stage does not name stage bug_stage (exact match only), so BuildKit rejects the reference", () => {
        const facts = analyse("GoogleContainerTools__kaniko__integration__dockerfiles__Dockerfile_test_issue_519");
        assert.equal(facts.errors[0]?.line, 10);
        assert.match(facts.errors[0]?.message ?? "", /must be lowercase/);
    });
});
