/**
 * The Dockerfile parser: BuildKit frontend/dockerfile/parser/parser.go `Parse`,
 * ported line for line in behaviour (directives, continuations, comments and
 * empty lines inside continuations, heredoc bodies, line numbers, warnings).
 */
import { DockerfileError } from "../errors";
import { DirectiveError, DirectiveParser } from "./directives";
import { goQuote } from "../shell/go-quote";
import { goTrimLeftSpace, isGoSpace, trimLeadingTabs, trimNewline } from "./go-text";
import { HeredocError, heredocsFromLine } from "./heredoc";
import { InstructionError, nodeFromLine } from "./line-parsers";
import { Node, ParseResult, ParseWarning } from "./node";

export interface ParseOptions {
    /** Largest accepted input in UTF-8 bytes; default 1 MiB. */
    maxBytes?: number;
}

export const DEFAULT_MAX_BYTES = 1024 * 1024;

/** bufio.MaxScanTokenSize: BuildKit's scanner cannot hold a longer line. */
const MAX_LINE_BYTES = 64 * 1024;

const HEREDOC_INSTRUCTIONS: ReadonlySet<string> = new Set(["add", "copy", "run"]);

/**
 * Lines of the text as bufio.Scanner with BuildKit's scanLines yields them:
 * split after each `\n`, line ending kept; a line longer than the scanner's
 * buffer stops the scan with an error, as it does in Go.
 */
class LineScanner {
    private offset = 0;
    /** Set when a line was too long; scanning stops there. */
    tooLongLine = false;
    line = "";

    constructor(private readonly text: string) {}

    scan(): boolean {
        if (this.tooLongLine || this.offset >= this.text.length) return false;
        const newline = this.text.indexOf("\n", this.offset);
        const end = newline < 0 ? this.text.length : newline + 1;
        const units = end - this.offset;
        // A UTF-16 unit is at most 3 UTF-8 bytes; only long lines need counting.
        if (units * 3 >= MAX_LINE_BYTES) {
            const bytes = Buffer.byteLength(this.text.slice(this.offset, end), "utf8");
            // Go's buffer holds 64 KiB: the line must fit in it with its newline, and a
            // final line without one must leave room for the read that reports EOF.
            if (bytes > MAX_LINE_BYTES || (newline < 0 && bytes === MAX_LINE_BYTES)) {
                this.tooLongLine = true;
                return false;
            }
        }
        this.line = this.text.slice(this.offset, end);
        this.offset = end;
        return true;
    }
}

function isComment(line: string): boolean {
    let i = 0;
    while (i < line.length && isGoSpace(line.charCodeAt(i))) i++;
    return line.charCodeAt(i) === 0x23 /* # */;
}

/**
 * BuildKit trimContinuationCharacter: `([^E])E[ \t]*$|^E[ \t]*$` for escape E.
 * The escape ends a line when followed only by spaces/tabs and not itself
 * escaped; it is removed with that trailing space.
 */
function trimContinuation(line: string, escape: number): { text: string; endOfLine: boolean } {
    let i = line.length - 1;
    while (i >= 0) {
        const c = line.charCodeAt(i);
        if (c !== 0x20 && c !== 0x09) break;
        i--;
    }
    if (i < 0 || line.charCodeAt(i) !== escape) return { text: line, endOfLine: true };
    if (i > 0 && line.charCodeAt(i - 1) === escape) return { text: line, endOfLine: true };
    return { text: line.slice(0, i), endOfLine: false };
}

function canContainHeredoc(node: Node): boolean {
    const target = node.value === "onbuild" && node.child !== undefined ? node.child : node;
    return HEREDOC_INSTRUCTIONS.has(target.value) && !target.json;
}

/** The 1-based line on which the `maxBytes`-th byte falls. */
function lineOfByte(text: string, byteOffset: number): number {
    const prefix = Buffer.from(text, "utf8").subarray(0, byteOffset).toString("utf8");
    let line = 1;
    for (let i = prefix.indexOf("\n"); i >= 0; i = prefix.indexOf("\n", i + 1)) line++;
    return line;
}

export function parse(text: string, options: ParseOptions = {}): ParseResult {
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    if (!(maxBytes >= 0)) throw new RangeError(`parse: options.maxBytes must be a non-negative number of bytes, got ${maxBytes}`);
    // A UTF-16 unit is at most 3 UTF-8 bytes: shorter texts need no byte count.
    if (text.length * 3 > maxBytes) {
        const bytes = Buffer.byteLength(text, "utf8");
        if (bytes > maxBytes) {
            throw new DockerfileError(
                `Dockerfile is ${bytes} bytes, over the limit of ${maxBytes} bytes`,
                lineOfByte(text, maxBytes),
            );
        }
    }

    const directiveParser = new DirectiveParser();
    let escapeToken = "\\";
    let escape = escapeToken.charCodeAt(0);
    const scanner = new LineScanner(text);
    const ast: Node[] = [];
    const warnings: ParseWarning[] = [];
    let currentLine = 0;

    while (scanner.scan()) {
        let raw = scanner.line;
        if (currentLine === 0 && raw.charCodeAt(0) === 0xfeff) raw = raw.slice(1);
        let first = goTrimLeftSpace(trimNewline(raw));
        try {
            const directive = directiveParser.parseLine(first);
            if (directive?.name === "escape") {
                escapeToken = directive.value;
                escape = escapeToken.charCodeAt(0);
            }
        } catch (err) {
            // BuildKit reports the line before the directive here (its counter has not
            // advanced yet); the line holding the directive is the useful one.
            if (err instanceof DirectiveError) throw new DockerfileError(err.message, currentLine + 1);
            throw err;
        }
        if (first.charCodeAt(0) === 0x23 /* # */) first = "";
        currentLine++;
        const startLine = currentLine;

        let piece = trimContinuation(first, escape);
        if (piece.endOfLine && piece.text.length === 0) continue;
        const pieces = [piece.text];
        let hasEmptyContinuationLine = false;
        while (!piece.endOfLine && scanner.scan()) {
            const continuation = scanner.line;
            currentLine++;
            if (isComment(continuation)) continue;
            const content = trimNewline(continuation);
            if (goTrimLeftSpace(content).length === 0) {
                hasEmptyContinuationLine = true;
                continue;
            }
            piece = trimContinuation(content, escape);
            pieces.push(piece.text);
        }
        const line = pieces.length === 1 ? pieces[0] : pieces.join("");

        if (hasEmptyContinuationLine) {
            warnings.push({ message: `Empty continuation line found in: ${line}`, line: currentLine });
        }

        let node: Node;
        try {
            node = nodeFromLine(line, escapeToken);
        } catch (err) {
            if (err instanceof InstructionError) throw new DockerfileError(err.message, startLine);
            throw err;
        }

        if (canContainHeredoc(node) && line.includes("<<")) {
            let heredocs;
            try {
                heredocs = heredocsFromLine(line);
            } catch (err) {
                if (err instanceof HeredocError) throw new DockerfileError(err.message, startLine);
                throw err;
            }
            for (const heredoc of heredocs) {
                let terminated = false;
                const body: string[] = [];
                while (scanner.scan()) {
                    currentLine++;
                    const bodyLine = scanner.line;
                    let possibleTerminator = trimNewline(bodyLine);
                    if (heredoc.chomp) possibleTerminator = trimLeadingTabs(possibleTerminator);
                    if (possibleTerminator === heredoc.name) {
                        terminated = true;
                        break;
                    }
                    body.push(bodyLine);
                }
                if (!terminated) {
                    throw new DockerfileError(`unterminated heredoc ${goQuote(heredoc.name)}`, startLine);
                }
                heredoc.content = body.join("");
                node.heredocs.push(heredoc);
            }
        }

        node.startLine = startLine;
        node.endLine = currentLine;
        // BuildKit leaves an ONBUILD trigger's lines at 0; the trigger sits on the same lines.
        for (let child = node.child; child !== undefined; child = child.child) {
            child.startLine = startLine;
            child.endLine = currentLine;
        }
        ast.push(node);
    }

    if (ast.length === 0) {
        throw new DockerfileError("file with no instructions", currentLine > 0 ? currentLine : undefined);
    }
    if (scanner.tooLongLine) {
        throw new DockerfileError(
            `dockerfile line greater than max allowed size of ${MAX_LINE_BYTES - 1}`,
            currentLine + 1,
        );
    }
    return { ast, escapeToken, directives: directiveParser.directives, warnings };
}
