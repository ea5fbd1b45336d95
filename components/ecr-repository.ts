import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LifecyclePolicy, LifecycleRule, parseLifecyclePolicy, protectTag, serializeLifecyclePolicy } from "../lifecycle/index";
import { ACCOUNT_ID_PATTERN, REPOSITORY_NAME_PATTERN } from "./ecr-names";
import { IMAGE_TAG_PATTERN } from "./image-tag";

/** How images at rest are encrypted. KMS without a key uses the AWS-managed `aws/ecr` key. */
export type RepositoryEncryption = { type: "AES256" } | { type: "KMS"; kmsKey?: pulumi.Input<string> };

/**
 * Tag mutability. `IMMUTABLE` is deliberately not offered: the registry cache
 * rewrites its tag on every build, so plain immutability would fail the second push.
 */
export type RepositoryImmutability = "IMMUTABLE_WITH_EXCLUSION" | "MUTABLE";

export interface EcrRepositoryArgs {
    /** ECR repository name (lowercase, `/` allowed). Default: Pulumi auto-naming from the resource name. */
    name?: string;
    /** Default `{ type: "AES256" }`. */
    encryption?: RepositoryEncryption;
    /** Delete the repository even when it holds images. Default false. */
    forceDelete?: boolean;
    /** Default `IMMUTABLE_WITH_EXCLUSION`, excluding only `cacheTag`. */
    immutability?: RepositoryImmutability;
    /** The registry-cache tag images write with `cacheTo`; always protected from expiry. Default `cache`. */
    cacheTag?: string;
    /**
     * Retention rules, typed as the lifecycle library models them. Priority
     * `CACHE_PROTECTION_PRIORITY` is reserved for the rule protecting `cacheTag`.
     */
    lifecycleRules?: LifecycleRule[];
    /** AWS account ids allowed to pull (BatchGetImage, GetDownloadUrlForLayer, BatchCheckLayerAvailability only). */
    pullAccountIds?: string[];
    /** AWS resource tags. */
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

export const DEFAULT_CACHE_TAG = "cache";
export const CACHE_PROTECTION_PRIORITY = 1;
/** Exactly the actions needed to pull an image; nothing that writes or lists. */
export const PULL_ACTIONS = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"] as const;

/** Every default resolved in one place; the rest of the component only reads this. */
interface ResolvedRepositoryArgs {
    name?: string;
    encryption: RepositoryEncryption;
    forceDelete: boolean;
    immutability: RepositoryImmutability;
    cacheTag: string;
    lifecyclePolicy: LifecyclePolicy;
    pullAccountIds: string[];
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

export class EcrRepositoryArgsError extends Error {
    constructor(resourceName: string, detail: string) {
        super(`EcrRepository "${resourceName}": ${detail}`);
        this.name = "EcrRepositoryArgsError";
    }
}

function resolveArgs(resourceName: string, args: EcrRepositoryArgs): ResolvedRepositoryArgs {
    const fail = (detail: string): never => {
        throw new EcrRepositoryArgsError(resourceName, detail);
    };
    if (args.name !== undefined && (args.name.length < 2 || args.name.length > 256 || !REPOSITORY_NAME_PATTERN.test(args.name))) {
        fail(`name ${JSON.stringify(args.name)} is not a valid ECR repository name (lowercase letters, digits, . _ - separated path components, 2-256 characters)`);
    }
    const cacheTag = args.cacheTag ?? DEFAULT_CACHE_TAG;
    if (!IMAGE_TAG_PATTERN.test(cacheTag)) {
        fail(`cacheTag ${JSON.stringify(cacheTag)} is not a valid image tag (letters, digits, _ . -, at most 128, no wildcard)`);
    }
    const immutability = args.immutability ?? "IMMUTABLE_WITH_EXCLUSION";
    if (immutability !== "IMMUTABLE_WITH_EXCLUSION" && immutability !== "MUTABLE") {
        fail(`immutability ${JSON.stringify(immutability)} is not supported: use IMMUTABLE_WITH_EXCLUSION (the cache tag must stay rewritable) or MUTABLE`);
    }
    const encryption = args.encryption ?? { type: "AES256" };
    if (encryption.type !== "AES256" && encryption.type !== "KMS") {
        fail(`encryption.type ${JSON.stringify((encryption as { type: unknown }).type)} must be AES256 or KMS`);
    }
    const pullAccountIds = [...new Set(args.pullAccountIds ?? [])].sort();
    for (const account of pullAccountIds) {
        if (!ACCOUNT_ID_PATTERN.test(account)) fail(`pullAccountIds: ${JSON.stringify(account)} is not a 12-digit AWS account id`);
    }
    const userRules = args.lifecycleRules ?? [];
    const clash = userRules.findIndex((rule) => rule.rulePriority === CACHE_PROTECTION_PRIORITY);
    if (clash >= 0) {
        fail(`lifecycleRules[${clash}].rulePriority ${CACHE_PROTECTION_PRIORITY} is reserved for the rule protecting the cache tag "${cacheTag}"; use a higher number`);
    }
    // The library validates every AWS rule and throws with rule index and field; that message is what `pulumi preview` shows.
    const lifecyclePolicy = parseLifecyclePolicy(
        { rules: [protectTag(cacheTag, CACHE_PROTECTION_PRIORITY), ...userRules] },
        `EcrRepository "${resourceName}" lifecycle policy`,
    );
    return { name: args.name, encryption, forceDelete: args.forceDelete ?? false, immutability, cacheTag, lifecyclePolicy, pullAccountIds, tags: args.tags };
}

/** The repository policy document letting other accounts pull, and nothing else. */
export function crossAccountPullPolicy(accountIds: string[]): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "CrossAccountPull",
                Effect: "Allow",
                // Bare account ids: IAM reads them as the account root in whatever partition the repository is in.
                Principal: { AWS: accountIds },
                Action: [...PULL_ACTIONS],
            },
        ],
    });
}

/**
 * An ECR repository ready to receive images and their registry cache: scan on
 * push, encryption, tags immutable except the cache tag, a validated lifecycle
 * policy that never expires the cache, and optional cross-account pull.
 */
export class EcrRepository extends pulumi.ComponentResource {
    static readonly TYPE = "shipshape:ecr:Repository";

    readonly repository: aws.ecr.Repository;
    readonly lifecyclePolicyResource: aws.ecr.LifecyclePolicy;
    readonly repositoryPolicy?: aws.ecr.RepositoryPolicy;

    readonly repositoryUrl: pulumi.Output<string>;
    readonly arn: pulumi.Output<string>;
    readonly registryId: pulumi.Output<string>;
    /** `<repositoryUrl>:<cacheTag>`, for `cacheFrom`/`cacheTo`. */
    readonly cacheRef: pulumi.Output<string>;
    readonly cacheTag: string;
    /** The policy as deployed (cache protection first), for previews and the plan. */
    readonly lifecyclePolicy: LifecyclePolicy;

    constructor(name: string, args: EcrRepositoryArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        // Resolve (and validate) before registering anything, so a bad rule leaves no half-built component.
        const resolved = resolveArgs(name, args);
        super(EcrRepository.TYPE, name, {}, opts);
        const childOpts: pulumi.CustomResourceOptions = { parent: this };

        this.repository = new aws.ecr.Repository(
            name,
            {
                name: resolved.name,
                forceDelete: resolved.forceDelete,
                imageScanningConfiguration: { scanOnPush: true },
                encryptionConfigurations: [
                    resolved.encryption.type === "KMS"
                        ? { encryptionType: "KMS", kmsKey: resolved.encryption.kmsKey }
                        : { encryptionType: "AES256" },
                ],
                imageTagMutability: resolved.immutability,
                imageTagMutabilityExclusionFilters:
                    resolved.immutability === "IMMUTABLE_WITH_EXCLUSION" ? [{ filter: resolved.cacheTag, filterType: "WILDCARD" }] : undefined,
                tags: resolved.tags,
            },
            childOpts,
        );

        this.lifecyclePolicyResource = new aws.ecr.LifecyclePolicy(
            name,
            { repository: this.repository.name, policy: serializeLifecyclePolicy(resolved.lifecyclePolicy) },
            childOpts,
        );

        if (resolved.pullAccountIds.length > 0) {
            this.repositoryPolicy = new aws.ecr.RepositoryPolicy(
                name,
                { repository: this.repository.name, policy: crossAccountPullPolicy(resolved.pullAccountIds) },
                childOpts,
            );
        }

        this.repositoryUrl = this.repository.repositoryUrl;
        this.arn = this.repository.arn;
        this.registryId = this.repository.registryId;
        this.cacheTag = resolved.cacheTag;
        this.cacheRef = pulumi.interpolate`${this.repository.repositoryUrl}:${resolved.cacheTag}`;
        this.lifecyclePolicy = resolved.lifecyclePolicy;

        this.registerOutputs({
            repositoryUrl: this.repositoryUrl,
            arn: this.arn,
            registryId: this.registryId,
            cacheRef: this.cacheRef,
        });
    }
}
