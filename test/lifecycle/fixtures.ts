import { ImageDetail, LifecycleRule } from "../../lifecycle/index";

export const NOW = new Date("2026-03-01T12:00:00Z");
const DAY_MS = 24 * 60 * 60 * 1000;

export function daysAgo(days: number, now: Date = NOW): string {
    return new Date(now.getTime() - days * DAY_MS).toISOString();
}

export function image(name: string, tags: string[], pushedDaysAgo: number, extra: Partial<ImageDetail> = {}): ImageDetail {
    return { imageDigest: digestOf(name), imageTags: tags, imagePushedAt: daysAgo(pushedDaysAgo), ...extra };
}

/** A readable fake digest: the image name padded to sha256 length, so results can be mapped back. */
export function digestOf(name: string): string {
    return `sha256:${Buffer.from(name).toString("hex").padEnd(64, "0")}`;
}

export function nameOf(digest: string): string {
    return Buffer.from(digest.slice("sha256:".length).replace(/(00)+$/, ""), "hex").toString();
}

export function countRule(priority: number, selection: Partial<LifecycleRule["selection"]>, countNumber: number): LifecycleRule {
    return {
        rulePriority: priority,
        description: `Rule ${priority}`,
        selection: { tagStatus: "tagged", ...selection, countType: "imageCountMoreThan", countNumber },
        action: { type: "expire" },
    };
}

export function ageRule(priority: number, selection: Partial<LifecycleRule["selection"]>, days: number, action: LifecycleRule["action"] = { type: "expire" }): LifecycleRule {
    return {
        rulePriority: priority,
        description: `Rule ${priority}`,
        selection: { tagStatus: "tagged", countType: "sinceImagePushed", ...selection, countUnit: "days", countNumber: days },
        action,
    };
}
