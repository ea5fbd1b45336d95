/**
 * Base-image knowledge: what the default user of a base image is, whether it is
 * distroless and carries a shell. The facts are data (base-images.json);
 * callers extend them through options. Unknown images stay unknown.
 */
import type { BaseImageFact, ImageReference, UserVerdict } from "../types";
import builtinData from "./base-images.json";
import { repositoryName, splitRegistry } from "./references";

interface BaseImageData {
    images: BaseImageFact[];
}

export const BUILTIN_BASE_IMAGES: readonly BaseImageFact[] = Object.freeze(
    (builtinData as BaseImageData).images.map((fact) => Object.freeze({ ...fact })),
);

/** The subject a pattern matches: the literal `scratch` or an image reference. */
export type PatternSubject = ImageReference | "scratch";

export interface CompiledPattern {
    negated: boolean;
    scratch: boolean;
    hasTag: boolean;
    hasDigest: boolean;
    /** The pattern's brace alternatives, split at the separators `*` cannot cross and indexed by their literal leading parts. */
    alternatives: GlobIndex;
}

/** A brace-free glob cut at `/`, `:` and `@`: `parts[i]` lies between `separators[i-1]` and `separators[i]`. */
interface SplitGlob {
    parts: string[];
    separators: string;
}

/**
 * The alternatives of one pattern as a trie over their literal parts, one per
 * separator layout: a lookup walks the subject's parts once and only tries the
 * globs whose wildcard part sits on its path. The built-in distroless patterns
 * expand to hundreds of alternatives; most subjects reach none of them.
 */
type GlobIndex = Map<string, GlobTrieNode>;

interface GlobTrieNode {
    children: Map<string, GlobTrieNode>;
    /** Alternatives whose part at this depth has a `*`: matched part by part from here. */
    wildcards: SplitGlob[];
}

/** Brace alternatives one pattern may expand to: patterns are configuration, the cap keeps one from exploding. */
const MAX_PATTERN_ALTERNATIVES = 4096;

/**
 * Compiled patterns of configuration and option-supplied facts, keyed by the
 * pattern text. Bounded: a long-lived process (the policy pack) sees whatever
 * patterns its callers send. The built-in data is compiled once, apart.
 */
const compiledCache = new Map<string, CompiledPattern>();
const MAX_CACHED_PATTERNS = 512;

/**
 * What a pattern may contain: the characters of a Docker reference
 * (`registry[:port]/path[:tag][@algorithm:hex]`, `[::1]` for an IPv6 registry) plus `*` and `{a,b}`.
 * A space or a quote can never match a reference, so such a pattern is a typo.
 */
const PATTERN_CHARACTER = /[A-Za-z0-9._\-/:@+*{},[\]]/;

/**
 * Image patterns: `registry/repository[:tag][@digest]`, familiar forms
 * (`alpine`, `bitnami/nginx:1`) normalised like references, `*` within one
 * component, `{a,b}` alternation, `scratch` for the empty base, and a leading
 * `!` for exclusion in pattern lists.
 */
export function compileImagePattern(pattern: string): CompiledPattern {
    if (typeof pattern !== "string") throw new Error(`image pattern must be a string, got ${JSON.stringify(pattern)}`);
    const cached = compiledCache.get(pattern);
    if (cached) return cached;
    const compiled = compileUncached(pattern);
    if (compiledCache.size >= MAX_CACHED_PATTERNS) compiledCache.delete(compiledCache.keys().next().value as string);
    compiledCache.set(pattern, compiled);
    return compiled;
}

function compileUncached(pattern: string): CompiledPattern {
    let body = pattern.trim();
    const negated = body.startsWith("!");
    if (negated) body = body.slice(1).trim();
    if (body === "") throw new Error(`empty image pattern ${JSON.stringify(pattern)}`);
    for (let i = 0; i < body.length; i++) {
        if (!PATTERN_CHARACTER.test(body[i])) {
            const what = /\s/.test(body[i]) ? "whitespace" : JSON.stringify(body[i]);
            throw new Error(
                `image pattern ${JSON.stringify(pattern)} contains ${what}, which no image reference can contain; ` +
                    "write registry/repository[:tag][@digest] with * and {a,b}, and a leading ! to exclude",
            );
        }
    }
    if (body === "scratch") return { negated, scratch: true, hasTag: false, hasDigest: false, alternatives: new Map() };
    const [registry, remainder] = splitRegistry(body);
    const normalized = `${registry}/${remainder}`;
    const { hasTag, hasDigest } = patternParts(normalized);
    const alternatives = new Map<string, GlobTrieNode>();
    for (const alternative of expandBraces(normalized, pattern)) {
        if (alternative.includes(",")) {
            throw new Error(`image pattern ${JSON.stringify(pattern)} has a "," outside {...}; alternatives are written {a,b}`);
        }
        addToIndex(alternatives, splitAtSeparators(alternative));
    }
    return { negated, scratch: false, hasTag, hasDigest, alternatives };
}

function addToIndex(index: GlobIndex, glob: SplitGlob): void {
    let node = index.get(glob.separators);
    if (node === undefined) index.set(glob.separators, (node = newTrieNode()));
    for (let depth = 0; depth < glob.parts.length; depth++) {
        const part = glob.parts[depth];
        if (part.includes("*")) {
            node.wildcards.push({ parts: glob.parts.slice(depth), separators: glob.separators });
            return;
        }
        let child = node.children.get(part);
        if (child === undefined) node.children.set(part, (child = newTrieNode()));
        node = child;
    }
}

function newTrieNode(): GlobTrieNode {
    return { children: new Map(), wildcards: [] };
}

function matchIndex(index: GlobIndex, subject: SplitGlob): boolean {
    let node = index.get(subject.separators);
    for (let depth = 0; node !== undefined; depth++) {
        for (const glob of node.wildcards) {
            if (glob.parts.every((part, i) => matchStars(part, subject.parts[depth + i]))) return true;
        }
        // one trie holds one separator layout, so every path has the subject's part count: reaching the end is a match
        if (depth === subject.parts.length) return true;
        node = node.children.get(subject.parts[depth]);
    }
    return false;
}

/**
 * A reference cut at its separators, once per lookup rather than once per
 * pattern: the same subject text serves every pattern with the same parts.
 */
class SubjectTexts {
    private readonly splits: (SplitGlob | undefined)[] = [undefined, undefined, undefined, undefined];

    constructor(readonly reference: ImageReference) {}

    /** The subject text a pattern with (or without) a tag and a digest compares against; undefined when the reference lacks a part. */
    text(hasTag: boolean, hasDigest: boolean): SplitGlob | undefined {
        const ref = this.reference;
        if ((hasTag && ref.tag === undefined) || (hasDigest && ref.digest === undefined)) return undefined;
        const slot = (hasTag ? 1 : 0) + (hasDigest ? 2 : 0);
        let split = this.splits[slot];
        if (split === undefined) {
            let text = repositoryName(ref);
            if (hasTag) text += `:${ref.tag}`;
            if (hasDigest) text += `@${ref.digest}`;
            split = this.splits[slot] = splitAtSeparators(text);
        }
        return split;
    }
}

/**
 * Whether one (non-negated part of a) pattern matches. A reference lacking a
 * part the pattern constrains (a digest-only reference against a tag pattern)
 * does not match.
 */
export function matchesImagePattern(pattern: string, subject: PatternSubject): boolean {
    const compiled = compileImagePattern(pattern);
    return matchCompiled(compiled, textsOf(subject)) === true;
}

function textsOf(subject: PatternSubject): SubjectTexts | "scratch" {
    return subject === "scratch" ? "scratch" : new SubjectTexts(subject);
}

/** true / false, or undefined when the subject lacks a part the pattern constrains. */
function matchCompiled(compiled: CompiledPattern, subject: SubjectTexts | "scratch"): boolean | undefined {
    if (subject === "scratch") return compiled.scratch;
    if (compiled.scratch) return false;
    const text = subject.text(compiled.hasTag, compiled.hasDigest);
    if (text === undefined) return undefined;
    return matchIndex(compiled.alternatives, text);
}

export interface PatternListMatch {
    allowed: boolean;
    /** The deciding pattern, if any. */
    pattern?: string;
    /** Set when an exclusion could not be evaluated (e.g. digest-only reference vs. a tag exclusion). */
    undecidable?: string;
}

/**
 * Evaluates an allow list with `!` exclusions, last matching pattern wins.
 * An exclusion that cannot be evaluated for this reference counts as matching:
 * we cannot rule it out, so we fail closed.
 */
export function matchImagePatternList(patterns: readonly string[], subject: PatternSubject): PatternListMatch {
    let result: PatternListMatch = { allowed: false };
    const texts = textsOf(subject);
    for (const pattern of patterns) {
        const compiled = compileImagePattern(pattern);
        const matched = matchCompiled(compiled, texts);
        if (compiled.negated) {
            if (matched === true) result = { allowed: false, pattern };
            else if (matched === undefined && result.allowed) {
                result = {
                    allowed: false,
                    pattern,
                    undecidable: `the reference has no tag, so exclusion ${pattern} cannot be ruled out`,
                };
            }
        } else if (matched === true) {
            result = { allowed: true, pattern };
        }
    }
    return result;
}

/**
 * The first fact matching the reference: `extra` first, then the built-in data.
 * Digest-only references are never matched: the tag is what names the variant.
 */
export function lookupBaseImage(ref: ImageReference, extra?: readonly BaseImageFact[]): BaseImageFact | undefined {
    if (ref.tag === undefined) return undefined;
    const texts = new SubjectTexts(ref);
    if (extra !== undefined) {
        for (let i = 0; i < extra.length; i++) {
            let compiled: CompiledPattern;
            try {
                compiled = compileImagePattern(extra[i].match);
            } catch (err) {
                throw new Error(`baseImages[${i}].match: ${(err as Error).message}`);
            }
            if (matchesFact(compiled, texts)) return extra[i];
        }
    }
    const builtins = compiledBuiltins();
    for (let i = 0; i < builtins.length; i++) {
        if (matchesFact(builtins[i], texts)) return BUILTIN_BASE_IMAGES[i];
    }
    return undefined;
}

function matchesFact(compiled: CompiledPattern, texts: SubjectTexts): boolean {
    return !compiled.negated && !compiled.scratch && matchCompiled(compiled, texts) === true;
}

let builtinPatterns: readonly CompiledPattern[] | undefined;

/** The built-in data's patterns, compiled on first use and kept for the life of the process. */
function compiledBuiltins(): readonly CompiledPattern[] {
    builtinPatterns ??= BUILTIN_BASE_IMAGES.map((fact, i) => {
        try {
            return compileUncached(fact.match);
        } catch (err) {
            throw new Error(`base-images.json[${i}].match: ${(err as Error).message}`);
        }
    });
    return builtinPatterns;
}

/** Why a pattern is invalid, or undefined when it is valid: for config schemas to check patterns up front. */
export function imagePatternError(pattern: string): string | undefined {
    try {
        compileImagePattern(pattern);
        return undefined;
    } catch (err) {
        return (err as Error).message;
    }
}

/**
 * Root or not, from a USER string as the runtime resolves it: the part before
 * `:` is the user; empty, `root` or a numeric zero (`0`, `00`, `+0`) is uid 0.
 */
export function userVerdictOf(user: string | undefined): { verdict: UserVerdict; reason: string } {
    if (user === undefined) return { verdict: "unknown", reason: "the effective user cannot be determined" };
    if (user === "") return { verdict: "root", reason: "no user is set, so the image runs as root" };
    const userPart = userPartOf(user);
    if (userPart === "") return { verdict: "root", reason: `user ${JSON.stringify(user)} has an empty user part, which is root` };
    if (userPart === "root") return { verdict: "root", reason: `user ${JSON.stringify(user)} is root` };
    if (/^[+-]?0+$/.test(userPart)) return { verdict: "root", reason: `user ${JSON.stringify(user)} is uid 0 (root)` };
    return { verdict: "non-root", reason: `user ${JSON.stringify(user)} is not root` };
}

/** A USER whose user part is a uid (what Kubernetes runAsNonRoot can verify). */
export function isNumericUser(user: string): boolean {
    return /^[0-9]+$/.test(userPartOf(user));
}

/** The user of `user[:group]`. */
function userPartOf(user: string): string {
    const colon = user.indexOf(":");
    return colon >= 0 ? user.slice(0, colon) : user;
}

function patternParts(pattern: string): { hasTag: boolean; hasDigest: boolean } {
    let depth = 0;
    let lastSlash = -1;
    let tagColon = -1;
    let at = -1;
    for (let i = 0; i < pattern.length; i++) {
        const c = pattern[i];
        if (c === "{") depth++;
        else if (c === "}") depth = Math.max(0, depth - 1);
        else if (depth === 0 && at < 0) {
            if (c === "/") {
                lastSlash = i;
                tagColon = -1;
            } else if (c === ":" && tagColon < 0) tagColon = i;
            else if (c === "@") at = i;
        }
    }
    return { hasTag: tagColon > lastSlash && tagColon >= 0, hasDigest: at >= 0 };
}

/**
 * `{a,b}` alternation (nested allowed) expanded into brace-free globs, so that
 * matching needs no backtracking regular expression: a pattern comes from
 * configuration, and `a*a*a*...` as a JavaScript regex backtracks for minutes.
 */
function expandBraces(glob: string, original: string): string[] {
    let position = 0;
    // sequence := (literal | "{" sequence ("," sequence)* "}")*, returning its expansions
    const sequence = (insideBraces: boolean): string[] => {
        let results = [""];
        let literal = "";
        const flush = () => {
            if (literal !== "") results = results.map((r) => r + literal);
            literal = "";
        };
        while (position < glob.length) {
            const c = glob[position];
            if (c === "{") {
                flush();
                position++;
                const options: string[] = [];
                for (;;) {
                    options.push(...sequence(true));
                    if (glob[position] === ",") {
                        position++;
                        continue;
                    }
                    if (glob[position] !== "}") throw new Error(`unbalanced "{" in image pattern ${JSON.stringify(original)}`);
                    position++;
                    break;
                }
                if (results.length * options.length > MAX_PATTERN_ALTERNATIVES) {
                    throw new Error(`image pattern ${JSON.stringify(original)} expands to more than ${MAX_PATTERN_ALTERNATIVES} alternatives`);
                }
                results = results.flatMap((r) => options.map((o) => r + o));
            } else if (c === "}" || (c === "," && insideBraces)) {
                if (!insideBraces) throw new Error(`unbalanced "}" in image pattern ${JSON.stringify(original)}`);
                break;
            } else {
                literal += c;
                position++;
            }
        }
        flush();
        return results;
    };
    const results = sequence(false);
    if (position < glob.length) throw new Error(`unbalanced "}" in image pattern ${JSON.stringify(original)}`);
    return results;
}

function splitAtSeparators(text: string): SplitGlob {
    const parts: string[] = [];
    let separators = "";
    let start = 0;
    for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (c === "/" || c === ":" || c === "@") {
            parts.push(text.slice(start, i));
            separators += c;
            start = i + 1;
        }
    }
    parts.push(text.slice(start));
    return { parts, separators };
}

/** Wildcard match where `*` is any run of characters: greedy with one resume point, O(pattern x text). */
function matchStars(pattern: string, text: string): boolean {
    let p = 0;
    let t = 0;
    let star = -1;
    let resume = 0;
    while (t < text.length) {
        if (p < pattern.length && pattern[p] === "*") {
            star = p++;
            resume = t;
        } else if (p < pattern.length && pattern[p] === text[t]) {
            p++;
            t++;
        } else if (star >= 0) {
            p = star + 1;
            t = ++resume;
        } else {
            return false;
        }
    }
    while (p < pattern.length && pattern[p] === "*") p++;
    return p === pattern.length;
}
