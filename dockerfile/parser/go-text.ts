/**
 * Go's text primitives, as BuildKit's parser relies on them. JavaScript's
 * `\s`, `trim()` and `toLowerCase()` disagree with Go's `unicode.IsSpace`,
 * `strings.TrimSpace` and `strings.ToLower` on a handful of code points, and the
 * dump must match BuildKit byte for byte, so the Go definitions live here.
 */

/** Go `unicode.IsSpace` (Latin-1 set plus the Unicode White_Space property). */
export function isGoSpace(code: number): boolean {
    if (code < 0x80) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
    if (code === 0x85 || code === 0xa0) return true;
    if (code < 0x1680) return false;
    return (
        code === 0x1680 ||
        (code >= 0x2000 && code <= 0x200a) ||
        code === 0x2028 ||
        code === 0x2029 ||
        code === 0x202f ||
        code === 0x205f ||
        code === 0x3000
    );
}

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
    let ascii = true;
    for (let i = 0; i < s.length; i++) {
        if (s.charCodeAt(i) >= 0x80) {
            ascii = false;
            break;
        }
    }
    if (ascii) return s.toLowerCase();
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

const HEX = "0123456789abcdef";
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

function hex(value: number, digits: number): string {
    let out = "";
    for (let shift = (digits - 1) * 4; shift >= 0; shift -= 4) out += HEX[(value >>> shift) & 0xf];
    return out;
}

/**
 * UTF-8 bytes of a lone surrogate (WTF-8): what Go would hold had the text been
 * its bytes, so the dump prints them as Go prints invalid UTF-8 (`\xed\xa0\x80`).
 */
function loneSurrogateBytes(code: number): number[] {
    return [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)];
}

/** Go `strconv.Quote`: `"` delimited, Go escapes, non-printable runes as \x, \u or \U. */
export function goQuote(s: string): string {
    // Fast path: printable ASCII without quote or backslash is written as is.
    let simple = true;
    for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) {
            simple = false;
            break;
        }
    }
    if (simple) return '"' + s + '"';
    let out = '"';
    for (let i = 0; i < s.length; i++) {
        let code = s.charCodeAt(i);
        if (code >= 0xd800 && code <= 0xdfff) {
            const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
            if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
                code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
                i++;
            } else {
                for (const b of loneSurrogateBytes(code)) out += "\\x" + hex(b, 2);
                continue;
            }
        }
        out += escapeRune(code);
    }
    return out + '"';
}

function escapeRune(code: number): string {
    if (code === 0x22) return '\\"';
    if (code === 0x5c) return "\\\\";
    if (code >= 0x20 && code < 0x7f) return String.fromCharCode(code);
    if (code >= 0x80) {
        const ch = String.fromCodePoint(code);
        if (PRINTABLE.test(ch)) return ch;
    }
    switch (code) {
        case 0x07:
            return "\\a";
        case 0x08:
            return "\\b";
        case 0x0c:
            return "\\f";
        case 0x0a:
            return "\\n";
        case 0x0d:
            return "\\r";
        case 0x09:
            return "\\t";
        case 0x0b:
            return "\\v";
    }
    if (code < 0x20 || code === 0x7f) return "\\x" + hex(code, 2);
    if (code < 0x10000) return "\\u" + hex(code, 4);
    return "\\U" + hex(code, 8);
}

/** fmt's `%q` of a `[]string`: `["a" "b"]`. */
export function goQuoteList(items: readonly string[]): string {
    return "[" + items.map(goQuote).join(" ") + "]";
}
