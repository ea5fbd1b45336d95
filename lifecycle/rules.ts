import { LifecycleIssue, LifecycleRule } from "./types";
import { LifecycleValidationError, validateLifecyclePolicy } from "./validate";

/** Default priorities leave room around them: protections first, cleanups after, `any` rules last. */
export const DEFAULT_PROTECT_PRIORITY = 1;
export const DEFAULT_KEEP_NEWEST_PRIORITY = 10;
export const DEFAULT_EXPIRE_UNTAGGED_PRIORITY = 20;

function requirePositiveInteger(issues: LifecycleIssue[], field: string, value: number): void {
    if (!Number.isInteger(value) || value < 1) issues.push({ field, message: `${field}: must be a positive integer, got ${value}` });
}

/** Argument problems first (named as the caller wrote them), then the full AWS rule checks. */
function finish(rule: LifecycleRule, helper: string, issues: LifecycleIssue[]): LifecycleRule {
    if (issues.length === 0) {
        issues.push(...validateLifecyclePolicy({ rules: [rule] }).filter((issue) => issue.field !== "policy"));
    }
    if (issues.length > 0) throw new LifecycleValidationError(issues, helper);
    return rule;
}

/** Keep the newest `count` images selected by a tag prefix or pattern list; expire the older ones. */
export function keepNewestTagged(args: { tagPrefixList?: string[]; tagPatternList?: string[]; count: number; priority?: number; description?: string }): LifecycleRule {
    const issues: LifecycleIssue[] = [];
    const priority = args.priority ?? DEFAULT_KEEP_NEWEST_PRIORITY;
    requirePositiveInteger(issues, "count", args.count);
    requirePositiveInteger(issues, "priority", priority);
    const hasPrefixes = args.tagPrefixList !== undefined;
    const hasPatterns = args.tagPatternList !== undefined;
    if (hasPrefixes === hasPatterns) {
        issues.push({ field: "tagPrefixList", message: "tagPrefixList/tagPatternList: give exactly one of them" });
    }
    const list = args.tagPatternList ?? args.tagPrefixList ?? [];
    const listName = hasPatterns ? "tagPatternList" : "tagPrefixList";
    const rule: LifecycleRule = {
        rulePriority: priority,
        description: args.description ?? `Keep the newest ${args.count} images tagged ${list.join(" + ")}`,
        selection: { tagStatus: "tagged", [listName]: [...list], countType: "imageCountMoreThan", countNumber: args.count },
        action: { type: "expire" },
    };
    return finish(rule, "keepNewestTagged", issues);
}

/** Expire untagged images pushed more than `days` days ago. */
export function expireUntaggedAfterDays(days: number, priority: number = DEFAULT_EXPIRE_UNTAGGED_PRIORITY): LifecycleRule {
    const issues: LifecycleIssue[] = [];
    requirePositiveInteger(issues, "days", days);
    requirePositiveInteger(issues, "priority", priority);
    const rule: LifecycleRule = {
        rulePriority: priority,
        description: `Expire untagged images older than ${days} days`,
        selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: days },
        action: { type: "expire" },
    };
    return finish(rule, "expireUntaggedAfterDays", issues);
}

/**
 * Shield the image carrying `tag` (e.g. the registry cache tag) from every lower-priority rule.
 * ECR has no "keep" action, so this selects exactly that tag (a wildcard-free pattern) and keeps
 * one image: a tag names one image at a time, so the rule never acts, yet as the higher-priority
 * match it stops every later rule from acting on the image (LifecyclePolicies.html).
 */
export function protectTag(tag: string, priority: number = DEFAULT_PROTECT_PRIORITY): LifecycleRule {
    const issues: LifecycleIssue[] = [];
    requirePositiveInteger(issues, "priority", priority);
    if (tag.length === 0 || tag.includes("*")) {
        issues.push({ field: "tag", message: `tag: must be a literal image tag (non-empty, no "*"), got ${JSON.stringify(tag)}` });
    }
    const rule: LifecycleRule = {
        rulePriority: priority,
        description: `Protect the image tagged ${tag} from lower-priority rules`,
        selection: { tagStatus: "tagged", tagPatternList: [tag], countType: "imageCountMoreThan", countNumber: 1 },
        action: { type: "expire" },
    };
    return finish(rule, "protectTag", issues);
}
