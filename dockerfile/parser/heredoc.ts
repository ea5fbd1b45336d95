/**
 * Heredoc detection, after BuildKit frontend/dockerfile/parser/parser.go
 * (heredocsFromLine, heredocFromMatch, ParseHeredoc, MustParseHeredoc,
 * ChompHeredocContent). The words are found by the shell lexer in its raw modes,
 * exactly as BuildKit does, so quoting decides what is a heredoc.
 */
import { Heredoc } from "./node";
import { EMPTY_ENV, ShellExpansionError, ShellLex } from "../shell";
import { isGoRegexpSpace } from "./go-text";

/** BuildKit always lexes heredoc words with `\` as escape, whatever the escape directive says. */
let lineLexer: ShellLex | undefined;
let wordLexer: ShellLex | undefined;
let rawWordLexer: ShellLex | undefined;

function lexers(): { line: ShellLex; word: ShellLex; rawWord: ShellLex } {
    lineLexer ??= new ShellLex("\\", { rawQuotes: true, rawEscapes: true, skipUnsetEnv: true });
    wordLexer ??= new ShellLex("\\", { skipUnsetEnv: true });
    rawWordLexer ??= new ShellLex("\\", { rawQuotes: true, skipUnsetEnv: true });
    return { line: lineLexer, word: wordLexer, rawWord: rawWordLexer };
}

/** A heredoc word BuildKit rejects (e.g. `<<'EOF`); the parser attaches the line. */
export class HeredocError extends Error {}

/**
 * BuildKit's reHeredoc `^(\d*)<<(-?)\s*([^<]*)$`, written out so it cannot
 * backtrack: optional fd digits, `<<`, optional `-`, Go `\s*`, then a rest free
 * of `<`.
 */
function matchHeredoc(src: string): { fd: string; chomp: boolean; rest: string } | undefined {
    let i = 0;
    while (i < src.length && src.charCodeAt(i) >= 0x30 && src.charCodeAt(i) <= 0x39) i++;
    if (src.charCodeAt(i) !== 0x3c || src.charCodeAt(i + 1) !== 0x3c) return undefined;
    const fd = src.slice(0, i);
    i += 2;
    const chomp = src.charCodeAt(i) === 0x2d;
    if (chomp) i++;
    while (i < src.length && isGoRegexpSpace(src.charCodeAt(i))) i++;
    const rest = src.slice(i);
    if (rest.includes("<")) return undefined;
    return { fd, chomp, rest };
}

/** strconv.ParseUint with the error ignored: empty is 0, overflow is the largest uint64. */
function fileDescriptorOf(digits: string): number {
    if (digits === "") return 0;
    const value = BigInt(digits);
    const max = (1n << 64n) - 1n;
    return Number(value > max ? max : value);
}

function countQuotes(word: string): number {
    let count = 0;
    for (let i = 0; i < word.length; i++) {
        const c = word.charCodeAt(i);
        if (c === 0x27 || c === 0x22) count++;
    }
    return count;
}

/**
 * BuildKit ParseHeredoc: the heredoc a word like `<<-"EOF"` opens, or undefined
 * when the word is not one. The name is unquoted; `expand` is false when any
 * part of it was quoted. Throws HeredocError for a word the lexer rejects.
 */
export function parseHeredoc(src: string): Heredoc | undefined {
    const match = matchHeredoc(src);
    if (match === undefined || match.rest.length === 0) return undefined;
    const { word, rawWord } = lexers();
    const words = lexWords(word, match.rest);
    if (words.length !== 1) return undefined;
    const rawWords = lexWords(rawWord, match.rest);
    if (rawWords.length !== words.length) {
        throw new HeredocError(`internal lexing of heredoc produced inconsistent results: ${match.rest}`);
    }
    return {
        name: words[0],
        fileDescriptor: fileDescriptorOf(match.fd),
        expand: countQuotes(words[0]) === countQuotes(rawWords[0]),
        chomp: match.chomp,
        content: "",
    };
}

function lexWords(lexer: ShellLex, text: string): string[] {
    try {
        return lexer.processWords(text, EMPTY_ENV);
    } catch (err) {
        if (err instanceof ShellExpansionError) throw new HeredocError(err.message);
        throw err;
    }
}

/** BuildKit MustParseHeredoc: parseHeredoc, with a rejected word counting as no heredoc. */
export function mustParseHeredoc(src: string): Heredoc | undefined {
    try {
        return parseHeredoc(src);
    } catch (err) {
        if (err instanceof HeredocError) return undefined;
        throw err;
    }
}

/**
 * BuildKit heredocsFromLine: every heredoc a whole instruction line opens, in
 * order. A line the raw lexer cannot split (an unterminated quote, say) opens
 * none, as BuildKit ignores that error.
 */
export function heredocsFromLine(line: string): Heredoc[] {
    let words: string[];
    try {
        words = lexers().line.processWords(line, EMPTY_ENV);
    } catch (err) {
        if (err instanceof ShellExpansionError) return [];
        throw err;
    }
    const heredocs: Heredoc[] = [];
    for (const word of words) {
        const heredoc = parseHeredoc(word);
        if (heredoc !== undefined) heredocs.push(heredoc);
    }
    return heredocs;
}

/** BuildKit ChompHeredocContent (`(?m)^\t+` removed): leading tabs of every line. */
export function chompHeredocContent(content: string): string {
    let out = "";
    let lineStart = 0;
    while (lineStart <= content.length) {
        let i = lineStart;
        while (i < content.length && content.charCodeAt(i) === 0x09) i++;
        const newline = content.indexOf("\n", i);
        if (newline < 0) {
            out += content.slice(i);
            break;
        }
        out += content.slice(i, newline + 1);
        lineStart = newline + 1;
    }
    return out;
}
