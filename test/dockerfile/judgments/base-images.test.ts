import assert from "node:assert/strict";
import {
    BUILTIN_BASE_IMAGES,
    imagePatternError,
    lookupBaseImage,
    matchImagePatternList,
    matchesImagePattern,
    parseImageReference,
    userVerdictOf,
} from "../../../dockerfile/base-images";
import { DockerfileError } from "../../../dockerfile/errors";

const SHA = "sha256:" + "ab".repeat(32);

describe("parseImageReference (distribution/reference ParseNormalizedNamed + TagNameOnly)", () => {
    const cases: [string, string, string, string | undefined, string | undefined][] = [
        // input, registry, repository, tag, digest
        ["alpine", "docker.io", "library/alpine", "latest", undefined],
        ["golang:1.22-alpine", "docker.io", "library/golang", "1.22-alpine", undefined],
        ["bitnami/nginx:1.25", "docker.io", "bitnami/nginx", "1.25", undefined],
        ["docker.io/ubuntu", "docker.io", "library/ubuntu", "latest", undefined],
        ["index.docker.io/library/ubuntu:22.04", "docker.io", "library/ubuntu", "22.04", undefined],
        ["localhost/app", "localhost", "app", "latest", undefined],
        ["localhost:5000/team/app:v1", "localhost:5000", "team/app", "v1", undefined],
        ["registry:5000/app", "registry:5000", "app", "latest", undefined],
        ["gcr.io/distroless/static-debian12:nonroot", "gcr.io", "distroless/static-debian12", "nonroot", undefined],
        ["Registry.Example.com/app", "Registry.Example.com", "app", "latest", undefined],
        ["[::1]:5000/app:1", "[::1]:5000", "app", "1", undefined],
        [`alpine@${SHA}`, "docker.io", "library/alpine", undefined, SHA],
        [`gcr.io/distroless/static:nonroot@${SHA}`, "gcr.io", "distroless/static", "nonroot", SHA],
        ["a__b/c--d.e_f:T_a.g-1", "docker.io", "a__b/c--d.e_f", "T_a.g-1", undefined],
    ];
    for (const [input, registry, repository, tag, digest] of cases) {
        it(`normalises ${input}`, () => {
            const ref = parseImageReference(input);
            assert.equal(ref.original, input);
            assert.equal(ref.registry, registry);
            assert.equal(ref.repository, repository);
            assert.equal(ref.tag, tag);
            assert.equal(ref.digest, digest);
            assert.equal(ref.normalized, `${registry}/${repository}${tag ? ":" + tag : ""}${digest ? "@" + digest : ""}`);
        });
    }

    const invalid: [string, RegExp][] = [
        ["", /at least one component/],
        ["Alpine", /must be lowercase/],
        ["library/Alpine:3", /must be lowercase/],
        ["a".repeat(64), /64-byte hexadecimal/],
        ["alpine:", /invalid reference format/],
        ["alpine:3:4", /invalid reference format/],
        ["alpine:-x", /invalid reference format/],
        ["alpine:" + "t".repeat(129), /invalid reference format/],
        ["foo//bar", /invalid reference format/],
        ["foo/bar-", /invalid reference format/],
        ["foo/.bar", /invalid reference format/],
        ["foo/a___b", /invalid reference format/],
        ["-host.com/app", /invalid reference format/],
        ["host.com:port/app", /invalid reference format/],
        ["alpine@sha256:abc", /invalid reference format/],
        ["alpine@md5:" + "a".repeat(32), /unsupported digest algorithm/],
        ["alpine@sha256:" + "a".repeat(63) + "A", /invalid checksum digest format/],
        ["alpine@sha256:" + "a".repeat(66), /invalid checksum digest length/],
        ["a@b@c", /invalid reference format/],
        ["ghcr.io/x/y@", /invalid reference format/],
        ["foo/" + "a".repeat(300), /not be more than 255/],
        ["with space", /invalid reference format/],
    ];
    for (const [input, message] of invalid) {
        it(`rejects ${JSON.stringify(input.length > 40 ? input.slice(0, 40) + "…" : input)}`, () => {
            assert.throws(() => parseImageReference(input), (err: unknown) => err instanceof DockerfileError && message.test(err.message));
        });
    }

    it("rejects adversarial input without backtracking blow-up", function () {
        // A catastrophic-backtracking regex would hang here; mocha's timeout turns that into a failure.
        this.timeout(10_000);
        for (const s of ["a-".repeat(5000) + "!", "a.".repeat(5000), "x/" + "a_".repeat(5000) + ":", "h" + "-".repeat(10000) + ".com/a"]) {
            assert.throws(() => parseImageReference(s));
        }
    });
});

describe("base-image knowledge (base-images.json)", () => {
    const user = (ref: string) => lookupBaseImage(parseImageReference(ref))?.user;
    const fact = (ref: string) => lookupBaseImage(parseImageReference(ref));

    it("distroless latest/debug run as root, nonroot/debug-nonroot as 65532, arch-suffixed too", () => {
        for (const img of ["static", "static-debian12", "base", "base-nossl-debian12", "cc-debian12", "java17-debian12", "nodejs20-debian12", "python3-debian12"]) {
            assert.equal(user(`gcr.io/distroless/${img}`), "", img);
            assert.equal(user(`gcr.io/distroless/${img}:latest-amd64`), "", img);
            assert.equal(user(`gcr.io/distroless/${img}:nonroot`), "65532", img);
            assert.equal(user(`gcr.io/distroless/${img}:nonroot-arm64`), "65532", img);
            assert.equal(user(`gcr.io/distroless/${img}:debug`), "", img);
            assert.equal(user(`gcr.io/distroless/${img}:debug-nonroot`), "65532", img);
            assert.equal(user(`gcr.io/distroless/${img}:debug-nonroot-amd64`), "65532", img);
        }
        assert.equal(user("gcr.io/distroless/java:11-nonroot"), "65532");
        assert.equal(user("gcr.io/distroless/java:11-debug"), "");
    });

    it("debug variants carry a shell and are not distroless; the others are", () => {
        assert.equal(fact("gcr.io/distroless/static:debug")?.shell, true);
        assert.equal(fact("gcr.io/distroless/static:debug")?.distroless, false);
        assert.equal(fact("gcr.io/distroless/static:debug-nonroot-arm64")?.shell, true);
        assert.equal(fact("gcr.io/distroless/static:nonroot")?.shell, false);
        assert.equal(fact("gcr.io/distroless/static:nonroot")?.distroless, true);
    });

    it("an unrecognised distroless tag has no known user", () => {
        const f = fact("gcr.io/distroless/static:weird-tag");
        assert.equal(f?.distroless, true);
        assert.equal(f?.user, undefined);
    });

    it("digest-only references are unknown; tag+digest uses the tag", () => {
        assert.equal(fact(`gcr.io/distroless/static@${SHA}`), undefined);
        assert.equal(fact(`alpine@${SHA}`), undefined);
        assert.equal(user(`gcr.io/distroless/static:nonroot@${SHA}`), "65532");
    });

    it("Chainguard images default to 65532; -dev carries a shell; wolfi-base and -root tags are not assumed non-root", () => {
        assert.equal(user("cgr.dev/chainguard/static"), "65532");
        assert.equal(fact("cgr.dev/chainguard/static")?.distroless, true);
        assert.equal(user("cgr.dev/chainguard/python:latest-dev"), "65532");
        assert.equal(fact("cgr.dev/chainguard/python:latest-dev")?.shell, true);
        assert.equal(fact("cgr.dev/chainguard/python:latest-dev")?.distroless, false);
        assert.equal(user("cgr.dev/chainguard/wolfi-base"), undefined);
        assert.equal(user("cgr.dev/chainguard/git:latest-root"), undefined);
    });

    it("Chainguard's distro bases (chainguard-base, busybox) carry a shell and are not assumed non-root", () => {
        for (const name of ["cgr.dev/chainguard/chainguard-base:latest", "cgr.dev/chainguard/busybox:latest"]) {
            assert.equal(user(name), undefined, name);
            assert.equal(fact(name)?.shell, true, name);
            assert.equal(fact(name)?.distroless, false, name);
        }
    });

    it("Docker official images run as root; unknown images are unknown", () => {
        assert.equal(user("alpine:3.19"), "");
        assert.equal(user("node:20-slim"), "");
        assert.equal(user("public.ecr.aws/docker/library/python:3.12"), "");
        assert.equal(fact("bitnami/nginx"), undefined);
        assert.equal(fact("ghcr.io/example/alpine"), undefined);
        assert.equal(fact("example.com/library/alpine"), undefined);
    });

    it("extra facts are consulted first and accept familiar names", () => {
        const extra = [{ match: "example/base:{1,2}", user: "1000", note: "ours" }];
        assert.equal(lookupBaseImage(parseImageReference("example/base:1"), extra)?.user, "1000");
        assert.equal(lookupBaseImage(parseImageReference("docker.io/example/base:3"), extra), undefined);
        const override = [{ match: "alpine", user: "405" }];
        assert.equal(lookupBaseImage(parseImageReference("alpine:3"), override)?.user, "405");
    });
});

describe("image patterns", () => {
    const ref = parseImageReference;
    it("match within one component, with alternation, tags and scratch", () => {
        assert.ok(matchesImagePattern("gcr.io/distroless/*", ref("gcr.io/distroless/static:nonroot")));
        assert.ok(!matchesImagePattern("gcr.io/distroless/*", ref("gcr.io/distroless/a/b")));
        assert.ok(!matchesImagePattern("gcr.io/*", ref("gcr.io/distroless/static")));
        assert.ok(matchesImagePattern("{alpine,debian}:*", ref("debian:12")));
        assert.ok(!matchesImagePattern("alpine:3.*", ref("alpine:edge")));
        assert.ok(matchesImagePattern("scratch", "scratch"));
        assert.ok(!matchesImagePattern("*", "scratch"));
    });
    it("a list with exclusions: last match wins; an exclusion a digest-only ref cannot be checked against fails closed", () => {
        const list = ["gcr.io/distroless/*", "!gcr.io/distroless/*:*debug*"];
        assert.equal(matchImagePatternList(list, ref("gcr.io/distroless/static:nonroot")).allowed, true);
        assert.equal(matchImagePatternList(list, ref("gcr.io/distroless/static:debug")).allowed, false);
        const digestOnly = matchImagePatternList(list, ref(`gcr.io/distroless/static@${SHA}`));
        assert.equal(digestOnly.allowed, false);
        assert.match(digestOnly.undecidable ?? "", /no tag/);
        assert.equal(matchImagePatternList(["alpine"], ref(`alpine@${SHA}`)).allowed, true);
    });
    it("unbalanced braces are an error", () => {
        assert.throws(() => matchesImagePattern("{alpine", ref("alpine")), /unbalanced/);
        assert.throws(() => matchesImagePattern("alpine}", ref("alpine")), /unbalanced/);
        assert.throws(() => matchesImagePattern("{a,{b,c}", ref("alpine")), /unbalanced/);
    });
    it("nested alternation and empty alternatives", () => {
        assert.ok(matchesImagePattern("gcr.io/distroless/{static{,-debian{11,12}},base}:nonroot", ref("gcr.io/distroless/static-debian12:nonroot")));
        assert.ok(matchesImagePattern("gcr.io/distroless/{static{,-debian{11,12}},base}:nonroot", ref("gcr.io/distroless/static:nonroot")));
        assert.ok(!matchesImagePattern("gcr.io/distroless/{static{,-debian{11,12}},base}:nonroot", ref("gcr.io/distroless/static-debian13:nonroot")));
    });
    it("a pattern with many wildcards matches in linear time, and brace blow-up is refused", () => {
        // As a backtracking regex this pair takes minutes; wildcards here never backtrack more than once.
        const subject = ref("gcr.io/" + "a".repeat(200));
        assert.equal(matchesImagePattern("gcr.io/" + "a*".repeat(40) + "x", subject), false);
        assert.equal(matchesImagePattern("gcr.io/" + "a*".repeat(40), subject), true);
        assert.throws(() => matchesImagePattern("{a,b}".repeat(13), ref("alpine")), /more than 4096 alternatives/);
    });
});

describe("userVerdictOf", () => {
    const cases: [string | undefined, string][] = [
        [undefined, "unknown"],
        ["", "root"],
        ["0", "root"],
        ["00", "root"],
        ["+0", "root"],
        ["root", "root"],
        ["0:0", "root"],
        ["0:1000", "root"],
        ["root:app", "root"],
        [":1000", "root"],
        ["65532", "non-root"],
        ["1000:1000", "non-root"],
        ["app", "non-root"],
        ["app:app", "non-root"],
        ["10", "non-root"],
        ["rootless", "non-root"],
        ["ROOT", "non-root"],
    ];
    for (const [user, verdict] of cases) {
        it(`${JSON.stringify(user)} → ${verdict}`, () => {
            const result = userVerdictOf(user);
            assert.equal(result.verdict, verdict);
            assert.ok(result.reason.length > 0);
        });
    }
});

describe("base-images.json data", () => {
    it("every entry is well-formed: a valid normalised pattern, typed fields, a note naming why", () => {
        for (const [i, fact] of BUILTIN_BASE_IMAGES.entries()) {
            assert.equal(imagePatternError(fact.match), undefined, `entry ${i}`);
            assert.ok(!fact.match.startsWith("!"), `entry ${i}: exclusions make no sense in facts`);
            if (fact.user !== undefined) assert.equal(typeof fact.user, "string", `entry ${i}`);
            for (const key of ["distroless", "shell"] as const) {
                if (fact[key] !== undefined) assert.equal(typeof fact[key], "boolean", `entry ${i}.${key}`);
            }
            assert.ok(typeof fact.note === "string" && fact.note.length > 10, `entry ${i} needs a note`);
            assert.deepEqual(Object.keys(fact).filter((k) => !["match", "user", "distroless", "shell", "note"].includes(k)), [], `entry ${i}`);
        }
    });
    it("an invalid pattern in extra facts names the option and index", () => {
        assert.throws(() => lookupBaseImage(parseImageReference("alpine"), [{ match: "ok/*" }, { match: "{bad" }]), /baseImages\[1\]\.match: unbalanced/);
        assert.equal(imagePatternError("gcr.io/distroless/*"), undefined);
        assert.match(imagePatternError("") ?? "", /empty/);
    });
    it("a pattern with a character no image reference can contain is refused, naming the pattern", () => {
        assert.match(imagePatternError("Bad Image") ?? "", /image pattern "Bad Image" contains whitespace, which no image reference can contain/);
        assert.match(imagePatternError("gcr.io/distroless/\tstatic") ?? "", /whitespace/, "a tab inside the pattern");
        assert.match(imagePatternError("!alpine:3 .20") ?? "", /"!alpine:3 \.20" contains whitespace/);
        for (const bad of ["alpine;rm", "gcr.io/distroless/static?", "'alpine'", "alp\\ine", "docker.io/library/alpine#1", "alpine:$TAG"]) {
            assert.match(imagePatternError(bad) ?? "", /which no image reference can contain/, bad);
            assert.throws(() => matchesImagePattern(bad, parseImageReference("alpine")), /which no image reference can contain/, bad);
        }
        assert.match(imagePatternError("alpine,debian") ?? "", /"," outside \{\.\.\.\}/);
        assert.throws(() => lookupBaseImage(parseImageReference("alpine"), [{ match: "my image" }]), /baseImages\[0\]\.match: image pattern "my image" contains whitespace/);
        // every character a reference can hold stays valid, IPv6 registries and digests included
        for (const good of ["[::1]:5000/app:1", `gcr.io/distroless/static:nonroot@${SHA}`, "Registry.Example.com/team_a/app-x.y:V1.2_3", " alpine ", "! alpine", "{a,b}/c*"]) {
            assert.equal(imagePatternError(good), undefined, good);
        }
    });
});
