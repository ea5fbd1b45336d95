export { EcrRepository, EcrRepositoryArgs, EcrRepositoryArgsError, RepositoryEncryption, RepositoryImmutability, DEFAULT_CACHE_TAG, PULL_ACTIONS, crossAccountPullPolicy } from "./ecr-repository";
export { ContainerImage, ContainerImageArgs, ContainerImageArgsError, ImageJudgmentError, ImageRepository, ImageRole, IMAGE_PLATFORMS } from "./container-image";
export { parseStackConfig, loadStackConfig, StackConfig, StackConfigError, ImageEntry, RepositorySettings } from "./stack-config";
export { defineStack, runShipshapeProgram, retentionRules, DefineStackOptions, StackResources } from "./program";
export { readGitFacts, resolveProvenance, httpsSourceUrl, GitFacts, Provenance, ProvenanceFallbacks, ProvenanceError } from "./provenance";
