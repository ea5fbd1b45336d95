import assert from "node:assert/strict";
import {
    BUILDER_ROLE_LABEL,
    DEFAULT_ALLOWED_BASE_IMAGES,
    DEFAULT_REQUIRED_LABELS,
    imageAmd64Only,
    imageDistrolessBase,
    imageNonRootUser,
    imageOciLabels,
    isRfc3339DateTime,
    judgeImage,
} from "../../../dockerfile/judgments";
import { IMAGE_POLICY_NAMES } from "../../../dockerfile/types";
import { COMPLETE_LABELS, factsFor } from "./facts";

const SHA = "sha256:" + "cd".repeat(32);

describe("image-non-root-user", () => {
    it("passes a distroless nonroot base without USER", () => {
        assert.deepEqual(imageNonRootUser(factsFor("gcr.io/distroless/static-debian12:nonroot"), {}), []);
    });
    it("fails the distroless default tag (root) at the FROM line", () => {
        const v = imageNonRootUser(factsFor("gcr.io/distroless/static-debian12"), {});
        assert.equal(v.length, 1);
        assert.equal(v[0].policy, "image-non-root-user");
        assert.equal(v[0].line, 1);
        assert.match(v[0].message, /runs as root/);
    });
    it("fails USER 0 / root:x at the USER line", () => {
        for (const user of ["0", "root:wheel", "0:1000", ""]) {
            const v = imageNonRootUser(factsFor("alpine", { user, userLine: 7 }), {});
            assert.equal(v.length, 1, user);
            assert.equal(v[0].line, 7);
        }
    });
    it("fails closed on an unknown user, saying why", () => {
        const facts = factsFor("ghcr.io/example/base:1");
        assert.equal(facts.userVerdict, "unknown");
        const v = imageNonRootUser(facts, {});
        assert.equal(v.length, 1);
        assert.match(v[0].message, /cannot prove/);
        assert.match(v[0].message, /cannot be determined/);
    });
    it("accepts a named user unless requireNumericUser", () => {
        for (const user of ["app", "app:app"]) {
            const facts = factsFor("alpine", { user, userLine: 9 });
            assert.deepEqual(imageNonRootUser(facts, {}), []);
            const v = imageNonRootUser(facts, { requireNumericUser: true });
            assert.equal(v.length, 1);
            assert.equal(v[0].line, 9);
            assert.match(v[0].message, /runAsNonRoot/);
        }
        assert.deepEqual(imageNonRootUser(factsFor("alpine", { user: "1000:app" }), { requireNumericUser: true }), []);
        assert.deepEqual(imageNonRootUser(factsFor("gcr.io/distroless/static:nonroot"), { requireNumericUser: true }), []);
    });
});

describe("image-distroless-base", () => {
    const pass = ["scratch", "gcr.io/distroless/static-debian12", "gcr.io/distroless/cc-debian12:nonroot", "gcr.io/distroless/java21-debian12:nonroot-amd64", "cgr.dev/chainguard/static", "cgr.dev/chainguard/python:latest", `gcr.io/distroless/static:nonroot@${SHA}`];
    const fail = ["alpine:3.19", "debian:bookworm-slim", "gcr.io/distroless/static:debug", "gcr.io/distroless/base-debian12:debug-nonroot", "cgr.dev/chainguard/python:latest-dev", "cgr.dev/chainguard/wolfi-base", "cgr.dev/chainguard/chainguard-base:latest", "cgr.dev/chainguard/busybox", "ghcr.io/example/distroless", `gcr.io/distroless/static@${SHA}`];
    for (const base of pass) {
        it(`allows ${base}`, () => assert.deepEqual(imageDistrolessBase(factsFor(base), {}), []));
    }
    for (const base of fail) {
        it(`rejects ${base} at the base FROM line`, () => {
            const v = imageDistrolessBase(factsFor(base), {});
            assert.equal(v.length, 1);
            assert.equal(v[0].policy, "image-distroless-base");
            assert.equal(v[0].line, 1);
        });
    }
    it("reports the FROM of the stage that names the external base", () => {
        const facts = factsFor("alpine", {
            stages: [
                { index: 2, name: "final", line: 20, from: "mid" },
                { index: 1, name: "mid", line: 10, from: "alpine" },
            ],
        });
        assert.equal(imageDistrolessBase(facts, {})[0].line, 10);
    });
    it("a digest-only distroless reference cannot be shown to be non-debug", () => {
        assert.match(imageDistrolessBase(factsFor(`gcr.io/distroless/static@${SHA}`), {})[0].message, /cannot be shown/);
    });
    it("an undetermined base fails closed", () => {
        const v = imageDistrolessBase(factsFor("alpine", { base: undefined, baseFact: undefined }), {});
        assert.match(v[0].message, /cannot be determined/);
    });
    it("allowedBaseImages replaces the default list", () => {
        const config = { allowedBaseImages: ["alpine:3.*", "ghcr.io/example/*"] };
        assert.deepEqual(imageDistrolessBase(factsFor("alpine:3.19"), config), []);
        assert.deepEqual(imageDistrolessBase(factsFor("ghcr.io/example/distroless"), config), []);
        assert.equal(imageDistrolessBase(factsFor("gcr.io/distroless/static"), config).length, 1);
        assert.equal(imageDistrolessBase(factsFor("scratch"), config).length, 1);
        assert.match(imageDistrolessBase(factsFor("debian"), config)[0].message, /allowedBaseImages/);
    });
    it("an invalid configured pattern is reported, not thrown", () => {
        assert.match(imageDistrolessBase(factsFor("alpine"), { allowedBaseImages: ["{alpine"] })[0].message, /invalid/);
    });
    it("the default list is the documented one", () => {
        assert.ok(DEFAULT_ALLOWED_BASE_IMAGES.includes("scratch"));
        assert.ok(DEFAULT_ALLOWED_BASE_IMAGES.includes("gcr.io/distroless/*"));
    });
});

describe("image-amd64-only", () => {
    it("passes exactly linux/amd64, in any spelling containerd normalises", () => {
        for (const p of ["linux/amd64", "amd64", "linux/x86_64", "Linux/AMD64", "linux/x86-64"]) {
            assert.deepEqual(imageAmd64Only(factsFor("alpine", { platforms: [p] }), {}), [], p);
        }
        assert.deepEqual(imageAmd64Only(factsFor("alpine", { platforms: ["linux/amd64", "x86_64"] }), {}), []);
    });
    it("fails when no platform is requested (host build)", () => {
        const v = imageAmd64Only(factsFor("alpine", { platforms: [] }), {});
        assert.equal(v.length, 1);
        assert.match(v[0].message, /no platform was requested/);
        assert.equal(v[0].line, 1);
    });
    it("fails on other or additional platforms", () => {
        assert.equal(imageAmd64Only(factsFor("alpine", { platforms: ["linux/arm64"] }), {}).length, 1);
        const v = imageAmd64Only(factsFor("alpine", { platforms: ["linux/amd64", "linux/arm64"] }), {});
        assert.equal(v.length, 1);
        assert.match(v[0].message, /linux\/arm64/);
        assert.equal(imageAmd64Only(factsFor("alpine", { platforms: ["linux/amd64/v3"] }), {}).length, 1);
    });
    it("fails an invalid requested platform", () => {
        assert.match(imageAmd64Only(factsFor("alpine", { platforms: ["linux/amd64", "bogus!"] }), {})[0].message, /invalid/);
    });
    it("fails a FROM --platform in the built chain pinned elsewhere, at that FROM", () => {
        const facts = factsFor("alpine", {
            stages: [
                { index: 1, line: 8, from: "base" },
                { index: 0, name: "base", line: 2, from: "alpine", platform: "linux/arm64" },
            ],
        });
        const v = imageAmd64Only(facts, {});
        assert.equal(v.length, 1);
        assert.equal(v[0].line, 2);
        assert.match(v[0].message, /base .*linux\/arm64/);
    });
    it("accepts FROM --platform=linux/amd64 or the target platform", () => {
        const stages = [{ index: 0, line: 3, from: "alpine", platform: "linux/amd64" }];
        assert.deepEqual(imageAmd64Only(factsFor("alpine", { stages }), {}), []);
        // $TARGETPLATFORM expands to the requested platform: only the request itself is reported.
        const arm = factsFor("alpine", { platforms: ["linux/arm64"], stages: [{ index: 0, line: 3, from: "alpine", platform: "linux/arm64" }] });
        assert.equal(imageAmd64Only(arm, {}).length, 1);
    });
    it("fails a built-chain FROM --platform taken from the builder's host, naming the variables and the line", () => {
        const stages = [{ index: 0, line: 4, from: "alpine", platform: "linux/amd64", platformBuildVariables: ["BUILDARCH", "BUILDOS"] }];
        const v = imageAmd64Only(factsFor("alpine", { stages }), {});
        assert.equal(v.length, 1);
        assert.equal(v[0].line, 4);
        assert.match(v[0].message, /\$BUILDARCH, \$BUILDOS .*builder's host/);
    });
    it("ignores a --platform BuildKit does not use (FROM <stage>, FROM scratch), even a host-derived one", () => {
        const stages = [
            { index: 1, line: 8, from: "base", platform: "linux/arm64", platformIgnored: true },
            { index: 0, name: "base", line: 2, from: "scratch", platform: "linux/arm64", platformIgnored: true, platformBuildVariables: ["BUILDPLATFORM"] },
        ];
        assert.deepEqual(imageAmd64Only(factsFor("scratch", { stages }), {}), []);
    });
});

describe("image-oci-labels", () => {
    it("passes with every default label", () => {
        assert.deepEqual(imageOciLabels(factsFor("alpine"), {}), []);
    });
    it("reports each missing or empty label, at its LABEL line when it has one", () => {
        const labels = { ...COMPLETE_LABELS };
        delete (labels as Record<string, string>)["org.opencontainers.image.title"];
        labels["org.opencontainers.image.version"] = " ";
        const facts = factsFor("alpine", { labels });
        const v = imageOciLabels(facts, {});
        assert.deepEqual(v.map((x) => x.message).sort(), [
            "required label org.opencontainers.image.title is missing",
            "required label org.opencontainers.image.version is empty",
        ]);
        assert.equal(v.find((x) => /version/.test(x.message))?.line, facts.labelLines["org.opencontainers.image.version"]);
    });
    it("requires created to be RFC 3339", () => {
        const facts = factsFor("alpine", { labels: { ...COMPLETE_LABELS, "org.opencontainers.image.created": "yesterday" } });
        const v = imageOciLabels(facts, {});
        assert.equal(v.length, 1);
        assert.match(v[0].message, /RFC 3339/);
    });
    it("the required set is configurable", () => {
        const facts = factsFor("alpine", { labels: { team: "core" }, labelLines: { team: 4 } });
        assert.deepEqual(imageOciLabels(facts, { requiredLabels: ["team"] }), []);
        assert.equal(imageOciLabels(facts, { requiredLabels: ["team", "owner"] }).length, 1);
        assert.equal(imageOciLabels(facts, {}).length, DEFAULT_REQUIRED_LABELS.length);
    });
    it("isRfc3339DateTime", () => {
        for (const ok of ["2024-05-01T12:00:00Z", "2024-02-29T23:59:60.123+05:30", "1999-12-31t00:00:00z", "2024-05-01T12:00:00-00:00"]) assert.ok(isRfc3339DateTime(ok), ok);
        for (const bad of ["2024-05-01", "2024-05-01 12:00:00Z", "2023-02-29T00:00:00Z", "2024-13-01T00:00:00Z", "2024-05-01T24:00:00Z", "2024-05-01T12:00:00", "2024-05-01T12:00:00+2400", "1714564800"]) assert.ok(!isRfc3339DateTime(bad), bad);
    });
});

describe("judgeImage", () => {
    it("a compliant image has no violations", () => {
        const r = judgeImage(factsFor("gcr.io/distroless/static-debian12:nonroot"));
        assert.deepEqual(r, { violations: [], exemptions: [] });
    });
    it("collects every judgment's violations", () => {
        const r = judgeImage(factsFor("alpine", { platforms: [], labels: {} }));
        const policies = new Set(r.violations.map((v) => v.policy));
        assert.deepEqual([...policies].sort(), [...IMAGE_POLICY_NAMES].sort());
    });
    it("fails every judgment closed when the analysis has errors, naming file:line", () => {
        const facts = factsFor("gcr.io/distroless/static:nonroot", { errors: [{ message: "unknown instruction: FORM", line: 3 }, { message: "other", line: 9 }] });
        const r = judgeImage(facts);
        assert.equal(r.violations.length, 4);
        assert.deepEqual(r.violations.map((v) => v.policy), [...IMAGE_POLICY_NAMES]);
        for (const v of r.violations) {
            assert.equal(v.line, 3);
            assert.match(v.message, /Dockerfile:3: unknown instruction: FORM \(and 1 more error\)/);
        }
        assert.deepEqual(r.exemptions, []);
    });
    it("exempts a builder image from non-root and distroless only while allowBuilderImages", () => {
        const labels = { ...COMPLETE_LABELS, [BUILDER_ROLE_LABEL]: "builder" };
        const facts = factsFor("golang:1.22", { labels, labelLines: { [BUILDER_ROLE_LABEL]: 6 } });
        const allowed = judgeImage(facts);
        assert.deepEqual(allowed.violations, []);
        assert.deepEqual(allowed.exemptions.map((e) => e.policy), ["image-non-root-user", "image-distroless-base"]);
        assert.match(allowed.exemptions[0].message, /Dockerfile:6/);
        const denied = judgeImage(facts, { allowBuilderImages: false });
        assert.deepEqual(denied.violations.map((v) => v.policy).sort(), ["image-distroless-base", "image-non-root-user"]);
        assert.deepEqual(denied.exemptions, []);
    });
    it("a builder label does not exempt from amd64 or labels, and other role values exempt nothing", () => {
        const labels = { [BUILDER_ROLE_LABEL]: "builder" };
        const r = judgeImage(factsFor("golang:1.22", { labels, platforms: [] }));
        assert.deepEqual([...new Set(r.violations.map((v) => v.policy))].sort(), ["image-amd64-only", "image-oci-labels"]);
        const other = judgeImage(factsFor("golang:1.22", { labels: { ...COMPLETE_LABELS, [BUILDER_ROLE_LABEL]: "runtime" } }));
        assert.equal(other.exemptions.length, 0);
        assert.deepEqual(other.violations.map((v) => v.policy).sort(), ["image-distroless-base", "image-non-root-user"]);
    });
    it("passes config through to the judgments", () => {
        const facts = factsFor("alpine", { user: "app", labels: { team: "x" } });
        const r = judgeImage(facts, { requiredLabels: ["team"], allowedBaseImages: ["alpine"], requireNumericUser: true });
        assert.deepEqual(r.violations.map((v) => v.policy), ["image-non-root-user"]);
    });
});
