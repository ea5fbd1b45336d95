/**
 * The shipshape Pulumi program as functions, so `index.ts` stays a one-line
 * composition and other runners execute exactly the same code:
 *
 * - `pulumi up` / `pulumi preview`: the Node.js language host requires `index.ts`,
 *   which calls `runShipshapeProgram(__dirname)`.
 * - `shipshape plan` (engine/program-runner.ts): requires the same `index.ts`
 *   under the SDK's mocks with `PULUMI_CONFIG` built from `Pulumi.<stack>.yaml`;
 *   nothing else is needed. Errors it may see: `StackConfigError` (names the
 *   key and the stack file; git facts that cannot be read and have no fallback
 *   are reported this way too, naming `shipshape:sourceUrl|revision|created`),
 *   and `ImageJudgmentError` (has `violations` with policy names). An image
 *   built on another image's `ref` is judged when the ref resolves: its error
 *   arrives as an unhandled rejection and rejects the stack's exports.
 * - Tests: test/program runs index.ts through engine/program-runner for each
 *   stack file; `defineStack(parseStackConfig(values, { stack, projectRoot }), { projectRoot })`
 *   can also be called directly under `pulumi.runtime.setMocks`.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { expireUntaggedAfterDays, keepNewestTagged, LifecycleRule } from "../lifecycle/index";
import { IMAGE_POLICY_NAMES } from "../dockerfile/types";
import { loadPolicyPackConfigFile } from "../engine/policy-pack-config";
import { ContainerImage, ContainerImageArgs, ContainerImageArgsError, ImagePolicySettings } from "./container-image";
import { EcrRepository, RepositoryEncryption } from "./ecr-repository";
import { IMAGE_TAG_PATTERN } from "./image-tag";
import { ProvenanceError, resolveProvenance } from "./provenance";
import { CONFIG_NAMESPACE, ImageEntry, loadStackConfig, RepositorySettings, StackConfig, StackConfigError } from "./stack-config";

/** Priorities of the retention shorthand; the cache protection rule holds 1 (EcrRepository). */
export const KEEP_TAGGED_FIRST_PRIORITY = 10;
export const EXPIRE_UNTAGGED_PRIORITY = 20;

export interface DefineStackOptions {
    /** Directory of Pulumi.yaml: image paths, git facts and package.json are read from here. */
    projectRoot: string;
    /** The image policies' levels and properties. Default: `imagePolicyForStack(projectRoot, stack)`. */
    imagePolicy?: ImagePolicySettings;
}

export interface StackResources {
    repositories: Record<string, EcrRepository>;
    images: Record<string, ContainerImage>;
    /** Per image name: the pushed, digest-pinned reference. */
    imageRefs: Record<string, pulumi.Output<string>>;
    /** Per image name: its repository's URL. */
    repositoryUrls: Record<string, pulumi.Output<string>>;
}

function configError(config: StackConfig, key: string, err: unknown): StackConfigError {
    return new StackConfigError(config.stackFile, [{ key: `${CONFIG_NAMESPACE}:${key}`, message: (err as Error).message }]);
}

/** The retention settings as the lifecycle library's typed rules. Helper errors name the config key. */
export function retentionRules(config: StackConfig): LifecycleRule[] {
    const retention = config.repository.retention;
    const rules: LifecycleRule[] = [];
    retention.keepTagged.forEach((keep, index) => {
        try {
            rules.push(keepNewestTagged({ ...keep, priority: KEEP_TAGGED_FIRST_PRIORITY + index }));
        } catch (err) {
            throw configError(config, `repository.retention.keepTagged[${index}]`, err);
        }
    });
    if (retention.expireUntaggedAfterDays !== undefined) {
        try {
            rules.push(expireUntaggedAfterDays(retention.expireUntaggedAfterDays, EXPIRE_UNTAGGED_PRIORITY));
        } catch (err) {
            throw configError(config, "repository.retention.expireUntaggedAfterDays", err);
        }
    }
    // Already validated one by one in parseStackConfig; their interplay with the rules above is checked by EcrRepository.
    rules.push(...(retention.rules as unknown as LifecycleRule[]));
    return rules;
}

function encryptionOf(settings: RepositorySettings): RepositoryEncryption {
    return settings.encryption.type === "KMS" ? { type: "KMS", kmsKey: settings.encryption.kmsKeyArn } : { type: "AES256" };
}

/** The image version when `shipshape:version` is not set: package.json's, which must be usable as a tag. */
function packageVersion(projectRoot: string, config: StackConfig): string {
    const file = path.join(projectRoot, "package.json");
    const fail = (why: string): never => {
        throw new StackConfigError(config.stackFile, [{ key: `${CONFIG_NAMESPACE}:version`, message: `not set, and ${why}` }]);
    };
    let version: unknown;
    try {
        version = (JSON.parse(fs.readFileSync(file, "utf8")) as { version?: unknown }).version;
    } catch (err) {
        return fail(`the version cannot be read from ${file} (${(err as Error).message})`);
    }
    if (typeof version !== "string" || version === "") return fail(`${file} has no "version"`);
    if (!IMAGE_TAG_PATTERN.test(version)) return fail(`${file} version ${JSON.stringify(version)} is not a valid image tag (letters, digits, _ . -, at most 128)`);
    return version;
}

function provenanceFallbacks(config: StackConfig): { sourceUrl?: string; revision?: string; created?: string } {
    return { sourceUrl: config.sourceUrl, revision: config.revision, created: config.created };
}

/**
 * Declares the whole stack: one EcrRepository per image (a builder image gets its
 * own repository too) and one ContainerImage per entry, bases first, each
 * application image receiving its base's pushed `ref` as a build arg.
 */
export function defineStack(config: StackConfig, options: DefineStackOptions): StackResources {
    const projectRoot = path.resolve(options.projectRoot);
    const version = config.version ?? packageVersion(projectRoot, config);
    const settings = config.repository;
    const namePrefix = settings.namePrefix ?? `shipshape/${config.stack}`;
    const lifecycleRules = retentionRules(config);
    const imagePolicy = options.imagePolicy ?? imagePolicyForStack(projectRoot, config.stack);
    try {
        // Every image reads the same (memoised) git facts; asking once here lets a failure name its config key.
        resolveProvenance(projectRoot, provenanceFallbacks(config));
    } catch (err) {
        if (err instanceof ProvenanceError) throw configError(config, err.fallback ?? "sourceUrl", err);
        throw err;
    }

    const repositories: Record<string, EcrRepository> = {};
    const images: Record<string, ContainerImage> = {};
    for (const entry of config.buildOrder) {
        let repository: EcrRepository;
        try {
            repository = new EcrRepository(entry.name, {
                name: `${namePrefix}/${entry.name}`,
                encryption: encryptionOf(settings),
                forceDelete: settings.forceDelete,
                immutability: settings.immutability,
                cacheTag: settings.cacheTag,
                lifecycleRules,
                pullAccountIds: settings.pullAccounts,
                tags: { "shipshape:stack": config.stack, "shipshape:image": entry.name },
            });
        } catch (err) {
            throw configError(config, "repository", err);
        }
        repositories[entry.name] = repository;
        try {
            images[entry.name] = new ContainerImage(entry.name, imageArgs(entry, repository, images, config, version, projectRoot, imagePolicy));
        } catch (err) {
            if (err instanceof ContainerImageArgsError) throw configError(config, imageArgKey(config, entry, err.arg), err);
            throw err;
        }
    }

    const byConfigOrder = <T>(pick: (name: string) => T): Record<string, T> => Object.fromEntries(config.images.map((image) => [image.name, pick(image.name)]));
    return {
        repositories,
        images,
        imageRefs: byConfigOrder((name) => images[name].ref),
        repositoryUrls: byConfigOrder((name) => repositories[name].repositoryUrl),
    };
}

/** The configuration key a ContainerImage argument came from. */
function imageArgKey(config: StackConfig, entry: ImageEntry, arg: keyof ContainerImageArgs | undefined): string {
    if (arg === "version" || arg === "tagVersion") return arg;
    if (arg === "repository") return "repository";
    const entryKey = `images[${config.images.indexOf(entry)}]`;
    return arg === "labels" || arg === "role" || arg === "context" || arg === "dockerfile" || arg === "target" || arg === "buildArgs" ? `${entryKey}.${arg}` : entryKey;
}

function imageArgs(
    entry: ImageEntry,
    repository: EcrRepository,
    built: Record<string, ContainerImage>,
    config: StackConfig,
    version: string,
    projectRoot: string,
    imagePolicy: ImagePolicySettings,
): ConstructorParameters<typeof ContainerImage>[1] {
    const buildArgs: Record<string, pulumi.Input<string>> = { ...(entry.buildArgs ?? {}) };
    // buildOrder guarantees the base exists already; its ref is what makes Pulumi build it first.
    if (entry.base !== undefined) buildArgs[entry.baseBuildArg] = built[entry.base].ref;
    return {
        repository,
        context: entry.context,
        dockerfile: entry.dockerfile,
        target: entry.target,
        buildArgs,
        labels: entry.labels,
        role: entry.role,
        version,
        tagVersion: config.tagVersion,
        title: entry.title,
        description: entry.description,
        licenses: config.licenses,
        vendor: config.vendor,
        url: config.url,
        provenance: provenanceFallbacks(config),
        projectRoot,
        policy: imagePolicy,
    };
}

/**
 * The image policies as the stack's policy pack config file configures them
 * (`policy/config/<stack>.json`, the file passed to `pulumi preview
 * --policy-pack-config`), so construction fails exactly where the pack would
 * fail the preview. Levels: the policy's own, else `all`, else mandatory (the
 * image policies' default). No file: every image policy mandatory with defaults.
 */
export function imagePolicyForStack(projectRoot: string, stack: string): ImagePolicySettings {
    const file = path.join(projectRoot, "policy", "config", `${stack}.json`);
    if (!fs.existsSync(file)) return {};
    const packConfig = loadPolicyPackConfigFile(file);
    const allLevel = packConfig.all?.enforcementLevel || undefined;
    const settings: ImagePolicySettings = {};
    for (const policy of IMAGE_POLICY_NAMES) {
        const entry = packConfig[policy];
        const level = entry?.enforcementLevel || allLevel;
        settings[policy] = { enforcementLevel: level, properties: entry?.properties ?? {} };
    }
    return settings;
}

/** What `index.ts` exports: each image's ref and each repository's URL, keyed by image name. */
export function runShipshapeProgram(projectRoot: string): { imageRefs: Record<string, pulumi.Output<string>>; repositoryUrls: Record<string, pulumi.Output<string>> } {
    const config = loadStackConfig({ projectRoot });
    const { imageRefs, repositoryUrls } = defineStack(config, { projectRoot });
    return { imageRefs, repositoryUrls };
}
