import { ImageListError, timestampMillis } from "./images";
import { compileTagTests, tagsSatisfy, TagTest } from "./matchers";
import {
    ImageDetail,
    LifecyclePolicy,
    LifecyclePreview,
    LifecyclePreviewResult,
    LifecycleRule,
    MANIFEST_LIST_MEDIA_TYPES,
    StorageClass,
} from "./types";
import { LifecycleValidationError, validateLifecyclePolicy } from "./validate";

/**
 * Offline evaluation of an ECR lifecycle policy, following "Lifecycle policy evaluation rules"
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html):
 *  - all rules are evaluated together, then applied in priority order;
 *  - an image is acted on by at most one rule, and an image that matches the selection of a
 *    higher-priority rule cannot be acted on by a lower-priority one. Together these mean the
 *    first rule (by priority) whose selection matches an image is the only rule that may act on
 *    it, while every rule still counts every image it selects ("Rules can never mark images that
 *    are marked by higher priority rules, but can still identify them");
 *  - imageCountMoreThan keeps the newest countNumber selected images by push time;
 *  - images referenced by a manifest list are not expired or archived while the list exists.
 * Choices where the documentation is silent are listed in README "Lifecycle evaluation choices".
 */

const DAY_MS = 24 * 60 * 60 * 1000;

/** An image the policy would act on but that is kept because a manifest list references it. */
export interface HeldBackImage {
    imageDigest: string;
    imageTags: string[];
    appliedRulePriority: number;
    reason: string;
}

export interface LifecycleEvaluation {
    preview: LifecyclePreview;
    heldBack: HeldBackImage[];
}

interface PreparedImage {
    detail: ImageDetail;
    tags: string[];
    /** undefined while ACTIVATING: being restored, selected by no rule. */
    storageClass: StorageClass | undefined;
    pushedAt: number;
    /** Push time, or the last restore from archive when later (LifecyclePolicies.html: last_activated_at replaces pushed_at_time). */
    orderTime: number;
    pullReference: number;
    archivedAt: number | undefined;
    isManifestList: boolean;
}

interface CompiledRule {
    rule: LifecycleRule;
    storageClass: StorageClass;
    tests: TagTest[];
    /** Age in ms an image must exceed to be marked; undefined for imageCountMoreThan. */
    maxAgeMs: number | undefined;
}

function prepareImage(detail: ImageDetail, index: number): PreparedImage {
    const millis = (field: "imagePushedAt" | "lastActivatedAt" | "lastRecordedPullTime" | "lastArchivedAt"): number | undefined => {
        const value = detail[field];
        return value === undefined ? undefined : timestampMillis(value, () => `imageDetails[${index}] (${detail.imageDigest}).${field}`);
    };
    const pushedAt = millis("imagePushedAt") as number;
    const activatedAt = millis("lastActivatedAt");
    const pulledAt = millis("lastRecordedPullTime");
    const archivedAt = millis("lastArchivedAt");
    const orderTime = activatedAt !== undefined && activatedAt > pushedAt ? activatedAt : pushedAt;
    // LifecyclePolicies.html, sinceImagePulled: last pull; never pulled -> push time; restored
    // from archive and not pulled since -> last_activated_at.
    let pullReference = pulledAt ?? pushedAt;
    if (activatedAt !== undefined && (pulledAt === undefined || pulledAt < activatedAt)) pullReference = activatedAt;
    const status = detail.imageStatus ?? "ACTIVE";
    return {
        detail,
        tags: detail.imageTags ?? [],
        storageClass: status === "ACTIVE" ? "standard" : status === "ARCHIVED" ? "archive" : undefined,
        pushedAt,
        orderTime,
        pullReference,
        archivedAt,
        isManifestList: detail.imageManifestMediaType !== undefined && MANIFEST_LIST_MEDIA_TYPES.includes(detail.imageManifestMediaType),
    };
}

function compileRule(rule: LifecycleRule): CompiledRule {
    const sel = rule.selection;
    return {
        rule,
        storageClass: sel.storageClass ?? "standard",
        tests: compileTagTests(sel),
        maxAgeMs: sel.countType === "imageCountMoreThan" ? undefined : sel.countNumber * DAY_MS,
    };
}

/** Age measured from the time the count type names; undefined when that time is unknown. */
function ageOf(rule: CompiledRule, image: PreparedImage, now: number): number | undefined {
    switch (rule.rule.selection.countType) {
        case "sinceImagePushed":
            return now - image.orderTime;
        case "sinceImagePulled":
            return now - image.pullReference;
        case "sinceImageTransitioned":
            return image.archivedAt === undefined ? undefined : now - image.archivedAt;
        default:
            return undefined;
    }
}

/** Newest first by push time; equal push times fall back to the digest so results never depend on input order. */
function newestFirst(images: PreparedImage[], eligible: (i: number) => boolean): number[] {
    const times = new Float64Array(images.length);
    const order: number[] = [];
    for (let i = 0; i < images.length; i++) {
        times[i] = images[i].orderTime;
        if (eligible(i)) order.push(i);
    }
    order.sort((a, b) => {
        const byTime = times[b] - times[a];
        if (byTime !== 0) return byTime;
        const da = images[a].detail.imageDigest;
        const db = images[b].detail.imageDigest;
        return da < db ? -1 : da > db ? 1 : 0;
    });
    return order;
}

/** The literal text every tag matching this entry starts with ("" when the entry starts with `*`). */
function literalHead(entry: string, isPattern: boolean): string {
    if (!isPattern) return entry;
    const star = entry.indexOf("*");
    return star < 0 ? entry : entry.slice(0, star);
}

/**
 * Finds the images each rule selects, newest first, without testing every image against every
 * rule: a tagged rule looks up the longest literal head of its entries in the sorted list of
 * all tags (every tag starting with some text forms one contiguous run), so evaluation costs
 * O(n log n) plus the images actually matched; only lists whose every entry starts with `*`
 * scan all tagged images of the storage class.
 */
class CandidateFinder {
    /** Per storage class: all selectable images, the untagged ones, the tagged ones (each newest first). */
    private readonly all = new Map<StorageClass, number[]>();
    private readonly untagged = new Map<StorageClass, number[]>();
    private readonly tagged = new Map<StorageClass, number[]>();
    private readonly rank: Int32Array;
    /** tag -> selectable images carrying it (one, unless the input repeats a tag). */
    private readonly owners = new Map<string, number[]>();
    private readonly sortedTags: string[];
    private readonly stamps: Int32Array;
    private stamp = 0;

    constructor(
        private readonly images: PreparedImage[],
        followers: Int32Array,
    ) {
        const order = newestFirst(images, (i) => followers[i] < 0 && images[i].storageClass !== undefined);
        this.rank = new Int32Array(images.length);
        this.stamps = new Int32Array(images.length);
        order.forEach((i, position) => {
            this.rank[i] = position;
            const image = images[i];
            const storageClass = image.storageClass as StorageClass;
            push(this.all, storageClass, i);
            if (image.tags.length === 0) {
                push(this.untagged, storageClass, i);
                return;
            }
            push(this.tagged, storageClass, i);
            for (const tag of image.tags) {
                const list = this.owners.get(tag);
                if (list === undefined) this.owners.set(tag, [i]);
                else list.push(i);
            }
        });
        this.sortedTags = [...this.owners.keys()].sort();
    }

    /** Images with a tag starting with `head`, each once, newest first. */
    private imagesWithTagHead(head: string): number[] {
        const found: number[] = [];
        const stamp = ++this.stamp;
        const tags = this.sortedTags;
        for (let k = lowerBound(tags, head); k < tags.length && tags[k].startsWith(head); k++) {
            for (const i of this.owners.get(tags[k]) as number[]) {
                if (this.stamps[i] === stamp) continue;
                this.stamps[i] = stamp;
                found.push(i);
            }
        }
        const rank = this.rank;
        return found.sort((a, b) => rank[a] - rank[b]);
    }

    selectedBy(rule: CompiledRule): number[] {
        const sel = rule.rule.selection;
        if (sel.tagStatus === "any") return this.all.get(rule.storageClass) ?? [];
        if (sel.tagStatus === "untagged") return this.untagged.get(rule.storageClass) ?? [];
        const isPattern = sel.tagPatternList !== undefined;
        const entries = sel.tagPatternList ?? sel.tagPrefixList ?? [];
        const head = entries.map((e) => literalHead(e, isPattern)).reduce((best, h) => (h.length > best.length ? h : best), "");
        const source = head === "" ? (this.tagged.get(rule.storageClass) ?? []) : this.imagesWithTagHead(head);
        return source.filter((i) => this.images[i].storageClass === rule.storageClass && tagsSatisfy(rule.tests, this.images[i].tags));
    }
}

function lowerBound(sorted: string[], value: string): number {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (sorted[mid] < value) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

function push(map: Map<StorageClass, number[]>, key: StorageClass, value: number): void {
    const list = map.get(key);
    if (list === undefined) map.set(key, [value]);
    else list.push(value);
}

/** Why each image may not be acted on while a manifest list references it (index -> reason). */
function manifestListReferences(images: PreparedImage[], byDigest: Map<string, number>, followers: Int32Array): Map<number, string> {
    const referenced = new Map<number, string>();
    const listsWithUnknownChildren: string[] = [];
    images.forEach((image) => {
        if (!image.isManifestList) return;
        const children = image.detail.childManifestDigests;
        if (children === undefined) {
            listsWithUnknownChildren.push(image.detail.imageDigest);
            return;
        }
        for (const child of children) {
            const at = byDigest.get(child);
            if (at !== undefined && !referenced.has(at)) referenced.set(at, `referenced by manifest list ${image.detail.imageDigest}`);
        }
    });
    if (listsWithUnknownChildren.length > 0) {
        // describe-images does not list an index's children; without childManifestDigests any
        // untagged single-platform image may be one, so none of them is expired (fail safe).
        const lists = listsWithUnknownChildren.length === 1 ? listsWithUnknownChildren[0] : `${listsWithUnknownChildren.length} manifest lists`;
        const reason = `may be referenced by ${lists} whose childManifestDigests are unknown`;
        images.forEach((image, i) => {
            if (!image.isManifestList && image.tags.length === 0 && followers[i] < 0 && !referenced.has(i)) referenced.set(i, reason);
        });
    }
    return referenced;
}

function actionOf(rule: LifecycleRule): LifecyclePreviewResult["action"] {
    return rule.action.type === "transition" ? { type: "TRANSITION", targetStorageClass: "ARCHIVE" } : { type: "EXPIRE" };
}

function resultFor(image: PreparedImage, rule: LifecycleRule): LifecyclePreviewResult {
    return {
        imageTags: [...image.tags],
        imageDigest: image.detail.imageDigest,
        imagePushedAt: new Date(image.pushedAt).toISOString(),
        action: actionOf(rule),
        appliedRulePriority: rule.rulePriority,
        storageClass: image.storageClass === "archive" ? "ARCHIVE" : "STANDARD",
    };
}

/** The preview plus the images a rule marked but a manifest list keeps (for explanations). */
export function evaluateLifecyclePolicyDetailed(policy: LifecyclePolicy, images: ImageDetail[], now: Date): LifecycleEvaluation {
    const issues = validateLifecyclePolicy(policy);
    if (issues.length > 0) throw new LifecycleValidationError(issues);
    const nowMs = now.getTime();
    if (!Number.isFinite(nowMs)) throw new RangeError("evaluateLifecyclePolicy: `now` is not a valid date");

    const prepared = images.map(prepareImage);
    const byDigest = new Map<string, number>();
    prepared.forEach((image, i) => {
        const digest = image.detail.imageDigest;
        if (byDigest.has(digest)) throw new ImageListError(`imageDetails[${i}]: duplicate imageDigest ${digest}`);
        byDigest.set(digest, i);
    });

    // Reference artifacts (signatures, SBOMs) follow their subject image rather than being
    // selected themselves, as long as the subject is in the repository.
    const followers = new Int32Array(prepared.length).fill(-1);
    prepared.forEach((image, i) => {
        const subject = image.detail.subjectManifestDigest;
        const at = subject === undefined ? undefined : byDigest.get(subject);
        if (at !== undefined && at !== i) followers[i] = at;
    });
    const referenced = manifestListReferences(prepared, byDigest, followers);

    const rules = [...policy.rules].sort((a, b) => a.rulePriority - b.rulePriority).map(compileRule);
    const candidates = new CandidateFinder(prepared, followers);
    const claimed = new Uint8Array(prepared.length);
    const decided = new Int32Array(prepared.length).fill(-1);

    rules.forEach((rule, r) => {
        const countLimit = rule.rule.selection.countType === "imageCountMoreThan" ? rule.rule.selection.countNumber : undefined;
        let selectedSoFar = 0;
        for (const i of candidates.selectedBy(rule)) {
            selectedSoFar++;
            if (claimed[i]) continue;
            claimed[i] = 1;
            let marked: boolean;
            if (countLimit !== undefined) {
                marked = selectedSoFar > countLimit;
            } else {
                const age = ageOf(rule, prepared[i], nowMs);
                marked = age !== undefined && age > (rule.maxAgeMs as number);
            }
            if (marked) decided[i] = r;
        }
    });

    const entries: { result: LifecyclePreviewResult; pushedAt: number }[] = [];
    const heldBack: HeldBackImage[] = [];
    const acted = new Int32Array(prepared.length).fill(-1);
    prepared.forEach((image, i) => {
        const r = decided[i];
        if (r < 0) return;
        const rule = rules[r].rule;
        const reason = referenced.get(i);
        if (reason !== undefined) {
            heldBack.push({ imageDigest: image.detail.imageDigest, imageTags: [...image.tags], appliedRulePriority: rule.rulePriority, reason });
            return;
        }
        acted[i] = r;
        entries.push({ result: resultFor(image, rule), pushedAt: image.pushedAt });
    });
    prepared.forEach((image, i) => {
        const subject = followers[i];
        if (subject >= 0 && acted[subject] >= 0) entries.push({ result: resultFor(image, rules[acted[subject]].rule), pushedAt: image.pushedAt });
    });

    // Grouped by rule, oldest first within a rule: the order a reader checks a preview in.
    entries.sort(
        (a, b) =>
            a.result.appliedRulePriority - b.result.appliedRulePriority ||
            a.pushedAt - b.pushedAt ||
            (a.result.imageDigest < b.result.imageDigest ? -1 : a.result.imageDigest > b.result.imageDigest ? 1 : 0),
    );
    const results = entries.map((e) => e.result);
    const transitioning = results.filter((r) => r.action.type === "TRANSITION").length;
    const preview: LifecyclePreview = {
        previewResults: results,
        summary: {
            expiringImageTotalCount: results.length - transitioning,
            ...(transitioning > 0 ? { transitioningImageTotalCounts: [{ targetStorageClass: "ARCHIVE" as const, imageTotalCount: transitioning }] } : {}),
        },
    };
    return { preview, heldBack };
}

/**
 * What `StartLifecyclePolicyPreview` would report for `images` (describe-images ImageDetails)
 * at time `now`. Throws LifecycleValidationError for an invalid policy and ImageListError for
 * unusable image data.
 */
export function evaluateLifecyclePolicy(policy: LifecyclePolicy, images: ImageDetail[], now: Date): LifecyclePreview {
    return evaluateLifecyclePolicyDetailed(policy, images, now).preview;
}
