import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { ecrEncryption } from "./ecr-encryption";
import { ecrImmutableTags } from "./ecr-immutable-tags";
import { ecrLifecyclePolicy } from "./ecr-lifecycle-policy";
import { ecrScanOnPush } from "./ecr-scan-on-push";
import { imageAmd64Only } from "./image-amd64-only";
import { imageDistrolessBase } from "./image-distroless-base";
import { imageNonRootUser } from "./image-non-root-user";
import { imageOciLabels } from "./image-oci-labels";
import { imageRegistryCache } from "./image-registry-cache";

export const ALL_POLICIES: readonly (ResourceValidationPolicy | StackValidationPolicy)[] = [
    imageNonRootUser,
    imageDistrolessBase,
    imageAmd64Only,
    imageOciLabels,
    imageRegistryCache,
    ecrScanOnPush,
    ecrImmutableTags,
    ecrEncryption,
    ecrLifecyclePolicy,
];
