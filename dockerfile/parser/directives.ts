/**
 * Parser directives (`# escape=`, `# syntax=`, `# check=`), after BuildKit
 * frontend/dockerfile/parser/directives.go (DirectiveParser.ParseLine) and
 * parser.go (setEscapeToken, possibleParserDirective).
 */
import { Directives } from "./node";
import { isGoRegexpSpace, goTrimLeftSpace } from "./go-text";

export type DirectiveName = keyof Directives;

const VALID_DIRECTIVES: ReadonlySet<string> = new Set<DirectiveName>(["syntax", "escape", "check"]);

/** A directive problem; the parser attaches the line. */
export class DirectiveError extends Error {}

export interface ParsedDirective {
    name: DirectiveName;
    value: string;
}

/**
 * Reads directives from the top of the file. Like BuildKit, it stops for good at
 * the first line that is not a well-formed, known directive (a blank line,
 * another comment, an instruction), and a directive seen twice is an error.
 */
export class DirectiveParser {
    private done = false;
    readonly directives: Directives = {};

    /** `line` has its line ending and leading whitespace removed already (BuildKit processLine). */
    parseLine(line: string): ParsedDirective | undefined {
        if (this.done) return undefined;
        const parsed = matchDirective(line);
        if (parsed === undefined || !VALID_DIRECTIVES.has(parsed.name)) {
            this.done = true;
            return undefined;
        }
        const name = parsed.name as DirectiveName;
        if (this.directives[name] !== undefined) {
            throw new DirectiveError(`only one ${name} parser directive can be used`);
        }
        if (name === "escape" && parsed.value !== "`" && parsed.value !== "\\") {
            throw new DirectiveError(`invalid escape token '${parsed.value}' does not match \` or \\`);
        }
        this.directives[name] = parsed.value;
        return { name, value: parsed.value };
    }
}

function isAsciiLetter(c: number): boolean {
    return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function isAsciiDigit(c: number): boolean {
    return c >= 0x30 && c <= 0x39;
}

/**
 * `#` then BuildKit's `^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$` on the text after
 * it (left-trimmed with unicode.IsSpace), hand-written so it cannot backtrack.
 * Regexp semantics kept: the name is lowercased; the value is trimmed of Go
 * `\s`; a value made only of whitespace matches as its last character, because
 * `(.+?)` must take at least one.
 */
function matchDirective(line: string): { name: string; value: string } | undefined {
    if (line.charCodeAt(0) !== 0x23 /* # */) return undefined;
    const body = goTrimLeftSpace(line.slice(1));
    if (body.length === 0 || !isAsciiLetter(body.charCodeAt(0))) return undefined;
    let i = 1;
    while (i < body.length && (isAsciiLetter(body.charCodeAt(i)) || isAsciiDigit(body.charCodeAt(i)))) i++;
    const name = body.slice(0, i).toLowerCase();
    while (i < body.length && isGoRegexpSpace(body.charCodeAt(i))) i++;
    if (body.charCodeAt(i) !== 0x3d /* = */) return undefined;
    const afterEquals = body.slice(i + 1);
    if (afterEquals.length === 0) return undefined;
    let start = 0;
    while (start < afterEquals.length && isGoRegexpSpace(afterEquals.charCodeAt(start))) start++;
    if (start === afterEquals.length) return { name, value: afterEquals.slice(-1) };
    let end = afterEquals.length;
    while (end > start && isGoRegexpSpace(afterEquals.charCodeAt(end - 1))) end--;
    return { name, value: afterEquals.slice(start, end) };
}
