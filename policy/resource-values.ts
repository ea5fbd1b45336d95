/**
 * Plain-data view of the properties the engine hands a policy. Pure: no Pulumi import.
 *
 * @pulumi/policy gives policies a proxy that throws on the first unknown value it
 * meets and turns that into an advisory "can't run during preview" diagnostic.
 * An advisory diagnostic is a silent pass for a mandatory security policy, so our
 * policies read the underlying object instead and decide themselves what an
 * unknown means (see `unknownOutcome`).
 */

/** The engine's sentinel for a value not known during preview (string-typed unknowns). */
export const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** The engine's sentinels for values not known during preview (one per value kind). */
export const UNKNOWN_SENTINELS: ReadonlySet<string> = new Set([
    UNKNOWN_STRING,
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // boolean
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
    "030794c1-ac77-496b-92df-f27374a8bd58", // asset
    "e48ece36-62e2-4504-bad9-02848725956a", // archive
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
]);

export function isUnknown(value: unknown): boolean {
    return typeof value === "string" && UNKNOWN_SENTINELS.has(value);
}

/** The value when it is a string known during preview; otherwise undefined. */
export function knownString(value: unknown): string | undefined {
    return typeof value === "string" && !isUnknown(value) ? value : undefined;
}

// @pulumi/policy's proxy answers this key with its target (proxy.js `getSpecialProxyTarget`).
const PROXY_TARGET_KEY = "__getSpecialProxyTarget";

/** The raw properties behind @pulumi/policy's unknown-checking proxy (or the value itself). */
export function plainProperties(props: unknown): Record<string, unknown> {
    if (typeof props !== "object" || props === null) return {};
    const target = (props as Record<string, unknown>)[PROXY_TARGET_KEY];
    return (typeof target === "object" && target !== null ? target : props) as Record<string, unknown>;
}

/** Paths (`dockerfile.location`, `platforms[0]`) of unknown values under the given top-level keys. */
export function unknownPaths(props: Record<string, unknown>, keys?: readonly string[]): string[] {
    const found: string[] = [];
    const walk = (value: unknown, path: string): void => {
        if (isUnknown(value)) {
            found.push(path);
        } else if (Array.isArray(value)) {
            value.forEach((item, i) => walk(item, `${path}[${i}]`));
        } else if (typeof value === "object" && value !== null) {
            for (const [key, item] of Object.entries(value)) walk(item, path === "" ? key : `${path}.${key}`);
        }
    };
    for (const key of keys ?? Object.keys(props)) {
        if (key in props) walk(props[key], key);
    }
    return found;
}

export type UnknownInputsMode = "fail" | "defer";

export interface UnknownOutcome {
    /** `undefined` = report at the policy's own enforcement level (fail closed). */
    enforcementLevel?: "advisory";
    message: string;
}

/**
 * What a policy reports when inputs it needs are unknown.
 *
 * During an update (the engine sets PULUMI_DRY_RUN=false) an unknown can never be
 * re-checked later, so it always fails closed. During preview it fails closed too,
 * unless the policy's config says `unknownInputsDuringPreview: "defer"`: then the
 * diagnostic is advisory, because `pulumi up` analyses every resource again at
 * update time, when its inputs are known, and enforces the policy there.
 */
export function unknownOutcome(paths: readonly string[], mode: UnknownInputsMode, env: NodeJS.ProcessEnv = process.env): UnknownOutcome {
    const what = `${paths.join(", ")} ${paths.length === 1 ? "is" : "are"} unknown`;
    const updating = (env.PULUMI_DRY_RUN ?? env.PULUMI_NODEJS_DRY_RUN) === "false";
    if (updating) return { message: `cannot verify: ${what} during the update; failing closed` };
    if (mode === "defer") {
        return { enforcementLevel: "advisory", message: `cannot verify during preview: ${what} until the update; the policy is enforced when the update analyses the resource again` };
    }
    return { message: `cannot verify during preview: ${what}; failing closed (set unknownInputsDuringPreview: "defer" to re-check at update time instead)` };
}
