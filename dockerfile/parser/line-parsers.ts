/**
 * Turning one logical line (continuations joined) into a Node: BuildKit
 * frontend/dockerfile/parser/split_command.go (splitCommand,
 * extractBuilderFlags), line_parsers.go (the per-instruction parsers) and
 * parser.go (dispatch table, newNodeFromLine).
 */
import { Node } from "./node";
import { goQuote } from "../shell/go-quote";
import {
    goToLower,
    goTrimLeftSpace,
    goTrimSpace,
    isGoSpace,
    isGoSpaceByte,
    splitReWhitespace,
} from "./go-text";

/** An instruction BuildKit's parser rejects; the parser attaches the line. */
export class InstructionError extends Error {}

const NOT_STRING_ARRAY = "when using JSON array syntax, arrays must be comprised of strings only";

/** What a line parser makes of the text after the keyword and flags (BuildKit's Next chain, flattened). */
interface LineArgs {
    args: string[];
    json: boolean;
}

const NO_ARGS: LineArgs = { args: [], json: false };

type LineParser = (rest: string, escapeToken: string) => LineArgs;

/** BuildKit's dispatch table (ONBUILD is handled in nodeFromLine); instructions missing from it are kept with parseIgnore. */
const DISPATCH: Record<string, LineParser> = {
    add: parseMaybeJSONToList,
    arg: parseNameOrNameVal,
    cmd: parseMaybeJSON,
    copy: parseMaybeJSONToList,
    entrypoint: parseMaybeJSON,
    env: (rest, escapeToken) => parseNameVal(rest, "ENV", escapeToken),
    expose: parseStringsWhitespaceDelimited,
    from: parseStringsWhitespaceDelimited,
    healthcheck: parseHealthConfig,
    label: (rest, escapeToken) => parseNameVal(rest, "LABEL", escapeToken),
    maintainer: parseString,
    run: parseMaybeJSON,
    shell: parseMaybeJSON,
    stopsignal: parseString,
    user: parseString,
    volume: parseMaybeJSONToList,
    workdir: parseString,
};

/**
 * BuildKit newNodeFromLine: keyword, flags, then the instruction's line parser.
 * Line numbers are filled in by the caller.
 */
export function nodeFromLine(line: string, escapeToken: string): Node {
    // ONBUILD nests without limit (`ONBUILD ONBUILD ...`; BuildKit rejects it only
    // later), so the chain is built in a loop rather than by recursion.
    let root: Node | undefined;
    let parent: Node | undefined;
    let text = line;
    for (;;) {
        const { keyword, flags, rest } = splitCommand(text, escapeToken);
        const value = goToLower(keyword);
        const node: Node = {
            value,
            keyword,
            flags,
            args: [],
            json: false,
            heredocs: [],
            original: text,
            startLine: 0,
            endLine: 0,
        };
        if (parent === undefined) root = node;
        else parent.child = node;
        if (value === "onbuild") {
            // line_parsers.go parseSubCommand: the rest is an instruction of its own.
            if (rest === "") return root!;
            parent = node;
            text = rest;
            continue;
        }
        const parser = Object.prototype.hasOwnProperty.call(DISPATCH, value) ? DISPATCH[value] : parseIgnore;
        const parsed = parser(rest, escapeToken);
        node.args = parsed.args;
        node.json = parsed.json;
        return root!;
    }
}

/** split_command.go splitCommand. */
export function splitCommand(line: string, escapeToken: string): { keyword: string; flags: string[]; rest: string } {
    const trimmed = goTrimSpace(line);
    const parts = splitReWhitespace(trimmed, 2);
    if (parts.length < 2) return { keyword: parts[0], flags: [], rest: "" };
    const { rest, flags } = extractBuilderFlags(parts[1], escapeToken);
    return { keyword: parts[0], flags, rest: goTrimSpace(rest) };
}

const PHASE_SPACES = 0;
const PHASE_WORD = 1;
const PHASE_QUOTE = 2;

/**
 * split_command.go extractBuilderFlags: leading `--words` become flags (quotes
 * removed, escapes applied), a bare `--` ends them. BuildKit walks this text
 * byte by byte; while it is ASCII, UTF-16 units are bytes. A non-ASCII character
 * inside a flag switches to a byte-faithful pass (see extractFlagsFromBytes).
 */
export function extractBuilderFlags(line: string, escapeToken: string): { rest: string; flags: string[] } {
    const result = scanFlags(line, escapeToken.charCodeAt(0), false);
    return result ?? extractFlagsFromBytes(line, escapeToken);
}

/**
 * The flag scanner over a string whose units are bytes (`bytesMode`: a Latin-1
 * view of UTF-8 bytes) or UTF-16 units that must stay ASCII within flags.
 * Returns undefined when it meets a non-ASCII unit inside a flag and is not in
 * byte mode.
 */
function scanFlags(line: string, escape: number, bytesMode: boolean): { rest: string; flags: string[] } | undefined {
    const flags: string[] = [];
    let phase = PHASE_SPACES;
    let word = "";
    let quote = 0;
    let blankOK = false;
    const isSpace = (c: number): boolean => (bytesMode ? isGoSpaceByte(c) : c <= 0x20 && isGoSpaceByte(c));
    for (let pos = 0; pos <= line.length; pos++) {
        const ch = pos < line.length ? line.charCodeAt(pos) : -1;
        if (phase === PHASE_SPACES) {
            if (pos === line.length) break;
            if (isSpace(ch)) continue;
            if (ch !== 0x2d || pos + 1 === line.length || line.charCodeAt(pos + 1) !== 0x2d) {
                return { rest: line.slice(pos), flags };
            }
            phase = PHASE_WORD;
        }
        if (pos === line.length) {
            if (word !== "--" && (blankOK || word.length > 0)) flags.push(word);
            break;
        }
        if (!bytesMode && ch >= 0x80) return undefined;
        if (phase === PHASE_WORD) {
            if (isSpace(ch)) {
                phase = PHASE_SPACES;
                if (word === "--") return { rest: line.slice(pos), flags };
                if (blankOK || word.length > 0) flags.push(word);
                word = "";
                blankOK = false;
                continue;
            }
            if (ch === 0x27 || ch === 0x22) {
                quote = ch;
                blankOK = true;
                phase = PHASE_QUOTE;
                continue;
            }
            let take = pos;
            if (ch === escape) {
                if (pos + 1 === line.length) continue;
                take = ++pos;
                if (!bytesMode && line.charCodeAt(pos) >= 0x80) return undefined;
            }
            // Plain runs are appended in one slice rather than per character.
            if (take === pos && ch !== escape) {
                let end = pos + 1;
                while (end < line.length) {
                    const c = line.charCodeAt(end);
                    if (isSpace(c) || c === 0x27 || c === 0x22 || c === escape || (!bytesMode && c >= 0x80)) break;
                    end++;
                }
                word += line.slice(pos, end);
                pos = end - 1;
            } else {
                word += line[take];
            }
            continue;
        }
        // PHASE_QUOTE
        if (ch === quote) {
            phase = PHASE_WORD;
            continue;
        }
        if (ch === escape) {
            if (pos + 1 === line.length) {
                phase = PHASE_WORD;
                continue;
            }
            pos++;
            if (!bytesMode && line.charCodeAt(pos) >= 0x80) return undefined;
        }
        word += line[pos];
    }
    return { rest: "", flags };
}

/**
 * Byte-faithful flag extraction: BuildKit appends `rune(line[pos])`, so each
 * byte of a multi-byte character becomes its own Latin-1 character in the flag
 * (`é` → `Ã©`), and bytes 0x85/0xA0 split words. The remaining text is decoded
 * back from UTF-8 (a cut in the middle of a character becomes U+FFFD where Go
 * would keep the raw bytes).
 */
function extractFlagsFromBytes(line: string, escapeToken: string): { rest: string; flags: string[] } {
    const bytes = Buffer.from(line, "utf8").toString("latin1");
    const result = scanFlags(bytes, escapeToken.charCodeAt(0), true)!;
    return { rest: Buffer.from(result.rest, "latin1").toString("utf8"), flags: result.flags };
}

/** line_parsers.go parseIgnore: unknown instructions keep one empty argument node. */
function parseIgnore(): LineArgs {
    return { args: [""], json: false };
}

/**
 * line_parsers.go parseWords: space-separated words, quotes and escapes kept
 * as written (they are removed later by the shell lexer).
 */
export function parseWords(rest: string, escapeToken: string): string[] {
    const escape = escapeToken.charCodeAt(0);
    const words: string[] = [];
    let phase = PHASE_SPACES;
    let quote = 0;
    let blankOK = false;
    let word = "";
    let segmentStart = -1;
    const flush = (end: number): void => {
        if (segmentStart >= 0) {
            word += rest.slice(segmentStart, end);
            segmentStart = -1;
        }
    };
    /**
     * Keeps the character at `pos` in the word, and after an escape the character
     * it escapes too (both stay: the shell lexer removes escapes later). Returns
     * the position of the last code unit kept, or -1 for an escape ending the
     * line, which is dropped.
     */
    const keep = (pos: number, escaped: boolean): number => {
        if (escaped) {
            if (isLastChar(rest, pos)) {
                flush(pos);
                return -1;
            }
            if (segmentStart < 0) segmentStart = pos;
            pos += charWidth(rest, pos);
        } else if (segmentStart < 0) {
            segmentStart = pos;
        }
        return pos + charWidth(rest, pos) - 1;
    };
    const length = rest.length;
    for (let pos = 0; pos <= length; pos++) {
        const ch = pos < length ? rest.charCodeAt(pos) : -1;
        if (phase === PHASE_SPACES) {
            if (pos === length) break;
            if (isGoSpace(ch)) continue;
            phase = PHASE_WORD;
        }
        if (pos === length) {
            flush(pos);
            if (blankOK || word.length > 0) words.push(word);
            break;
        }
        if (phase === PHASE_WORD) {
            if (isGoSpace(ch)) {
                flush(pos);
                phase = PHASE_SPACES;
                if (blankOK || word.length > 0) words.push(word);
                word = "";
                blankOK = false;
                continue;
            }
            if (ch === 0x27 || ch === 0x22) {
                quote = ch;
                blankOK = true;
                phase = PHASE_QUOTE;
            }
            const last = keep(pos, ch === escape);
            if (last >= 0) pos = last;
            continue;
        }
        // PHASE_QUOTE: nothing escapes inside single quotes
        if (ch === quote) phase = PHASE_WORD;
        const last = keep(pos, ch === escape && quote !== 0x27);
        if (last >= 0) pos = last;
        else phase = PHASE_WORD;
    }
    return words;
}

function charWidth(s: string, pos: number): number {
    const c = s.charCodeAt(pos);
    if (c >= 0xd800 && c <= 0xdbff && pos + 1 < s.length) {
        const next = s.charCodeAt(pos + 1);
        if (next >= 0xdc00 && next <= 0xdfff) return 2;
    }
    return 1;
}

function isLastChar(s: string, pos: number): boolean {
    return pos + charWidth(s, pos) === s.length;
}

/**
 * line_parsers.go parseNameVal (ENV, LABEL): the modern `k=v k2=v2` form, or
 * the legacy `KEY name value` form when the first word has no `=`. Each pair
 * becomes key, value, separator (`=` or `""` for the legacy form).
 */
function parseNameVal(rest: string, key: string, escapeToken: string): LineArgs {
    const words = parseWords(rest, escapeToken);
    if (words.length === 0) return NO_ARGS;
    if (!words[0].includes("=")) {
        const parts = splitReWhitespace(rest, 2);
        if (parts.length < 2) throw new InstructionError(`${key} must have two arguments`);
        return { args: [parts[0], parts[1], ""], json: false };
    }
    const args: string[] = [];
    for (const word of words) {
        const eq = word.indexOf("=");
        if (eq < 0) {
            throw new InstructionError(`Syntax error - can't find = in ${goQuote(word)}. Must be of the form: name=value`);
        }
        args.push(word.slice(0, eq), word.slice(eq + 1), "=");
    }
    return { args, json: false };
}

/** line_parsers.go parseNameOrNameVal (ARG): words as written. */
function parseNameOrNameVal(rest: string, escapeToken: string): LineArgs {
    return { args: parseWords(rest, escapeToken), json: false };
}

/** line_parsers.go parseStringsWhitespaceDelimited. */
function parseStringsWhitespaceDelimited(rest: string): LineArgs {
    if (rest === "") return NO_ARGS;
    return { args: splitReWhitespace(rest, -1), json: false };
}

/** line_parsers.go parseString: the rest as one argument. */
function parseString(rest: string): LineArgs {
    if (rest === "") return NO_ARGS;
    return { args: [rest], json: false };
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LONE_SURROGATE_GLOBAL = new RegExp(LONE_SURROGATE.source, "g");

/** Go encoding/json's scanner refuses nesting deeper than this (a syntax error). */
const GO_JSON_MAX_DEPTH = 10000;

/**
 * line_parsers.go parseJSON. Returns undefined where Go's json.Unmarshal fails
 * for any reason other than element types (those callers fall back to shell
 * form); throws when the array holds a non-string.
 */
function parseJSON(rest: string): LineArgs | undefined {
    const text = goTrimLeftSpace(rest);
    if (text.charCodeAt(0) !== 0x5b /* [ */) return undefined;
    if (text.length > GO_JSON_MAX_DEPTH * 2 && jsonDepthExceeds(text, GO_JSON_MAX_DEPTH)) return undefined;
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch {
        return undefined;
    }
    const items = value as unknown[];
    const args: string[] = [];
    let allStrings = true;
    for (const item of items) {
        if (typeof item !== "string") {
            allStrings = false;
            break;
        }
        // Go's decoder turns unpaired surrogate escapes into U+FFFD.
        args.push(LONE_SURROGATE.test(item) ? item.replace(LONE_SURROGATE_GLOBAL, "\ufffd") : item);
    }
    if (!allStrings) {
        // Go records a number it cannot hold as an unmarshal error, which wins over element types.
        if (holdsOverflowingNumber(items)) return undefined;
        throw new InstructionError(NOT_STRING_ARRAY);
    }
    return { args, json: true };
}

function holdsOverflowingNumber(root: unknown): boolean {
    // Iterative: JSON nesting may be thousands deep.
    const pending: unknown[] = [root];
    while (pending.length > 0) {
        const value = pending.pop();
        if (typeof value === "number") {
            if (!Number.isFinite(value)) return true;
        } else if (Array.isArray(value)) {
            for (const item of value) pending.push(item);
        } else if (value !== null && typeof value === "object") {
            for (const item of Object.values(value)) pending.push(item);
        }
    }
    return false;
}

/** Nesting depth of JSON text (brackets inside strings ignored) beyond `limit`. */
function jsonDepthExceeds(text: string, limit: number): boolean {
    let depth = 0;
    let inString = false;
    for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (inString) {
            if (c === 0x5c) i++;
            else if (c === 0x22) inString = false;
            continue;
        }
        if (c === 0x22) inString = true;
        else if (c === 0x5b || c === 0x7b) {
            if (++depth > limit) return true;
        } else if (c === 0x5d || c === 0x7d) depth--;
    }
    return false;
}

/** line_parsers.go parseMaybeJSON (RUN, CMD, ENTRYPOINT, SHELL): JSON array or the rest as one word. */
function parseMaybeJSON(rest: string): LineArgs {
    if (rest === "") return NO_ARGS;
    return parseJSON(rest) ?? { args: [rest], json: false };
}

/** line_parsers.go parseMaybeJSONToList (ADD, COPY, VOLUME): JSON array or whitespace-split words. */
function parseMaybeJSONToList(rest: string): LineArgs {
    return parseJSON(rest) ?? parseStringsWhitespaceDelimited(rest);
}

/**
 * line_parsers.go parseHealthConfig: the first word (`CMD`, `NONE`) then the
 * command as parseMaybeJSON. BuildKit finds the word's end byte by byte.
 */
function parseHealthConfig(rest: string): LineArgs {
    let sep = 0;
    while (sep < rest.length) {
        const c = rest.charCodeAt(sep);
        if (c >= 0x80) return parseHealthConfigBytes(rest);
        if (isGoSpaceByte(c)) break;
        sep++;
    }
    if (sep === 0) return NO_ARGS;
    let next = sep;
    // Only ASCII units are single bytes here; U+0085/U+00A0 start with byte 0xC2, not a space.
    while (next < rest.length && rest.charCodeAt(next) < 0x80 && isGoSpaceByte(rest.charCodeAt(next))) next++;
    const command = parseMaybeJSON(rest.slice(next));
    return { args: [rest.slice(0, sep), ...command.args], json: command.json };
}

function parseHealthConfigBytes(rest: string): LineArgs {
    const bytes = Buffer.from(rest, "utf8");
    let sep = 0;
    while (sep < bytes.length && !isGoSpaceByte(bytes[sep])) sep++;
    if (sep === 0) return NO_ARGS;
    let next = sep;
    while (next < bytes.length && isGoSpaceByte(bytes[next])) next++;
    const command = parseMaybeJSON(bytes.subarray(next).toString("utf8"));
    return { args: [bytes.subarray(0, sep).toString("utf8"), ...command.args], json: command.json };
}
