/**
 * From a `docker-build:index:Image`'s inputs to the analyzer's verdicts. Pure (no
 * Pulumi import): the policy pack's image policies and the ContainerImage
 * component both call `checkImageInputs`, so an image is judged the same way at
 * construction time and at preview.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { analyzeDockerfile } from "../dockerfile/analyze";
import { judgeImage } from "../dockerfile/judgments";
import { AnalyzeOptions, BaseImageFact, IMAGE_POLICY_NAMES, ImageFacts, ImagePolicyName, JudgmentConfig, Violation } from "../dockerfile/types";

/** The inputs the analysis reads; an unknown among them means the image cannot be judged yet. */
export const IMAGE_ANALYSIS_INPUTS = ["dockerfile", "context", "target", "buildArgs", "platforms", "labels"] as const;

/** The subset of @pulumi/docker-build `ImageArgs` the checks read, as plain values. */
export interface DockerBuildImageInputs {
    dockerfile?: { inline?: string; location?: string };
    context?: { location?: string };
    target?: string;
    buildArgs?: Record<string, string>;
    platforms?: string[];
    labels?: Record<string, string>;
    push?: boolean;
    tags?: string[];
    cacheFrom?: unknown[];
    cacheTo?: unknown[];
    exports?: unknown[];
    [key: string]: unknown;
}

export interface ImagePolicyConfig extends JudgmentConfig {
    /** Builder images (label dev.shipshape.image.role=builder) skip non-root and distroless checks; default true. */
    allowBuilderImages?: boolean;
    /** Extra base-image facts, consulted before the built-in data. */
    baseImages?: BaseImageFact[];
}

export type DockerfileSource = "dockerfile.inline" | "dockerfile.location" | "context.location";

export interface ImageCheck {
    /** Where the Dockerfile came from, and the name used in messages (absolute path or `<inline>`). */
    dockerfile: { source?: DockerfileSource; file: string };
    /** Undefined when the Dockerfile could not be read. */
    facts?: ImageFacts;
    violations: Violation[];
    exemptions: { policy: ImagePolicyName; message: string }[];
}

export interface CheckImageOptions {
    /** Directory relative Dockerfile and context paths are resolved against (the Pulumi project root). */
    projectRoot?: string;
    config?: ImagePolicyConfig;
}

// Beyond this we do not even read the file; the parser's own limit (1 MiB) is smaller
// and reports the precise error for anything between the two.
const MAX_READ_BYTES = 8 * 1024 * 1024;

function failAll(file: string, message: string): Violation[] {
    return IMAGE_POLICY_NAMES.map((policy) => ({ policy, message: `${file}: ${message}` }));
}

function nonEmptyString(value: unknown): value is string {
    return typeof value === "string" && value !== "";
}

function resolvePath(given: string, projectRoot: string | undefined, key: string): { path?: string; error?: string } {
    if (path.isAbsolute(given)) return { path: given };
    if (!projectRoot) return { error: `${key} "${given}" is relative and no project root is known (no Pulumi.yaml found; set projectRoot)` };
    return { path: path.resolve(projectRoot, given) };
}

function stringRecord(value: unknown, key: string): { value?: Record<string, string>; error?: string } {
    if (value === undefined || value === null) return {};
    if (typeof value !== "object" || Array.isArray(value)) return { error: `${key} must be a map of strings` };
    for (const [k, v] of Object.entries(value)) {
        if (typeof v !== "string") return { error: `${key}.${k} must be a string` };
    }
    return { value: value as Record<string, string> };
}

// Images built from the same Dockerfile text with the same options (services sharing
// a Dockerfile, a plan's many images) are analysed once. Keyed by a digest so a
// 1 MiB Dockerfile costs 64 bytes of key, not its whole text.
const analysisCache = new Map<string, ImageFacts>();
const ANALYSIS_CACHE_SIZE = 64;

function analyzeCached(text: string, options: AnalyzeOptions): ImageFacts {
    const key = stableDigest([text, options]);
    if (key === undefined) return analyzeDockerfile(text, options);
    const hit = analysisCache.get(key);
    if (hit) return hit;
    const facts = analyzeDockerfile(text, options);
    if (analysisCache.size >= ANALYSIS_CACHE_SIZE) analysisCache.delete(analysisCache.keys().next().value as string);
    analysisCache.set(key, facts);
    return facts;
}

/**
 * JSON with object keys sorted, so equal values serialise equally whatever the
 * order their keys were given in; undefined when the value is not plain JSON data
 * (then there is no safe key, and callers do not memoise).
 */
export function stableJson(value: unknown): string | undefined {
    if (value === null || typeof value === "boolean" || typeof value === "string") return JSON.stringify(value);
    if (typeof value === "number") return Number.isFinite(value) ? JSON.stringify(value) : undefined;
    if (Array.isArray(value)) {
        const items: string[] = [];
        for (const item of value) {
            const json = item === undefined ? "null" : stableJson(item);
            if (json === undefined) return undefined;
            items.push(json);
        }
        return `[${items.join(",")}]`;
    }
    const proto = typeof value === "object" ? Object.getPrototypeOf(value) : undefined;
    if (proto === Object.prototype || proto === null) {
        const entries: string[] = [];
        for (const key of Object.keys(value as object).sort()) {
            const item = (value as Record<string, unknown>)[key];
            if (item === undefined) continue;
            const json = stableJson(item);
            if (json === undefined) return undefined;
            entries.push(`${JSON.stringify(key)}:${json}`);
        }
        return `{${entries.join(",")}}`;
    }
    return undefined;
}

/** A short cache key for plain JSON data: the SHA-256 of its `stableJson`, undefined when there is none. */
export function stableDigest(value: unknown): string | undefined {
    const json = stableJson(value);
    return json === undefined ? undefined : createHash("sha256").update(json).digest("base64");
}

/** What judging needs from an image's inputs: the Dockerfile, and either its analysis or why there is none. */
export interface ImageAnalysis {
    dockerfile: ImageCheck["dockerfile"];
    /** Undefined when the Dockerfile could not be read or the inputs are malformed. */
    facts?: ImageFacts;
    /** Set when there are no facts: fails every image policy. */
    failure?: Violation[];
}

export interface AnalyzeImageOptions {
    /** Directory relative Dockerfile and context paths are resolved against (the Pulumi project root). */
    projectRoot?: string;
    /** Extra base-image facts, consulted before the built-in data. */
    baseImages?: BaseImageFact[];
}

/**
 * Resolves the Dockerfile (`dockerfile.inline`, else `dockerfile.location`, else
 * `<context.location>/Dockerfile`) and analyses it with the build's target, build
 * args, platforms and labels; no judging, so its result serves every policy's
 * config. Never throws for bad input: an unreadable or missing Dockerfile, or
 * malformed inputs, give a failure naming the file or input key.
 */
export function analyzeImageInputs(inputs: DockerBuildImageInputs, options: AnalyzeImageOptions = {}): ImageAnalysis {
    const dockerfile = inputs.dockerfile ?? {};
    let source: DockerfileSource | undefined;
    let file = "<inline>";
    let text: string | undefined;
    let problem: string | undefined;

    if (nonEmptyString(dockerfile.inline)) {
        source = "dockerfile.inline";
        text = dockerfile.inline;
    } else {
        let given: string | undefined;
        if (nonEmptyString(dockerfile.location)) {
            source = "dockerfile.location";
            given = dockerfile.location;
        } else if (nonEmptyString(inputs.context?.location)) {
            source = "context.location";
            given = path.join(inputs.context!.location!, "Dockerfile");
        }
        if (!source || given === undefined) {
            return { dockerfile: { file: "<none>" }, failure: failAll("<none>", "no Dockerfile: set dockerfile.inline, dockerfile.location or context.location") };
        }
        const resolved = resolvePath(given, options.projectRoot, source);
        file = resolved.path ?? given;
        if (resolved.error) {
            problem = resolved.error;
        } else {
            try {
                const stat = fs.statSync(file);
                if (!stat.isFile()) problem = `cannot read Dockerfile (from ${source}): not a regular file`;
                else if (stat.size > MAX_READ_BYTES) problem = `cannot read Dockerfile (from ${source}): ${stat.size} bytes exceeds the ${MAX_READ_BYTES}-byte read limit`;
                else text = fs.readFileSync(file, "utf8");
            } catch (err) {
                const code = (err as NodeJS.ErrnoException).code;
                problem = `cannot read Dockerfile (from ${source}): ${code ?? (err as Error).message}`;
            }
        }
    }
    if (text === undefined) {
        return { dockerfile: { source, file }, failure: failAll(file, problem ?? "cannot read Dockerfile") };
    }

    const buildArgs = stringRecord(inputs.buildArgs, "buildArgs");
    const labels = stringRecord(inputs.labels, "labels");
    const platforms = inputs.platforms;
    const inputProblem =
        buildArgs.error ??
        labels.error ??
        (platforms !== undefined && platforms !== null && (!Array.isArray(platforms) || !platforms.every((p) => typeof p === "string"))
            ? "platforms must be a list of strings"
            : undefined) ??
        (inputs.target !== undefined && inputs.target !== null && typeof inputs.target !== "string" ? "target must be a string" : undefined);
    if (inputProblem) return { dockerfile: { source, file }, failure: failAll(file, inputProblem) };

    const facts = analyzeCached(text, {
        file,
        target: nonEmptyString(inputs.target) ? inputs.target : undefined,
        buildArgs: buildArgs.value,
        platforms: platforms ?? undefined,
        labels: labels.value,
        baseImages: options.baseImages,
    });
    return { dockerfile: { source, file }, facts };
}

/** Judges an analysis with one configuration (the analysis's failure, if any, fails every judgment). */
export function judgeImageAnalysis(analysis: ImageAnalysis, config: ImagePolicyConfig = {}): ImageCheck {
    if (!analysis.facts) return { dockerfile: analysis.dockerfile, violations: analysis.failure ?? failAll(analysis.dockerfile.file, "cannot read Dockerfile"), exemptions: [] };
    const { violations, exemptions } = judgeImage(analysis.facts, config);
    return { dockerfile: analysis.dockerfile, facts: analysis.facts, violations, exemptions };
}

/** `analyzeImageInputs` then `judgeImageAnalysis`: an image's inputs to the analyzer's verdicts. */
export function checkImageInputs(inputs: DockerBuildImageInputs, options: CheckImageOptions = {}): ImageCheck {
    return judgeImageAnalysis(analyzeImageInputs(inputs, { projectRoot: options.projectRoot, baseImages: options.config?.baseImages }), options.config);
}
