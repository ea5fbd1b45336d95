/**
 * Shell patterns of `${V#p}`, `${V%p}`, `${V/p/r}` and friends.
 *
 * BuildKit converts the pattern to a Go regexp (`*` -> `.*` or `.*?`, `?` -> `.`,
 * everything else literal) and uses RE2's leftmost-first semantics. A JS RegExp
 * would backtrack exponentially on `*a*a*a*a*b`, so instead we match the same
 * language directly and reproduce exactly the match RE2 would report:
 *
 * A pattern is chunks of fixed width (literals and `?`) separated by stars:
 * `C0 * C1 * ... * Ck`. As in Go's regexp without the `s` flag, `.` (so `?`
 * and `*`) never matches a newline; only a literal newline does. Hence a chunk
 * containing a literal newline has exactly one possible place (its newline must
 * be the first newline after the previous chunk), and every other chunk must sit
 * inside the current line, where its leftmost occurrence is always the best
 * choice for the rest of the match. So:
 * - whether a match exists from a position: place each chunk at its leftmost
 *   occurrence (the "leftmost placement");
 * - lazy stars (`#`, `%`): the preferred match is the leftmost placement;
 * - greedy stars: only the end matters to callers; it is the end of the line
 *   when the pattern ends with a star, else the rightmost occurrence of the last
 *   chunk in the last line segment of the leftmost placement;
 * - the leftmost start: within a line, a failing start makes every later start
 *   in the same line fail too, so failures skip to the next line.
 * Literal chunks are found with Knuth-Morris-Pratt (linear); chunks with `?` are
 * checked position by position under a work budget, so a hostile pattern ends
 * with a clear error instead of running for minutes.
 */

import { LengthLimitError, PatternBudgetError } from "./limits";
import { codePointsOf, isDigit, isLetter, runeToString } from "./unicode";

/** Pattern tokens besides literal code points: `?` and `*`. */
const ANY_CHAR = -1;
const ANY_RUN = -2;
const EOF = -1;
const NEWLINE = 0x0a;
const STAR = 0x2a;
const QUESTION = 0x3f;
const BACKSLASH = 0x5c;
const SLASH = 0x2f;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const DOLLAR = 0x24;

/** A pattern BuildKit would refuse; the message is BuildKit's. */
export class PatternError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PatternError";
    }
}

/**
 * Bounds the work of pattern matching within one expansion: each operation pays
 * for reading its value and for every comparison, so neither one hostile pattern
 * nor thousands of cheap ones on a large value can run unbounded.
 */
export class WorkBudget {
    private remaining: number;

    constructor(
        private readonly limit: number,
        /** The error when the limit is reached; by default the word's own PatternBudgetError. */
        private readonly exhausted: (pattern: string) => Error = (pattern) => new PatternBudgetError(pattern),
    ) {
        this.remaining = limit;
    }

    /** Steps spent so far (at most the limit). */
    get spent(): number {
        return this.limit - Math.max(0, this.remaining);
    }

    spend(steps: number, pattern: string): void {
        this.remaining -= steps;
        if (this.remaining < 0) {
            throw this.exhausted(pattern);
        }
    }
}

interface Chunk {
    /** Literal code points, or ANY_CHAR for `?`. */
    readonly tokens: Int32Array;
    /** Offset of the first literal newline, or -1. */
    readonly newlineAt: number;
    /** KMP failure tables for pure-literal chunks (forward and reversed). */
    readonly forwardFailure?: Int32Array;
    readonly reversed?: Int32Array;
    readonly backwardFailure?: Int32Array;
}

/** A subject string as code points, knowing where its lines end. */
export class Subject {
    readonly cps: Int32Array;
    readonly length: number;
    /** Positions of the newlines, ascending (usually none or few). */
    private readonly newlines: number[];

    constructor(cps: Int32Array) {
        this.cps = cps;
        this.length = cps.length;
        this.newlines = [];
        for (let i = cps.indexOf(NEWLINE); i >= 0; i = cps.indexOf(NEWLINE, i + 1)) this.newlines.push(i);
    }

    /** The first newline at or after `position`, or the length when there is none. */
    lineEnd(position: number): number {
        const newlines = this.newlines;
        let lo = 0;
        let hi = newlines.length;
        while (lo < hi) {
            const mid = (lo + hi) >>> 1;
            if (newlines[mid] < position) lo = mid + 1;
            else hi = mid;
        }
        return lo < newlines.length ? newlines[lo] : this.length;
    }
}

/**
 * BuildKit's convertShellPatternToRegex, producing tokens instead of a regexp:
 * `\` escapes only `*`, `?` and `\` (any other escape is an error), and `\}` /
 * `\/` (escaped to get past the `${}` syntax) are the bare characters.
 */
export function compileShellPattern(pattern: string): ShellPattern {
    const cps = codePointsOf(pattern);
    // Go's text/scanner drops a byte-order mark at the very start.
    let i = cps.length > 0 && cps[0] === 0xfeff ? 1 : 0;
    const tokens: number[] = [];
    while (i < cps.length) {
        let tok = cps[i++];
        if (tok === STAR) {
            tokens.push(ANY_RUN);
            continue;
        }
        if (tok === QUESTION) {
            tokens.push(ANY_CHAR);
            continue;
        }
        if (tok === BACKSLASH) {
            const peek = i < cps.length ? cps[i] : EOF;
            if (peek === RBRACE || peek === SLASH) continue;
            tok = i < cps.length ? cps[i++] : EOF;
            if (tok !== STAR && tok !== QUESTION && tok !== BACKSLASH) {
                throw new PatternError(`invalid pattern (${pattern}) in substitution: invalid escape '\\${runeToString(tok)}'`);
            }
        }
        tokens.push(tok);
    }
    return new ShellPattern(pattern, tokens);
}

/** BuildKit's reversePattern: reverses code points but keeps `\x` escape pairs in order. */
export function reversePattern(pattern: string): string {
    const cps = codePointsOf(pattern);
    const out = new Int32Array(cps.length);
    const last = cps.length - 1;
    for (let i = 0; i <= last;) {
        const outIdx = last - i;
        if (cps[i] === BACKSLASH && i !== last) {
            out[outIdx - 1] = BACKSLASH;
            out[outIdx] = cps[i + 1];
            i += 2;
        } else {
            out[outIdx] = cps[i];
            i++;
        }
    }
    return fromCodePoints(out, 0, out.length);
}

export class ShellPattern {
    private readonly chunks: Chunk[];

    constructor(readonly source: string, tokens: number[]) {
        const chunks: Chunk[] = [];
        let current: number[] = [];
        for (const tok of tokens) {
            if (tok === ANY_RUN) {
                // Consecutive stars match the same strings with the same preference as one.
                if (chunks.length === 0 || current.length > 0) chunks.push(makeChunk(current));
                current = [];
            } else {
                current.push(tok);
            }
        }
        chunks.push(makeChunk(current));
        this.chunks = chunks;
    }

    private get starCount(): number {
        return this.chunks.length - 1;
    }

    /**
     * End of the match anchored at 0 (`^pattern`), or undefined when none:
     * greedy = `*` as `.*`, otherwise `.*?`.
     */
    matchPrefix(subject: Subject, greedy: boolean, budget: WorkBudget): number | undefined {
        const placed = this.placeFrom(subject, 0, budget);
        if (placed === undefined) return undefined;
        return greedy ? this.greedyEnd(subject, placed, budget) : placed.lastEnd;
    }

    /** The leftmost greedy match starting at or after `from`: [start, end) in code points. */
    findGreedy(subject: Subject, from: number, budget: WorkBudget): [number, number] | undefined {
        const first = this.chunks[0];
        const firstLength = first.tokens.length;
        if (this.starCount === 0) {
            const q = this.findForward(first, subject, from, subject.length, budget);
            return q < 0 ? undefined : [q, q + firstLength];
        }
        let start = from;
        while (start <= subject.length) {
            const q = this.findForward(first, subject, start, subject.length, budget);
            if (q < 0) return undefined;
            const placed = this.placeRest(subject, q + firstLength, budget);
            if (placed !== undefined) return [q, this.greedyEnd(subject, placed, budget)];
            // Every later start whose first chunk ends in the same line fails as well.
            const lineEnd = subject.lineEnd(q + firstLength);
            if (lineEnd >= subject.length) return undefined;
            start = Math.max(q + 1, lineEnd + 1 - firstLength);
        }
        return undefined;
    }

    private placeFrom(subject: Subject, start: number, budget: WorkBudget): Placement | undefined {
        const first = this.chunks[0];
        if (!this.matchesAt(first, subject, start, budget)) return undefined;
        return this.placeRest(subject, start + first.tokens.length, budget);
    }

    /** Leftmost placement of chunks 1..k after the first chunk ended at `from`. */
    private placeRest(subject: Subject, from: number, budget: WorkBudget): Placement | undefined {
        let previousEnd = from;
        let end = from;
        for (let i = 1; i < this.chunks.length; i++) {
            const chunk = this.chunks[i];
            const q = this.findInLine(chunk, subject, end, budget);
            if (q < 0) return undefined;
            previousEnd = end;
            end = q + chunk.tokens.length;
        }
        return { lastEnd: end, previousEnd };
    }

    private greedyEnd(subject: Subject, placed: Placement, budget: WorkBudget): number {
        if (this.starCount === 0) return placed.lastEnd;
        const last = this.chunks[this.chunks.length - 1];
        const lineEnd = subject.lineEnd(placed.previousEnd);
        if (last.tokens.length === 0) return lineEnd;
        if (last.newlineAt >= 0) return placed.lastEnd;
        const q = this.findBackward(last, subject, placed.previousEnd, lineEnd, budget);
        return q + last.tokens.length;
    }

    /** Leftmost place for a chunk preceded by a star that starts at `from`. */
    private findInLine(chunk: Chunk, subject: Subject, from: number, budget: WorkBudget): number {
        const lineEnd = subject.lineEnd(from);
        if (chunk.newlineAt >= 0) {
            const q = lineEnd - chunk.newlineAt;
            return q >= from && this.matchesAt(chunk, subject, q, budget) ? q : -1;
        }
        return this.findForward(chunk, subject, from, lineEnd, budget);
    }

    private matchesAt(chunk: Chunk, subject: Subject, q: number, budget: WorkBudget): boolean {
        const tokens = chunk.tokens;
        if (q < 0 || q + tokens.length > subject.length) return false;
        const cps = subject.cps;
        let i = 0;
        for (; i < tokens.length; i++) {
            const tok = tokens[i];
            const cp = cps[q + i];
            if (tok === ANY_CHAR ? cp === NEWLINE : cp !== tok) break;
        }
        budget.spend(i + 1, this.source);
        return i === tokens.length;
    }

    /** Leftmost occurrence q with from <= q and q + length <= to, or -1. */
    private findForward(chunk: Chunk, subject: Subject, from: number, to: number, budget: WorkBudget): number {
        const length = chunk.tokens.length;
        if (length === 0) return from <= to ? from : -1;
        if (chunk.forwardFailure !== undefined) {
            const pattern = chunk.tokens;
            const failure = chunk.forwardFailure;
            const cps = subject.cps;
            let j = 0;
            for (let i = from; i < to; i++) {
                const cp = cps[i];
                while (j > 0 && cp !== pattern[j]) j = failure[j - 1];
                if (cp === pattern[j]) j++;
                if (j === length) {
                    budget.spend(2 * (i - from + 1), this.source);
                    return i - length + 1;
                }
            }
            budget.spend(2 * Math.max(0, to - from), this.source);
            return -1;
        }
        for (let q = from; q + length <= to; q++) {
            if (this.matchesAt(chunk, subject, q, budget)) return q;
        }
        return -1;
    }

    /** Rightmost occurrence q with from <= q and q + length <= to, or -1. */
    private findBackward(chunk: Chunk, subject: Subject, from: number, to: number, budget: WorkBudget): number {
        const length = chunk.tokens.length;
        if (chunk.reversed !== undefined && chunk.backwardFailure !== undefined) {
            const pattern = chunk.reversed;
            const failure = chunk.backwardFailure;
            const cps = subject.cps;
            let j = 0;
            for (let i = to - 1; i >= from; i--) {
                const cp = cps[i];
                while (j > 0 && cp !== pattern[j]) j = failure[j - 1];
                if (cp === pattern[j]) j++;
                if (j === length) {
                    budget.spend(2 * (to - i), this.source);
                    return i;
                }
            }
            budget.spend(2 * Math.max(0, to - from), this.source);
            return -1;
        }
        for (let q = to - length; q >= from; q--) {
            if (this.matchesAt(chunk, subject, q, budget)) return q;
        }
        return -1;
    }
}

interface Placement {
    /** End of the last chunk. */
    lastEnd: number;
    /** Where the star before the last chunk starts (end of the chunk before it). */
    previousEnd: number;
}

function makeChunk(tokens: number[]): Chunk {
    const array = Int32Array.from(tokens);
    const newlineAt = tokens.indexOf(NEWLINE);
    if (tokens.length === 0 || tokens.includes(ANY_CHAR)) return { tokens: array, newlineAt };
    const reversed = array.slice().reverse();
    return {
        tokens: array,
        newlineAt,
        forwardFailure: failureTable(array),
        reversed,
        backwardFailure: failureTable(reversed),
    };
}

/** KMP: length of the longest proper border of each prefix. */
function failureTable(pattern: Int32Array): Int32Array {
    const failure = new Int32Array(pattern.length);
    let k = 0;
    for (let i = 1; i < pattern.length; i++) {
        while (k > 0 && pattern[i] !== pattern[k]) k = failure[k - 1];
        if (pattern[i] === pattern[k]) k++;
        failure[i] = k;
    }
    return failure;
}

/** `value` as code points, and how to slice the original string by code point index. */
export class IndexedString {
    readonly cps: Int32Array;
    /** UTF-16 offset of each code point; absent when every code point is one unit. */
    private readonly offsets?: Int32Array;

    constructor(readonly text: string) {
        this.cps = codePointsOf(text);
        if (this.cps.length === text.length) return;
        const offsets = new Int32Array(this.cps.length + 1);
        let offset = 0;
        for (let i = 0; i < this.cps.length; i++) {
            offsets[i] = offset;
            offset += this.cps[i] > 0xffff ? 2 : 1;
        }
        offsets[this.cps.length] = offset;
        this.offsets = offsets;
    }

    slice(start: number, end: number): string {
        return this.offsets === undefined
            ? this.text.slice(start, end)
            : this.text.slice(this.offsets[start], this.offsets[end]);
    }
}

/** `${V#p}` / `${V##p}`: BuildKit trimPrefix (anchored, lazy or greedy). */
export function trimShellPrefix(pattern: string, value: string, greedy: boolean, budget: WorkBudget): string {
    const compiled = compileShellPattern(pattern);
    budget.spend(value.length, pattern);
    const indexed = new IndexedString(value);
    const end = compiled.matchPrefix(new Subject(indexed.cps), greedy, budget);
    return end === undefined ? value : indexed.slice(end, indexed.cps.length);
}

/**
 * `${V%p}` / `${V%%p}`: BuildKit trimSuffix, which reverses pattern and value so
 * the shortest/longest suffix becomes a prefix (errors name the reversed pattern,
 * as BuildKit's do).
 */
export function trimShellSuffix(pattern: string, value: string, greedy: boolean, budget: WorkBudget): string {
    const reversedPattern = reversePattern(pattern);
    const compiled = compileShellPattern(reversedPattern);
    budget.spend(value.length, reversedPattern);
    const indexed = new IndexedString(value);
    const reversed = indexed.cps.slice().reverse();
    const end = compiled.matchPrefix(new Subject(reversed), greedy, budget);
    return end === undefined ? value : indexed.slice(0, indexed.cps.length - end);
}

/**
 * `${V/p/r}` (first match, replacement taken literally) and `${V//p/r}` (Go's
 * Regexp.ReplaceAllString: `$0`/`${0}` in the replacement is the match, `$$` a
 * dollar, any other `$name` is empty; an empty match right after a match is
 * skipped). Patterns are greedy here, as in BuildKit.
 */
export function replaceShellPattern(
    pattern: string,
    value: string,
    replacement: string,
    replaceAll: boolean,
    budget: WorkBudget,
    maxLength: number,
): string {
    const compiled = compileShellPattern(pattern);
    budget.spend(value.length, pattern);
    const indexed = new IndexedString(value);
    const subject = new Subject(indexed.cps);
    const limit = (length: number): void => {
        if (length > maxLength) throw new LengthLimitError(maxLength);
    };
    if (!replaceAll) {
        const match = compiled.findGreedy(subject, 0, budget);
        if (match === undefined) return value;
        const head = indexed.slice(0, match[0]);
        const tail = indexed.slice(match[1], subject.length);
        limit(head.length + replacement.length + tail.length);
        return head + replacement + tail;
    }
    const template = parseReplacementTemplate(replacement);
    const end = subject.length;
    let out = "";
    let lastMatchEnd = 0;
    let searchPos = 0;
    while (searchPos <= end) {
        const match = compiled.findGreedy(subject, searchPos, budget);
        if (match === undefined) break;
        out += indexed.slice(lastMatchEnd, match[0]);
        if (match[1] > lastMatchEnd || match[0] === 0) {
            for (const part of template) {
                out += part === MATCH ? indexed.slice(match[0], match[1]) : part;
            }
        }
        limit(out.length);
        lastMatchEnd = match[1];
        // Always advance at least one character, as Go does.
        const width = searchPos < end ? 1 : 0;
        if (searchPos + width > match[1]) searchPos += width;
        else if (searchPos + 1 > match[1]) searchPos++;
        else searchPos = match[1];
    }
    out += indexed.slice(lastMatchEnd, end);
    limit(out.length);
    return out;
}

const MATCH = Symbol("match");
type TemplatePart = string | typeof MATCH;

/**
 * Go's Regexp.Expand template for a regexp without groups: only group 0 (the
 * whole match) exists, so `$0`/`${0}` insert the match, every other well-formed
 * reference inserts nothing, `$$` is `$`, and a malformed `$` stays literal.
 */
function parseReplacementTemplate(template: string): TemplatePart[] {
    const parts: TemplatePart[] = [];
    let literal = "";
    let rest = template;
    for (;;) {
        const dollar = rest.indexOf("$");
        if (dollar < 0) break;
        literal += rest.slice(0, dollar);
        rest = rest.slice(dollar + 1);
        if (rest.length > 0 && rest.charCodeAt(0) === DOLLAR) {
            literal += "$";
            rest = rest.slice(1);
            continue;
        }
        const ref = extractReference(rest);
        if (ref === undefined) {
            literal += "$";
            continue;
        }
        rest = ref.rest;
        if (ref.name === "0") {
            parts.push(literal, MATCH);
            literal = "";
        }
    }
    parts.push(literal + rest);
    return parts;
}

/** Go regexp `extract`: a leading `name` or `{name}` of letters, digits and `_`. */
function extractReference(text: string): { name: string; rest: string } | undefined {
    if (text.length === 0) return undefined;
    let body = text;
    const brace = body.charCodeAt(0) === LBRACE;
    if (brace) body = body.slice(1);
    let i = 0;
    while (i < body.length) {
        const cp = body.codePointAt(i) as number;
        if (!isLetter(cp) && !isDigit(cp) && cp !== 0x5f) break;
        i += cp > 0xffff ? 2 : 1;
    }
    if (i === 0) return undefined;
    const name = body.slice(0, i);
    if (brace) {
        if (i >= body.length || body.charCodeAt(i) !== RBRACE) return undefined;
        i++;
    }
    return { name, rest: body.slice(i) };
}

function fromCodePoints(cps: Int32Array, start: number, end: number): string {
    let out = "";
    const CHUNK = 8192;
    for (let i = start; i < end; i += CHUNK) {
        out += String.fromCodePoint(...cps.subarray(i, Math.min(end, i + CHUNK)));
    }
    return out;
}
