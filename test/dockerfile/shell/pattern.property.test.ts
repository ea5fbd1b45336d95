/**
 * Property: on small inputs, `#`, `##`, `%`, `%%`, `/` and `//` give what a
 * backtracking regexp gives for BuildKit's conversion of the pattern
 * (`*` -> `.*` or `.*?`, `?` -> `.`, with Go's `.` never matching a newline),
 * and for `//` Go's ReplaceAllString loop. The linear matcher must agree with
 * the obvious (exponential in the worst case) one everywhere.
 */
import { strict as assert } from "assert";
import fc from "fast-check";
import { ShellLex, envFromMap } from "../../../dockerfile/shell";

type Token = "a" | "b" | "." | "\n" | "é" | "😀" | "*" | "?" | "\\*";
const TOKENS: Token[] = ["a", "b", ".", "\n", "é", "😀", "*", "?", "\\*"];
const VALUE_CHARS = ["a", "b", ".", "*", "\n", "é", "😀"];

const patternArb = fc.array(fc.constantFrom(...TOKENS), { maxLength: 6 });
const valueArb = fc.array(fc.constantFrom(...VALUE_CHARS), { maxLength: 12 }).map((chars) => chars.join(""));

function regexSource(tokens: Token[], greedy: boolean): string {
    return tokens
        .map((token) => {
            if (token === "*") return greedy ? "[^\\n]*" : "[^\\n]*?";
            if (token === "?") return "[^\\n]";
            const literal = token === "\\*" ? "*" : token;
            return literal.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        })
        .join("");
}

function reverseTokens(tokens: Token[]): Token[] {
    return tokens.slice().reverse();
}

function reverseString(text: string): string {
    return Array.from(text).reverse().join("");
}

function referenceTrimPrefix(tokens: Token[], value: string, greedy: boolean): string {
    const match = new RegExp("^" + regexSource(tokens, greedy), "u").exec(value);
    return match === null ? value : value.slice(match[0].length);
}

function referenceTrimSuffix(tokens: Token[], value: string, greedy: boolean): string {
    return reverseString(referenceTrimPrefix(reverseTokens(tokens), reverseString(value), greedy));
}

function referenceReplace(tokens: Token[], value: string, replacement: string, all: boolean): string {
    const re = new RegExp(regexSource(tokens, true), "gu");
    if (!all) {
        const match = re.exec(value);
        return match === null ? value : value.slice(0, match.index) + replacement + value.slice(match.index + match[0].length);
    }
    // Go regexp.ReplaceAllString, in UTF-16 offsets.
    let out = "";
    let lastMatchEnd = 0;
    let searchPos = 0;
    while (searchPos <= value.length) {
        re.lastIndex = searchPos;
        const match = re.exec(value);
        if (match === null) break;
        const start = match.index;
        const end = start + match[0].length;
        out += value.slice(lastMatchEnd, start);
        if (end > lastMatchEnd || start === 0) out += replacement;
        lastMatchEnd = end;
        const width = searchPos < value.length ? ((value.codePointAt(searchPos) as number) > 0xffff ? 2 : 1) : 0;
        if (searchPos + width > end) searchPos += width;
        else if (searchPos + 1 > end) searchPos++;
        else searchPos = end;
    }
    return out + value.slice(lastMatchEnd);
}

describe("shell pattern matcher agrees with a backtracking regexp (fast-check)", () => {
    const lex = new ShellLex("\\");
    const expand = (word: string, value: string): string => lex.processWord(word, envFromMap({ V: value }));

    it("${V#p} and ${V##p}", () => {
        fc.assert(
            fc.property(patternArb, valueArb, (tokens, value) => {
                const pattern = tokens.join("");
                assert.equal(expand("${V#" + pattern + "}", value), referenceTrimPrefix(tokens, value, false));
                // A pattern starting with # would be read as ##.
                if (!pattern.startsWith("#")) {
                    assert.equal(expand("${V##" + pattern + "}", value), referenceTrimPrefix(tokens, value, true));
                }
            }),
            { numRuns: 3000 },
        );
    });

    it("${V%p} and ${V%%p}", () => {
        fc.assert(
            fc.property(patternArb, valueArb, (tokens, value) => {
                const pattern = tokens.join("");
                assert.equal(expand("${V%" + pattern + "}", value), referenceTrimSuffix(tokens, value, false));
                assert.equal(expand("${V%%" + pattern + "}", value), referenceTrimSuffix(tokens, value, true));
            }),
            { numRuns: 3000 },
        );
    });

    it("${V/p/r} and ${V//p/r}", () => {
        fc.assert(
            fc.property(patternArb, valueArb, fc.constantFrom("", "-", "<>"), (tokens, value, replacement) => {
                const pattern = tokens.join("");
                // `${V//r}` with an empty pattern would read as the `//` form.
                if (pattern !== "") {
                    assert.equal(expand("${V/" + pattern + "/" + replacement + "}", value), referenceReplace(tokens, value, replacement, false));
                }
                assert.equal(expand("${V//" + pattern + "/" + replacement + "}", value), referenceReplace(tokens, value, replacement, true));
            }),
            { numRuns: 3000 },
        );
    });
});
