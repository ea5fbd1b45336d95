export { EcrRepository, EcrRepositoryArgs, EcrRepositoryArgsError, RepositoryEncryption, RepositoryImmutability, DEFAULT_CACHE_TAG, CACHE_PROTECTION_PRIORITY, PULL_ACTIONS, crossAccountPullPolicy } from "./ecr-repository";
export { ContainerImage, ContainerImageArgs, ContainerImageArgsError, ImageJudgmentError, ImageRepository, ImageRole, ImagePolicySettings, ImageFinding, EnforcementLevel, IMAGE_PLATFORMS } from "./container-image";
export { parseStackConfig, loadStackConfig, StackConfig, StackConfigError, ImageEntry, RepositorySettings, CONFIG_NAMESPACE } from "./stack-config";
export { defineStack, runShipshapeProgram, retentionRules, imagePolicyForStack, DefineStackOptions, StackResources } from "./program";
export { readGitFacts, resolveProvenance, httpsSourceUrl, GitFacts, Provenance, ProvenanceFallbacks, ProvenanceError } from "./provenance";
export { IMAGE_TAG_PATTERN } from "./image-tag";
