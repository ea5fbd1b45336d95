import { z } from "zod";
import {
    ACTION_TYPES,
    AGE_COUNT_TYPES,
    COUNT_TYPES,
    COUNT_UNITS,
    LifecycleIssue,
    LifecyclePolicy,
    LifecycleRule,
    STORAGE_CLASSES,
    storageClassOf,
    TAG_STATUSES,
    TARGET_STORAGE_CLASSES,
} from "./types";

/**
 * Every rule below comes from the AWS ECR user guide; the page is named at each check:
 *  - PARAMS:   https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html
 *  - RULES:    https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html ("Lifecycle policy evaluation rules")
 *  - EXAMPLES: https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_examples.html
 *  - QUOTAS:   https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html
 */

/** QUOTAS "Rules per lifecycle policy": 50, not adjustable. */
export const MAX_RULES = 50;
/**
 * QUOTAS "Lifecycle policy length": 30,720 characters. The API's minimum of 100 is shorter than
 * the shortest valid policy (one rule with its required fields), so it needs no check of its own.
 */
export const MAX_POLICY_TEXT_LENGTH = 30720;
/** PARAMS "Tag pattern list": at most four wildcards per string. */
export const MAX_WILDCARDS_PER_PATTERN = 4;
/** EXAMPLES "Combining archive and expire rules": archived images stay at least 90 days before deletion. */
export const MIN_DAYS_IN_ARCHIVE_BEFORE_EXPIRY = 90;

export class LifecycleValidationError extends Error {
    constructor(
        readonly issues: LifecycleIssue[],
        readonly source?: string,
    ) {
        super(
            `${source ?? "lifecycle policy"}: invalid lifecycle policy (${issues.length} issue${issues.length === 1 ? "" : "s"}):\n` +
                issues.map((issue) => `  - ${issue.message}`).join("\n"),
        );
        this.name = "LifecycleValidationError";
    }
}

const tagList = z.array(z.string().min(1)).min(1);
const positiveInteger = z.number().int().min(1);

const ruleSchema = z.strictObject({
    rulePriority: positiveInteger,
    description: z.string().optional(),
    selection: z.strictObject({
        tagStatus: z.enum(TAG_STATUSES),
        tagPatternList: tagList.optional(),
        tagPrefixList: tagList.optional(),
        storageClass: z.enum(STORAGE_CLASSES).optional(),
        countType: z.enum(COUNT_TYPES),
        countUnit: z.enum(COUNT_UNITS).optional(),
        countNumber: positiveInteger,
    }),
    action: z.strictObject({
        type: z.enum(ACTION_TYPES),
        targetStorageClass: z.enum(TARGET_STORAGE_CLASSES).optional(),
    }),
});

function formatPath(path: readonly PropertyKey[]): string {
    let out = "";
    for (const part of path) {
        if (typeof part === "number") out += `[${part}]`;
        else out += out === "" ? String(part) : `.${String(part)}`;
    }
    return out;
}

function describeValue(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "an array";
    if (typeof value === "string") return JSON.stringify(value.length > 40 ? value.slice(0, 40) + "..." : value);
    if (typeof value === "object") return "an object";
    return `${typeof value} ${String(value)}`;
}

// The fields an unknown-field message offers, read from the schema so the two cannot drift apart.
const RULE_FIELDS = Object.keys(ruleSchema.shape);
const SELECTION_FIELDS = Object.keys(ruleSchema.shape.selection.shape);
const ACTION_FIELDS = Object.keys(ruleSchema.shape.action.shape);

function allowedFieldsAt(path: readonly PropertyKey[]): string[] {
    const last = path[path.length - 1];
    if (path.length === 0) return ["rules"];
    if (last === "selection") return SELECTION_FIELDS;
    if (last === "action") return ACTION_FIELDS;
    return RULE_FIELDS;
}

/** Turns one zod issue into our wording: the path first, then what is wrong and what would be right. */
function zodIssueMessages(issue: z.core.$ZodIssue, basePath: PropertyKey[]): { path: string; message: string }[] {
    const fullPath = [...basePath, ...issue.path];
    const where = formatPath(fullPath);
    const input = (issue as { input?: unknown }).input;
    switch (issue.code) {
        case "unrecognized_keys": {
            const allowed = allowedFieldsAt(fullPath).join(", ");
            return issue.keys.map((key) => {
                const at = formatPath([...fullPath, key]);
                return { path: at, message: `${at}: unknown field (allowed here: ${allowed})` };
            });
        }
        case "invalid_type":
            if (input === undefined) return [{ path: where, message: `${where}: is required` }];
            if (input === null) return [{ path: where, message: `${where}: null is not allowed (omit the field instead)` }];
            if (issue.expected === "int") return [{ path: where, message: `${where}: must be an integer, got ${describeValue(input)}` }];
            return [{ path: where, message: `${where}: must be ${article(issue.expected)}, got ${describeValue(input)}` }];
        case "invalid_value":
            return [
                {
                    path: where,
                    message: `${where}: must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}, got ${describeValue(input)}`,
                },
            ];
        case "too_small":
            if (issue.origin === "array") return [{ path: where, message: `${where}: must not be empty` }];
            if (issue.origin === "string") return [{ path: where, message: `${where}: must not be an empty string` }];
            return [{ path: where, message: `${where}: must be a positive integer (0 is not accepted), got ${describeValue(input)}` }];
        default:
            return [{ path: where, message: `${where}: ${issue.message}` }];
    }
}

function article(expected: string): string {
    return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

class IssueList {
    readonly issues: LifecycleIssue[] = [];

    add(field: string, message: string, ruleIndex?: number): void {
        this.issues.push({ ruleIndex, field, message: `${field}: ${message}` });
    }
}

function checkRule(rule: LifecycleRule, index: number, issues: IssueList): void {
    const at = `rules[${index}]`;
    const sel = rule.selection;
    const hasPrefixes = sel.tagPrefixList !== undefined;
    const hasPatterns = sel.tagPatternList !== undefined;

    // PARAMS "Tag status": tagged needs a prefix or pattern list, untagged/any take neither.
    if (sel.tagStatus === "tagged") {
        if (!hasPrefixes && !hasPatterns) {
            issues.add(`${at}.selection`, `tagStatus "tagged" requires tagPrefixList or tagPatternList`, index);
        }
    } else {
        for (const list of ["tagPrefixList", "tagPatternList"] as const) {
            if (sel[list] !== undefined) {
                issues.add(`${at}.selection.${list}`, `only allowed when tagStatus is "tagged" (got "${sel.tagStatus}")`, index);
            }
        }
    }
    // RULES: "A lifecycle policy rule may specify either tagPatternList or tagPrefixList, but not both."
    if (hasPrefixes && hasPatterns) {
        issues.add(`${at}.selection`, `tagPrefixList and tagPatternList cannot both be set in one rule`, index);
    }
    // PARAMS "Tag pattern list": at most four wildcards per string.
    sel.tagPatternList?.forEach((pattern, j) => {
        const wildcards = pattern.split("*").length - 1;
        if (wildcards > MAX_WILDCARDS_PER_PATTERN) {
            issues.add(
                `${at}.selection.tagPatternList[${j}]`,
                `at most ${MAX_WILDCARDS_PER_PATTERN} wildcards (*) per pattern, ${JSON.stringify(pattern)} has ${wildcards}`,
                index,
            );
        }
    });

    // PARAMS "Count unit": required for the age-based count types, an error otherwise.
    const isAgeRule = AGE_COUNT_TYPES.includes(sel.countType);
    if (isAgeRule && sel.countUnit === undefined) {
        issues.add(`${at}.selection.countUnit`, `is required for countType "${sel.countType}" (use "days")`, index);
    }
    if (!isAgeRule && sel.countUnit !== undefined) {
        issues.add(`${at}.selection.countUnit`, `not allowed with countType "${sel.countType}"`, index);
    }

    // PARAMS "Storage class": archive only (and required) with sinceImageTransitioned.
    if (sel.countType === "sinceImageTransitioned") {
        if (sel.storageClass === undefined) {
            issues.add(`${at}.selection.storageClass`, `is required for countType "sinceImageTransitioned" (use "archive")`, index);
        } else if (sel.storageClass !== "archive") {
            issues.add(`${at}.selection.storageClass`, `must be "archive" for countType "sinceImageTransitioned"`, index);
        }
        // EXAMPLES "Combining archive and expire rules": no deletion before 90 days in archive.
        if (sel.countNumber < MIN_DAYS_IN_ARCHIVE_BEFORE_EXPIRY) {
            issues.add(
                `${at}.selection.countNumber`,
                `images stay in archive at least ${MIN_DAYS_IN_ARCHIVE_BEFORE_EXPIRY} days before a lifecycle rule may expire them (got ${sel.countNumber})`,
                index,
            );
        }
    } else if (sel.storageClass === "archive") {
        issues.add(`${at}.selection.storageClass`, `"archive" is only supported with countType "sinceImageTransitioned"`, index);
    }

    // PARAMS "Action": transition needs targetStorageClass archive; expire takes none.
    const action = rule.action;
    if (action.type === "transition" && action.targetStorageClass === undefined) {
        issues.add(`${at}.action.targetStorageClass`, `is required when action.type is "transition" (use "archive")`, index);
    }
    if (action.type === "expire" && action.targetStorageClass !== undefined) {
        issues.add(`${at}.action.targetStorageClass`, `only allowed when action.type is "transition"`, index);
    }
    // EXAMPLES "Filtering on last pulled time" / "archive transition time": which count types may expire or transition.
    if (sel.countType === "sinceImagePulled" && action.type !== "transition") {
        issues.add(`${at}.action.type`, `countType "sinceImagePulled" only supports "transition" (archive first, then expire with sinceImageTransitioned)`, index);
    }
    if (sel.countType === "sinceImageTransitioned" && action.type !== "expire") {
        issues.add(`${at}.action.type`, `countType "sinceImageTransitioned" only supports "expire"`, index);
    }
}

function checkAcrossRules(rules: { rule: LifecycleRule; index: number }[], issues: IssueList): void {
    // PARAMS "Rule priority": unique values.
    const byPriority = new Map<number, number>();
    for (const { rule, index } of rules) {
        const first = byPriority.get(rule.rulePriority);
        if (first !== undefined) {
            issues.add(`rules[${index}].rulePriority`, `${rule.rulePriority} is already used by rules[${first}]; priorities must be unique`, index);
        } else {
            byPriority.set(rule.rulePriority, index);
        }
    }

    for (const storageClass of STORAGE_CLASSES) {
        const inClass = rules.filter(({ rule }) => storageClassOf(rule.selection) === storageClass);

        // PARAMS "Rule priority": "A rule with a tagStatus value of any must have the highest value
        // for rulePriority and be evaluated last" (so at most one: two cannot both be highest).
        // Scoped per storage class, not policy-wide as the issue words it: AWS's own "Combining
        // archive and expire rules" example has an `any` standard rule at priority 1 and an `any`
        // archive rule at priority 2, and the Terraform AWS provider's acceptance test
        // TestAccECRLifecyclePolicy_storageClass puts that policy to ECR and expects it stored.
        // A policy-wide check would refuse a policy AWS documents and accepts.
        const anyRules = inClass.filter(({ rule }) => rule.selection.tagStatus === "any");
        for (const extra of anyRules.slice(1)) {
            issues.add(
                `rules[${extra.index}].selection.tagStatus`,
                `only one "any" rule per storage class is allowed (${storageClass}); rules[${anyRules[0].index}] is one already`,
                extra.index,
            );
        }
        for (const anyRule of anyRules) {
            for (const other of inClass) {
                if (other.rule.selection.tagStatus !== "any" && other.rule.rulePriority > anyRule.rule.rulePriority) {
                    issues.add(
                        `rules[${anyRule.index}].rulePriority`,
                        `the "any" rule must have the highest rulePriority among ${storageClass} rules, but rules[${other.index}] has ${other.rule.rulePriority} > ${anyRule.rule.rulePriority}`,
                        anyRule.index,
                    );
                    break;
                }
            }
        }

        // RULES: "Only one rule selecting a specific storage class is allowed to select untagged images."
        const untagged = inClass.filter(({ rule }) => rule.selection.tagStatus === "untagged");
        for (const extra of untagged.slice(1)) {
            issues.add(
                `rules[${extra.index}].selection.tagStatus`,
                `only one rule per storage class may select untagged images (${storageClass}); rules[${untagged[0].index}] already does`,
                extra.index,
            );
        }

        // RULES: "The set of all rules selecting a specific storage class must contain a unique set of prefixes."
        const seenLists = new Map<string, number>();
        for (const { rule, index } of inClass) {
            const sel = rule.selection;
            const listName = sel.tagPrefixList !== undefined ? "tagPrefixList" : sel.tagPatternList !== undefined ? "tagPatternList" : undefined;
            if (listName === undefined) continue;
            const key = `${listName}:${JSON.stringify([...new Set(sel[listName])].sort())}`;
            const first = seenLists.get(key);
            if (first !== undefined) {
                issues.add(
                    `rules[${index}].selection.${listName}`,
                    `selects the same tags as rules[${first}] in storage class ${storageClass}; each rule must select a unique set`,
                    index,
                );
            } else {
                seenLists.set(key, index);
            }
        }
    }
}

function checkTextLength(length: number, issues: IssueList): void {
    if (length > MAX_POLICY_TEXT_LENGTH) {
        issues.add("policy", `text is ${length} characters; AWS accepts at most ${MAX_POLICY_TEXT_LENGTH}`);
    }
}

/**
 * Every problem AWS would reject (and a few it documents but only enforces at evaluation),
 * each naming the rule index and field. Empty means valid. Accepts the parsed object or JSON text.
 */
export function validateLifecyclePolicy(input: unknown): LifecycleIssue[] {
    const issues = new IssueList();
    let value = input;
    if (typeof input === "string") {
        checkTextLength(input.length, issues);
        try {
            value = JSON.parse(input);
        } catch (err) {
            issues.add("policy", `is not valid JSON: ${(err as Error).message}`);
            return issues.issues;
        }
    } else if (input !== null && typeof input === "object") {
        let text: string;
        try {
            text = JSON.stringify(input);
        } catch (err) {
            issues.add("policy", `cannot be written as JSON: ${(err as Error).message}`);
            return issues.issues;
        }
        checkTextLength(text.length, issues);
    }

    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        issues.add("policy", `must be a JSON object with a "rules" array, got ${describeValue(value)}`);
        return issues.issues;
    }
    const top = value as Record<string, unknown>;
    for (const key of Object.keys(top)) {
        if (key !== "rules") issues.add(key, `unknown field (allowed here: rules)`);
    }
    const rawRules = top.rules;
    if (rawRules === undefined) {
        issues.add("rules", "is required");
        return issues.issues;
    }
    if (rawRules === null) {
        issues.add("rules", "null is not allowed");
        return issues.issues;
    }
    if (!Array.isArray(rawRules)) {
        issues.add("rules", `must be an array, got ${describeValue(rawRules)}`);
        return issues.issues;
    }
    if (rawRules.length === 0) issues.add("rules", "must contain at least one rule");
    if (rawRules.length > MAX_RULES) issues.add("rules", `at most ${MAX_RULES} rules are allowed, got ${rawRules.length}`);

    const wellFormed: { rule: LifecycleRule; index: number }[] = [];
    rawRules.forEach((raw, index) => {
        const parsed = ruleSchema.safeParse(raw, { reportInput: true });
        if (!parsed.success) {
            for (const issue of parsed.error.issues) {
                for (const { path, message } of zodIssueMessages(issue, ["rules", index])) {
                    issues.issues.push({ ruleIndex: index, field: path, message });
                }
            }
            return;
        }
        const rule = parsed.data as LifecycleRule;
        checkRule(rule, index, issues);
        wellFormed.push({ rule, index });
    });
    checkAcrossRules(wellFormed, issues);
    return issues.issues;
}

/**
 * Parses and validates a policy (JSON text or an object); throws LifecycleValidationError
 * listing every issue, prefixed with `source` (a file name or config key) when given.
 */
export function parseLifecyclePolicy(input: string | unknown, source?: string): LifecyclePolicy {
    const issues = validateLifecyclePolicy(input);
    if (issues.length > 0) throw new LifecycleValidationError(issues, source);
    // Parsed from the text, or a deep copy of the object, so later edits of the caller's object cannot change a validated policy.
    return JSON.parse(typeof input === "string" ? input : JSON.stringify(input)) as LifecyclePolicy;
}
