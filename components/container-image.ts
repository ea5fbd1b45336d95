import * as path from "path";
import * as aws from "@pulumi/aws";
import * as dockerbuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import { BUILDER_ROLE_LABEL } from "../dockerfile/judgments";
import { IMAGE_POLICY_NAMES, ImagePolicyName } from "../dockerfile/types";
import type { EnforcementLevel } from "../engine/policy-pack-config";
import { parsePolicyConfig } from "../policy/config-schema";
import { parseEcrReference } from "../policy/ecr-references";
import type { DockerBuildImageInputs } from "../policy/image-inputs";
import { evaluateImagePolicy } from "../policy/policies/image-policy";
import { IMAGE_TAG_PATTERN } from "./image-tag";
import { ProvenanceFallbacks, resolveProvenance } from "./provenance";

export type ImageRole = "runtime" | "builder";

/** What an image needs from its repository; `EcrRepository` provides all of it. */
export interface ImageRepository {
    repositoryUrl: pulumi.Output<string>;
    registryId: pulumi.Output<string>;
    /** `<repositoryUrl>:<cacheTag>`. */
    cacheRef: pulumi.Output<string>;
    /** The cache tag, so no image tag can collide with it. */
    cacheTag?: string;
}

export interface ContainerImageArgs {
    repository: ImageRepository;
    /** Build context directory; relative paths are relative to `projectRoot`, as the docker-build provider resolves them. */
    context: string;
    /** Dockerfile path; default `<context>/Dockerfile`. Mutually exclusive with `dockerfileInline`. */
    dockerfile?: string;
    /** Dockerfile text, for generated Dockerfiles. */
    dockerfileInline?: string;
    target?: string;
    /** A value may be another image's `ref`: Pulumi then builds that image first. */
    buildArgs?: Record<string, pulumi.Input<string>>;
    /** Explicit labels; they override the automatic OCI labels (not the role label, which `role` owns). */
    labels?: Record<string, string>;
    /** Default `runtime`. A builder is a dependencies image other images build FROM and nobody runs. */
    role?: ImageRole;
    /** Image version: the `version` label and the first tag. Must be a valid tag. */
    version: string;
    /**
     * Push the `<version>` tag (default true). Tags are immutable in ECR, so a
     * second build of the same version is refused: a stack that deploys every
     * commit without bumping the version (dev) turns this off and relies on
     * the commit tag alone.
     */
    tagVersion?: boolean;
    /** OCI `title`; default the resource name. */
    title?: string;
    description?: string;
    licenses?: string;
    vendor?: string;
    url?: string;
    /** Used only where git cannot answer; see `resolveProvenance` for the precedence. */
    provenance?: ProvenanceFallbacks;
    /** Project root: relative paths and git facts are read from here. Default `process.cwd()` (where Pulumi runs the program). */
    projectRoot?: string;
    /**
     * The four image policies as the policy pack is configured for this stack
     * (`policy/config/<stack>.json`): level and properties per policy. Default:
     * every policy mandatory with its schema defaults, as the pack itself.
     */
    policy?: ImagePolicySettings;
}

export type { EnforcementLevel };

export type ImagePolicySettings = Partial<Record<ImagePolicyName, { enforcementLevel?: EnforcementLevel; properties?: Record<string, unknown> }>>;

/** One policy finding at construction: what the pack would report for the image's inputs. */
export interface ImageFinding {
    policy: ImagePolicyName;
    message: string;
}

/** The only platform shipshape builds: a Graviton node pulling an amd64-only image fails loudly, a mixed index does not. */
export const IMAGE_PLATFORMS = ["linux/amd64"] as const;
export const OCI_LABEL_PREFIX = "org.opencontainers.image.";

/** Construction-time failure of mandatory image policies. `violations` carries the policy names for callers such as `shipshape plan`. */
export class ImageJudgmentError extends Error {
    constructor(
        readonly imageName: string,
        readonly file: string,
        readonly violations: ImageFinding[],
    ) {
        super(
            `ContainerImage "${imageName}": ${file} fails ${violations.length} image judgment${violations.length === 1 ? "" : "s"}:\n` +
                violations.map((v) => `  ${v.policy}: ${v.message}`).join("\n"),
        );
        this.name = "ImageJudgmentError";
    }
}

export class ContainerImageArgsError extends Error {
    constructor(
        resourceName: string,
        detail: string,
        /** The argument at fault, so a caller building the args from configuration can name its own key. */
        readonly arg?: keyof ContainerImageArgs,
    ) {
        super(`ContainerImage "${resourceName}": ${detail}`);
        this.name = "ContainerImageArgsError";
    }
}

interface ResolvedImageArgs {
    projectRoot: string;
    context: string;
    dockerfile: { location: string } | { inline: string };
    target?: string;
    buildArgs: Record<string, pulumi.Input<string>>;
    labels: Record<string, string>;
    role: ImageRole;
    version: string;
    /** The tags without repository, in push order. */
    tags: string[];
    policy: ImagePolicySettings;
}

function resolveArgs(name: string, args: ContainerImageArgs): ResolvedImageArgs {
    const fail = (arg: keyof ContainerImageArgs, detail: string): never => {
        throw new ContainerImageArgsError(name, detail, arg);
    };
    const role = args.role ?? "runtime";
    if (role !== "runtime" && role !== "builder") fail("role", `role ${JSON.stringify(role)} must be "runtime" or "builder"`);
    if (!IMAGE_TAG_PATTERN.test(args.version)) fail("version", `version ${JSON.stringify(args.version)} is not a valid image tag (letters, digits, _ . -, at most 128)`);
    if (args.dockerfile !== undefined && args.dockerfileInline !== undefined) fail("dockerfileInline", "give dockerfile or dockerfileInline, not both");
    if (!args.context) fail("context", "context is required");
    const explicitRole = args.labels?.[BUILDER_ROLE_LABEL];
    if (explicitRole !== undefined && explicitRole !== role) {
        fail("labels", `label ${BUILDER_ROLE_LABEL}=${explicitRole} contradicts role "${role}"; set the role, not the label`);
    }

    const projectRoot = path.resolve(args.projectRoot ?? process.cwd());
    const provenance = resolveProvenance(projectRoot, args.provenance);
    const tags = args.tagVersion === false ? [provenance.revision] : [args.version, provenance.revision];
    for (const tag of tags) {
        if (tag === args.repository.cacheTag) fail("version", `tag "${tag}" is the repository's cache tag; the image would overwrite its own build cache`);
    }

    const automatic: Record<string, string | undefined> = {
        title: args.title ?? name,
        source: provenance.source,
        revision: provenance.revision,
        created: provenance.created,
        version: args.version,
        description: args.description,
        licenses: args.licenses,
        vendor: args.vendor,
        url: args.url,
    };
    const labels: Record<string, string> = {};
    for (const [key, value] of Object.entries(automatic)) {
        if (value !== undefined && value !== "") labels[OCI_LABEL_PREFIX + key] = value;
    }
    Object.assign(labels, args.labels ?? {});
    // Always stated, so a Dockerfile LABEL cannot claim the builder exemption for a runtime image.
    labels[BUILDER_ROLE_LABEL] = role;

    return {
        projectRoot,
        context: args.context,
        dockerfile: args.dockerfileInline !== undefined ? { inline: args.dockerfileInline } : { location: args.dockerfile ?? path.join(args.context, "Dockerfile") },
        target: args.target,
        buildArgs: { ...(args.buildArgs ?? {}) },
        labels: sortedRecord(labels),
        role,
        version: args.version,
        tags,
        policy: args.policy ?? {},
    };
}

function sortedRecord(record: Record<string, string>): Record<string, string> {
    return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function plainBuildArgs(buildArgs: Record<string, pulumi.Input<string>>): Record<string, string> | undefined {
    const plain: Record<string, string> = {};
    for (const [key, value] of Object.entries(buildArgs)) {
        if (typeof value !== "string") return undefined;
        plain[key] = value;
    }
    return plain;
}

/**
 * An image built with BuildKit (`@pulumi/docker-build`) and pushed to its ECR
 * repository: linux/amd64 only, fully qualified tags (`<repositoryUrl>:<version>`
 * and `<repositoryUrl>:<git commit>`, never a bare name Docker would send to
 * Docker Hub), registry cache in the repository, OCI labels from git and config.
 *
 * At construction it runs the four image policies exactly as the policy pack
 * does (`evaluateImagePolicy` over `checkImageInputs`) on the very inputs it
 * gives the provider, at the levels configured for the stack, and throws
 * `ImageJudgmentError` with the pack's messages for mandatory ones. When a build arg is an
 * output (an application image built on another image's `ref`), the check runs
 * as soon as that value is known and the build cannot start without it; during
 * a real preview the value may stay unknown, and the policy pack then says so.
 */
export class ContainerImage extends pulumi.ComponentResource {
    static readonly TYPE = "shipshape:docker:Image";

    readonly image: dockerbuild.Image;
    /** The pushed image pinned by digest: `<imageName>@sha256:...`. */
    readonly ref: pulumi.Output<string>;
    readonly digest: pulumi.Output<string>;
    /** `<repositoryUrl>:<version>`, or `<repositoryUrl>:<commit>` when the version is not tagged. */
    readonly imageName: pulumi.Output<string>;
    readonly role: ImageRole;
    readonly labels: Record<string, string>;
    /** Judgments this image was exempted from (builder images), as the pack reports them. */
    readonly exemptions: ImageFinding[] = [];
    /** Findings of policies the stack runs at advisory level. */
    readonly advisories: ImageFinding[] = [];

    constructor(name: string, args: ContainerImageArgs, opts?: pulumi.ComponentResourceOptions) {
        const resolved = resolveArgs(name, args);
        const checkInputs = (buildArgs: Record<string, string>): DockerBuildImageInputs => ({
            dockerfile: resolved.dockerfile,
            context: { location: resolved.context },
            target: resolved.target,
            buildArgs,
            platforms: [...IMAGE_PLATFORMS],
            labels: resolved.labels,
        });
        const judge = (buildArgs: Record<string, string>): ImageJudgment => {
            const judgment = judgeImageInputs(checkInputs(buildArgs), resolved.projectRoot, resolved.policy);
            if (judgment.violations.length > 0) throw new ImageJudgmentError(name, judgment.file, judgment.violations);
            return judgment;
        };
        // Known inputs are judged before anything is registered: a failing image leaves nothing behind.
        const knownBuildArgs = plainBuildArgs(resolved.buildArgs);
        const earlyCheck = knownBuildArgs !== undefined ? judge(knownBuildArgs) : undefined;

        super(ContainerImage.TYPE, name, {}, opts);
        this.role = resolved.role;
        this.labels = resolved.labels;
        if (earlyCheck) this.report(earlyCheck);

        const deferredCheck =
            knownBuildArgs === undefined
                ? pulumi.output(resolved.buildArgs).apply((known) => {
                      this.report(judge(known));
                      return known;
                  })
                : undefined;
        const buildArgs: pulumi.Input<Record<string, string>> = knownBuildArgs ?? deferredCheck!;

        // Every tag is `<ECR repository URL>:<tag>`; a URL without an ECR registry host would make the tag a
        // Docker Hub name (`team/app:1.0` is `docker.io/team/app:1.0`), so it is refused before any push (and so is the cache ref).
        const inEcr = (what: "repository URL" | "cache ref", value: pulumi.Output<string>): pulumi.Output<string> =>
            value.apply((reference) => {
                if (parseEcrReference(reference) === undefined) {
                    throw new ContainerImageArgsError(
                        name,
                        `${what} ${JSON.stringify(reference)} is not in ECR (<account>.dkr.ecr.<region>.amazonaws.com/<name>); it could be pushed to Docker Hub`,
                        "repository",
                    );
                }
                return reference;
            });
        const repositoryUrl = inEcr("repository URL", args.repository.repositoryUrl);
        const cacheRef = inEcr("cache ref", args.repository.cacheRef);
        // A failed check must also fail whoever awaits this image's outputs (the stack's exports):
        // the provider registration it breaks never settles its own outputs.
        const preconditions: pulumi.Output<unknown>[] = deferredCheck === undefined ? [repositoryUrl, cacheRef] : [repositoryUrl, cacheRef, deferredCheck];
        const gated = (output: pulumi.Output<string>): pulumi.Output<string> => pulumi.all([...preconditions, output]).apply((values) => values[values.length - 1] as string);

        const registryAddress = repositoryUrl.apply((url) => url.split("/")[0]);
        const credentials = aws.ecr.getAuthorizationTokenOutput({ registryId: args.repository.registryId }, { parent: this });
        const tags = resolved.tags.map((tag) => pulumi.interpolate`${repositoryUrl}:${tag}`);
        const imageName = tags[0];

        this.image = new dockerbuild.Image(
            name,
            {
                push: true,
                platforms: [...IMAGE_PLATFORMS],
                context: { location: resolved.context },
                dockerfile: resolved.dockerfile,
                target: resolved.target,
                buildArgs,
                labels: resolved.labels,
                tags,
                registries: [{ address: registryAddress, username: credentials.userName, password: pulumi.secret(credentials.password) }],
                cacheFrom: [{ registry: { ref: cacheRef } }],
                // ECR rejects BuildKit's default cache manifest list: an image manifest with OCI media types it accepts.
                cacheTo: [{ registry: { ref: cacheRef, mode: "max", imageManifest: true, ociMediaTypes: true } }],
            },
            { parent: this },
        );

        this.ref = gated(this.image.ref);
        this.digest = gated(this.image.digest);
        this.imageName = imageName;
        this.registerOutputs({ ref: this.ref, digest: this.digest, imageName: this.imageName });
    }

    private report(judgment: ImageJudgment): void {
        for (const exemption of judgment.exemptions) {
            this.exemptions.push(exemption);
            void pulumi.log.info(`${exemption.policy}: ${exemption.message}`, this);
        }
        for (const finding of judgment.advisories) {
            this.advisories.push(finding);
            void pulumi.log.warn(`${finding.policy} (advisory): ${finding.message}`, this);
        }
    }
}

interface ImageJudgment {
    file: string;
    /** Findings of mandatory (and remediate) policies: construction fails. */
    violations: ImageFinding[];
    /** Findings of advisory policies: reported, not fatal. */
    advisories: ImageFinding[];
    /** Builder exemptions, always advisory in the pack. */
    exemptions: ImageFinding[];
}

/**
 * Each image policy exactly as the pack evaluates it (`evaluateImagePolicy`, the
 * same config parsing and message formatting), sorted by the policy's level.
 */
function judgeImageInputs(inputs: DockerBuildImageInputs, projectRoot: string, settings: ImagePolicySettings): ImageJudgment {
    const judgment: ImageJudgment = { file: describeDockerfile(inputs, projectRoot), violations: [], advisories: [], exemptions: [] };
    for (const policy of IMAGE_POLICY_NAMES) {
        const level = settings[policy]?.enforcementLevel ?? "mandatory";
        if (level === "disabled") continue;
        const config = parsePolicyConfig(policy, { ...(settings[policy]?.properties ?? {}), projectRoot });
        for (const finding of evaluateImagePolicy(policy, inputs, config)) {
            const entry = { policy, message: finding.message };
            if (finding.advisory) judgment.exemptions.push(entry);
            else if (level === "advisory") judgment.advisories.push(entry);
            else judgment.violations.push(entry);
        }
    }
    return judgment;
}

function describeDockerfile(inputs: DockerBuildImageInputs, projectRoot: string): string {
    const location = inputs.dockerfile?.location;
    if (inputs.dockerfile?.inline !== undefined) return "<inline>";
    return location === undefined ? "<none>" : path.resolve(projectRoot, location);
}
