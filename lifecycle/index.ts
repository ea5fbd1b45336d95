/**
 * ECR lifecycle policies: model, AWS validation, canonical serialisation, offline evaluation
 * (what GetLifecyclePolicyPreview would show) and tag exposure. Pure TypeScript, no Pulumi.
 */
export * from "./types";
export {
    LifecycleValidationError,
    validateLifecyclePolicy,
    parseLifecyclePolicy,
    MAX_RULES,
    MAX_POLICY_TEXT_LENGTH,
    MAX_WILDCARDS_PER_PATTERN,
    MIN_DAYS_IN_ARCHIVE_BEFORE_EXPIRY,
} from "./validate";
export { serializeLifecyclePolicy } from "./serialize";
export { evaluateLifecyclePolicy, evaluateLifecyclePolicyDetailed } from "./evaluate";
export type { HeldBackImage, LifecycleEvaluation } from "./evaluate";
export { tagMayExpire } from "./tag-exposure";
export type { TagExposure } from "./tag-exposure";
export { keepNewestTagged, expireUntaggedAfterDays, protectTag } from "./rules";
export { parseImageDetails, ImageListError } from "./images";
