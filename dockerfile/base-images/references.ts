/**
 * Image references normalised the way BuildKit does it before pulling a FROM
 * image: the Docker reference library's ParseNormalizedNamed followed by
 * TagNameOnly (github.com/distribution/reference, normalize.go + regexp.go).
 *
 * The grammar is checked by hand-written scanners rather than the library's
 * composite regular expression: JavaScript regexes backtrack, and a FROM line
 * comes from untrusted input.
 */
import { DockerfileError } from "../errors";
import type { ImageReference } from "../types";

export const DEFAULT_REGISTRY = "docker.io";
const LEGACY_DEFAULT_REGISTRY = "index.docker.io";
const OFFICIAL_REPOSITORY_PREFIX = "library/";
const DEFAULT_TAG = "latest";
/** distribution/reference RepositoryNameTotalLengthMax (applies to the path without registry). */
const REPOSITORY_PATH_MAX = 255;
const TAG_MAX = 128;

/** Hex digest lengths of the algorithms go-digest knows. */
const DIGEST_HEX_LENGTHS: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

/**
 * Parses an image reference as written after FROM (after expansion).
 * Throws DockerfileError with the library's wording for an invalid reference.
 */
export function parseImageReference(ref: string): ImageReference {
    if (ref === "") throw invalid("repository name must have at least one component");
    // A bare 64-hex string would be ambiguous with an image ID.
    if (ref.length === 64 && /^[a-f0-9]{64}$/.test(ref)) {
        throw invalid(`invalid repository name (${ref}), cannot specify 64-byte hexadecimal strings`);
    }
    const [registry, remainder] = splitRegistry(ref);

    const tagSeparator = remainder.indexOf(":");
    const remote = tagSeparator >= 0 ? remainder.slice(0, tagSeparator) : remainder;
    if (remote.toLowerCase() !== remote) {
        throw invalid(`invalid reference format: repository name (${remote}) must be lowercase`);
    }

    // remainder = path [":" tag] ["@" digest]; neither path nor tag may contain "@".
    let nameAndTag = remainder;
    let digest: string | undefined;
    const at = remainder.indexOf("@");
    if (at >= 0) {
        nameAndTag = remainder.slice(0, at);
        digest = remainder.slice(at + 1);
        validateDigest(digest, ref);
    }
    let repository = nameAndTag;
    let tag: string | undefined;
    const lastSlash = nameAndTag.lastIndexOf("/");
    const colon = nameAndTag.indexOf(":", lastSlash + 1);
    if (colon >= 0) {
        repository = nameAndTag.slice(0, colon);
        tag = nameAndTag.slice(colon + 1);
        if (!isValidTag(tag)) throw invalid(`invalid reference format: ${JSON.stringify(ref)}`);
    }
    if (!isValidRegistry(registry) || !isValidRepositoryPath(repository)) {
        throw invalid(`invalid reference format: ${JSON.stringify(ref)}`);
    }
    if (repository.length > REPOSITORY_PATH_MAX) {
        throw invalid(`repository name must not be more than ${REPOSITORY_PATH_MAX} characters`);
    }
    if (tag === undefined && digest === undefined) tag = DEFAULT_TAG;

    let normalized = `${registry}/${repository}`;
    if (tag !== undefined) normalized += `:${tag}`;
    if (digest !== undefined) normalized += `@${digest}`;
    const result: ImageReference = { original: ref, registry, repository, normalized };
    if (tag !== undefined) result.tag = tag;
    if (digest !== undefined) result.digest = digest;
    return result;
}

/** `registry/repository` without tag or digest: the name a registry knows the image by. */
export function repositoryName(ref: ImageReference): string {
    return `${ref.registry}/${ref.repository}`;
}

/**
 * splitDockerDomain: the first path component is a registry host only when it
 * is `localhost`, contains `.` or `:`, or has uppercase letters (namespaces
 * cannot); Docker Hub names without a namespace get `library/`.
 */
export function splitRegistry(name: string): [string, string] {
    const slash = name.indexOf("/");
    let registry: string;
    let remainder: string;
    if (slash < 0) {
        return [DEFAULT_REGISTRY, OFFICIAL_REPOSITORY_PREFIX + name];
    }
    const first = name.slice(0, slash);
    const rest = name.slice(slash + 1);
    if (first === "localhost") {
        [registry, remainder] = [first, rest];
    } else if (first === LEGACY_DEFAULT_REGISTRY) {
        [registry, remainder] = [DEFAULT_REGISTRY, rest];
    } else if (first.includes(".") || first.includes(":") || first.toLowerCase() !== first) {
        [registry, remainder] = [first, rest];
    } else {
        [registry, remainder] = [DEFAULT_REGISTRY, name];
    }
    if (registry === DEFAULT_REGISTRY && !remainder.includes("/")) {
        remainder = OFFICIAL_REPOSITORY_PREFIX + remainder;
    }
    return [registry, remainder];
}

function invalid(detail: string): DockerfileError {
    return new DockerfileError(detail);
}

function isAlnumLower(c: number): boolean {
    return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39);
}

function isAlnum(c: number): boolean {
    return isAlnumLower(c) || (c >= 0x41 && c <= 0x5a);
}

/** path-component: [a-z0-9]+ ((`.`|`_`|`__`|`-`+) [a-z0-9]+)* */
function isValidPathComponent(component: string): boolean {
    if (component.length === 0) return false;
    let i = 0;
    while (i < component.length) {
        const runStart = i;
        while (i < component.length && isAlnumLower(component.charCodeAt(i))) i++;
        if (i === runStart) return false;
        if (i === component.length) return true;
        const sepStart = i;
        while (i < component.length && !isAlnumLower(component.charCodeAt(i))) i++;
        const separator = component.slice(sepStart, i);
        if (i === component.length) return false;
        if (!(separator === "." || separator === "_" || separator === "__" || /^-+$/.test(separator))) return false;
    }
    return true;
}

function isValidRepositoryPath(path: string): boolean {
    return path.split("/").every(isValidPathComponent);
}

/** domain-name-component: [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9] */
function isValidHostComponent(component: string): boolean {
    if (component.length === 0) return false;
    if (!isAlnum(component.charCodeAt(0)) || !isAlnum(component.charCodeAt(component.length - 1))) return false;
    for (let i = 1; i < component.length - 1; i++) {
        const c = component.charCodeAt(i);
        if (!isAlnum(c) && c !== 0x2d) return false;
    }
    return true;
}

/** host (domain name or bracketed IPv6) with an optional numeric port. */
function isValidRegistry(registry: string): boolean {
    let host = registry;
    let port: string | undefined;
    if (registry.startsWith("[")) {
        const close = registry.indexOf("]");
        if (close < 0) return false;
        if (!/^[a-fA-F0-9:]+$/.test(registry.slice(1, close))) return false;
        const after = registry.slice(close + 1);
        if (after === "") return true;
        if (!after.startsWith(":")) return false;
        return /^[0-9]+$/.test(after.slice(1));
    }
    const colon = registry.indexOf(":");
    if (colon >= 0) {
        host = registry.slice(0, colon);
        port = registry.slice(colon + 1);
        if (!/^[0-9]+$/.test(port)) return false;
    }
    return host.split(".").every(isValidHostComponent);
}

/** tag: [\w][\w.-]{0,127} */
function isValidTag(tag: string): boolean {
    return tag.length >= 1 && tag.length <= TAG_MAX && /^\w[\w.-]*$/.test(tag);
}

/** go-digest Parse: algorithm ":" hex, with the exact length for known algorithms. */
function validateDigest(digest: string, ref: string): void {
    // The reference grammar is checked first ("invalid reference format"), then go-digest's own rules.
    const colon = digest.indexOf(":");
    const algorithm = colon > 0 ? digest.slice(0, colon) : "";
    const encoded = colon > 0 ? digest.slice(colon + 1) : "";
    const wellFormed =
        colon > 0 && /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*$/.test(algorithm) && /^[0-9a-fA-F]{32,}$/.test(encoded);
    if (!wellFormed) throw invalid(`invalid reference format: ${JSON.stringify(ref)}`);
    const expectedLength = DIGEST_HEX_LENGTHS[algorithm];
    if (expectedLength === undefined) throw invalid(`unsupported digest algorithm (${algorithm})`);
    if (encoded.length !== expectedLength) throw invalid("invalid checksum digest length");
    if (!/^[a-f0-9]+$/.test(encoded)) throw invalid("invalid checksum digest format");
}
