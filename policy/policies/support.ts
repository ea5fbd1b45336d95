/**
 * What every shipshape policy shares: resource type tokens (so the pack never loads
 * @pulumi/aws or @pulumi/docker-build), config parsing that fails closed, and the
 * report helpers that keep unknown inputs and exemptions visible.
 */
import * as path from "path";
import type { ReportViolation, ResourceValidation, ResourceValidationPolicy } from "@pulumi/policy";
import { PolicyConfigOf, PolicyName, jsonConfigSchema, parsePolicyConfig } from "../config-schema";
import { UnknownInputsMode, unknownOutcome } from "../resource-values";
import { findUp } from "../find-up";

export const DOCKER_BUILD_IMAGE = "docker-build:index:Image";
export const ECR_REPOSITORY = "aws:ecr/repository:Repository";
export const ECR_LIFECYCLE_POLICY = "aws:ecr/lifecyclePolicy:LifecyclePolicy";

/**
 * The policy's parsed config, or undefined after reporting why it is unusable: a
 * policy that cannot read its config cannot decide, so it reports at its own level.
 */
export function configOrReport<N extends PolicyName>(name: N, raw: unknown, report: ReportViolation): PolicyConfigOf<N> | undefined {
    try {
        return parsePolicyConfig(name, raw);
    } catch (err) {
        report((err as Error).message);
        return undefined;
    }
}

/** One diagnostic a policy will report: at the policy's own level, or advisory. */
export interface Finding {
    message: string;
    advisory?: boolean;
    /** For stack policies: the resource the finding is about. */
    urn?: string;
}

export function unknownFinding(paths: readonly string[], mode: UnknownInputsMode, urn?: string): Finding {
    const outcome = unknownOutcome(paths, mode);
    return { message: outcome.message, advisory: outcome.enforcementLevel === "advisory", urn };
}

// @pulumi/policy's typings only admit a string, but its server (makeReportViolationFun)
// also takes an object whose enforcementLevel overrides the policy's for that one
// diagnostic; the engine-protocol tests pin this behaviour.
type ReportWithLevel = (violation: { message: string; enforcementLevel: "advisory"; urn?: string }) => void;

export function reportFindings(findings: readonly Finding[], report: ReportViolation): void {
    for (const finding of findings) {
        if (finding.advisory) (report as unknown as ReportWithLevel)({ message: finding.message, enforcementLevel: "advisory", urn: finding.urn });
        else report(finding.message, finding.urn);
    }
}


/**
 * A validateResource for one resource type token. The `__pulumiType` tag is what
 * @pulumi/policy's own `validateResourceOfType` attaches: the server then skips the
 * call for other types and reports the policy as not applicable.
 */
export function forResourceType(token: string, validate: ResourceValidation): ResourceValidation {
    const fn: ResourceValidation = async (args, report) => {
        if (args.type !== token) return args.notApplicable(`Policy only applies to resources of type '${token}'`);
        await failClosedOnError(() => validate(args, report), report);
    };
    (fn as unknown as { __pulumiType: string }).__pulumiType = token;
    return fn;
}

/**
 * A mandatory resource policy on one resource type: its config parsed (failing
 * closed when unusable), then `evaluate`'s findings reported.
 */
export function resourcePolicy<N extends PolicyName>(
    name: N,
    description: string,
    token: string,
    evaluate: (props: unknown, config: PolicyConfigOf<N>) => Finding[],
): ResourceValidationPolicy {
    return {
        name,
        description,
        enforcementLevel: "mandatory",
        configSchema: jsonConfigSchema(name),
        validateResource: forResourceType(token, (args, report) => {
            const config = configOrReport(name, args.getConfig(), report);
            if (config) reportFindings(evaluate(args.props, config), report);
        }),
    };
}

/**
 * A policy that throws would make the whole Analyze call fail with an RPC error
 * (and the preview with it, without saying which policy could not decide); a
 * diagnostic at the policy's level names the policy and still fails closed.
 */
export async function failClosedOnError(validate: () => void | Promise<void>, report: ReportViolation): Promise<void> {
    try {
        await validate();
    } catch (err) {
        report(`the policy could not evaluate this resource: ${err instanceof Error ? err.message : String(err)}; failing closed`);
    }
}

/**
 * The Pulumi project root relative Dockerfile paths resolve against: the configured
 * `projectRoot` (relative to the pack directory), else the nearest directory above
 * the pack directory (the engine's working directory for the pack) with a Pulumi.yaml.
 */
export function resolveProjectRoot(configured: string | undefined, packDir: string = process.cwd()): string | undefined {
    if (configured) return path.resolve(packDir, configured);
    return findUp(path.dirname(path.resolve(packDir)), ["Pulumi.yaml", "Pulumi.yml"]);
}
