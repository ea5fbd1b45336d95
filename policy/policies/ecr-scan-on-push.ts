import type { ResourceValidationPolicy } from "@pulumi/policy";
import { PolicyConfigOf } from "../config-schema";
import { plainProperties, unknownPaths } from "../resource-values";
import { ECR_REPOSITORY, Finding, resourcePolicy, unknownFinding } from "./support";

const NAME = "ecr-scan-on-push";

export function evaluateScanOnPush(props: unknown, config: PolicyConfigOf<typeof NAME>): Finding[] {
    const inputs = plainProperties(props);
    const unknown = unknownPaths(inputs, ["imageScanningConfiguration"]);
    if (unknown.length > 0) return [unknownFinding(unknown, config.unknownInputsDuringPreview)];
    const scanning = inputs.imageScanningConfiguration as Record<string, unknown> | undefined;
    // Unknown values were reported above: only a known true passes.
    if (scanning?.scanOnPush === true) return [];
    return [{ message: "imageScanningConfiguration.scanOnPush must be true: images are scanned for vulnerabilities when pushed" }];
}

export const ecrScanOnPush: ResourceValidationPolicy = resourcePolicy(NAME, "ECR repositories scan images on push.", ECR_REPOSITORY, evaluateScanOnPush);
