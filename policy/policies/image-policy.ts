/**
 * The shared shape of the four image policies: each is a thin filter over the
 * analyzer's judgments of the image (`analyzeImageInputs`, shared by the four
 * within one Analyze call, then `judgeImageAnalysis` with the policy's own config),
 * never a second implementation of a judgment.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { IMAGE_POLICY_NAMES, ImagePolicyName, Violation } from "../../dockerfile/types";
import { PolicyConfigOf } from "../config-schema";
import { ImageAnalysisMemo } from "../image-analysis-memo";
import { DockerBuildImageInputs, IMAGE_ANALYSIS_INPUTS, ImagePolicyConfig, judgeImageAnalysis } from "../image-inputs";
import { plainProperties, unknownPaths } from "../resource-values";
import { DOCKER_BUILD_IMAGE, Finding, resolveProjectRoot, resourcePolicy, unknownFinding } from "./support";

type ImagePolicyConfigOf = PolicyConfigOf<ImagePolicyName>;

// The four image policies of one Analyze call share one analysis of the image.
const analyses = new ImageAnalysisMemo(IMAGE_POLICY_NAMES);

function judgmentConfig(config: ImagePolicyConfigOf): ImagePolicyConfig {
    const { projectRoot: _root, unknownInputsDuringPreview: _unknowns, ...rest } = config as ImagePolicyConfigOf & Record<string, unknown>;
    return rest as ImagePolicyConfig;
}

function located(file: string, violation: Violation): string {
    if (violation.message.includes(file)) return violation.message;
    return violation.line !== undefined ? `${file}:${violation.line}: ${violation.message}` : `${file}: ${violation.message}`;
}

/** The diagnostics one image policy reports for a docker-build Image's inputs. */
export function evaluateImagePolicy(name: ImagePolicyName, props: unknown, config: ImagePolicyConfigOf, packDir?: string): Finding[] {
    const inputs = plainProperties(props);
    // Of the build context only its location matters (named contexts do not change what is judged).
    const unknown = unknownPaths(inputs, IMAGE_ANALYSIS_INPUTS).filter((p) => !p.startsWith("context") || p === "context" || p.startsWith("context.location"));
    if (unknown.length > 0) return [unknownFinding(unknown, config.unknownInputsDuringPreview)];
    const analysis = analyses.analysis(name, inputs as DockerBuildImageInputs, {
        projectRoot: resolveProjectRoot(config.projectRoot, packDir),
        baseImages: config.baseImages,
    });
    const check = judgeImageAnalysis(analysis, judgmentConfig(config));
    const findings: Finding[] = check.violations.filter((v) => v.policy === name).map((v) => ({ message: located(check.dockerfile.file, v) }));
    for (const exemption of check.exemptions) {
        if (exemption.policy === name) findings.push({ message: `exempt: ${exemption.message}`, advisory: true });
    }
    return findings;
}

export function imagePolicy(name: ImagePolicyName, description: string): ResourceValidationPolicy {
    return resourcePolicy(name, description, DOCKER_BUILD_IMAGE, (props, config) => evaluateImagePolicy(name, props, config));
}
