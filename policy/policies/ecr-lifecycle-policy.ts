import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { LifecyclePolicy, parseLifecyclePolicy, tagMayExpire } from "../../lifecycle/index";
import { PolicyConfigOf, jsonConfigSchema } from "../config-schema";
import { parseEcrReference, registryCacheEntries } from "../ecr-references";
import { isUnknown, knownString, plainProperties, unknownPaths } from "../resource-values";
import { DOCKER_BUILD_IMAGE, ECR_LIFECYCLE_POLICY, ECR_REPOSITORY, Finding, configOrReport, failClosedOnError, reportFindings, unknownFinding } from "./support";

const NAME = "ecr-lifecycle-policy";

/** A stack resource as plain data: properties without the unknown-checking proxy, dependencies as URNs. */
export interface StackResource {
    type: string;
    name: string;
    urn: string;
    props: Record<string, unknown>;
    propertyDependencies?: Record<string, string[]>;
}

export function toStackResource(resource: PolicyResource): StackResource {
    const propertyDependencies: Record<string, string[]> = {};
    for (const [key, deps] of Object.entries(resource.propertyDependencies ?? {})) propertyDependencies[key] = deps.map((d) => d.urn);
    return { type: resource.type, name: resource.name, urn: resource.urn, props: plainProperties(resource.props), propertyDependencies };
}

/**
 * Every ECR repository in the stack has a lifecycle policy, each policy is valid by
 * AWS's rules, and no policy can expire the registry-cache tag an image in the stack
 * writes to (the cache would vanish and every build would start cold, or fail to
 * import a half-expired cache).
 */
export function evaluateLifecyclePolicies(resources: readonly StackResource[], config: PolicyConfigOf<typeof NAME>): Finding[] {
    const findings: Finding[] = [];
    const repos = resources.filter((r) => r.type === ECR_REPOSITORY);
    const lifecycles = resources.filter((r) => r.type === ECR_LIFECYCLE_POLICY);
    const images = resources.filter((r) => r.type === DOCKER_BUILD_IMAGE);

    const targets = (lp: StackResource, repo: StackResource): boolean => {
        if ((lp.propertyDependencies?.repository ?? []).includes(repo.urn)) return true;
        const wanted = knownString(lp.props.repository);
        return wanted !== undefined && wanted === knownString(repo.props.name);
    };
    // A policy whose target repository is unknown and not recorded as a dependency could be any repository's.
    const undecidable = lifecycles.filter((lp) => isUnknown(lp.props.repository) && (lp.propertyDependencies?.repository ?? []).length === 0);

    const parsed = new Map<string, LifecyclePolicy>();
    for (const lp of lifecycles) {
        const unknown = unknownPaths(lp.props, ["policy"]);
        if (unknown.length > 0) {
            findings.push(unknownFinding(unknown.map((p) => `${lp.name}.${p}`), config.unknownInputsDuringPreview, lp.urn));
            continue;
        }
        try {
            parsed.set(lp.urn, parseLifecyclePolicy(lp.props.policy, `${ECR_LIFECYCLE_POLICY} ${lp.name}`));
        } catch (err) {
            const message = err instanceof Error ? err.message : String(err);
            findings.push({ message: `lifecycle policy ${lp.name} is not valid: ${message}`, urn: lp.urn });
        }
    }

    for (const repo of repos) {
        const label = knownString(repo.props.name) ?? repo.name;
        if (lifecycles.some((lp) => targets(lp, repo))) continue;
        if (undecidable.length > 0) {
            findings.push(unknownFinding(undecidable.map((lp) => `${lp.name}.repository`), config.unknownInputsDuringPreview, repo.urn));
        } else {
            findings.push({ message: `ECR repository ${label} has no ${ECR_LIFECYCLE_POLICY}: untagged and old images would accumulate without bound`, urn: repo.urn });
        }
    }

    for (const image of images) {
        const unknown = unknownPaths(image.props, ["cacheTo"]);
        if (unknown.length > 0) {
            findings.push(unknownFinding(unknown.map((p) => `${image.name}.${p}`), config.unknownInputsDuringPreview, image.urn));
            continue;
        }
        for (const entry of registryCacheEntries(image.props.cacheTo)) {
            const ref = parseEcrReference(entry.ref);
            if (!ref) continue;
            const repo = repos.find((r) => {
                const url = knownString(r.props.repositoryUrl);
                return (url !== undefined && url.toLowerCase() === `${ref.registry}/${ref.repository}`) || knownString(r.props.name) === ref.repository;
            });
            if (!repo) continue;
            for (const lp of lifecycles) {
                const policy = parsed.get(lp.urn);
                if (!policy || !targets(lp, repo)) continue;
                const exposure = tagMayExpire(policy, ref.tag);
                if (exposure.expires) {
                    const rule = exposure.rulePriority !== undefined ? ` (rule priority ${exposure.rulePriority})` : "";
                    findings.push({
                        message: `lifecycle policy ${lp.name} may expire the registry-cache tag "${ref.tag}" that image ${image.name} writes to ${entry.ref}${rule}: ${exposure.reason}`,
                        urn: lp.urn,
                    });
                }
            }
        }
    }
    return findings;
}

export const ecrLifecyclePolicy: StackValidationPolicy = {
    name: NAME,
    description: "Every ECR repository has a valid lifecycle policy that never expires the registry-cache tag images write to.",
    enforcementLevel: "mandatory",
    configSchema: jsonConfigSchema(NAME),
    validateStack: (args, report) =>
        failClosedOnError(() => {
            const config = configOrReport(NAME, args.getConfig(), report);
            if (config) reportFindings(evaluateLifecyclePolicies(args.resources.map(toStackResource), config), report);
        }, report),
};
