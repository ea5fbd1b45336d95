/**
 * The ECR lifecycle policy model, field for field as AWS documents it:
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html
 * and the describe-images / GetLifecyclePolicyPreview shapes of the ECR API reference
 * (ImageDetail, LifecyclePolicyPreviewResult, LifecyclePolicyPreviewSummary).
 */

export const TAG_STATUSES = ["tagged", "untagged", "any"] as const;
export type TagStatus = (typeof TAG_STATUSES)[number];

export const STORAGE_CLASSES = ["standard", "archive"] as const;
export type StorageClass = (typeof STORAGE_CLASSES)[number];

export const COUNT_TYPES = ["imageCountMoreThan", "sinceImagePushed", "sinceImagePulled", "sinceImageTransitioned"] as const;
export type CountType = (typeof COUNT_TYPES)[number];

/** The age-based count types; they take `countUnit: "days"`. */
export const AGE_COUNT_TYPES: readonly CountType[] = ["sinceImagePushed", "sinceImagePulled", "sinceImageTransitioned"];

export const COUNT_UNITS = ["days"] as const;
export type CountUnit = (typeof COUNT_UNITS)[number];

export const ACTION_TYPES = ["expire", "transition"] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

export const TARGET_STORAGE_CLASSES = ["archive"] as const;
export type TargetStorageClass = (typeof TARGET_STORAGE_CLASSES)[number];

export interface LifecycleSelection {
    tagStatus: TagStatus;
    tagPatternList?: string[];
    tagPrefixList?: string[];
    /** Omitted means `standard` (lifecycle_policy_parameters.html, "Storage class"). */
    storageClass?: StorageClass;
    countType: CountType;
    countUnit?: CountUnit;
    countNumber: number;
}

export interface LifecycleAction {
    type: ActionType;
    targetStorageClass?: TargetStorageClass;
}

export interface LifecycleRule {
    rulePriority: number;
    description?: string;
    selection: LifecycleSelection;
    action: LifecycleAction;
}

export interface LifecyclePolicy {
    rules: LifecycleRule[];
}

/** The storage class a rule selects from: omitted means `standard`. */
export function storageClassOf(selection: LifecycleSelection): StorageClass {
    return selection.storageClass ?? "standard";
}

/** The rules in the order AWS applies them: lowest rulePriority first. */
export function rulesByPriority(rules: readonly LifecycleRule[]): LifecycleRule[] {
    return [...rules].sort((a, b) => a.rulePriority - b.rulePriority);
}

/** One problem in a policy. `field` is the full path (`rules[2].selection.countUnit`); `message` repeats it. */
export interface LifecycleIssue {
    ruleIndex?: number;
    field?: string;
    message: string;
}

/** A timestamp as describe-images prints it: ISO-8601 (AWS CLI v2), epoch seconds (CLI v1), or a Date. */
export type Timestamp = string | number | Date;

export const MANIFEST_LIST_MEDIA_TYPES: readonly string[] = [
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.index.v1+json",
];

/** ImageDetail as `aws ecr describe-images` returns it (fields the evaluator reads; others pass through). */
export interface ImageDetail {
    imageDigest: string;
    imageTags?: string[];
    imagePushedAt: Timestamp;
    lastRecordedPullTime?: Timestamp;
    imageManifestMediaType?: string;
    artifactMediaType?: string;
    /** ACTIVE | ARCHIVED | ACTIVATING; absent in older outputs, meaning ACTIVE. */
    imageStatus?: string;
    lastArchivedAt?: Timestamp;
    lastActivatedAt?: Timestamp;
    /** Set on reference artifacts (signatures, SBOMs) pointing at their subject image. */
    subjectManifestDigest?: string;
    /**
     * Not an AWS field: the digests a manifest list / image index references, e.g. taken from
     * `aws ecr batch-get-image` of the index. describe-images does not report them; see
     * README "Lifecycle evaluation choices" for what happens without them.
     */
    childManifestDigests?: string[];
    [other: string]: unknown;
}

export type PreviewActionType = "EXPIRE" | "TRANSITION";

/** LifecyclePolicyPreviewResult of GetLifecyclePolicyPreview. */
export interface LifecyclePreviewResult {
    imageTags: string[];
    imageDigest: string;
    imagePushedAt: string;
    action: { type: PreviewActionType; targetStorageClass?: "ARCHIVE" };
    appliedRulePriority: number;
    /** The image's storage class before the action. */
    storageClass: "STANDARD" | "ARCHIVE";
}

/** LifecyclePolicyPreviewSummary; `transitioningImageTotalCounts` is present only when something transitions, as in AWS. */
export interface LifecyclePreviewSummary {
    expiringImageTotalCount: number;
    transitioningImageTotalCounts?: { targetStorageClass: "ARCHIVE"; imageTotalCount: number }[];
}

/** The GetLifecyclePolicyPreview response body, minus the repository identification fields. */
export interface LifecyclePreview {
    previewResults: LifecyclePreviewResult[];
    summary: LifecyclePreviewSummary;
}
