import { strict as assert } from "assert";
import fc from "fast-check";
import {
    evaluateLifecyclePolicy,
    expireUntaggedAfterDays,
    keepNewestTagged,
    LifecyclePolicy,
    LifecycleRule,
    LifecycleValidationError,
    parseLifecyclePolicy,
    protectTag,
    serializeLifecyclePolicy,
    tagMayExpire,
    validateLifecyclePolicy,
} from "../../lifecycle/index";
import { ageRule, countRule, image, NOW } from "./fixtures";

const anyRule = (priority: number, countNumber = 5): LifecycleRule => ({
    rulePriority: priority,
    selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber },
    action: { type: "expire" },
});

describe("lifecycle serialisation", () => {
    it("sorts rules by priority and writes keys in AWS template order", () => {
        const policy: LifecyclePolicy = {
            rules: [
                anyRule(30),
                { action: { type: "expire" }, selection: { countNumber: 3, countType: "imageCountMoreThan", tagPrefixList: ["v"], tagStatus: "tagged" }, rulePriority: 2 } as LifecycleRule,
                { description: "untagged", rulePriority: 7, action: { type: "expire" }, selection: { countNumber: 14, countUnit: "days", countType: "sinceImagePushed", tagStatus: "untagged" } } as LifecycleRule,
            ],
        };
        assert.equal(
            serializeLifecyclePolicy(policy),
            '{"rules":[' +
                '{"rulePriority":2,"selection":{"tagStatus":"tagged","tagPrefixList":["v"],"countType":"imageCountMoreThan","countNumber":3},"action":{"type":"expire"}},' +
                '{"rulePriority":7,"description":"untagged","selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}},' +
                '{"rulePriority":30,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}}]}',
        );
    });

    it("gives the same text for the same policy in any rule order, and round-trips", () => {
        const rules = [protectTag("cache"), keepNewestTagged({ tagPatternList: ["v*"], count: 5 }), expireUntaggedAfterDays(7), anyRule(99)];
        const text = serializeLifecyclePolicy({ rules });
        assert.equal(serializeLifecyclePolicy({ rules: [...rules].reverse() }), text);
        assert.equal(serializeLifecyclePolicy(parseLifecyclePolicy(text)), text);
        assert.deepEqual(validateLifecyclePolicy(text), []);
        assert.ok(!text.includes("undefined") && !text.includes("null"));
    });

    it("keeps archive fields", () => {
        const text = serializeLifecyclePolicy({
            rules: [
                { rulePriority: 2, selection: { tagStatus: "any", storageClass: "archive", countType: "sinceImageTransitioned", countUnit: "days", countNumber: 365 }, action: { type: "expire" } },
                { rulePriority: 1, selection: { tagStatus: "any", countType: "sinceImagePulled", countUnit: "days", countNumber: 90 }, action: { type: "transition", targetStorageClass: "archive" } },
            ],
        });
        assert.match(text, /^\{"rules":\[\{"rulePriority":1,.*"action":\{"type":"transition","targetStorageClass":"archive"\}\},\{"rulePriority":2,"selection":\{"tagStatus":"any","storageClass":"archive",/);
    });
});

describe("lifecycle rule helpers", () => {
    it("keepNewestTagged keeps N images by prefix or pattern", () => {
        assert.deepEqual(keepNewestTagged({ tagPrefixList: ["release-"], count: 20, priority: 3 }), {
            rulePriority: 3,
            description: "Keep the newest 20 images tagged release-",
            selection: { tagStatus: "tagged", tagPrefixList: ["release-"], countType: "imageCountMoreThan", countNumber: 20 },
            action: { type: "expire" },
        });
        assert.deepEqual(keepNewestTagged({ tagPatternList: ["v*", "*-signed"], count: 2 }).selection.tagPatternList, ["v*", "*-signed"]);
    });

    it("keepNewestTagged refuses bad arguments with their names", () => {
        assert.throws(() => keepNewestTagged({ tagPrefixList: ["a"], tagPatternList: ["b*"], count: 1 }), /give exactly one of them/);
        assert.throws(() => keepNewestTagged({ count: 1 }), /give exactly one of them/);
        assert.throws(() => keepNewestTagged({ tagPrefixList: ["a"], count: 0 }), /count: must be a positive integer, got 0/);
        assert.throws(() => keepNewestTagged({ tagPatternList: ["a*****"], count: 1 }), (err: unknown) => err instanceof LifecycleValidationError && /at most 4 wildcards/.test(err.message));
    });

    it("expireUntaggedAfterDays expires untagged images by push age", () => {
        assert.deepEqual(expireUntaggedAfterDays(14, 5), {
            rulePriority: 5,
            description: "Expire untagged images older than 14 days",
            selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 14 },
            action: { type: "expire" },
        });
        assert.throws(() => expireUntaggedAfterDays(0), /days: must be a positive integer/);
        assert.throws(() => expireUntaggedAfterDays(3, -1), /priority: must be a positive integer/);
    });

    it("protectTag selects exactly one tag and never acts on it", () => {
        const rule = protectTag("buildcache");
        assert.equal(rule.rulePriority, 1);
        assert.deepEqual(rule.selection, { tagStatus: "tagged", tagPatternList: ["buildcache"], countType: "imageCountMoreThan", countNumber: 1 });
        assert.throws(() => protectTag("cache-*"), /tag: must be a literal image tag/);
        assert.throws(() => protectTag(""), /tag: must be a literal image tag/);
    });

    it("protectTag shields the cached image from every lower-priority rule in evaluation", () => {
        const policy = { rules: [protectTag("buildcache"), ageRule(2, { tagPatternList: ["build*"] }, 1), anyRule(3, 1)] };
        const images = [image("cache", ["buildcache"], 500), image("b1", ["build-1"], 400), image("x", ["x"], 300), image("y", ["y"], 200)];
        const gone = evaluateLifecyclePolicy(policy, images, NOW).previewResults.map((r) => r.imageTags[0]);
        assert.deepEqual(gone.sort(), ["build-1", "x"]);
    });
});

describe("tagMayExpire", () => {
    it("reports the cache tag protected by protectTag ahead of an any rule", () => {
        const result = tagMayExpire({ rules: [protectTag("buildcache"), keepNewestTagged({ tagPatternList: ["v*"], count: 3 }), anyRule(50)] }, "buildcache");
        assert.equal(result.expires, false);
        assert.equal(result.rulePriority, 1);
        assert.match(result.reason, /rule 1 selects every image tagged "buildcache" and never acts on it/);
    });

    it("reports exposure to an any rule", () => {
        const result = tagMayExpire({ rules: [expireUntaggedAfterDays(7, 1), anyRule(50)] }, "buildcache");
        assert.deepEqual({ expires: result.expires, rulePriority: result.rulePriority }, { expires: true, rulePriority: 50 });
        assert.match(result.reason, /tagStatus "any"/);
    });

    it("reports exposure to a higher-priority rule that selects the tag, even with protectTag below it", () => {
        const result = tagMayExpire({ rules: [keepNewestTagged({ tagPrefixList: ["build"], count: 3, priority: 1 }), protectTag("buildcache", 2)] }, "buildcache");
        assert.deepEqual({ expires: result.expires, rulePriority: result.rulePriority }, { expires: true, rulePriority: 1 });
    });

    it("reports exposure to a rule the image may match through other tags it carries", () => {
        const result = tagMayExpire({ rules: [countRule(4, { tagPatternList: ["build*", "*-old"] }, 2)] }, "buildcache");
        assert.equal(result.expires, true);
        assert.match(result.reason, /also carries tags matching \["\*-old"\]/);
    });

    it("counts transitions as exposure", () => {
        const result = tagMayExpire(
            { rules: [{ rulePriority: 1, selection: { tagStatus: "any", countType: "sinceImagePulled", countUnit: "days", countNumber: 90 }, action: { type: "transition", targetStorageClass: "archive" } }] },
            "buildcache",
        );
        assert.equal(result.expires, true);
        assert.match(result.reason, /transition it to archive/);
    });

    it("reports no exposure when only untagged or archive rules exist", () => {
        const result = tagMayExpire(
            {
                rules: [
                    expireUntaggedAfterDays(7, 1),
                    { rulePriority: 2, selection: { tagStatus: "any", storageClass: "archive", countType: "sinceImageTransitioned", countUnit: "days", countNumber: 90 }, action: { type: "expire" } },
                ],
            },
            "buildcache",
        );
        assert.deepEqual(result, { expires: false, reason: 'no rule can act on an image tagged "buildcache"' });
    });

    it("refuses an invalid policy and an empty tag", () => {
        assert.throws(() => tagMayExpire({ rules: [] }, "x"), LifecycleValidationError);
        assert.throws(() => tagMayExpire({ rules: [anyRule(1)] }, ""), RangeError);
    });

    it("never says 'safe' for a tag the evaluator expires (property)", () => {
        const tagArb = fc.constantFrom("buildcache", "v1", "v2", "v10", "build-1", "build-2", "x-old", "rc-old", "latest");
        const ruleArb = fc.oneof(
            fc.record({ kind: fc.constant("protect"), tag: tagArb }),
            fc.record({ kind: fc.constant("keep"), patterns: fc.uniqueArray(fc.constantFrom("v*", "build*", "*-old", "latest", "buildcache"), { minLength: 1, maxLength: 2 }), count: fc.integer({ min: 1, max: 3 }) }),
            fc.record({ kind: fc.constant("age"), prefixes: fc.uniqueArray(fc.constantFrom("v", "build", "x", "rc"), { minLength: 1, maxLength: 2 }), days: fc.integer({ min: 1, max: 60 }) }),
        );
        let checkedTags = 0;
        const imageArb = fc.record({ tags: fc.uniqueArray(tagArb, { maxLength: 3 }), age: fc.integer({ min: 0, max: 120 }) });
        fc.assert(
            fc.property(fc.array(ruleArb, { minLength: 1, maxLength: 5 }), fc.boolean(), fc.array(imageArb, { maxLength: 12 }), (specs, withAny, imageSpecs) => {
                const rules: LifecycleRule[] = specs.map((spec, i) => {
                    if (spec.kind === "protect") return protectTag(spec.tag, i + 1);
                    if (spec.kind === "keep") return keepNewestTagged({ tagPatternList: spec.patterns, count: spec.count, priority: i + 1 });
                    return ageRule(i + 1, { tagPrefixList: spec.prefixes }, spec.days);
                });
                if (withAny) rules.push(anyRule(100, 2));
                const policy = { rules };
                fc.pre(validateLifecyclePolicy(policy).length === 0);
                // A tag names one image at a time in ECR.
                const seen = new Set<string>();
                const images = imageSpecs.map((spec, i) => image(`img${i}`, spec.tags.filter((t) => !seen.has(t) && seen.add(t)), spec.age));
                const acted = evaluateLifecyclePolicy(policy, images, NOW).previewResults;
                for (const result of acted) {
                    for (const tag of result.imageTags) {
                        assert.equal(tagMayExpire(policy, tag).expires, true, `${tag} was expired by rule ${result.appliedRulePriority}`);
                        checkedTags++;
                    }
                }
            }),
            { numRuns: 300, seed: 20260301 },
        );
        assert.ok(checkedTags > 100, `the property only saw ${checkedTags} expired tags`);
    });
});
