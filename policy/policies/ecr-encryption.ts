import type { ResourceValidationPolicy } from "@pulumi/policy";
import { PolicyConfigOf } from "../config-schema";
import { plainProperties, unknownPaths } from "../resource-values";
import { ECR_REPOSITORY, Finding, resourcePolicy, unknownFinding } from "./support";

const NAME = "ecr-encryption";

export function evaluateEncryption(props: unknown, config: PolicyConfigOf<typeof NAME>): Finding[] {
    const inputs = plainProperties(props);
    const unknown = unknownPaths(inputs, ["encryptionConfigurations"]);
    if (unknown.length > 0) return [unknownFinding(unknown, config.unknownInputsDuringPreview)];
    const list = Array.isArray(inputs.encryptionConfigurations) ? inputs.encryptionConfigurations : [];
    if (list.length === 0) return [{ message: "encryptionConfigurations is not set; configure encryption explicitly (encryptionType AES256 or KMS)" }];
    const findings: Finding[] = [];
    list.forEach((item, i) => {
        const type = (item as Record<string, unknown> | null)?.encryptionType;
        if (type !== "AES256" && type !== "KMS") {
            findings.push({ message: `encryptionConfigurations[${i}].encryptionType is ${JSON.stringify(type)}; expected AES256 or KMS` });
        } else if (config.requireKms && type !== "KMS") {
            findings.push({ message: `encryptionConfigurations[${i}].encryptionType is ${type}; this stack requires KMS` });
        }
    });
    return findings;
}

export const ecrEncryption: ResourceValidationPolicy = resourcePolicy(NAME, "ECR repositories configure encryption explicitly (KMS when required by config).", ECR_REPOSITORY, evaluateEncryption);
