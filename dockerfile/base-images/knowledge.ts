/**
 * Base-image knowledge: what the default user of a base image is, whether it is
 * distroless and carries a shell. The facts are data (base-images.json);
 * callers extend them through options. Unknown images stay unknown.
 */
import type { BaseImageFact, ImageReference, UserVerdict } from "../types";
import builtinData from "./base-images.json";
import { splitRegistry } from "./references";

interface BaseImageData {
    images: BaseImageFact[];
}

export const BUILTIN_BASE_IMAGES: readonly BaseImageFact[] = Object.freeze(
    (builtinData as BaseImageData).images.map((fact) => Object.freeze({ ...fact })),
);

/** The subject a pattern matches: the literal `scratch` or an image reference. */
export type PatternSubject = ImageReference | "scratch";

interface CompiledPattern {
    negated: boolean;
    scratch: boolean;
    hasTag: boolean;
    hasDigest: boolean;
    /** The pattern's brace alternatives, each split at the separators `*` cannot cross. */
    alternatives: readonly SplitGlob[];
}

/** A brace-free glob cut at `/`, `:` and `@`: `parts[i]` lies between `separators[i-1]` and `separators[i]`. */
interface SplitGlob {
    parts: string[];
    separators: string;
}

/** Brace alternatives one pattern may expand to: patterns are configuration, the cap keeps one from exploding. */
const MAX_PATTERN_ALTERNATIVES = 4096;

const compiledCache = new Map<string, CompiledPattern>();

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
    let body = pattern.trim();
    const negated = body.startsWith("!");
    if (negated) body = body.slice(1).trim();
    if (body === "") throw new Error(`empty image pattern ${JSON.stringify(pattern)}`);
    let compiled: CompiledPattern;
    if (body === "scratch") {
        compiled = { negated, scratch: true, hasTag: false, hasDigest: false, alternatives: [] };
    } else {
        const [registry, remainder] = splitRegistry(body);
        const normalized = `${registry}/${remainder}`;
        const { hasTag, hasDigest } = patternParts(normalized);
        const alternatives = expandBraces(normalized, pattern).map(splitAtSeparators);
        compiled = { negated, scratch: false, hasTag, hasDigest, alternatives };
    }
    compiledCache.set(pattern, compiled);
    return compiled;
}

/**
 * Whether one (non-negated part of a) pattern matches. A reference lacking a
 * part the pattern constrains (a digest-only reference against a tag pattern)
 * does not match.
 */
export function matchesImagePattern(pattern: string, subject: PatternSubject): boolean {
    const compiled = compileImagePattern(pattern);
    return matchCompiled(compiled, subject) === true;
}

/** true / false, or undefined when the subject lacks a part the pattern constrains. */
function matchCompiled(compiled: CompiledPattern, subject: PatternSubject): boolean | undefined {
    if (subject === "scratch") return compiled.scratch;
    if (compiled.scratch) return false;
    let text = `${subject.registry}/${subject.repository}`;
    if (compiled.hasTag) {
        if (subject.tag === undefined) return undefined;
        text += `:${subject.tag}`;
    }
    if (compiled.hasDigest) {
        if (subject.digest === undefined) return undefined;
        text += `@${subject.digest}`;
    }
    const subjectText = splitAtSeparators(text);
    return compiled.alternatives.some((glob) => matchSplitGlob(glob, subjectText));
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
    for (const pattern of patterns) {
        const compiled = compileImagePattern(pattern);
        const matched = matchCompiled(compiled, subject);
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
    for (const [source, facts] of [["baseImages", extra ?? []], ["base-images.json", BUILTIN_BASE_IMAGES]] as const) {
        for (let i = 0; i < facts.length; i++) {
            const fact = facts[i];
            let compiled: CompiledPattern;
            try {
                compiled = compileImagePattern(fact.match);
            } catch (err) {
                throw new Error(`${source}[${i}].match: ${(err as Error).message}`);
            }
            if (compiled.negated || compiled.scratch) continue;
            if (matchCompiled(compiled, ref) === true) return fact;
        }
    }
    return undefined;
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
    const colon = user.indexOf(":");
    const userPart = colon >= 0 ? user.slice(0, colon) : user;
    if (userPart === "") return { verdict: "root", reason: `user ${JSON.stringify(user)} has an empty user part, which is root` };
    if (userPart === "root") return { verdict: "root", reason: `user ${JSON.stringify(user)} is root` };
    if (/^[+-]?0+$/.test(userPart)) return { verdict: "root", reason: `user ${JSON.stringify(user)} is uid 0 (root)` };
    return { verdict: "non-root", reason: `user ${JSON.stringify(user)} is not root` };
}

/** A USER whose user part is a uid (what Kubernetes runAsNonRoot can verify). */
export function isNumericUser(user: string): boolean {
    const colon = user.indexOf(":");
    const userPart = colon >= 0 ? user.slice(0, colon) : user;
    return /^[0-9]+$/.test(userPart);
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

/** `*` never crosses a separator, so the separators must agree and each part matches on its own. */
function matchSplitGlob(glob: SplitGlob, subject: SplitGlob): boolean {
    if (glob.separators !== subject.separators) return false;
    return glob.parts.every((part, i) => matchStars(part, subject.parts[i]));
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
