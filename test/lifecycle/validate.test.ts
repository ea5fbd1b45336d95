import { strict as assert } from "assert";
import {
    LifecycleRule,
    LifecycleValidationError,
    MAX_POLICY_TEXT_LENGTH,
    MAX_RULES,
    parseLifecyclePolicy,
    validateLifecyclePolicy,
} from "../../lifecycle/index";
import { ageRule, countRule } from "./fixtures";

function messages(input: unknown): string[] {
    return validateLifecyclePolicy(input).map((issue) => issue.message);
}

function assertValid(input: unknown): void {
    assert.deepEqual(messages(input), []);
}

/** Exactly one issue, on `field`, whose message contains `fragment`. */
function assertOnlyIssue(input: unknown, field: string, fragment: string): void {
    const issues = validateLifecyclePolicy(input);
    assert.equal(issues.length, 1, `expected one issue, got ${JSON.stringify(issues.map((i) => i.message))}`);
    assert.equal(issues[0].field, field);
    assert.ok(issues[0].message.startsWith(`${field}: `), issues[0].message);
    assert.ok(issues[0].message.includes(fragment), `"${issues[0].message}" lacks "${fragment}"`);
}

const untaggedRule = (priority: number, days = 14): LifecycleRule => ({
    rulePriority: priority,
    selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: days },
    action: { type: "expire" },
});
const anyRule = (priority: number): LifecycleRule => ({
    rulePriority: priority,
    selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 100 },
    action: { type: "expire" },
});
const archiveExpiry = (priority: number, selection: Partial<LifecycleRule["selection"]> = { tagStatus: "any" }, days = 365): LifecycleRule => ({
    rulePriority: priority,
    selection: { tagStatus: "any", ...selection, storageClass: "archive", countType: "sinceImageTransitioned", countUnit: "days", countNumber: days } as LifecycleRule["selection"],
    action: { type: "expire" },
});
const transitionRule = (priority: number, selection: Partial<LifecycleRule["selection"]>): LifecycleRule => ({
    rulePriority: priority,
    selection: { tagStatus: "any", countType: "sinceImagePushed", countUnit: "days", countNumber: 30, ...selection } as LifecycleRule["selection"],
    action: { type: "transition", targetStorageClass: "archive" },
});

describe("lifecycle validation", () => {
    describe("rule priorities", () => {
        it("accepts unique, non-sequential positive priorities", () => {
            assertValid({ rules: [countRule(3, { tagPrefixList: ["a"] }, 1), countRule(10, { tagPrefixList: ["b"] }, 1)] });
        });
        it("refuses a repeated priority, naming the later rule", () => {
            assertOnlyIssue({ rules: [countRule(1, { tagPrefixList: ["a"] }, 1), countRule(1, { tagPrefixList: ["b"] }, 1)] }, "rules[1].rulePriority", "already used by rules[0]");
        });
        it("refuses 0, fractions and strings", () => {
            assertOnlyIssue({ rules: [countRule(0, { tagPrefixList: ["a"] }, 1)] }, "rules[0].rulePriority", "positive integer");
            assertOnlyIssue({ rules: [countRule(1.5, { tagPrefixList: ["a"] }, 1)] }, "rules[0].rulePriority", "integer");
            assertOnlyIssue({ rules: [{ ...countRule(1, { tagPrefixList: ["a"] }, 1), rulePriority: "1" }] }, "rules[0].rulePriority", "must be a number");
        });
    });

    describe("the any rule", () => {
        it("accepts an any rule with the highest priority", () => {
            assertValid({ rules: [countRule(1, { tagPrefixList: ["a"] }, 1), anyRule(2)] });
        });
        it("refuses an any rule that is not last", () => {
            assertOnlyIssue({ rules: [anyRule(1), countRule(2, { tagPrefixList: ["a"] }, 1)] }, "rules[0].rulePriority", "highest rulePriority");
        });
        it("refuses a second any rule in the same storage class", () => {
            const issues = messages({ rules: [anyRule(1), anyRule(2)] });
            assert.ok(issues.some((m) => m.startsWith("rules[1].selection.tagStatus: only one \"any\" rule")), issues.join("\n"));
        });
        it("accepts AWS's 'Combining archive and expire rules' example: one any rule per storage class", () => {
            assertValid({
                rules: [
                    transitionRule(1, { tagStatus: "any" }),
                    archiveExpiry(2),
                ],
            });
            // The shape the Terraform AWS provider's acceptance test stores in ECR: archive after 90 days unpulled, delete after 365 in archive.
            assertValid({ rules: [transitionRule(1, { tagStatus: "any", countType: "sinceImagePulled", countNumber: 90 }), archiveExpiry(2)] });
        });
        it("refuses a second any rule in the archive class, and an archive rule after the archive any rule", () => {
            assertOnlyIssue({ rules: [archiveExpiry(1), archiveExpiry(2)] }, "rules[1].selection.tagStatus", 'only one "any" rule per storage class is allowed (archive)');
            assertOnlyIssue(
                { rules: [archiveExpiry(1), archiveExpiry(2, { tagStatus: "tagged", tagPatternList: ["v*"] })] },
                "rules[0].rulePriority",
                "highest rulePriority among archive rules, but rules[1] has 2 > 1",
            );
            assertValid({ rules: [archiveExpiry(2), archiveExpiry(1, { tagStatus: "tagged", tagPatternList: ["v*"] })] });
        });
        it("scopes the any rule to its storage class: a standard rule may follow an archive any rule", () => {
            assertValid({ rules: [archiveExpiry(1), countRule(2, { tagPrefixList: ["a"] }, 1)] });
            assertOnlyIssue(
                { rules: [archiveExpiry(1), anyRule(2), countRule(3, { tagPrefixList: ["a"] }, 1)] },
                "rules[1].rulePriority",
                "highest rulePriority among standard rules, but rules[2] has 3 > 2",
            );
        });
    });

    describe("tag status and tag lists", () => {
        it("accepts tagged rules with a prefix list or a pattern list", () => {
            assertValid({ rules: [countRule(1, { tagPrefixList: ["prod"] }, 1)] });
            assertValid({ rules: [countRule(1, { tagPatternList: ["prod*"] }, 1)] });
        });
        it("refuses a tagged rule without a list", () => {
            assertOnlyIssue({ rules: [countRule(1, {}, 1)] }, "rules[0].selection", "requires tagPrefixList or tagPatternList");
        });
        it("refuses lists on untagged and any rules", () => {
            assertOnlyIssue({ rules: [{ ...untaggedRule(1), selection: { ...untaggedRule(1).selection, tagPrefixList: ["a"] } }] }, "rules[0].selection.tagPrefixList", "only allowed when tagStatus is \"tagged\"");
            assertOnlyIssue({ rules: [{ ...anyRule(1), selection: { ...anyRule(1).selection, tagPatternList: ["a*"] } }] }, "rules[0].selection.tagPatternList", "only allowed when tagStatus is \"tagged\"");
        });
        it("refuses both lists in one rule", () => {
            assertOnlyIssue({ rules: [countRule(1, { tagPrefixList: ["a"], tagPatternList: ["b*"] }, 1)] }, "rules[0].selection", "cannot both be set");
        });
        it("refuses empty lists and empty entries", () => {
            assertOnlyIssue({ rules: [countRule(1, { tagPrefixList: [] }, 1)] }, "rules[0].selection.tagPrefixList", "must not be empty");
            assertOnlyIssue({ rules: [countRule(1, { tagPatternList: ["a*", ""] }, 1)] }, "rules[0].selection.tagPatternList[1]", "empty string");
        });
        it("accepts up to four wildcards per pattern and refuses more (AWS's own examples)", () => {
            assertValid({ rules: [countRule(1, { tagPatternList: ["*test*1*2*3", "test*1*2*3*"] }, 1)] });
            assertOnlyIssue({ rules: [countRule(1, { tagPatternList: ["test*1*2*3*4*5*6"] }, 1)] }, "rules[0].selection.tagPatternList[0]", "has 6");
        });
        it("refuses two rules selecting the same tag set in one storage class, in any order", () => {
            assertOnlyIssue(
                { rules: [countRule(1, { tagPrefixList: ["a", "b"] }, 1), ageRule(2, { tagPrefixList: ["b", "a"] }, 5)] },
                "rules[1].selection.tagPrefixList",
                "same tags as rules[0]",
            );
        });
        it("accepts the same tag set in different storage classes", () => {
            assertValid({ rules: [transitionRule(1, { tagStatus: "tagged", tagPatternList: ["*-sha-*"] }), archiveExpiry(2, { tagStatus: "tagged", tagPatternList: ["*-sha-*"] }, 90)] });
        });
        it("allows one untagged rule per storage class", () => {
            assertValid({ rules: [untaggedRule(1), archiveExpiry(2, { tagStatus: "untagged" })] });
            assertOnlyIssue({ rules: [untaggedRule(1), { ...untaggedRule(2), selection: { ...untaggedRule(2).selection, countType: "imageCountMoreThan", countUnit: undefined, countNumber: 3 } }] }, "rules[1].selection.tagStatus", "only one rule per storage class may select untagged");
        });
    });

    describe("count type, unit and number", () => {
        it("requires countUnit for the age-based count types", () => {
            const rule = ageRule(1, { tagPrefixList: ["a"] }, 5);
            delete rule.selection.countUnit;
            assertOnlyIssue({ rules: [rule] }, "rules[0].selection.countUnit", "is required for countType \"sinceImagePushed\"");
        });
        it("refuses countUnit with imageCountMoreThan", () => {
            const rule = countRule(1, { tagPrefixList: ["a"] }, 5);
            rule.selection.countUnit = "days";
            assertOnlyIssue({ rules: [rule] }, "rules[0].selection.countUnit", "not allowed with countType \"imageCountMoreThan\"");
        });
        it("accepts only days as a unit and only the documented count types", () => {
            assertOnlyIssue({ rules: [{ ...ageRule(1, { tagPrefixList: ["a"] }, 5), selection: { ...ageRule(1, { tagPrefixList: ["a"] }, 5).selection, countUnit: "hours" } }] }, "rules[0].selection.countUnit", 'must be one of "days"');
            assertOnlyIssue({ rules: [{ ...countRule(1, { tagPrefixList: ["a"] }, 5), selection: { ...countRule(1, { tagPrefixList: ["a"] }, 5).selection, countType: "imageCountLessThan" } }] }, "rules[0].selection.countType", "must be one of");
        });
        it("refuses countNumber 0 and accepts 1", () => {
            assertOnlyIssue({ rules: [countRule(1, { tagPrefixList: ["a"] }, 0)] }, "rules[0].selection.countNumber", "0 is not accepted");
            assertValid({ rules: [countRule(1, { tagPrefixList: ["a"] }, 1)] });
        });
    });

    describe("storage classes and actions", () => {
        it("requires storageClass archive for sinceImageTransitioned", () => {
            const rule = archiveExpiry(1);
            delete rule.selection.storageClass;
            assertOnlyIssue({ rules: [rule] }, "rules[0].selection.storageClass", "is required");
            assertOnlyIssue({ rules: [{ ...rule, selection: { ...rule.selection, storageClass: "standard" } }] }, "rules[0].selection.storageClass", 'must be "archive"');
        });
        it("refuses storageClass archive with other count types", () => {
            assertOnlyIssue({ rules: [ageRule(1, { tagPrefixList: ["a"], storageClass: "archive" }, 5)] }, "rules[0].selection.storageClass", "only supported with countType \"sinceImageTransitioned\"");
        });
        it("refuses deleting archived images before 90 days in archive", () => {
            assertValid({ rules: [archiveExpiry(1, { tagStatus: "any" }, 90)] });
            assertOnlyIssue({ rules: [archiveExpiry(1, { tagStatus: "any" }, 89)] }, "rules[0].selection.countNumber", "at least 90 days");
        });
        it("requires targetStorageClass for transition and refuses it for expire", () => {
            assertOnlyIssue({ rules: [{ ...transitionRule(1, {}), action: { type: "transition" } }] }, "rules[0].action.targetStorageClass", "is required when action.type is \"transition\"");
            assertOnlyIssue({ rules: [{ ...anyRule(1), action: { type: "expire", targetStorageClass: "archive" } }] }, "rules[0].action.targetStorageClass", "only allowed when action.type is \"transition\"");
            assertOnlyIssue({ rules: [{ ...transitionRule(1, {}), action: { type: "transition", targetStorageClass: "glacier" } }] }, "rules[0].action.targetStorageClass", 'must be one of "archive"');
        });
        it("lets sinceImagePulled only transition and sinceImageTransitioned only expire", () => {
            assertValid({ rules: [transitionRule(1, { countType: "sinceImagePulled" })] });
            assertOnlyIssue({ rules: [{ ...transitionRule(1, { countType: "sinceImagePulled" }), action: { type: "expire" } }] }, "rules[0].action.type", "only supports \"transition\"");
            assertOnlyIssue({ rules: [{ ...archiveExpiry(1), action: { type: "transition", targetStorageClass: "archive" } }] }, "rules[0].action.type", "only supports \"expire\"");
        });
        it("lets imageCountMoreThan and sinceImagePushed both expire and transition", () => {
            assertValid({ rules: [transitionRule(1, { tagStatus: "tagged", tagPrefixList: ["a"], countType: "imageCountMoreThan", countUnit: undefined, countNumber: 3 }), ageRule(2, { tagPrefixList: ["b"] }, 3)] });
        });
    });

    describe("policy shape and size", () => {
        const many = (n: number) => ({ rules: Array.from({ length: n }, (_, i) => countRule(i + 1, { tagPrefixList: [`p${i}-`] }, 1)) });
        it(`accepts ${MAX_RULES} rules and refuses ${MAX_RULES + 1}`, () => {
            assertValid(many(MAX_RULES));
            assertOnlyIssue(many(MAX_RULES + 1), "rules", `at most ${MAX_RULES} rules`);
        });
        it("refuses an empty rule list and a missing one", () => {
            assertOnlyIssue({ rules: [] }, "rules", "at least one rule");
            assert.ok(messages({}).includes("rules: is required"));
        });
        it(`refuses policy text over ${MAX_POLICY_TEXT_LENGTH} characters, as text or object`, () => {
            const long = { rules: [{ ...countRule(1, { tagPrefixList: ["a"] }, 1), description: "x".repeat(MAX_POLICY_TEXT_LENGTH) }] };
            assertOnlyIssue(long, "policy", `at most ${MAX_POLICY_TEXT_LENGTH}`);
            assertOnlyIssue(JSON.stringify(long), "policy", `at most ${MAX_POLICY_TEXT_LENGTH}`);
            const fits = { rules: [{ ...countRule(1, { tagPrefixList: ["a"] }, 1), description: "x".repeat(MAX_POLICY_TEXT_LENGTH - 200) }] };
            assertValid(fits);
        });
        it("accepts every documented field, text or object", () => {
            const full = {
                rules: [
                    { ...transitionRule(1, { tagStatus: "tagged", tagPatternList: ["*-sha-*"], storageClass: "standard" }), description: "archive commit images" },
                    { ...archiveExpiry(2, { tagStatus: "tagged", tagPatternList: ["*-sha-*"] }, 90), description: "then delete them" },
                    { ...ageRule(3, { tagPrefixList: ["pr-"] }, 14), description: "expire PR images" },
                    untaggedRule(4),
                    anyRule(5),
                ],
            };
            assertValid(full);
            assertValid(JSON.stringify(full));
        });
        it("refuses unknown fields at every level", () => {
            assertOnlyIssue({ rules: [countRule(1, { tagPrefixList: ["a"] }, 1)], version: 1 }, "version", "unknown field");
            assertOnlyIssue({ rules: [{ ...countRule(1, { tagPrefixList: ["a"] }, 1), priority: 1 }] }, "rules[0].priority", "unknown field");
            assertOnlyIssue({ rules: [{ ...countRule(1, { tagPrefixList: ["a"] }, 1), action: { type: "expire", days: 3 } }] }, "rules[0].action.days", "unknown field");
            const withTypo = countRule(1, { tagPrefixList: ["a"] }, 1) as unknown as { selection: Record<string, unknown> };
            withTypo.selection.tagPrefixes = ["a"];
            assertOnlyIssue({ rules: [withTypo] }, "rules[0].selection.tagPrefixes", "unknown field");
        });
        it("refuses JSON nulls", () => {
            assertOnlyIssue({ rules: [{ ...countRule(1, { tagPrefixList: ["a"] }, 1), description: null }] }, "rules[0].description", "null is not allowed");
            assertOnlyIssue({ rules: [countRule(1, { tagPrefixList: ["a"], tagPatternList: null } as never, 1)] }, "rules[0].selection.tagPatternList", "null is not allowed");
            assertOnlyIssue({ rules: null }, "rules", "null is not allowed");
        });
        it("refuses text that is not JSON and JSON that is not an object", () => {
            assert.ok(messages("{ rules: [").some((m) => m.startsWith("policy: is not valid JSON")));
            assert.ok(messages([1, 2]).some((m) => m.startsWith("policy: must be a JSON object")));
            const cyclic: { rules: unknown[] } = { rules: [] };
            cyclic.rules.push(cyclic);
            assert.ok(messages(cyclic).some((m) => m.startsWith("policy: cannot be written as JSON")));
        });
    });

    describe("parseLifecyclePolicy", () => {
        it("returns a copy of a valid policy", () => {
            const input = { rules: [countRule(1, { tagPrefixList: ["a"] }, 1)] };
            const parsed = parseLifecyclePolicy(JSON.stringify(input));
            assert.deepEqual(parsed, input);
            const fromObject = parseLifecyclePolicy(input);
            input.rules[0].selection.countNumber = 99;
            assert.equal(fromObject.rules[0].selection.countNumber, 1);
        });
        it("throws one error listing every issue with the source", () => {
            const bad = { rules: [countRule(1, {}, 1), { ...countRule(1, { tagPrefixList: ["a"] }, 1), foo: true }, ageRule(3, { tagPrefixList: ["b"] }, 5)] };
            delete bad.rules[2].selection.countUnit;
            assert.throws(
                () => parseLifecyclePolicy(bad, "config key shipshape:lifecycle"),
                (err: unknown) => {
                    assert.ok(err instanceof LifecycleValidationError);
                    assert.equal(err.issues.length, 3);
                    assert.match(err.message, /^config key shipshape:lifecycle: invalid lifecycle policy \(3 issues\)/);
                    assert.match(err.message, /rules\[0\]\.selection: tagStatus "tagged" requires/);
                    assert.match(err.message, /rules\[1\]\.foo: unknown field/);
                    assert.match(err.message, /rules\[2\]\.selection\.countUnit: is required/);
                    assert.deepEqual(err.issues.map((i) => i.ruleIndex), [0, 1, 2]);
                    return true;
                },
            );
        });
    });
});
