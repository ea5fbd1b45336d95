/**
 * Go's text primitives, as BuildKit's parser relies on them. JavaScript's
 * `\s`, `trim()` and `toLowerCase()` disagree with Go's `unicode.IsSpace`,
 * `strings.TrimSpace` and `strings.ToLower` on a handful of code points, and the
 * dump must match BuildKit byte for byte, so the Go definitions live here.
 */

import { isSpace as isGoSpace } from "../shell/unicode";

/** Go `unicode.IsSpace`, owned by the shell layer (BuildKit's parser imports its shell package too). */
export { isGoSpace };

/**
 * `unicode.IsSpace(rune(b))` applied to a single byte: BuildKit's flag and
 * HEALTHCHECK scanners index bytes, so the UTF-8 continuation bytes 0x85 and
 * 0xA0 count as spaces there.
 */
export function isGoSpaceByte(b: number): boolean {
    return b === 0x20 || (b >= 0x09 && b <= 0x0d) || b === 0x85 || b === 0xa0;
}

/** Go regexp `\s`: `[\t\n\f\r ]` (no vertical tab, nothing beyond ASCII). */
export function isGoRegexpSpace(code: number): boolean {
    return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d;
}

/** The class of BuildKit's `reWhitespace`: `[\t\v\f\r ]`. */
export function isReWhitespace(code: number): boolean {
    return code === 0x20 || code === 0x09 || code === 0x0b || code === 0x0c || code === 0x0d;
}

/** `strings.TrimLeftFunc(s, unicode.IsSpace)`. */
export function goTrimLeftSpace(s: string): string {
    let i = 0;
    while (i < s.length && isGoSpace(s.charCodeAt(i))) i++;
    return i === 0 ? s : s.slice(i);
}

/** `strings.TrimSpace`. */
export function goTrimSpace(s: string): string {
    let start = 0;
    let end = s.length;
    while (start < end && isGoSpace(s.charCodeAt(start))) start++;
    while (end > start && isGoSpace(s.charCodeAt(end - 1))) end--;
    return start === 0 && end === s.length ? s : s.slice(start, end);
}

/** `bytes.TrimRight(line, "\r\n")`: every trailing CR and LF. */
export function trimNewline(s: string): string {
    let end = s.length;
    while (end > 0) {
        const c = s.charCodeAt(end - 1);
        if (c !== 0x0a && c !== 0x0d) break;
        end--;
    }
    return end === s.length ? s : s.slice(0, end);
}

/** `bytes.TrimLeft(line, "\t")`. */
export function trimLeadingTabs(s: string): string {
    let i = 0;
    while (i < s.length && s.charCodeAt(i) === 0x09) i++;
    return i === 0 ? s : s.slice(i);
}

/**
 * `regexp.MustCompile("[\t\v\f\r ]+").Split(s, n)` with n = -1 (all) or n > 0
 * (at most n pieces, the last one holding the rest unsplit).
 */
export function splitReWhitespace(s: string, n: number): string[] {
    if (s.length === 0) return [""];
    const pieces: string[] = [];
    let begin = 0;
    let i = 0;
    while (i < s.length) {
        if (!isReWhitespace(s.charCodeAt(i))) {
            i++;
            continue;
        }
        if (n > 0 && pieces.length === n - 1) break;
        let runEnd = i + 1;
        while (runEnd < s.length && isReWhitespace(s.charCodeAt(runEnd))) runEnd++;
        pieces.push(s.slice(begin, i));
        begin = runEnd;
        i = runEnd;
    }
    pieces.push(s.slice(begin));
    return pieces;
}

/**
 * `strings.ToLower`: Go maps each code point with its simple lowercase mapping.
 * JavaScript's full mapping differs for U+0130 (İ → "i̇", two code points) and
 * for the context-dependent final sigma; lowering one code point at a time and
 * special-casing U+0130 reproduces Go.
 */
export function goToLower(s: string): string {
    if (isAscii(s)) return s.toLowerCase();
    let out = "";
    for (const ch of s) {
        if (ch === "\u0130") out += "i";
        else out += ch.toLowerCase();
    }
    return out;
}

/** True when every UTF-16 unit of `s` is ASCII. */
export function isAscii(s: string): boolean {
    for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
    return true;
}
