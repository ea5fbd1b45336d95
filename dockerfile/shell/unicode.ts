/**
 * Character classes with Go's `unicode` package semantics, which BuildKit's lexer
 * uses: they differ from JavaScript's `\s` (Go counts U+0085 as space, not U+FEFF).
 */

const LETTER = /^\p{L}$/u;
const DECIMAL_DIGIT = /^\p{Nd}$/u;
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;
const SURROGATE = /[\uD800-\uDFFF]/;

/** Go `unicode.IsSpace`. */
export function isSpace(cp: number): boolean {
    if (cp <= 0xff) {
        return cp === 0x20 || (cp >= 0x09 && cp <= 0x0d) || cp === 0x85 || cp === 0xa0;
    }
    return cp === 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp === 0x2028 || cp === 0x2029
        || cp === 0x202f || cp === 0x205f || cp === 0x3000;
}

/** Go `unicode.IsLetter`. */
export function isLetter(cp: number): boolean {
    if (cp < 0x80) return (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a);
    return LETTER.test(String.fromCodePoint(cp));
}

/** Go `unicode.IsDigit` (decimal digits of any script). */
export function isDigit(cp: number): boolean {
    if (cp < 0x80) return cp >= 0x30 && cp <= 0x39;
    return DECIMAL_DIGIT.test(String.fromCodePoint(cp));
}

/** Go `strconv.IsPrint`: what `%q` leaves unescaped. */
export function isPrintable(cp: number): boolean {
    if (cp < 0x80) return cp >= 0x20 && cp < 0x7f;
    return PRINTABLE.test(String.fromCodePoint(cp));
}

/** The string's Unicode code points (lone surrogates are kept as they are). */
export function codePointsOf(text: string): Int32Array {
    if (!SURROGATE.test(text)) {
        // Every code unit is a code point: let the runtime convert in bulk.
        const units = Buffer.from(text, "utf16le");
        if (units.byteOffset % 2 === 0) {
            return new Int32Array(new Uint16Array(units.buffer, units.byteOffset, text.length));
        }
        return Int32Array.from(text, (unit) => unit.charCodeAt(0));
    }
    const out = new Int32Array(text.length);
    let n = 0;
    for (let i = 0; i < text.length; i++) {
        const unit = text.charCodeAt(i);
        if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
            const low = text.charCodeAt(i + 1);
            if (low >= 0xdc00 && low <= 0xdfff) {
                out[n++] = ((unit - 0xd800) << 10) + (low - 0xdc00) + 0x10000;
                i++;
                continue;
            }
        }
        out[n++] = unit;
    }
    return out.subarray(0, n);
}

/** Go `%c` / `string(rune)`: an invalid rune (such as the scanner's EOF) prints as U+FFFD. */
export function runeToString(cp: number): string {
    if (cp < 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return "\uFFFD";
    return String.fromCodePoint(cp);
}
