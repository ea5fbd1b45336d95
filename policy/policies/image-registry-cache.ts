import type { ResourceValidationPolicy } from "@pulumi/policy";
import { PolicyConfigOf } from "../config-schema";
import { parseEcrReference, pushedReferences, registryCacheEntries } from "../ecr-references";
import { plainProperties, unknownPaths } from "../resource-values";
import { DOCKER_BUILD_IMAGE, Finding, resourcePolicy, unknownFinding } from "./support";

const NAME = "image-registry-cache";

/**
 * An image pushed to ECR must read and write its build cache from/to ECR, and ECR
 * rejects buildx's default cache manifest list: every ECR cacheTo needs
 * `imageManifest: true` and `ociMediaTypes: true`.
 */
export function evaluateRegistryCache(props: unknown, config: PolicyConfigOf<typeof NAME>): Finding[] {
    const inputs = plainProperties(props);
    const unknown = unknownPaths(inputs, ["push", "tags", "exports", "cacheFrom", "cacheTo"]);
    if (unknown.length > 0) return [unknownFinding(unknown, config.unknownInputsDuringPreview)];
    if (!pushedReferences(inputs).some((ref) => parseEcrReference(ref) !== undefined)) return [];

    const findings: Finding[] = [];
    const from = registryCacheEntries(inputs.cacheFrom).filter((e) => parseEcrReference(e.ref));
    const to = registryCacheEntries(inputs.cacheTo).filter((e) => parseEcrReference(e.ref));
    if (from.length === 0) findings.push({ message: "the image is pushed to ECR but has no cacheFrom registry entry in ECR" });
    if (to.length === 0) findings.push({ message: "the image is pushed to ECR but has no cacheTo registry entry in ECR" });
    for (const entry of to) {
        const missing = [
            entry.imageManifest === true ? undefined : entry.form === "raw" ? "image-manifest=true" : "imageManifest: true",
            entry.ociMediaTypes === true ? undefined : entry.form === "raw" ? "oci-mediatypes=true" : "ociMediaTypes: true",
        ].filter((m): m is string => m !== undefined);
        if (missing.length > 0) {
            findings.push({ message: `cacheTo[${entry.index}] (${entry.ref}) writes to ECR without ${missing.join(" and ")}; ECR rejects the default cache manifest list` });
        }
    }
    return findings;
}

export const imageRegistryCache: ResourceValidationPolicy = resourcePolicy(NAME, "An image pushed to ECR uses an ECR registry cache (cacheFrom and cacheTo), written with imageManifest and ociMediaTypes.", DOCKER_BUILD_IMAGE, evaluateRegistryCache);
