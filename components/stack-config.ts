import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { validateLifecyclePolicy } from "../lifecycle/index";
import { ACCOUNT_ID_PATTERN, REPOSITORY_NAME_COMPONENT_PATTERN, REPOSITORY_NAME_PATTERN } from "./ecr-names";
import { IMAGE_TAG_PATTERN } from "./image-tag";
import { isRfc3339DateTime } from "../dockerfile/index";

/**
 * The typed stack configuration of the shipshape program (`shipshape:*` keys of
 * `Pulumi.<stack>.yaml`). Every value is validated here, once; an invalid value
 * fails with the key path and the stack file, e.g.
 * `Pulumi.dev.yaml: shipshape:images[1].context: ...`.
 */

export const CONFIG_NAMESPACE = "shipshape";

const BUILD_ARG_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const stringMap = z.record(z.string().min(1), z.string());

const imageSchema = z.strictObject({
    /** Resource name and repository name suffix. */
    name: z.string().regex(REPOSITORY_NAME_COMPONENT_PATTERN, "must be lowercase letters and digits separated by . _ or -"),
    /** Build context directory, relative to the project root. */
    context: z.string().min(1),
    /** Dockerfile path relative to the project root; default `<context>/Dockerfile`. */
    dockerfile: z.string().min(1).optional(),
    target: z.string().min(1).optional(),
    buildArgs: z.record(z.string().regex(BUILD_ARG_NAME, "must be a build-arg name"), z.string()).optional(),
    /** Name of another entry: its pushed `ref` is passed as the build arg `baseBuildArg`. */
    base: z.string().min(1).optional(),
    baseBuildArg: z.string().regex(BUILD_ARG_NAME, "must be a build-arg name").default("BASE_IMAGE"),
    labels: stringMap.optional(),
    role: z.enum(["runtime", "builder"]).default("runtime"),
    title: z.string().min(1).optional(),
    description: z.string().min(1).optional(),
});

const retentionSchema = z.strictObject({
    /** Keep the newest `count` images whose tags match; older ones expire. Values are checked by the lifecycle library. */
    keepTagged: z
        .array(
            z.strictObject({
                tagPrefixList: z.array(z.string()).optional(),
                tagPatternList: z.array(z.string()).optional(),
                count: z.number(),
                description: z.string().optional(),
            }),
        )
        .max(10)
        .default([]),
    expireUntaggedAfterDays: z.number().optional(),
    /** Further rules in AWS's JSON form; the lifecycle library validates them (priorities 1, 10-19 and 20 are taken). */
    rules: z.array(z.record(z.string(), z.unknown())).default([]),
});

const encryptionSchema = z.discriminatedUnion("type", [
    z.strictObject({ type: z.literal("AES256") }),
    z.strictObject({
        type: z.literal("KMS"),
        /** Omitted: the AWS-managed `aws/ecr` key. */
        kmsKeyArn: z
            .string()
            .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(?:key|alias)\/.+$/, "must be a KMS key or alias ARN")
            .optional(),
    }),
]);

const repositorySchema = z.strictObject({
    /** Repository names are `<namePrefix>/<image name>`; default `shipshape/<stack>`. */
    namePrefix: z.string().regex(REPOSITORY_NAME_PATTERN, "must be lowercase path components").optional(),
    encryption: encryptionSchema.default({ type: "AES256" }),
    immutability: z
        .enum(["IMMUTABLE_WITH_EXCLUSION", "MUTABLE"], "must be IMMUTABLE_WITH_EXCLUSION or MUTABLE (IMMUTABLE would forbid rewriting the registry cache tag)")
        .default("IMMUTABLE_WITH_EXCLUSION"),
    forceDelete: z.boolean().default(false),
    cacheTag: z.string().regex(IMAGE_TAG_PATTERN, "must be a literal image tag").default("cache"),
    /** Quote them in YAML: an unquoted id is read as a number and a leading zero would be lost. */
    pullAccounts: z.array(z.string().regex(ACCOUNT_ID_PATTERN, "must be a 12-digit AWS account id (quoted)")).default([]),
    retention: retentionSchema.default({ keepTagged: [], rules: [] }),
});

/** Every `shipshape:` key the program reads; any other key in the namespace is refused as a likely typo. */
const stackSchema = z.strictObject({
    images: z.array(imageSchema).min(1, "list at least one image"),
    repository: repositorySchema.default(() => repositorySchema.parse({})),
    /** Image version (tag and `version` label); default the project's package.json version. */
    version: z.string().regex(IMAGE_TAG_PATTERN, "must be a valid image tag").optional(),
    /** Push the `<version>` tag besides the commit tag (default true); see ContainerImageArgs.tagVersion. */
    tagVersion: z.boolean().default(true),
    /** OCI labels shared by every image. */
    vendor: z.string().min(1).optional(),
    licenses: z.string().min(1).optional(),
    url: z.string().url().optional(),
    /** Fallbacks where git cannot answer (see components/provenance.ts for the precedence). */
    sourceUrl: z.string().url().optional(),
    revision: z.string().regex(/^[0-9a-f]{7,64}$/, "must be a git commit id").optional(),
    created: z.string().refine(isRfc3339DateTime, "must be an RFC 3339 timestamp").optional(),
});

export type ImageEntry = z.output<typeof imageSchema>;
export type RepositorySettings = z.output<typeof repositorySchema>;
export type StackSettings = z.output<typeof stackSchema>;

export interface StackConfig extends StackSettings {
    stack: string;
    /** `Pulumi.<stack>.yaml`: named in every error about this configuration. */
    stackFile: string;
    /** Images ordered so that each base comes before the images built on it. */
    buildOrder: ImageEntry[];
}

export class StackConfigError extends Error {
    constructor(
        readonly stackFile: string,
        readonly problems: { key: string; message: string }[],
    ) {
        super(
            problems.length === 1
                ? `${stackFile}: ${problems[0].key}: ${problems[0].message}`
                : `${stackFile}: invalid stack configuration:\n${problems.map((p) => `  ${p.key}: ${p.message}`).join("\n")}`,
        );
        this.name = "StackConfigError";
    }
}

function keyOf(issuePath: readonly PropertyKey[]): string {
    let key = CONFIG_NAMESPACE;
    issuePath.forEach((part, index) => {
        if (typeof part === "number") key += `[${part}]`;
        else key += index === 0 ? `:${String(part)}` : `.${String(part)}`;
    });
    return key;
}

/** Keys whose value is structured: the engine passes them as JSON text. */
const JSON_KEYS: Record<string, string> = { images: "a list", repository: "a mapping", tagVersion: "true or false" };

/**
 * Validates raw config values as the SDK holds them (`PULUMI_CONFIG`: every value a
 * string, structured values as JSON). Keys are full (`shipshape:images`); keys of
 * other namespaces (`aws:region`) are ignored. With `projectRoot`, context
 * directories and Dockerfiles must exist.
 */
export function parseStackConfig(
    values: Record<string, string | undefined>,
    options: { stack: string; projectRoot?: string },
): StackConfig {
    const stackFile = `Pulumi.${options.stack}.yaml`;
    const problems: { key: string; message: string }[] = [];
    const raw: Record<string, unknown> = {};
    for (const [fullKey, value] of Object.entries(values)) {
        if (!fullKey.startsWith(`${CONFIG_NAMESPACE}:`) || value === undefined) continue;
        const key = fullKey.slice(CONFIG_NAMESPACE.length + 1);
        if (key in JSON_KEYS) {
            try {
                raw[key] = JSON.parse(value);
            } catch {
                problems.push({ key: fullKey, message: `expected ${JSON_KEYS[key]}, got the text ${JSON.stringify(value)}` });
            }
        } else {
            raw[key] = value;
        }
    }
    if (problems.length > 0) throw new StackConfigError(stackFile, problems);

    const parsed = stackSchema.safeParse(raw, { reportInput: true });
    if (!parsed.success) {
        throw new StackConfigError(
            stackFile,
            parsed.error.issues.flatMap((issue) => {
                if (issue.code === "unrecognized_keys") {
                    // At the top level a typo such as `shipshape:image` would otherwise be silently ignored.
                    const known = issue.path.length === 0 ? ` (known: ${Object.keys(stackSchema.shape).map((k) => `${CONFIG_NAMESPACE}:${k}`).join(", ")})` : "";
                    return issue.keys.map((unknownKey) => ({ key: keyOf([...issue.path, unknownKey]), message: `unknown key${known}` }));
                }
                if (issue.code === "invalid_type" && issue.input === undefined) {
                    return [{ key: keyOf(issue.path), message: "is required" }];
                }
                return [{ key: keyOf(issue.path), message: issue.message }];
            }),
        );
    }
    const settings = parsed.data;
    // Raw rules are AWS's JSON: the lifecycle library owns their validation; we only name the config key.
    const extraRules = settings.repository.retention.rules;
    for (const issue of extraRules.length === 0 ? [] : validateLifecyclePolicy({ rules: extraRules })) {
        if (issue.field === "policy" || issue.field === undefined) continue;
        const prefix = `${issue.field}: `;
        const message = issue.message.startsWith(prefix) ? issue.message.slice(prefix.length) : issue.message;
        problems.push({ key: `${CONFIG_NAMESPACE}:repository.retention.${issue.field}`, message });
    }
    const buildOrder = orderImages(settings.images, problems);
    if (options.projectRoot !== undefined) checkPaths(settings.images, options.projectRoot, problems);
    if (problems.length > 0) throw new StackConfigError(stackFile, problems);
    return { ...settings, stack: options.stack, stackFile, buildOrder };
}

function orderImages(images: ImageEntry[], problems: { key: string; message: string }[]): ImageEntry[] {
    const indexByName = new Map<string, number>();
    images.forEach((image, index) => {
        if (indexByName.has(image.name)) {
            problems.push({ key: `${CONFIG_NAMESPACE}:images[${index}].name`, message: `"${image.name}" is already the name of images[${indexByName.get(image.name)}]` });
        } else {
            indexByName.set(image.name, index);
        }
    });
    images.forEach((image, index) => {
        if (image.base === undefined) return;
        const key = `${CONFIG_NAMESPACE}:images[${index}].base`;
        if (image.base === image.name) problems.push({ key, message: "an image cannot be its own base" });
        else if (!indexByName.has(image.base)) problems.push({ key, message: `"${image.base}" names no entry of shipshape:images (known: ${[...indexByName.keys()].join(", ")})` });
        else if (image.buildArgs?.[image.baseBuildArg] !== undefined) {
            problems.push({ key: `${CONFIG_NAMESPACE}:images[${index}].buildArgs.${image.baseBuildArg}`, message: `is set by base "${image.base}"; remove it` });
        }
    });
    if (problems.length > 0) return [];
    const ordered: ImageEntry[] = [];
    const state = new Map<string, "visiting" | "done">();
    const visit = (image: ImageEntry, chain: string[]): void => {
        const seen = state.get(image.name);
        if (seen === "done") return;
        if (seen === "visiting") {
            problems.push({ key: `${CONFIG_NAMESPACE}:images[${indexByName.get(image.name)}].base`, message: `base images form a cycle: ${[...chain, image.name].join(" -> ")}` });
            return;
        }
        state.set(image.name, "visiting");
        if (image.base !== undefined) visit(images[indexByName.get(image.base)!], [...chain, image.name]);
        state.set(image.name, "done");
        ordered.push(image);
    };
    for (const image of images) visit(image, []);
    return ordered;
}

function checkPaths(images: ImageEntry[], projectRoot: string, problems: { key: string; message: string }[]): void {
    images.forEach((image, index) => {
        const contextDir = path.resolve(projectRoot, image.context);
        if (!isDirectory(contextDir)) {
            problems.push({ key: `${CONFIG_NAMESPACE}:images[${index}].context`, message: `${image.context} is not a directory under ${projectRoot}` });
            return;
        }
        const dockerfile = image.dockerfile ?? path.join(image.context, "Dockerfile");
        if (!isFile(path.resolve(projectRoot, dockerfile))) {
            problems.push({ key: `${CONFIG_NAMESPACE}:images[${index}].dockerfile`, message: `${dockerfile} is not a file under ${projectRoot}` });
        }
    });
}

function isDirectory(p: string): boolean {
    try {
        return fs.statSync(p).isDirectory();
    } catch {
        return false;
    }
}

function isFile(p: string): boolean {
    try {
        return fs.statSync(p).isFile();
    } catch {
        return false;
    }
}

/** The running stack's configuration, as the engine passed it to the program. */
export function loadStackConfig(options: { projectRoot?: string } = {}): StackConfig {
    return parseStackConfig(pulumi.runtime.allConfig(), { stack: pulumi.getStack(), projectRoot: options.projectRoot });
}
