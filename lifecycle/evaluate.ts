import { ImageListError, parseTimestampMillis, timestampMillis } from "./images";
import { compileTagTests, tagsSatisfy, TagTest } from "./matchers";
import {
    ImageDetail,
    LifecyclePolicy,
    LifecyclePreview,
    LifecyclePreviewResult,
    LifecycleRule,
    MANIFEST_LIST_MEDIA_TYPES,
    rulesByPriority,
    StorageClass,
    storageClassOf,
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

type TimeField = "imagePushedAt" | "lastActivatedAt" | "lastRecordedPullTime" | "lastArchivedAt";

function millisOf(detail: ImageDetail, field: TimeField, index: number): number | undefined {
    const value = detail[field];
    if (value === undefined) return undefined;
    const ms = parseTimestampMillis(value);
    // The message is only built for bad input: this runs for every image.
    return Number.isFinite(ms) ? ms : timestampMillis(value, `imageDetails[${index}] (${detail.imageDigest}).${field}`);
}

function prepareImage(detail: ImageDetail, index: number): PreparedImage {
    const pushedAt = millisOf(detail, "imagePushedAt", index);
    if (pushedAt === undefined) throw new ImageListError(`imageDetails[${index}] (${detail.imageDigest}): imagePushedAt is required`);
    const activatedAt = millisOf(detail, "lastActivatedAt", index);
    const pulledAt = millisOf(detail, "lastRecordedPullTime", index);
    const archivedAt = millisOf(detail, "lastArchivedAt", index);
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
        storageClass: storageClassOf(sel),
        tests: compileTagTests(sel),
        maxAgeMs: sel.countType === "imageCountMoreThan" ? undefined : sel.countNumber * DAY_MS,
    };
}

const STANDARD = 1;
const ARCHIVE = 2;
const CLASS_CODE: Record<StorageClass, number> = { standard: STANDARD, archive: ARCHIVE };

/**
 * The per-image numbers the rule loops read, in flat typed arrays indexed by position in the
 * newest-first order. The loops then walk memory forwards; reading scattered image objects in
 * push-time order is what made 100k images cost far more than ten times 10k.
 */
class ImageTable {
    readonly orderTime: Float64Array;
    readonly pullReference: Float64Array;
    /** NaN when unknown. */
    readonly archivedAt: Float64Array;
    readonly storageClass: Uint8Array;
    readonly tagCount: Int32Array;

    /** `rank[i]` is image i's position, or -1 when no rule may select it. */
    constructor(images: PreparedImage[], rank: Int32Array, size: number) {
        this.orderTime = new Float64Array(size);
        this.pullReference = new Float64Array(size);
        this.archivedAt = new Float64Array(size);
        this.storageClass = new Uint8Array(size);
        this.tagCount = new Int32Array(size);
        for (let i = 0; i < images.length; i++) {
            const p = rank[i];
            if (p < 0) continue;
            const image = images[i];
            this.orderTime[p] = image.orderTime;
            this.pullReference[p] = image.pullReference;
            this.archivedAt[p] = image.archivedAt ?? NaN;
            this.storageClass[p] = CLASS_CODE[image.storageClass as StorageClass];
            this.tagCount[p] = image.tags.length;
        }
    }
}

/** The times an age rule measures from, by position; NaN entries (unknown time) are never marked. */
function agesFrom(rule: CompiledRule, table: ImageTable): Float64Array {
    switch (rule.rule.selection.countType) {
        case "sinceImagePulled":
            return table.pullReference;
        case "sinceImageTransitioned":
            return table.archivedAt;
        default:
            return table.orderTime;
    }
}

/**
 * Newest first by push time. Equal push times fall back to the digest (the larger one counts as
 * newer), so results never depend on input order and reading backwards gives oldest first with
 * ascending digests.
 */
function newestFirst(images: PreparedImage[], eligible: (i: number) => boolean): number[] {
    const picked: number[] = [];
    for (let i = 0; i < images.length; i++) if (eligible(i)) picked.push(i);
    const times = new Float64Array(picked.length);
    let newest = -Infinity;
    let oldest = Infinity;
    let integral = true;
    for (let k = 0; k < picked.length; k++) {
        const t = images[picked[k]].orderTime;
        times[k] = t;
        if (t > newest) newest = t;
        if (t < oldest) oldest = t;
        if (!Number.isInteger(t)) integral = false;
    }
    const byDigestDescending = (a: number, b: number) => {
        const da = images[a].detail.imageDigest;
        const db = images[b].detail.imageDigest;
        return da < db ? 1 : da > db ? -1 : 0;
    };
    if (!integral || newest - oldest >= RADIX_LIMIT) {
        const timeOf = new Float64Array(images.length);
        picked.forEach((i, k) => (timeOf[i] = times[k]));
        return picked.sort((a, b) => timeOf[b] - timeOf[a] || byDigestDescending(a, b));
    }
    // Whole milliseconds within ~139 years of each other (every real listing): a radix sort on
    // the age keeps this O(n), then the rare runs of equal push times are ordered by digest.
    const keys = new Float64Array(picked.length);
    for (let k = 0; k < picked.length; k++) keys[k] = newest - times[k];
    let from = Int32Array.from(picked.keys());
    let to = new Int32Array(picked.length);
    const counts = new Int32Array(RADIX_BUCKETS + 1);
    for (let shift = 1; shift < RADIX_LIMIT; shift *= RADIX_BUCKETS) {
        counts.fill(0);
        for (let k = 0; k < from.length; k++) counts[(Math.floor(keys[from[k]] / shift) % RADIX_BUCKETS) + 1]++;
        for (let b = 0; b < RADIX_BUCKETS; b++) counts[b + 1] += counts[b];
        for (let k = 0; k < from.length; k++) {
            const slot = Math.floor(keys[from[k]] / shift) % RADIX_BUCKETS;
            to[counts[slot]++] = from[k];
        }
        [from, to] = [to, from];
    }
    const order = Array.from(from, (k) => picked[k]);
    for (let start = 0; start < order.length; ) {
        let end = start + 1;
        while (end < order.length && images[order[end]].orderTime === images[order[start]].orderTime) end++;
        if (end - start > 1) {
            const run = order.slice(start, end).sort(byDigestDescending);
            for (let k = start; k < end; k++) order[k] = run[k - start];
        }
        start = end;
    }
    return order;
}

const RADIX_BUCKETS = 1 << 14;
/** Three 14-bit passes: keys below 2^42 ms. */
const RADIX_LIMIT = RADIX_BUCKETS * RADIX_BUCKETS * RADIX_BUCKETS;

/** The literal text every tag matching this entry starts with ("" when the entry starts with `*`). */
function literalHead(entry: string, isPattern: boolean): string {
    if (!isPattern) return entry;
    const star = entry.indexOf("*");
    return star < 0 ? entry : entry.slice(0, star);
}

/** The longest literal head among a tagged rule's entries: every selected image has a tag starting with it. */
function ruleHead(rule: LifecycleRule): string {
    const sel = rule.selection;
    const isPattern = sel.tagPatternList !== undefined;
    const entries = sel.tagPatternList ?? sel.tagPrefixList ?? [];
    return entries.map((e) => literalHead(e, isPattern)).reduce((best, h) => (h.length > best.length ? h : best), "");
}

interface HeadNode {
    next: Map<number, HeadNode>;
    /** Indices (into the tagged rules) of the rules whose head ends here. */
    rules?: number[];
}

/**
 * Finds the images each rule selects, newest first, without testing every image against every
 * rule. The tagged rules' literal tag heads go into a small trie; one pass over the images in
 * input order walks each tag through it (as deep as the longest head) and runs a rule's tag
 * tests only on images carrying a tag with its head, while that image's tags are at hand.
 * The push-time order is a radix sort (linear) for whole-millisecond times, a comparison sort
 * otherwise; each tagged rule's matches are then sorted into position order (n log n in its
 * matches: measured cheaper at 100k images than walking the images in push order, whose
 * scattered reads miss the cache). Only rules whose every entry starts with `*` test every
 * tagged image.
 */
class CandidateFinder {
    /** Newest-first position -> image index. */
    readonly order: number[];
    /** Image index -> position, -1 for images no rule may select (reference artifacts, images being restored). */
    readonly rank: Int32Array;
    readonly table: ImageTable;
    /** Per storage class code: positions of all selectable images and of the untagged ones (ascending). */
    private readonly all: Int32Array[];
    private readonly untagged: Int32Array[];
    /** Per tagged rule: the image indices it selects, in input order. */
    private readonly matches = new Map<CompiledRule, number[]>();
    /** Scratch space for one rule's selection. */
    private readonly buffer: Int32Array;

    constructor(images: PreparedImage[], followers: Int32Array, rules: CompiledRule[]) {
        const eligible = (i: number) => followers[i] < 0 && images[i].storageClass !== undefined;
        this.order = newestFirst(images, eligible);
        this.rank = new Int32Array(images.length).fill(-1);
        this.order.forEach((i, p) => (this.rank[i] = p));
        const table = (this.table = new ImageTable(images, this.rank, this.order.length));
        const all: number[][] = [[], [], []];
        const untagged: number[][] = [[], [], []];
        for (let p = 0; p < this.order.length; p++) {
            const code = table.storageClass[p];
            all[code].push(p);
            if (table.tagCount[p] === 0) untagged[code].push(p);
        }
        this.all = all.map((list) => Int32Array.from(list));
        this.untagged = untagged.map((list) => Int32Array.from(list));
        this.buffer = new Int32Array(this.order.length);

        const tagged = rules.filter((rule) => rule.rule.selection.tagStatus === "tagged");
        const found = tagged.map(() => [] as number[]);
        tagged.forEach((rule, r) => this.matches.set(rule, found[r]));
        const classOf = tagged.map((rule) => CLASS_CODE[rule.storageClass]);
        const root: HeadNode = { next: new Map() };
        const headless: number[] = [];
        tagged.forEach((rule, r) => {
            const head = ruleHead(rule.rule);
            if (head === "") {
                headless.push(r);
                return;
            }
            let node = root;
            for (let c = 0; c < head.length; c++) {
                const code = head.charCodeAt(c);
                let child = node.next.get(code);
                if (child === undefined) {
                    child = { next: new Map() };
                    node.next.set(code, child);
                }
                node = child;
            }
            (node.rules ??= []).push(r);
        });
        if (tagged.length === 0) return;

        const testedFor = new Int32Array(tagged.length).fill(-1);
        for (let i = 0; i < images.length; i++) {
            const p = this.rank[i];
            if (p < 0 || table.tagCount[p] === 0) continue;
            const code = table.storageClass[p];
            const tags = images[i].tags;
            for (const r of headless) {
                if (classOf[r] === code && tagsSatisfy(tagged[r].tests, tags)) found[r].push(i);
            }
            for (const tag of tags) {
                let node: HeadNode | undefined = root;
                for (let c = 0; c < tag.length; c++) {
                    node = node.next.get(tag.charCodeAt(c));
                    if (node === undefined) break;
                    if (node.rules === undefined) continue;
                    for (const r of node.rules) {
                        // Each rule tests an image once, however many of its tags share the head.
                        if (testedFor[r] === i) continue;
                        testedFor[r] = i;
                        if (classOf[r] === code && tagsSatisfy(tagged[r].tests, tags)) found[r].push(i);
                    }
                }
            }
        }
    }

    /** Positions (ascending, i.e. newest first) of the images the rule selects; valid until the next call. */
    selectedBy(rule: CompiledRule): Int32Array {
        const sel = rule.rule.selection;
        const code = CLASS_CODE[rule.storageClass];
        if (sel.tagStatus === "any") return this.all[code];
        if (sel.tagStatus === "untagged") return this.untagged[code];
        const found = this.matches.get(rule) ?? [];
        for (let k = 0; k < found.length; k++) this.buffer[k] = this.rank[found[k]];
        return this.buffer.subarray(0, found.length).sort();
    }
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

// Shared by every result (frozen), so a 100k-image preview does not allocate 100k copies.
const EXPIRE_ACTION: LifecyclePreviewResult["action"] = Object.freeze({ type: "EXPIRE" });
const TRANSITION_ACTION: LifecyclePreviewResult["action"] = Object.freeze({ type: "TRANSITION", targetStorageClass: "ARCHIVE" });

function actionOf(rule: LifecycleRule): LifecyclePreviewResult["action"] {
    return rule.action.type === "transition" ? TRANSITION_ACTION : EXPIRE_ACTION;
}

function resultFor(image: PreparedImage, rule: LifecycleRule): LifecyclePreviewResult {
    return {
        imageTags: image.tags.slice(),
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
        const known = byDigest.size;
        byDigest.set(digest, i);
        if (byDigest.size === known) throw new ImageListError(`imageDetails[${i}]: duplicate imageDigest ${digest}`);
    });

    // Reference artifacts (signatures, SBOMs) follow their subject image rather than being
    // selected themselves, as long as the subject is in the repository; an artifact of an
    // artifact follows the image at the end of the chain.
    const subjects = new Int32Array(prepared.length).fill(-1);
    prepared.forEach((image, i) => {
        const subject = image.detail.subjectManifestDigest;
        const at = subject === undefined ? undefined : byDigest.get(subject);
        if (at !== undefined && at !== i) subjects[i] = at;
    });
    const followers = new Int32Array(prepared.length).fill(-1);
    subjects.forEach((subject, i) => {
        let root = subject;
        for (let steps = 0; root >= 0 && subjects[root] >= 0; steps++) {
            // A cycle of artifacts has no image to follow: each is then evaluated on its own.
            if (steps > prepared.length) return;
            root = subjects[root];
        }
        followers[i] = root;
    });
    const referenced = manifestListReferences(prepared, byDigest, followers);

    const rules = rulesByPriority(policy.rules).map(compileRule);
    const candidates = new CandidateFinder(prepared, followers, rules);
    const { table, order, rank } = candidates;
    const claimed = new Uint8Array(order.length);
    const decided = new Int32Array(order.length).fill(-1);

    rules.forEach((rule, r) => {
        const countLimit = rule.rule.selection.countType === "imageCountMoreThan" ? rule.rule.selection.countNumber : undefined;
        const selected = candidates.selectedBy(rule);
        if (countLimit !== undefined) {
            for (let k = 0; k < selected.length; k++) {
                const p = selected[k];
                if (claimed[p]) continue;
                claimed[p] = 1;
                // k + 1 images selected so far, newest first.
                if (k >= countLimit) decided[p] = r;
            }
            return;
        }
        // Marked when older than the limit; NaN (unknown time) compares false.
        const since = agesFrom(rule, table);
        const threshold = nowMs - (rule.maxAgeMs as number);
        for (let k = 0; k < selected.length; k++) {
            const p = selected[k];
            if (claimed[p]) continue;
            claimed[p] = 1;
            if (since[p] < threshold) decided[p] = r;
        }
    });

    // Results are built in input order (sequential reads), then listed by rule, oldest first
    // within a rule, each subject followed by its reference artifacts.
    const resultAt: (LifecyclePreviewResult | undefined)[] = new Array(order.length);
    const heldBackAt: (HeldBackImage | undefined)[] = new Array(order.length);
    for (let i = 0; i < prepared.length; i++) {
        const p = rank[i];
        if (p < 0 || decided[p] < 0) continue;
        const rule = rules[decided[p]].rule;
        const reason = referenced.get(i);
        if (reason === undefined) resultAt[p] = resultFor(prepared[i], rule);
        else heldBackAt[p] = { imageDigest: prepared[i].detail.imageDigest, imageTags: [...prepared[i].tags], appliedRulePriority: rule.rulePriority, reason };
    }
    const followerResults = new Map<number, LifecyclePreviewResult[]>();
    followers.forEach((subject, i) => {
        const p = subject < 0 ? -1 : rank[subject];
        if (p < 0 || resultAt[p] === undefined) return;
        const result = resultFor(prepared[i], rules[decided[p]].rule);
        const list = followerResults.get(p);
        if (list === undefined) followerResults.set(p, [result]);
        else list.push(result);
    });
    const byRule: LifecyclePreviewResult[][] = rules.map(() => []);
    const heldBack: HeldBackImage[] = [];
    let transitioning = 0;
    for (let p = order.length - 1; p >= 0; p--) {
        const result = resultAt[p];
        if (result !== undefined) {
            // No spread or filter here: either would allocate once per acted-on image.
            const list = byRule[decided[p]];
            list.push(result);
            if (result.action === TRANSITION_ACTION) transitioning++;
            const artifacts = followerResults.get(p);
            if (artifacts !== undefined) {
                for (const artifact of artifacts) {
                    list.push(artifact);
                    if (artifact.action === TRANSITION_ACTION) transitioning++;
                }
            }
        }
        const kept = heldBackAt[p];
        if (kept !== undefined) heldBack.push(kept);
    }
    const results = byRule.flat();
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
