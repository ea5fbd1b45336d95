/**
 * Image references that point into Amazon ECR, and the registry-cache entries of a
 * docker-build Image (structured `registry` entries and buildx `raw` strings). Pure.
 */

export interface EcrReference {
    registry: string;
    /** Repository path inside the registry (the ECR repository name). */
    repository: string;
    /** `latest` when the reference names no tag. */
    tag: string;
}

// <account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn], and the dual-stack <account>.dkr-ecr[-fips].<region>.on.aws
const ECR_HOST = /^\d{12}\.(?:dkr\.ecr(?:-fips)?\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?|dkr-ecr(?:-fips)?\.[a-z0-9-]+\.on\.aws)$/;

/** The ECR registry, repository and tag of a reference, or undefined when it is not in ECR. */
export function parseEcrReference(ref: string): EcrReference | undefined {
    const slash = ref.indexOf("/");
    if (slash < 0) return undefined;
    const registry = ref.slice(0, slash).toLowerCase();
    if (!ECR_HOST.test(registry)) return undefined;
    let rest = ref.slice(slash + 1);
    const at = rest.indexOf("@");
    if (at >= 0) rest = rest.slice(0, at);
    const colon = rest.lastIndexOf(":");
    const repository = colon >= 0 ? rest.slice(0, colon) : rest;
    const tag = colon >= 0 ? rest.slice(colon + 1) : "latest";
    if (repository === "") return undefined;
    return { registry, repository, tag };
}

export interface RegistryCacheEntry {
    /** Index in cacheFrom / cacheTo, for messages. */
    index: number;
    /** `registry` or `raw`. */
    form: "registry" | "raw";
    ref: string;
    imageManifest?: boolean;
    ociMediaTypes?: boolean;
}

/**
 * The fields of a buildx `--cache-from`/`--cache-to`/`--output` CSV string. A value
 * without `=` is buildx's shorthand for `type=registry,ref=<value>`.
 */
function parseRawFields(raw: string, shorthandKey: "ref" | "name"): Record<string, string> {
    if (!raw.includes("=")) return { type: "registry", [shorthandKey]: raw.trim() };
    const fields: Record<string, string> = {};
    for (const part of raw.split(",")) {
        const eq = part.indexOf("=");
        if (eq > 0) fields[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
    }
    return fields;
}

function asBool(value: unknown): boolean | undefined {
    if (typeof value === "boolean") return value;
    if (value === "true") return true;
    if (value === "false") return false;
    return undefined;
}

/** The registry-type entries of a cacheFrom or cacheTo list. */
export function registryCacheEntries(list: unknown): RegistryCacheEntry[] {
    if (!Array.isArray(list)) return [];
    const entries: RegistryCacheEntry[] = [];
    list.forEach((item, index) => {
        if (typeof item !== "object" || item === null) return;
        const entry = item as Record<string, unknown>;
        if (entry.disabled === true) return;
        const registry = entry.registry as Record<string, unknown> | undefined;
        if (registry && typeof registry.ref === "string") {
            entries.push({ index, form: "registry", ref: registry.ref, imageManifest: asBool(registry.imageManifest), ociMediaTypes: asBool(registry.ociMediaTypes) });
        } else if (typeof entry.raw === "string") {
            const fields = parseRawFields(entry.raw, "ref");
            if ((fields.type ?? "registry") === "registry" && fields.ref) {
                entries.push({ index, form: "raw", ref: fields.ref, imageManifest: asBool(fields["image-manifest"]), ociMediaTypes: asBool(fields["oci-mediatypes"]) });
            }
        }
    });
    return entries;
}

function stringList(value: unknown): string[] {
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/**
 * The references an Image pushes to: its tags when `push` is on, and every export
 * that pushes (`registry` unless `push: false`, `image` with `push: true`, and their
 * `raw` forms), whose names are the tags when tags are given, as the provider does.
 */
export function pushedReferences(inputs: Record<string, unknown>): string[] {
    const tags = stringList(inputs.tags);
    const refs: string[] = inputs.push === true ? [...tags] : [];
    const exported = (names: string[]) => refs.push(...(tags.length > 0 ? tags : names));
    if (Array.isArray(inputs.exports)) {
        for (const item of inputs.exports) {
            if (typeof item !== "object" || item === null) continue;
            const entry = item as Record<string, unknown>;
            if (entry.disabled === true) continue;
            const registry = entry.registry as Record<string, unknown> | undefined;
            const image = entry.image as Record<string, unknown> | undefined;
            if (registry && typeof registry === "object") {
                if (registry.push !== false) exported(stringList(registry.names));
            } else if (image && typeof image === "object") {
                if (image.push === true) exported(stringList(image.names));
            } else if (typeof entry.raw === "string") {
                const fields = parseRawFields(entry.raw, "name");
                const type = fields.type ?? "";
                const push = type === "registry" ? asBool(fields.push) !== false : type === "image" && asBool(fields.push) === true;
                if (push) exported(fields.name ? fields.name.split(/[,\s]+/).filter((n) => n !== "") : []);
            }
        }
    }
    return refs;
}
