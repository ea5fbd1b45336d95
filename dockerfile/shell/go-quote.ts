import { codePointsOf, isPrintable } from "./unicode";

/**
 * Go's `strconv.Quote` (the `%q` verb), so our error messages read exactly like
 * BuildKit's `failed to process "<word>": ...`.
 */
export function goQuote(text: string): string {
    let out = '"';
    for (const cp of codePointsOf(text)) {
        switch (cp) {
            case 0x22: out += '\\"'; continue;
            case 0x5c: out += "\\\\"; continue;
            case 0x07: out += "\\a"; continue;
            case 0x08: out += "\\b"; continue;
            case 0x0c: out += "\\f"; continue;
            case 0x0a: out += "\\n"; continue;
            case 0x0d: out += "\\r"; continue;
            case 0x09: out += "\\t"; continue;
            case 0x0b: out += "\\v"; continue;
        }
        if (isPrintable(cp)) {
            out += String.fromCodePoint(cp);
        } else if (cp < 0x20 || cp === 0x7f) {
            out += "\\x" + cp.toString(16).padStart(2, "0");
        } else if (cp < 0x10000) {
            out += "\\u" + cp.toString(16).padStart(4, "0");
        } else {
            out += "\\U" + cp.toString(16).padStart(8, "0");
        }
    }
    return out + '"';
}
