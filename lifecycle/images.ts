import { z } from "zod";
import { ImageDetail, Timestamp } from "./types";

/** Bad describe-images input; the message names the source and the offending entry. */
export class ImageListError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ImageListError";
    }
}

const timestamp = z.union([z.string(), z.number()]);
const imageSchema = z.looseObject({
    imageDigest: z.string().min(1),
    imageTags: z.array(z.string()).optional(),
    imagePushedAt: timestamp,
    lastRecordedPullTime: timestamp.optional(),
    imageManifestMediaType: z.string().optional(),
    artifactMediaType: z.string().optional(),
    imageStatus: z.enum(["ACTIVE", "ARCHIVED", "ACTIVATING"]).optional(),
    lastArchivedAt: timestamp.optional(),
    lastActivatedAt: timestamp.optional(),
    subjectManifestDigest: z.string().optional(),
    childManifestDigests: z.array(z.string()).optional(),
});
const describeImagesSchema = z.looseObject({ imageDetails: z.array(z.unknown()) });

/**
 * Milliseconds since the epoch, NaN when unreadable. ISO-8601 strings (AWS CLI v2) and epoch
 * seconds (AWS CLI v1, fractional) are both what `describe-images --output json` prints.
 */
export function parseTimestampMillis(value: Timestamp): number {
    if (value instanceof Date) return value.getTime();
    if (typeof value === "number") return value * 1000;
    if (/^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
    return Date.parse(value);
}

/** Like parseTimestampMillis, but throws ImageListError naming `what` for an unreadable value. */
export function timestampMillis(value: Timestamp, what: string): number {
    const ms = parseTimestampMillis(value);
    if (!Number.isFinite(ms)) throw new ImageListError(`${what}: not a valid timestamp: ${JSON.stringify(value)}`);
    return ms;
}

/**
 * Validates `aws ecr describe-images --output json` output (`{"imageDetails": [...]}`) and returns
 * its images; unknown fields pass through. Throws ImageListError naming `source` and the entry.
 */
export function parseImageDetails(input: unknown, source = "images"): ImageDetail[] {
    const top = describeImagesSchema.safeParse(input);
    if (!top.success) {
        throw new ImageListError(`${source}: expected the output of \`aws ecr describe-images --output json\`, an object with an "imageDetails" array`);
    }
    const problems: string[] = [];
    const images: ImageDetail[] = [];
    top.data.imageDetails.forEach((raw, index) => {
        const parsed = imageSchema.safeParse(raw);
        if (!parsed.success) {
            for (const issue of parsed.error.issues) {
                const field = issue.path.map(String).join(".");
                problems.push(`imageDetails[${index}]${field ? "." + field : ""}: ${issue.message}`);
            }
            return;
        }
        const image = parsed.data as ImageDetail;
        for (const field of ["imagePushedAt", "lastRecordedPullTime", "lastArchivedAt", "lastActivatedAt"] as const) {
            const value = image[field];
            if (value === undefined) continue;
            try {
                timestampMillis(value, `imageDetails[${index}].${field}`);
            } catch (err) {
                problems.push((err as Error).message);
            }
        }
        images.push(image);
    });
    if (problems.length > 0) {
        throw new ImageListError(`${source}: invalid image list:\n` + problems.map((p) => `  - ${p}`).join("\n"));
    }
    return images;
}
