import type { ResourceValidationPolicy } from "@pulumi/policy";
import { PolicyConfigOf } from "../config-schema";
import { plainProperties, unknownPaths } from "../resource-values";
import { ECR_REPOSITORY, Finding, resourcePolicy, unknownFinding } from "./support";

const NAME = "ecr-immutable-tags";

/**
 * Tags are immutable, except that the registry build cache must be overwritten on
 * every build: IMMUTABLE_WITH_EXCLUSION is accepted when each exclusion filter names
 * exactly a configured cache tag (a wildcard would let other tags be overwritten).
 */
export function evaluateImmutableTags(props: unknown, config: PolicyConfigOf<typeof NAME>): Finding[] {
    const inputs = plainProperties(props);
    const unknown = unknownPaths(inputs, ["imageTagMutability", "imageTagMutabilityExclusionFilters"]);
    if (unknown.length > 0) return [unknownFinding(unknown, config.unknownInputsDuringPreview)];
    const mutability = inputs.imageTagMutability;
    if (mutability === "IMMUTABLE") return [];
    if (mutability !== "IMMUTABLE_WITH_EXCLUSION") {
        return [{ message: `imageTagMutability is ${mutability === undefined ? "unset (AWS default MUTABLE)" : JSON.stringify(mutability)}; set IMMUTABLE, or IMMUTABLE_WITH_EXCLUSION excluding only the cache tag (${config.cacheTags.join(", ")})` }];
    }
    const filters = Array.isArray(inputs.imageTagMutabilityExclusionFilters) ? inputs.imageTagMutabilityExclusionFilters : [];
    if (filters.length === 0) return [{ message: "IMMUTABLE_WITH_EXCLUSION without imageTagMutabilityExclusionFilters" }];
    const findings: Finding[] = [];
    filters.forEach((item, i) => {
        const filter = (item as Record<string, unknown> | null)?.filter;
        if (typeof filter !== "string" || !config.cacheTags.includes(filter)) {
            findings.push({ message: `imageTagMutabilityExclusionFilters[${i}] (${JSON.stringify(filter)}) excludes more than the cache tag (${config.cacheTags.join(", ")}) from immutability` });
        }
    });
    return findings;
}

export const ecrImmutableTags: ResourceValidationPolicy = resourcePolicy(NAME, "ECR repository tags are immutable (only the registry-cache tag may be excluded).", ECR_REPOSITORY, evaluateImmutableTags);
