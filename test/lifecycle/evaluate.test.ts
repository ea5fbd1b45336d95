import { strict as assert } from "assert";
import fc from "fast-check";
import {
    evaluateLifecyclePolicy,
    evaluateLifecyclePolicyDetailed,
    ImageDetail,
    ImageListError,
    LifecyclePolicy,
    LifecycleRule,
    LifecycleValidationError,
    parseImageDetails,
} from "../../lifecycle/index";
import { compilePattern, compilePrefix, tagsSatisfy } from "../../lifecycle/matchers";
import { ageRule, countRule, daysAgo, digestOf, image, nameOf, NOW } from "./fixtures";

/** "name:RULE:ACTION" for each preview result, in preview order. */
function outcome(policy: LifecyclePolicy, images: ImageDetail[], now = NOW): string[] {
    return evaluateLifecyclePolicy(policy, images, now).previewResults.map((r) => `${nameOf(r.imageDigest)}:${r.appliedRulePriority}:${r.action.type}`);
}

function expired(policy: LifecyclePolicy, images: ImageDetail[], now = NOW): string[] {
    return evaluateLifecyclePolicy(policy, images, now)
        .previewResults.map((r) => nameOf(r.imageDigest))
        .sort();
}

const untagged = (priority: number, selection: Partial<LifecycleRule["selection"]>): LifecycleRule => ({
    rulePriority: priority,
    selection: { tagStatus: "untagged", countType: "imageCountMoreThan", countNumber: 1, ...selection } as LifecycleRule["selection"],
    action: { type: "expire" },
});

describe("lifecycle evaluation", () => {
    describe("AWS 'Examples of lifecycle policies', exactly as documented", () => {
        const repository = [image("A", ["beta-1", "prod-1"], 10), image("B", ["beta-2", "prod-2"], 9), image("C", ["beta-3"], 8)];

        it("Filtering on multiple rules, Example A: only Image A is expired", () => {
            const policy = { rules: [countRule(1, { tagPatternList: ["prod*"] }, 1), countRule(2, { tagPatternList: ["beta*"] }, 1)] };
            // Rule 2 would mark A and B, but B matched rule 1's tags, so rule 2 may not expire it.
            assert.deepEqual(outcome(policy, repository), ["A:1:EXPIRE"]);
        });

        it("Filtering on multiple rules, Example B: Images A and B are expired", () => {
            const policy = { rules: [countRule(1, { tagPatternList: ["beta*"] }, 1), countRule(2, { tagPatternList: ["prod*"] }, 1)] };
            assert.deepEqual(outcome(policy, repository), ["A:1:EXPIRE", "B:1:EXPIRE"]);
        });

        it("Filtering on image age: prod* images older than 14 days", () => {
            const policy = { rules: [ageRule(1, { tagPatternList: ["prod*"] }, 14)] };
            const images = [image("old", ["prod-1"], 20), image("new", ["prod-2"], 3), image("dev", ["dev-1"], 30)];
            assert.deepEqual(expired(policy, images), ["old"]);
        });

        it("Filtering on image count: keep only one untagged image", () => {
            const policy = { rules: [untagged(1, { countType: "imageCountMoreThan", countNumber: 1 })] };
            const images = [image("u1", [], 3), image("u2", [], 2), image("u3", [], 1), image("t", ["v1"], 5)];
            assert.deepEqual(expired(policy, images), ["u1", "u2"]);
        });

        it("Multiple tags in a single rule, Example A: images must match all patterns (Image C)", () => {
            const policy = { rules: [ageRule(1, { tagPatternList: ["alpha*", "beta*"] }, 5)] };
            const images = [
                image("A", ["alpha-1"], 12),
                image("B", ["beta-1"], 11),
                image("C", ["alpha-2", "beta-2"], 10),
                image("D", ["alpha-3"], 4),
                image("E", ["beta-3"], 3),
                image("F", ["alpha-4", "beta-4"], 2),
            ];
            assert.deepEqual(expired(policy, images), ["C"]);
        });

        it("Multiple tags in a single rule, Example B: tags are not exclusive (Images A and B)", () => {
            const policy = { rules: [countRule(1, { tagPatternList: ["alpha*", "beta*"] }, 1)] };
            const images = [image("A", ["alpha-1", "beta-1", "gamma-1"], 10), image("B", ["alpha-2", "beta-2"], 9), image("C", ["alpha-3", "beta-3", "gamma-2"], 8)];
            assert.deepEqual(expired(policy, images), ["A", "B"]);
        });

        it("Filtering on all images, Example A: any keeps one (Images A, B and C)", () => {
            const policy = { rules: [{ rulePriority: 1, selection: { tagStatus: "any" as const, countType: "imageCountMoreThan" as const, countNumber: 1 }, action: { type: "expire" as const } }] };
            const images = [image("A", ["alpha-1"], 4), image("B", ["beta-1"], 3), image("C", [], 2), image("D", ["alpha-2"], 1)];
            assert.deepEqual(expired(policy, images), ["A", "B", "C"]);
        });

        it("Filtering on all images, Example B: untagged and any rules together (Images A, B and D)", () => {
            const policy = {
                rules: [
                    countRule(1, { tagPatternList: ["alpha*"] }, 1),
                    { rulePriority: 2, selection: { tagStatus: "untagged" as const, countType: "sinceImagePushed" as const, countUnit: "days" as const, countNumber: 1 }, action: { type: "expire" as const } },
                    { rulePriority: 3, selection: { tagStatus: "any" as const, countType: "imageCountMoreThan" as const, countNumber: 1 }, action: { type: "expire" as const } },
                ],
            };
            // D and E were both pushed "1 day ago"; the documented result keeps E, so E is the newer one.
            const images = [
                image("A", ["alpha-1", "beta-1"], 4),
                image("B", [], 3),
                image("C", ["alpha-2"], 2),
                image("D", ["git hash"], 1 + 1 / 1440),
                image("E", [], 1),
            ];
            assert.deepEqual(outcome(policy, images), ["A:1:EXPIRE", "B:2:EXPIRE", "D:3:EXPIRE"]);
        });
    });

    describe("tag matching", () => {
        it("matches * against any run of characters, anchored at both ends", () => {
            const prod = compilePattern("prod*");
            for (const tag of ["prod", "prod1", "production-team1"]) assert.ok(prod(tag), tag);
            for (const tag of ["xprod", "pro", "PROD"]) assert.ok(!prod(tag), tag);
            const contains = compilePattern("*prod*");
            for (const tag of ["repo-production", "prod-team", "prod"]) assert.ok(contains(tag), tag);
            assert.ok(!contains("pr-od"));
            const suffix = compilePattern("*-rc");
            assert.ok(suffix("v1-rc") && !suffix("v1-rc1"));
            const exact = compilePattern("latest");
            assert.ok(exact("latest") && !exact("latest2") && !exact("xlatest"));
            const middle = compilePattern("v*-*-rc*");
            assert.ok(middle("v1-2-rc3") && middle("v--rc") && !middle("v1-rc") && !middle("x1-2-rc3"));
            const overlapping = compilePattern("ab*ba");
            assert.ok(overlapping("abba") && overlapping("ab-ba") && !overlapping("aba"));
        });

        it("treats regex metacharacters in patterns and prefixes literally", () => {
            assert.ok(compilePattern("v1.2*")("v1.2.3") && !compilePattern("v1.2*")("v1x2"));
            assert.ok(compilePrefix("a+b")("a+b-1") && !compilePrefix("a+b")("aab"));
            assert.ok(compilePrefix("rel*")("rel*x") && !compilePrefix("rel*")("release"));
        });

        it("requires every list entry to match some tag of the image (AND), each against any tag", () => {
            const tests = ["alpha", "beta"].map(compilePrefix);
            assert.ok(tagsSatisfy(tests, ["beta-1", "alpha-1"]));
            assert.ok(!tagsSatisfy(tests, ["alpha-1", "alpha-2"]));
            assert.ok(!tagsSatisfy(tests, []));
        });

        it("selects by prefix list the same way through the evaluator", () => {
            const policy = { rules: [countRule(1, { tagPrefixList: ["release-", "signed"] }, 1)] };
            const images = [image("a", ["release-1", "signed"], 5), image("b", ["release-2"], 4), image("c", ["release-3", "signed-ok"], 3)];
            assert.deepEqual(expired(policy, images), ["a"]);
        });

        it("finds matches whatever literal head the index picks, including lists that start with *", () => {
            const images = [image("a", ["svc-1-rc1"], 5), image("b", ["svc-2"], 4), image("c", ["svc-3-rc2"], 3), image("d", ["x-rc9"], 2)];
            assert.deepEqual(expired({ rules: [countRule(1, { tagPatternList: ["*-rc*"] }, 1)] }, images), ["a", "c"]);
            assert.deepEqual(expired({ rules: [countRule(1, { tagPatternList: ["*-rc*", "svc-*"] }, 1)] }, images), ["a"]);
        });
    });

    describe("priorities, counts and ages", () => {
        it("gives each image to the first rule selecting it, even when that rule keeps it", () => {
            const policy = { rules: [countRule(1, { tagPrefixList: ["keep"] }, 10), ageRule(2, { tagPrefixList: ["k"] }, 1)] };
            const images = [image("kept", ["keep-1"], 100), image("old", ["k-1"], 100)];
            assert.deepEqual(outcome(policy, images), ["old:2:EXPIRE"]);
        });

        it("counts images newest first by push time, whatever the input order", () => {
            const images = [image("mid", ["a-2"], 5), image("newest", ["a-3"], 1), image("oldest", ["a-1"], 9)];
            const policy = { rules: [countRule(1, { tagPrefixList: ["a-"] }, 1)] };
            assert.deepEqual(expired(policy, images), ["mid", "oldest"]);
            assert.deepEqual(expired(policy, [...images].reverse()), ["mid", "oldest"]);
        });

        it("breaks push-time ties by digest, so the result does not depend on input order", () => {
            const same = [image("p", ["a-1"], 2), image("q", ["a-2"], 2)];
            const policy = { rules: [countRule(1, { tagPrefixList: ["a-"] }, 1)] };
            assert.deepEqual(expired(policy, same), ["p"]);
            assert.deepEqual(expired(policy, [...same].reverse()), ["p"]);
        });

        it("keeps exactly the newest images, ties by larger digest, for any push times (property)", () => {
            const anyKeep = (n: number): LifecyclePolicy => ({ rules: [{ rulePriority: 1, selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: n }, action: { type: "expire" } }] });
            fc.assert(
                fc.property(
                    // Few distinct times force ties; fractional seconds and far-apart dates take the comparator path.
                    fc.array(fc.record({ time: fc.oneof(fc.integer({ min: 0, max: 5 }).map((d) => 1_700_000_000 + d * 3600), fc.double({ min: 0, max: 4e9, noNaN: true })), name: fc.string({ minLength: 1, maxLength: 6 }) }), { maxLength: 40 }),
                    fc.integer({ min: 1, max: 10 }),
                    (specs, keep) => {
                        const unique = [...new Map(specs.map((s) => [s.name, s])).values()];
                        const images = unique.map((s) => ({ imageDigest: digestOf(s.name), imageTags: [], imagePushedAt: s.time }));
                        const expected = [...images]
                            .sort((a, b) => b.imagePushedAt - a.imagePushedAt || (a.imageDigest < b.imageDigest ? 1 : a.imageDigest > b.imageDigest ? -1 : 0))
                            .slice(keep)
                            .map((i) => i.imageDigest)
                            .sort();
                        const actual = evaluateLifecyclePolicy(anyKeep(keep), images, NOW).previewResults.map((r) => r.imageDigest).sort();
                        assert.deepEqual(actual, expected);
                    },
                ),
                { numRuns: 300, seed: 7 },
            );
        });

        it("expires only images strictly older than countNumber days", () => {
            const policy = { rules: [ageRule(1, { tagPrefixList: ["a"] }, 14)] };
            const images = [image("exact", ["a1"], 14), image("older", ["a2"], 14 + 1 / 86_400_000)];
            assert.deepEqual(expired(policy, images), ["older"]);
        });

        it("lists results by rule, oldest first, with the AWS summary", () => {
            const policy = { rules: [countRule(1, { tagPrefixList: ["b"] }, 1), untagged(2, { countNumber: 1 })] };
            const images = [image("u1", [], 3), image("b1", ["b1"], 5), image("u2", [], 8), image("b2", ["b2"], 7), image("b3", ["b3"], 1)];
            const preview = evaluateLifecyclePolicy(policy, images, NOW);
            assert.deepEqual(
                preview.previewResults.map((r) => `${nameOf(r.imageDigest)}:${r.appliedRulePriority}`),
                ["b2:1", "b1:1", "u2:2"],
            );
            assert.deepEqual(preview.summary, { expiringImageTotalCount: 3 });
            const first = preview.previewResults[0];
            assert.deepEqual(first, {
                imageTags: ["b2"],
                imageDigest: digestOf("b2"),
                imagePushedAt: daysAgo(7),
                action: { type: "EXPIRE" },
                appliedRulePriority: 1,
                storageClass: "STANDARD",
            });
        });

        it("refuses an invalid policy, an invalid `now` and duplicate or undated images", () => {
            assert.throws(() => evaluateLifecyclePolicy({ rules: [countRule(1, {}, 1)] }, [], NOW), LifecycleValidationError);
            assert.throws(() => evaluateLifecyclePolicy({ rules: [countRule(1, { tagPrefixList: ["a"] }, 1)] }, [], new Date("nope")), RangeError);
            assert.throws(() => evaluateLifecyclePolicy({ rules: [countRule(1, { tagPrefixList: ["a"] }, 1)] }, [image("x", [], 1), image("x", [], 2)], NOW), /duplicate imageDigest/);
            assert.throws(
                () => evaluateLifecyclePolicy({ rules: [countRule(1, { tagPrefixList: ["a"] }, 1)] }, [{ imageDigest: "sha256:1", imagePushedAt: "last tuesday" }], NOW),
                (err: unknown) => err instanceof ImageListError && /imageDetails\[0\] \(sha256:1\)\.imagePushedAt: not a valid timestamp/.test(err.message),
            );
            assert.throws(
                () => evaluateLifecyclePolicy({ rules: [countRule(1, { tagPrefixList: ["a"] }, 1)] }, [{ imageDigest: "sha256:2" } as ImageDetail], NOW),
                /imageDetails\[0\] \(sha256:2\): imagePushedAt is required/,
            );
        });
    });

    describe("archive storage", () => {
        const transitionOld: LifecycleRule = {
            rulePriority: 1,
            selection: { tagStatus: "any", countType: "sinceImagePushed", countUnit: "days", countNumber: 30 },
            action: { type: "transition", targetStorageClass: "archive" },
        };
        const expireArchived: LifecycleRule = {
            rulePriority: 2,
            selection: { tagStatus: "any", storageClass: "archive", countType: "sinceImageTransitioned", countUnit: "days", countNumber: 365 },
            action: { type: "expire" },
        };

        it("transitions standard images and expires long-archived ones (AWS 'Combining archive and expire rules')", () => {
            const images = [
                image("fresh", ["v3"], 10),
                image("stale", ["v2"], 40),
                image("archived-long", ["v1"], 800, { imageStatus: "ARCHIVED", lastArchivedAt: daysAgo(400) }),
                image("archived-recent", ["v0"], 800, { imageStatus: "ARCHIVED", lastArchivedAt: daysAgo(100) }),
            ];
            const preview = evaluateLifecyclePolicy({ rules: [transitionOld, expireArchived] }, images, NOW);
            assert.deepEqual(
                preview.previewResults.map((r) => [nameOf(r.imageDigest), r.action, r.storageClass]),
                [
                    ["stale", { type: "TRANSITION", targetStorageClass: "ARCHIVE" }, "STANDARD"],
                    ["archived-long", { type: "EXPIRE" }, "ARCHIVE"],
                ],
            );
            assert.deepEqual(preview.summary, { expiringImageTotalCount: 1, transitioningImageTotalCounts: [{ targetStorageClass: "ARCHIVE", imageTotalCount: 1 }] });
        });

        it("never selects an image being restored (ACTIVATING) or an archived image without lastArchivedAt", () => {
            const images = [image("restoring", ["v1"], 400, { imageStatus: "ACTIVATING" }), image("undated", ["v2"], 400, { imageStatus: "ARCHIVED" })];
            assert.deepEqual(outcome({ rules: [transitionOld, expireArchived] }, images), []);
        });

        it("measures sinceImagePulled from the last pull, else the push, else the last restore", () => {
            const rule: LifecycleRule = {
                rulePriority: 1,
                selection: { tagStatus: "any", countType: "sinceImagePulled", countUnit: "days", countNumber: 90 },
                action: { type: "transition", targetStorageClass: "archive" },
            };
            const images = [
                image("pulled-recently", ["a"], 200, { lastRecordedPullTime: daysAgo(10) }),
                image("pulled-long-ago", ["b"], 200, { lastRecordedPullTime: daysAgo(120) }),
                image("never-pulled-old", ["c"], 200),
                image("never-pulled-new", ["d"], 30),
                image("restored-not-pulled", ["e"], 200, { lastRecordedPullTime: daysAgo(150), lastActivatedAt: daysAgo(5) }),
            ];
            assert.deepEqual(expired({ rules: [rule] }, images), ["never-pulled-old", "pulled-long-ago"]);
        });

        it("counts a restored image's age from its last restore", () => {
            const images = [image("restored", ["a"], 200, { lastActivatedAt: daysAgo(5) }), image("old", ["b"], 200)];
            assert.deepEqual(expired({ rules: [transitionOld] }, images), ["old"]);
        });

        it("omits transitioningImageTotalCounts when nothing transitions", () => {
            const preview = evaluateLifecyclePolicy({ rules: [transitionOld] }, [image("new", ["a"], 1)], NOW);
            assert.deepEqual(preview, { previewResults: [], summary: { expiringImageTotalCount: 0 } });
        });
    });

    describe("manifest lists and reference artifacts", () => {
        const INDEX = "application/vnd.oci.image.index.v1+json";
        const expireUntagged = { rules: [{ ...untagged(1, {}), selection: { tagStatus: "untagged" as const, countType: "sinceImagePushed" as const, countUnit: "days" as const, countNumber: 7 } }] };

        it("keeps images a manifest list references and expires the orphans", () => {
            const images = [
                image("index", ["v1"], 100, { imageManifestMediaType: INDEX, childManifestDigests: [digestOf("amd64"), digestOf("arm64")] }),
                image("amd64", [], 100),
                image("arm64", [], 100),
                image("orphan", [], 100),
            ];
            const { preview, heldBack } = evaluateLifecyclePolicyDetailed(expireUntagged, images, NOW);
            assert.deepEqual(preview.previewResults.map((r) => nameOf(r.imageDigest)), ["orphan"]);
            assert.deepEqual(heldBack.map((h) => [nameOf(h.imageDigest), h.appliedRulePriority, h.reason]), [
                ["amd64", 1, `referenced by manifest list ${digestOf("index")}`],
                ["arm64", 1, `referenced by manifest list ${digestOf("index")}`],
            ]);
        });

        it("keeps children even when the list itself expires in the same evaluation", () => {
            const policy = { rules: [countRule(1, { tagPrefixList: ["v"] }, 1), { ...expireUntagged.rules[0], rulePriority: 2 }] };
            const images = [
                image("old-index", ["v1"], 100, { imageManifestMediaType: "application/vnd.docker.distribution.manifest.list.v2+json", childManifestDigests: [digestOf("child")] }),
                image("new-index", ["v2"], 1, { imageManifestMediaType: INDEX, childManifestDigests: [] }),
                image("child", [], 100),
            ];
            assert.deepEqual(outcome(policy, images), ["old-index:1:EXPIRE"]);
        });

        it("without childManifestDigests, keeps every untagged single-platform image (fail safe)", () => {
            const images = [image("index", ["v1"], 100, { imageManifestMediaType: INDEX }), image("maybe-child", [], 100), image("other", [], 50)];
            const { preview, heldBack } = evaluateLifecyclePolicyDetailed(expireUntagged, images, NOW);
            assert.deepEqual(preview.previewResults, []);
            assert.deepEqual(heldBack.map((h) => nameOf(h.imageDigest)), ["maybe-child", "other"]);
            assert.match(heldBack[0].reason, /childManifestDigests are unknown/);
        });

        it("lets reference artifacts follow their subject instead of being selected themselves", () => {
            const policy = { rules: [countRule(1, { tagPrefixList: ["v"] }, 1), { ...untagged(2, { countNumber: 1 }) }] };
            const images = [
                image("v1", ["v1"], 10),
                image("v2", ["v2"], 5),
                image("sig-v1", [], 9, { subjectManifestDigest: digestOf("v1") }),
                image("sig-v2", [], 1, { subjectManifestDigest: digestOf("v2") }),
                image("loose", [], 4),
                image("dangling-sig", [], 20, { subjectManifestDigest: digestOf("gone") }),
            ];
            // The signatures are not counted by the untagged rule: "loose" is the newest untagged image it sees.
            assert.deepEqual(outcome(policy, images), ["v1:1:EXPIRE", "sig-v1:1:EXPIRE", "dangling-sig:2:EXPIRE"]);
        });
        it("lets an artifact of an artifact follow the image, and evaluates artifact cycles on their own", () => {
            const policy = { rules: [countRule(1, { tagPrefixList: ["v"] }, 1), { ...untagged(2, { countNumber: 1 }) }] };
            const images = [
                image("v1", ["v1"], 10),
                image("v2", ["v2"], 5),
                image("sbom-v1", [], 9, { subjectManifestDigest: digestOf("v1") }),
                image("sig-sbom-v1", [], 8, { subjectManifestDigest: digestOf("sbom-v1") }),
                image("loop-a", [], 30, { subjectManifestDigest: digestOf("loop-b") }),
                image("loop-b", [], 20, { subjectManifestDigest: digestOf("loop-a") }),
            ];
            assert.deepEqual(outcome(policy, images), ["v1:1:EXPIRE", "sbom-v1:1:EXPIRE", "sig-sbom-v1:1:EXPIRE", "loop-a:2:EXPIRE"]);
        });
    });


    describe("parseImageDetails", () => {
        it("reads AWS CLI v2 (ISO-8601) and v1 (epoch seconds) timestamps and keeps unknown fields", () => {
            const images = parseImageDetails({
                imageDetails: [
                    { imageDigest: "sha256:1", imageTags: ["a"], imagePushedAt: "2026-01-10T00:00:00+00:00", imageSizeInBytes: 10, registryId: "123456789012" },
                    { imageDigest: "sha256:2", imagePushedAt: 1768003200.5 },
                ],
                nextToken: "x",
            });
            assert.equal(images.length, 2);
            assert.equal(images[0].imageSizeInBytes, 10);
            const preview = evaluateLifecyclePolicy({ rules: [{ rulePriority: 1, selection: { tagStatus: "any", countType: "sinceImagePushed", countUnit: "days", countNumber: 1 }, action: { type: "expire" } }] }, images, NOW);
            assert.deepEqual(preview.previewResults.map((r) => r.imagePushedAt), ["2026-01-10T00:00:00.000Z", "2026-01-10T00:00:00.500Z"]);
        });

        it("names the source and the entry for bad input", () => {
            assert.throws(() => parseImageDetails([], "images.json"), /^ImageListError: images\.json: expected the output of `aws ecr describe-images/);
            assert.throws(() => parseImageDetails({ imageDetails: [{ imageDigest: "sha256:1" }] }, "images.json"), /images\.json: invalid image list:\n {2}- imageDetails\[0\]\.imagePushedAt/);
            assert.throws(() => parseImageDetails({ imageDetails: [{ imageDigest: "sha256:1", imagePushedAt: "soon" }] }, "images.json"), /imageDetails\[0\]\.imagePushedAt: not a valid timestamp/);
            assert.throws(() => parseImageDetails({ imageDetails: [{ imageDigest: "sha256:1", imagePushedAt: 1, imageStatus: "GONE" }] }, "f"), /imageDetails\[0\]\.imageStatus/);
        });
    });
});
