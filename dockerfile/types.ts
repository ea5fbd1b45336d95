/**
 * The analyzer's public contract: what the CLI, the policy pack and the
 * components consume. Layers below (parser, shell, instructions, build) are
 * internal; only `analyzeDockerfile` and the judgments are called from outside.
 */

/** The four image judgments. Names are fixed: the policy pack and components reuse them. */
export type ImagePolicyName = "image-non-root-user" | "image-distroless-base" | "image-amd64-only" | "image-oci-labels";

export const IMAGE_POLICY_NAMES: readonly ImagePolicyName[] = [
    "image-non-root-user",
    "image-distroless-base",
    "image-amd64-only",
    "image-oci-labels",
];

/** A container image reference, normalised the way the Docker reference library does. */
export interface ImageReference {
    /** As written after expansion: `golang:1.22-alpine`. */
    original: string;
    /** `docker.io`, `gcr.io`, `cgr.dev`, ... */
    registry: string;
    /** Path without registry: `library/golang`, `distroless/static-debian12`. */
    repository: string;
    /** `latest` when neither tag nor digest was given. */
    tag?: string;
    /** `sha256:...` */
    digest?: string;
    /** Fully qualified: `docker.io/library/golang:1.22-alpine[@sha256:...]`. */
    normalized: string;
}

/** What is known about a base image's configuration (data, extendable by options). */
export interface BaseImageFact {
    /** Matches `registry/repository`, optionally `:tag`; `*` wildcards allowed. */
    match: string;
    /** The image's default USER (`""` = root, `"65532"`). Absent = unknown. */
    user?: string;
    /** Distroless: no shell, no package manager. */
    distroless?: boolean;
    /** Carries a shell (debug / -dev variants). */
    shell?: boolean;
    /** Why we believe this (source), shown in reasons. */
    note?: string;
}

/** One stage of the chain from the built stage down to the external base. */
export interface StageSummary {
    index: number;
    /** Stage name as BuildKit keeps it (lowercased), if `AS name` was given. */
    name?: string;
    /** Line of the FROM instruction. */
    line: number;
    /** The FROM argument after expansion. */
    from: string;
    /** `FROM --platform` after expansion, if given. */
    platform?: string;
    /** `FROM --platform` was given but BuildKit does not use it: FROM names a stage (whose platform is kept) or scratch (built for the target platform). */
    platformIgnored?: boolean;
    /**
     * The variables describing the builder's host (`BUILDPLATFORM`, `BUILDOS`, ...,
     * and `TARGET*` when no platform was requested) that `FROM --platform`'s value
     * came from, directly or through global ARGs. The builder is unknown to the
     * analysis, so such a platform is not decided by the Dockerfile.
     */
    platformBuildVariables?: string[];
}

export type UserVerdict = "root" | "non-root" | "unknown";

export interface AnalyzeOptions {
    /** Name used in messages: a path or `<inline>`. */
    file?: string;
    /** `--target`; case-insensitive; default the last stage. */
    target?: string;
    /** `--build-arg` values. */
    buildArgs?: Record<string, string>;
    /** Requested platforms (`--platform`); empty or absent = none given (buildx builds for the host). */
    platforms?: string[];
    /** Labels given on the command line / resource; they overlay Dockerfile LABELs. */
    labels?: Record<string, string>;
    /** Extra base-image facts, consulted before the built-in data. */
    baseImages?: BaseImageFact[];
    /** Platform of the builder (BUILDPLATFORM); default `linux/amd64`. */
    buildPlatform?: string;
    /** Work one analysis may do; past it the analysis stops with a located "analysis budget exceeded" error. */
    budget?: AnalysisBudgetOptions;
}

/**
 * Bounds on the work of a whole analysis (each word has its own, smaller caps):
 * a hostile file under the input cap must not keep the analyzer busy for minutes.
 */
export interface AnalysisBudgetOptions {
    /** Characters all word expansions may produce in total (UTF-16 code units); default 64 MiB. */
    maxExpandedCharacters?: number;
    /** Elementary pattern-matching steps of all `${V#p}`, `${V%p}`, `${V/p/r}` substitutions; default 256 million. */
    maxPatternSteps?: number;
    /** Dispatch work: a step per stage examined in each round of stage resolution and per variable or label a stage inherits, 16 per ONBUILD trigger run; default 1 million. */
    maxDispatchSteps?: number;
}

/** An error BuildKit would raise, or a limit we enforce; the file cannot be judged. */
export interface AnalysisError {
    message: string;
    line?: number;
}

/** What image BuildKit would produce from the Dockerfile for the requested build. */
export interface ImageFacts {
    file: string;
    /** The stage that is built: its name, or its index as a string when unnamed. */
    target?: string;
    /** Built stage first, then its parent stage, ... down to the stage whose FROM names an external image. */
    stages: StageSummary[];
    /** The external base image of the chain; `"scratch"` for scratch; undefined when it cannot be determined. */
    base?: ImageReference | "scratch";
    /** Facts about `base` from the base-image data, if any matched. */
    baseFact?: BaseImageFact;
    /** Effective USER string after expansion (inherited through stages and the base image's default); undefined when unknown. */
    user?: string;
    userVerdict: UserVerdict;
    /** Why the verdict: `USER app at line 12`, `base gcr.io/distroless/static:nonroot runs as 65532`, ... */
    userReason: string;
    /** Line of the USER instruction that decided, if one did. */
    userLine?: number;
    /** Platform the built stage targets: its `FROM --platform` after expansion, else the requested platform. */
    platform?: string;
    /** Requested platforms as given (normalised `os/arch[/variant]`). */
    platforms: string[];
    /** Labels the image would carry: Dockerfile LABELs of the chain (expanded) overlaid by option labels. */
    labels: Record<string, string>;
    /** Line of the LABEL instruction for each Dockerfile-set label. */
    labelLines: Record<string, number>;
    /** Errors: when non-empty, the facts above are incomplete and every judgment fails closed. */
    errors: AnalysisError[];
}

export interface JudgmentConfig {
    /** Labels that must be present and non-empty. Default: org.opencontainers.image.{title,source,revision,created,version}. */
    requiredLabels?: string[];
    /** Allowed base images (patterns like `gcr.io/distroless/*`); default: distroless non-debug, chainguard non-dev, scratch. */
    allowedBaseImages?: string[];
    /** When true, a named (non-numeric) user is a violation of image-non-root-user. */
    requireNumericUser?: boolean;
}

export interface Violation {
    policy: ImagePolicyName;
    message: string;
    line?: number;
}
