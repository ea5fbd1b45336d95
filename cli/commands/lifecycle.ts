import { Command, Option } from "commander";
import * as fs from "fs";
import type { ImageDetail, LifecycleEvaluation, LifecyclePolicy } from "../../lifecycle/index";
import { EXIT_ERROR, EXIT_OK } from "../main";

interface LifecycleOptions {
    policy: string;
    images: string;
    now?: string;
    format: "text" | "json";
}

/** A usage or input problem: printed on stderr, exit 2. */
class InputError extends Error {}

const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export function registerLifecycle(program: Command, setExit: (code: number) => void): void {
    program
        .command("lifecycle")
        .description("Preview offline which images an ECR lifecycle policy would expire or archive (GetLifecyclePolicyPreview shape)")
        .requiredOption("--policy <file>", "lifecycle policy JSON, as given to `aws ecr put-lifecycle-policy`")
        .requiredOption("--images <file>", "output of `aws ecr describe-images --output json`")
        .option("--now <iso-8601>", "evaluation time (default: now)")
        .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
        .action((options: LifecycleOptions) => {
            setExit(runLifecycle(options));
        });
}

function readText(file: string, what: string): string {
    try {
        return fs.readFileSync(file, "utf8");
    } catch (err) {
        throw new InputError(`cannot read ${what} file ${file}: ${(err as Error).message}`);
    }
}

function readJson(file: string, what: string): unknown {
    const text = readText(file, what);
    try {
        return JSON.parse(text);
    } catch (err) {
        throw new InputError(`${file}: ${what} is not valid JSON: ${(err as Error).message}`);
    }
}

/** Date.parse rolls 2026-02-30 over to March 2 instead of refusing it. */
function isCalendarDate(value: string): boolean {
    const [year, month, day] = value.slice(0, 10).split("-").map(Number);
    return month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function parseNow(value: string | undefined): Date {
    if (value === undefined) return new Date();
    const ms = Date.parse(value);
    if (!ISO_8601.test(value) || !Number.isFinite(ms) || !isCalendarDate(value)) {
        throw new InputError(`--now: expected an ISO-8601 time such as 2026-01-31T12:00:00Z, got ${JSON.stringify(value)}`);
    }
    return new Date(ms);
}

function runLifecycle(options: LifecycleOptions): number {
    // Loaded here so other commands never pay for it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const lifecycle = require("../../lifecycle") as typeof import("../../lifecycle");
    let policy: LifecyclePolicy;
    let images: ImageDetail[];
    let evaluation: LifecycleEvaluation;
    try {
        const now = parseNow(options.now);
        policy = lifecycle.parseLifecyclePolicy(readText(options.policy, "policy"), options.policy);
        images = lifecycle.parseImageDetails(readJson(options.images, "image list"), options.images);
        try {
            evaluation = lifecycle.evaluateLifecyclePolicyDetailed(policy, images, now);
        } catch (err) {
            // Problems found only while evaluating (a duplicate digest) are still about the image file.
            if (err instanceof lifecycle.ImageListError) throw new InputError(`${options.images}: ${err.message}`);
            throw err;
        }
    } catch (err) {
        if (err instanceof InputError || err instanceof lifecycle.LifecycleValidationError || err instanceof lifecycle.ImageListError) {
            process.stderr.write(`shipshape lifecycle: ${err.message}\n`);
            return EXIT_ERROR;
        }
        throw err;
    }
    if (options.format === "json") {
        process.stdout.write(JSON.stringify(evaluation.preview, null, 2) + "\n");
    } else {
        process.stdout.write(renderText(evaluation, images.length));
    }
    return EXIT_OK;
}

function shortDigest(digest: string): string {
    return digest.startsWith("sha256:") ? digest.slice(0, 19) : digest;
}

function renderTable(header: string[], rows: string[][]): string {
    const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
    const line = (cells: string[]) => cells.map((cell, c) => (c === cells.length - 1 ? cell : cell.padEnd(widths[c]))).join("  ");
    return [line(header), ...rows.map(line)].join("\n") + "\n";
}

function renderText(evaluation: LifecycleEvaluation, imageCount: number): string {
    const { previewResults, summary } = evaluation.preview;
    let out = "";
    if (previewResults.length === 0) {
        out += `No image would be expired or transitioned (${imageCount} images evaluated).\n`;
    } else {
        out += renderTable(
            ["RULE", "ACTION", "DIGEST", "PUSHED", "TAGS"],
            previewResults.map((r) => [
                String(r.appliedRulePriority),
                r.action.type === "TRANSITION" ? "TRANSITION->ARCHIVE" : "EXPIRE",
                shortDigest(r.imageDigest),
                r.imagePushedAt,
                r.imageTags.length > 0 ? r.imageTags.join(",") : "<untagged>",
            ]),
        );
        const transitioning = summary.transitioningImageTotalCounts?.reduce((n, t) => n + t.imageTotalCount, 0) ?? 0;
        out += `\n${summary.expiringImageTotalCount} expire, ${transitioning} transition to archive, of ${imageCount} images.\n`;
    }
    if (evaluation.heldBack.length > 0) {
        out += `\nKept although a rule marks them (manifest list references):\n`;
        out += renderTable(
            ["RULE", "DIGEST", "WHY"],
            evaluation.heldBack.map((h) => [String(h.appliedRulePriority), shortDigest(h.imageDigest), h.reason]),
        );
    }
    return out;
}
