import { compileTagTests } from "./matchers";
import { LifecyclePolicy, LifecycleRule, rulesByPriority, storageClassOf } from "./types";
import { LifecycleValidationError, validateLifecyclePolicy } from "./validate";

export interface TagExposure {
    /** True when some image carrying the tag could be expired or transitioned by the policy. */
    expires: boolean;
    /** The rule that decides: the one that may act on the image, or the one that shields it. */
    rulePriority?: number;
    reason: string;
}

function verbOf(rule: LifecycleRule): string {
    return rule.action.type === "transition" ? "transition it to archive" : "expire it";
}

/**
 * An imageCountMoreThan rule whose pattern list has a wildcard-free entry selects at most one
 * image: an ECR tag names one image at a time, so with countNumber >= 1 it never marks anything.
 */
function neverActs(rule: LifecycleRule): boolean {
    const sel = rule.selection;
    return sel.countType === "imageCountMoreThan" && (sel.tagPatternList ?? []).some((pattern) => !pattern.includes("*"));
}

/**
 * Could an image carrying `tag` ever be expired or transitioned by `policy`? The image may carry
 * other tags too, so a tagged rule whose list `tag` only partly satisfies counts as "may
 * select". Walks the standard-storage rules in priority order, applying "an image that matches
 * a rule cannot be acted on by a lower-priority rule" (LifecyclePolicies.html): the first rule
 * that surely selects the image decides. Archive-class rules only see images a standard rule
 * transitioned, which already answers "expires".
 */
export function tagMayExpire(policy: LifecyclePolicy, tag: string): TagExposure {
    const issues = validateLifecyclePolicy(policy);
    if (issues.length > 0) throw new LifecycleValidationError(issues);
    if (tag.length === 0) throw new RangeError("tagMayExpire: the tag must not be empty");

    const rules = rulesByPriority(policy.rules).filter((rule) => storageClassOf(rule.selection) === "standard");
    const quoted = JSON.stringify(tag);
    for (const rule of rules) {
        const sel = rule.selection;
        const p = rule.rulePriority;
        if (sel.tagStatus === "untagged") continue;
        if (sel.tagStatus === "any") {
            return { expires: true, rulePriority: p, reason: `rule ${p} (tagStatus "any") selects every image, so it may ${verbOf(rule)}` };
        }
        const listName = sel.tagPatternList !== undefined ? "tagPatternList" : "tagPrefixList";
        const entries = sel[listName] ?? [];
        const tests = compileTagTests(sel);
        const unmatched = entries.filter((_, i) => !tests[i](tag));
        const surelySelects = unmatched.length === 0;
        const mayAct = !neverActs(rule);
        if (surelySelects && !mayAct) {
            return {
                expires: false,
                rulePriority: p,
                reason: `rule ${p} selects every image tagged ${quoted} and never acts on it (it keeps ${sel.countNumber} and its ${listName} names a single tag), so no lower-priority rule can touch it`,
            };
        }
        if (surelySelects) {
            return { expires: true, rulePriority: p, reason: `rule ${p} selects every image tagged ${quoted} (${listName} ${JSON.stringify(entries)}) and may ${verbOf(rule)}` };
        }
        if (mayAct) {
            return {
                expires: true,
                rulePriority: p,
                reason: `rule ${p} may select an image tagged ${quoted} that also carries tags matching ${JSON.stringify(unmatched)}, and may ${verbOf(rule)}`,
            };
        }
    }
    return { expires: false, reason: `no rule can act on an image tagged ${quoted}` };
}
