/**
 * The four image judgments and their combination. Each judgment is a pure
 * function of the ImageFacts analyzeDockerfile produced.
 */
import type { ImageFacts, ImagePolicyName, JudgmentConfig, Violation } from "../types";
import { IMAGE_POLICY_NAMES } from "../types";
import { imageAmd64Only } from "./image-amd64-only";
import { imageDistrolessBase } from "./image-distroless-base";
import { imageNonRootUser } from "./image-non-root-user";
import { imageOciLabels } from "./image-oci-labels";
import { where } from "./location";

export { DEFAULT_ALLOWED_BASE_IMAGES } from "./image-distroless-base";
export { DEFAULT_REQUIRED_LABELS, isRfc3339DateTime } from "./image-oci-labels";
export { REQUIRED_PLATFORM } from "./image-amd64-only";
export { imageAmd64Only, imageDistrolessBase, imageNonRootUser, imageOciLabels };

/** Label marking an image that exists to build others (CI runners, toolchains); see allowBuilderImages. */
export const BUILDER_ROLE_LABEL = "dev.shipshape.image.role";
export const BUILDER_ROLE_VALUE = "builder";

export type Judgment = (facts: ImageFacts, config: JudgmentConfig) => Violation[];

export const JUDGMENTS: Readonly<Record<ImagePolicyName, Judgment>> = Object.freeze({
    "image-non-root-user": imageNonRootUser,
    "image-distroless-base": imageDistrolessBase,
    "image-amd64-only": imageAmd64Only,
    "image-oci-labels": imageOciLabels,
});

/** One-line descriptions (CLI help, SARIF rules, policy descriptions). */
export const IMAGE_POLICY_DESCRIPTIONS: Readonly<Record<ImagePolicyName, string>> = Object.freeze({
    "image-non-root-user": "The image must provably run as a non-root user (numeric uid when requireNumericUser is set).",
    "image-distroless-base": "The base of the built stage must be distroless: gcr.io/distroless (not debug), cgr.dev/chainguard (not -dev), or scratch.",
    "image-amd64-only": "Exactly linux/amd64 must be requested, and no FROM --platform in the built chain may pin another platform.",
    "image-oci-labels": "The image must carry the required OCI labels, non-empty; org.opencontainers.image.created must be RFC 3339.",
});

/** Judgments a builder image is exempt from: it needs a shell and usually root to build. */
const BUILDER_EXEMPT: readonly ImagePolicyName[] = ["image-non-root-user", "image-distroless-base"];

export interface JudgeOptions extends JudgmentConfig {
    /** Exempt images labelled dev.shipshape.image.role=builder from image-non-root-user and image-distroless-base. Default true. */
    allowBuilderImages?: boolean;
}

export interface Exemption {
    policy: ImagePolicyName;
    message: string;
}

export interface Judgement {
    violations: Violation[];
    exemptions: Exemption[];
}

/**
 * Runs the four judgments. When the analysis has errors, the facts are
 * incomplete: every judgment fails closed with the first error's location.
 */
export function judgeImage(facts: ImageFacts, config: JudgeOptions = {}): Judgement {
    if (facts.errors.length > 0) {
        const first = facts.errors[0];
        const more = facts.errors.length > 1 ? ` (and ${facts.errors.length - 1} more error${facts.errors.length > 2 ? "s" : ""})` : "";
        const message = `cannot judge the image: ${where(facts, first.line)}: ${first.message}${more}`;
        return {
            violations: IMAGE_POLICY_NAMES.map((policy) => ({ policy, message, line: first.line })),
            exemptions: [],
        };
    }
    const isBuilder = facts.labels[BUILDER_ROLE_LABEL] === BUILDER_ROLE_VALUE;
    const exemptBuilder = isBuilder && (config.allowBuilderImages ?? true);
    const violations: Violation[] = [];
    const exemptions: Exemption[] = [];
    for (const policy of IMAGE_POLICY_NAMES) {
        if (exemptBuilder && BUILDER_EXEMPT.includes(policy)) {
            const line = facts.labelLines[BUILDER_ROLE_LABEL];
            const source = line === undefined ? "given as a label option" : `set at ${where(facts, line)}`;
            exemptions.push({
                policy,
                message: `${policy} not applied: builder image (label ${BUILDER_ROLE_LABEL}=${BUILDER_ROLE_VALUE}, ${source}) and allowBuilderImages is on`,
            });
            continue;
        }
        violations.push(...JUDGMENTS[policy](facts, config));
    }
    return { violations, exemptions };
}
