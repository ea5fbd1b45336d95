import { LifecycleAction, LifecyclePolicy, LifecycleRule, LifecycleSelection, rulesByPriority } from "./types";

/**
 * AWS JSON for a policy: rules sorted by rulePriority and every object's keys in the order of
 * AWS's policy template, so the same policy always yields the same text (the provider reorders
 * rules otherwise and shows a diff on every deploy). Absent optional fields stay absent.
 */
export function serializeLifecyclePolicy(policy: LifecyclePolicy): string {
    const rules = rulesByPriority(policy.rules).map(canonicalRule);
    return JSON.stringify({ rules });
}

function canonicalRule(rule: LifecycleRule): LifecycleRule {
    const out: LifecycleRule = { rulePriority: rule.rulePriority } as LifecycleRule;
    if (rule.description !== undefined) out.description = rule.description;
    out.selection = canonicalSelection(rule.selection);
    out.action = canonicalAction(rule.action);
    return out;
}

function canonicalSelection(sel: LifecycleSelection): LifecycleSelection {
    const out = { tagStatus: sel.tagStatus } as LifecycleSelection;
    if (sel.tagPatternList !== undefined) out.tagPatternList = [...sel.tagPatternList];
    if (sel.tagPrefixList !== undefined) out.tagPrefixList = [...sel.tagPrefixList];
    if (sel.storageClass !== undefined) out.storageClass = sel.storageClass;
    out.countType = sel.countType;
    if (sel.countUnit !== undefined) out.countUnit = sel.countUnit;
    out.countNumber = sel.countNumber;
    return out;
}

function canonicalAction(action: LifecycleAction): LifecycleAction {
    const out: LifecycleAction = { type: action.type };
    if (action.targetStorageClass !== undefined) out.targetStorageClass = action.targetStorageClass;
    return out;
}
