/**
 * Every policy's configuration, defined once with zod: the JSON schema the pack
 * advertises to the engine (`--policy-pack-config` is validated against it, and its
 * defaults are what the engine sends when no file is given) is generated from the
 * same definitions the policies parse their config with.
 */
import { z } from "zod";
import type { PolicyConfigSchema } from "@pulumi/policy";
import { imagePatternError } from "../dockerfile/base-images";
import { DEFAULT_ALLOWED_BASE_IMAGES, DEFAULT_REQUIRED_LABELS } from "../dockerfile/judgments";

const unknownInputsDuringPreview = z
    .enum(["fail", "defer"])
    .default("fail")
    .describe(
        'What an input unknown during preview means: "fail" reports at the policy\'s enforcement level (fail closed); "defer" reports an advisory diagnostic and relies on the update re-analysing the resource with known inputs (an unknown during the update always fails).',
    );

/**
 * An image pattern the analyzer can compile: a bad one is a config error naming
 * its key when the config is read, not a judgment failing on every image later.
 */
const imagePattern = z
    .string()
    .min(1)
    .superRefine((pattern, ctx) => {
        const error = imagePatternError(pattern);
        if (error !== undefined) ctx.addIssue({ code: "custom", message: `invalid image pattern: ${error}` });
    });

const baseImageFact = z.strictObject({
    match: imagePattern.describe("registry/repository[:tag], * wildcards allowed"),
    user: z.string().optional().describe('the image\'s default USER ("" = root)'),
    distroless: z.boolean().optional(),
    shell: z.boolean().optional(),
    note: z.string().optional(),
});

const imageCommon = {
    projectRoot: z
        .string()
        .min(1)
        .optional()
        .describe("Directory relative Dockerfile/context paths resolve against; relative values resolve against the pack directory. Default: the nearest directory above the pack containing Pulumi.yaml."),
    baseImages: z.array(baseImageFact).default([]).describe("Extra base-image facts, consulted before the built-in data."),
    unknownInputsDuringPreview,
};

const allowBuilderImages = z
    .boolean()
    .default(true)
    .describe("Exempt images labelled dev.shipshape.image.role=builder (never run) from this policy; each exemption is reported as an advisory diagnostic.");

export const POLICY_CONFIG_SCHEMAS = {
    "image-non-root-user": z.strictObject({
        ...imageCommon,
        requireNumericUser: z
            .boolean()
            .default(false)
            .describe("Require a numeric USER: Kubernetes runAsNonRoot cannot verify a named user such as `app`."),
        allowBuilderImages,
    }),
    "image-distroless-base": z.strictObject({
        ...imageCommon,
        allowedBaseImages: z
            .array(imagePattern)
            .default([...DEFAULT_ALLOWED_BASE_IMAGES])
            .describe("Allowed base images: patterns such as gcr.io/distroless/*, {a,b} alternatives, a leading ! excludes."),
        allowBuilderImages,
    }),
    "image-amd64-only": z.strictObject({ ...imageCommon }),
    "image-oci-labels": z.strictObject({
        ...imageCommon,
        requiredLabels: z
            .array(z.string().min(1))
            .default([...DEFAULT_REQUIRED_LABELS])
            .describe("Labels that must be present and non-empty."),
    }),
    "image-registry-cache": z.strictObject({ unknownInputsDuringPreview }),
    "ecr-scan-on-push": z.strictObject({ unknownInputsDuringPreview }),
    "ecr-immutable-tags": z.strictObject({
        cacheTags: z
            .array(z.string().min(1))
            .default(["cache"])
            .describe("Tags the registry build cache is written to; the only tags an IMMUTABLE_WITH_EXCLUSION repository may exclude."),
        unknownInputsDuringPreview,
    }),
    "ecr-encryption": z.strictObject({
        requireKms: z.boolean().default(false).describe("Require encryptionType KMS (not AES256)."),
        unknownInputsDuringPreview,
    }),
    "ecr-lifecycle-policy": z.strictObject({ unknownInputsDuringPreview }),
} as const;

export type PolicyName = keyof typeof POLICY_CONFIG_SCHEMAS;
export type PolicyConfigOf<N extends PolicyName> = z.output<(typeof POLICY_CONFIG_SCHEMAS)[N]>;

/** The JSON schema a policy advertises: generated from its zod definition. */
export function jsonConfigSchema(name: PolicyName): PolicyConfigSchema {
    const generated = z.toJSONSchema(POLICY_CONFIG_SCHEMAS[name], { target: "draft-7", io: "input" }) as {
        properties?: Record<string, unknown>;
        required?: string[];
    };
    return { properties: (generated.properties ?? {}) as PolicyConfigSchema["properties"], required: generated.required };
}

export class PolicyConfigError extends Error {}

/** Parses a policy's config (as `args.getConfig()` returns it); the error names each bad key. */
export function parsePolicyConfig<N extends PolicyName>(name: N, raw: unknown): PolicyConfigOf<N> {
    const result = POLICY_CONFIG_SCHEMAS[name].safeParse(raw ?? {});
    if (result.success) return result.data as PolicyConfigOf<N>;
    const problems = result.error.issues.map((issue) => `${[name, ...issue.path.map(String)].join(".")}: ${issue.message}`);
    throw new PolicyConfigError(`invalid policy config: ${problems.join("; ")}`);
}
