/**
 * Shell-word expansion exactly as BuildKit's frontend/dockerfile/shell/lex.go
 * does it: quotes, escapes, `$V`/`${V...}` substitutions and word splitting.
 * It is not a shell: no command substitution, no globbing, no arithmetic.
 * Behaviour that looks odd (kept on purpose because BuildKit has it) is marked
 * "BuildKit:" where it happens.
 */

import { EnvGetter } from "./env";
import { goQuote } from "./go-quote";
import { AnalysisBudget, ExpansionLimitError, LengthLimitError, NestingLimitError } from "./limits";
import { PatternError, WorkBudget, replaceShellPattern, trimShellPrefix, trimShellSuffix } from "./pattern";
import { isDigit, isLetter, isSpace, runeToString } from "./unicode";

export interface LexOptions {
    /** Keep quote characters in the output (BuildKit RawQuotes). */
    rawQuotes?: boolean;
    /** Keep escape characters in the output (BuildKit RawEscapes). */
    rawEscapes?: boolean;
    /** Treat `'` and `"` as ordinary characters (BuildKit SkipProcessQuotes). */
    skipProcessQuotes?: boolean;
    /** Leave references to unset variables as written (BuildKit SkipUnsetEnv). */
    skipUnsetEnv?: boolean;
    /** Longest expansion allowed, in UTF-16 code units; default 1 MiB. Longer is a ShellExpansionError. */
    maxExpandedLength?: number;
    /**
     * The budget of a whole analysis, shared by its lexers: every character an
     * expansion produces and every pattern-matching step is paid from it, and
     * running out throws AnalysisBudgetError. Without one, only the per-word caps apply.
     */
    budget?: AnalysisBudget;
}

export const DEFAULT_MAX_EXPANDED_LENGTH = 1024 * 1024;

/** Pattern matching may do this many elementary steps per expanded character allowed. */
const PATTERN_STEPS_PER_CHARACTER = 32;

/**
 * Deepest `${V:-${V:-...}}` nesting expanded. BuildKit has no limit (Go stacks
 * grow to 1 GB); ours is well below where the JS stack would overflow.
 */
export const MAX_SUBSTITUTION_DEPTH = 256;

/** Longest word quoted in an error message; longer ones are cut, so messages stay readable. */
const MAX_QUOTED_WORD = 1000;

/**
 * A word BuildKit would refuse to expand, or one whose expansion hits our limits.
 * The message is BuildKit's: `failed to process "<word>": <detail>`.
 */
export class ShellExpansionError extends Error {
    constructor(
        /** The reason alone, e.g. `syntax error: missing '}'`. */
        readonly detail: string,
        /** The word being expanded. */
        readonly word: string,
    ) {
        const shown = word.length > MAX_QUOTED_WORD ? goQuote(word.slice(0, MAX_QUOTED_WORD)) + "..." : goQuote(word);
        super(`failed to process ${shown}: ${detail}`);
        this.name = "ShellExpansionError";
    }
}

export interface ExpansionWithMatches {
    result: string;
    /** Variables referenced and set (even if empty). */
    matched: Set<string>;
    /** Variables referenced but not set. */
    unmatched: Set<string>;
}

const EOF = -1;
const DOLLAR = 0x24;
const LESS = 0x3c;
const SINGLE_QUOTE = 0x27;
const DOUBLE_QUOTE = 0x22;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const COLON = 0x3a;
const SLASH = 0x2f;
const UNDERSCORE = 0x5f;
const PLUS = 0x2b;
const MINUS = 0x2d;
const QUESTION = 0x3f;
const HASH = 0x23;
const PERCENT = 0x25;

export class ShellLex {
    readonly rawQuotes: boolean;
    readonly rawEscapes: boolean;
    readonly skipProcessQuotes: boolean;
    readonly skipUnsetEnv: boolean;
    readonly maxExpandedLength: number;
    readonly budget?: AnalysisBudget;
    /** @internal */
    readonly escapeCodePoint: number;
    /** @internal */
    readonly doubleQuoteStops: Uint8Array;
    private readonly topLevelStops: Uint8Array;
    private readonly braceStops: Uint8Array;
    private readonly slashStops: Uint8Array;
    /** What a word must not contain to be copied unchanged by processWord (a lone `<` or `<<` is kept as written). */
    private readonly literalWordStops: Uint8Array;

    constructor(readonly escapeToken: string, options: LexOptions = {}) {
        if (escapeToken !== "\\" && escapeToken !== "`") {
            throw new RangeError(`escape token must be "\\" or "\`", got ${JSON.stringify(escapeToken)}`);
        }
        const max = options.maxExpandedLength ?? DEFAULT_MAX_EXPANDED_LENGTH;
        if (!Number.isSafeInteger(max) || max < 0) {
            throw new RangeError(`maxExpandedLength must be a non-negative integer, got ${max}`);
        }
        this.escapeCodePoint = escapeToken.codePointAt(0) as number;
        this.rawQuotes = options.rawQuotes ?? false;
        this.rawEscapes = options.rawEscapes ?? false;
        this.skipProcessQuotes = options.skipProcessQuotes ?? false;
        this.skipUnsetEnv = options.skipUnsetEnv ?? false;
        this.maxExpandedLength = max;
        this.budget = options.budget;
        const tables = stopTablesFor(this.escapeCodePoint, this.skipProcessQuotes);
        this.topLevelStops = tables.topLevel;
        this.braceStops = tables.brace;
        this.slashStops = tables.slash;
        this.doubleQuoteStops = tables.doubleQuote;
        this.literalWordStops = tables.literalWord;
    }

    /** @internal Characters that end a run of ordinary characters, by what ends the expansion. */
    stopTableFor(stopChar: number): Uint8Array {
        return stopChar === RBRACE ? this.braceStops : stopChar === SLASH ? this.slashStops : this.topLevelStops;
    }

    /** Expands `word` into one string; whitespace is kept. */
    processWord(word: string, env: EnvGetter): string {
        if (this.isLiteral(word, this.literalWordStops)) return this.literal(word);
        return this.process(word, env, false).result;
    }

    /**
     * Expands `word` and splits it into words at unquoted whitespace (splitting
     * happens after substitution, so a variable's spaces split too).
     */
    processWords(word: string, env: EnvGetter): string[] {
        // `<<` keeps the whitespace after it in the same word, so `<` leaves the fast path here.
        if (this.isLiteral(word, this.topLevelStops)) return splitAtSpaces(this.literal(word));
        return this.process(word, env, true).words;
    }

    /** Like processWord, also naming the variables referenced that were set / unset. */
    processWordWithMatches(word: string, env: EnvGetter): ExpansionWithMatches {
        if (this.isLiteral(word, this.literalWordStops)) return { result: this.literal(word), matched: new Set(), unmatched: new Set() };
        const expansion = this.process(word, env, false);
        return { result: expansion.result, matched: expansion.matched, unmatched: expansion.unmatched };
    }

    /**
     * @internal The full lexer without the literal fast path, so a property
     * test can show the fast path returns exactly what the lexer would.
     */
    processWithoutFastPath(word: string, env: EnvGetter): { result: string; words: string[]; matched: Set<string>; unmatched: Set<string> } {
        const joined = this.process(word, env, false);
        return { result: joined.result, words: this.process(word, env, true).words, matched: joined.matched, unmatched: joined.unmatched };
    }

    /**
     * Most words (paths, names, versions) hold nothing the lexer acts on; those
     * expand to themselves. A leading byte-order mark is not literal: the scanner drops it.
     */
    private isLiteral(word: string, stops: Uint8Array): boolean {
        if (word.charCodeAt(0) === 0xfeff) return false;
        for (let i = 0; i < word.length; i++) {
            const unit = word.charCodeAt(i);
            if (unit < 0x80 && stops[unit] === 1) return false;
        }
        return true;
    }

    /** A literal word, with the limits the full lexer would apply to its one run of characters. */
    private literal(word: string): string {
        if (word.length > this.maxExpandedLength) {
            throw new ShellExpansionError(new LengthLimitError(this.maxExpandedLength).message, word);
        }
        const budget = this.budget;
        if (budget !== undefined) {
            const remaining = budget.remainingCharacters;
            budget.record(Math.min(word.length, remaining), 0);
            if (word.length > remaining) throw budget.charactersExhausted();
        }
        return word;
    }

    private process(word: string, env: EnvGetter, collectWords: boolean): Expansion {
        const shellWord = new ShellWord(this, word, env, collectWords);
        try {
            return shellWord.process();
        } catch (error) {
            if (error instanceof LexFailure || error instanceof PatternError || error instanceof ExpansionLimitError) {
                throw new ShellExpansionError(error.message, word);
            }
            throw error;
        } finally {
            shellWord.payBudget();
        }
    }
}

/** Words of a text without quotes or substitutions: runs between (Go) whitespace. */
function splitAtSpaces(text: string): string[] {
    const words: string[] = [];
    let start = -1;
    for (let i = 0; i < text.length; i++) {
        if (isSpace(text.charCodeAt(i))) {
            if (start >= 0) words.push(text.slice(start, i));
            start = -1;
        } else if (start < 0) {
            start = i;
        }
    }
    if (start >= 0) words.push(text.slice(start));
    return words;
}

interface Expansion {
    result: string;
    words: string[];
    matched: Set<string>;
    unmatched: Set<string>;
}

/** An error BuildKit's lexer reports (wrapped into ShellExpansionError at the top). */
class LexFailure extends Error {}

/**
 * Go text/scanner over the word: yields code points, drops a leading byte-order
 * mark as Go does, and hands out runs of ordinary characters as slices (every
 * character the lexer treats specially is ASCII, so runs are found by code unit).
 */
class WordScanner {
    private pos: number;

    constructor(private readonly text: string) {
        this.pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
    }

    peek(): number {
        return this.pos < this.text.length ? (this.text.codePointAt(this.pos) as number) : EOF;
    }

    next(): number {
        if (this.pos >= this.text.length) return EOF;
        const cp = this.text.codePointAt(this.pos) as number;
        this.pos += cp > 0xffff ? 2 : 1;
        return cp;
    }

    /** Consumes and returns the characters before the first one marked in `stops` (ASCII table). */
    takeRun(stops: Uint8Array): string {
        const text = this.text;
        const start = this.pos;
        let i = start;
        while (i < text.length) {
            const unit = text.charCodeAt(i);
            if (unit < 0x80 && stops[unit] === 1) break;
            i++;
        }
        this.pos = i;
        return text.slice(start, i);
    }

    /** Consumes up to and including the next `unit`; undefined (consuming all) when there is none. */
    takeThrough(unit: string): string | undefined {
        const at = this.text.indexOf(unit, this.pos);
        if (at < 0) {
            this.pos = this.text.length;
            return undefined;
        }
        const run = this.text.slice(this.pos, at);
        this.pos = at + unit.length;
        return run;
    }
}

interface StopTables {
    topLevel: Uint8Array;
    brace: Uint8Array;
    slash: Uint8Array;
    doubleQuote: Uint8Array;
    literalWord: Uint8Array;
}

/** The tables depend only on the escape token and quote handling; a lexer is made per analysis, so they are shared. */
const stopTablesCache = new Map<string, StopTables>();

function stopTablesFor(escapeCodePoint: number, skipProcessQuotes: boolean): StopTables {
    const key = `${escapeCodePoint}:${skipProcessQuotes}`;
    let tables = stopTablesCache.get(key);
    if (tables === undefined) {
        const quotes = skipProcessQuotes ? [] : [SINGLE_QUOTE, DOUBLE_QUOTE];
        const specials = [DOLLAR, LESS, escapeCodePoint, ...quotes];
        tables = {
            topLevel: stopTable(...specials),
            brace: stopTable(...specials, RBRACE),
            slash: stopTable(...specials, SLASH),
            doubleQuote: stopTable(DOUBLE_QUOTE, DOLLAR, escapeCodePoint),
            literalWord: stopTable(DOLLAR, escapeCodePoint, ...quotes),
        };
        stopTablesCache.set(key, tables);
    }
    return tables;
}

function stopTable(...units: number[]): Uint8Array {
    const table = new Uint8Array(0x80);
    for (const unit of units) if (unit >= 0 && unit < 0x80) table[unit] = 1;
    return table;
}

/**
 * BuildKit's wordsStruct. BuildKit: the pending word lives in a buffer shared by
 * the whole expansion and every nested processStopOn (inside `${V:-...}`,
 * `${V/...}`) clears it, so a partial word before such a substitution is dropped
 * by processWords. Kept, because it is what BuildKit does. Disabled (all no-ops)
 * when only the joined result is wanted.
 */
class WordCollector {
    private readonly words: string[] = [];
    private inWord = false;

    constructor(private readonly shared: { pendingWord: string; readonly collectWords: boolean }) {}

    addRawChar(cp: number): void {
        if (!this.shared.collectWords) return;
        this.shared.pendingWord += String.fromCodePoint(cp);
        this.inWord = true;
    }

    /** Adds characters, ending the current word at unquoted whitespace. */
    addString(text: string): void {
        if (!this.shared.collectWords) return;
        let runStart = -1;
        for (let i = 0; i < text.length; i++) {
            // Every Go space is in the BMP, so code units suffice.
            if (isSpace(text.charCodeAt(i))) {
                if (runStart >= 0) {
                    this.shared.pendingWord += text.slice(runStart, i);
                    this.inWord = true;
                    runStart = -1;
                }
                if (this.inWord && this.shared.pendingWord.length !== 0) {
                    this.words.push(this.shared.pendingWord);
                    this.shared.pendingWord = "";
                    this.inWord = false;
                }
            } else if (runStart < 0) {
                runStart = i;
            }
        }
        if (runStart >= 0) {
            this.shared.pendingWord += text.slice(runStart);
            this.inWord = true;
        }
    }

    addRawString(text: string): void {
        if (!this.shared.collectWords) return;
        this.shared.pendingWord += text;
        this.inWord = true;
    }

    finish(): string[] {
        if (this.shared.pendingWord.length > 0) {
            this.words.push(this.shared.pendingWord);
            this.shared.pendingWord = "";
            this.inWord = false;
        }
        return this.words;
    }
}

class ShellWord {
    private readonly scanner: WordScanner;
    private rawEscapes: boolean;
    private patternBudget?: WorkBudget;
    private depth = 0;
    /** Characters appended to any result of this expansion, nested ones included. */
    private produced = 0;
    /** What the analysis budget still allows this word to produce. */
    private readonly producedLimit: number;
    pendingWord = "";
    readonly matched = new Set<string>();
    readonly unmatched = new Set<string>();

    constructor(
        private readonly lex: ShellLex,
        word: string,
        private readonly env: EnvGetter,
        readonly collectWords: boolean,
    ) {
        this.scanner = new WordScanner(word);
        this.rawEscapes = lex.rawEscapes;
        this.producedLimit = lex.budget?.remainingCharacters ?? Infinity;
    }

    /** One budget for all pattern matching in this expansion, within what the analysis has left. */
    private get budget(): WorkBudget {
        if (this.patternBudget === undefined) {
            const wordLimit = Math.max(1_000_000, PATTERN_STEPS_PER_CHARACTER * this.lex.maxExpandedLength);
            const analysis = this.lex.budget;
            this.patternBudget = analysis !== undefined && analysis.remainingSteps < wordLimit
                ? new WorkBudget(analysis.remainingSteps, (pattern) => analysis.stepsExhausted(pattern))
                : new WorkBudget(wordLimit);
        }
        return this.patternBudget;
    }

    /** Charges what this expansion spent to the analysis budget (also when it failed). */
    payBudget(): void {
        this.lex.budget?.record(Math.min(this.produced, this.producedLimit), this.patternBudget?.spent ?? 0);
    }

    process(): Expansion {
        const { result, words } = this.processStopOn(EOF, this.rawEscapes);
        return { result, words, matched: this.matched, unmatched: this.unmatched };
    }

    private append(text: string, addition: string): string {
        if (text.length + addition.length > this.lex.maxExpandedLength) {
            throw new LengthLimitError(this.lex.maxExpandedLength);
        }
        this.produced += addition.length;
        if (this.produced > this.producedLimit) throw (this.lex.budget as AnalysisBudget).charactersExhausted();
        return text + addition;
    }

    /** Expands up to (and consuming) `stopChar`, or to the end when it is EOF. */
    private processStopOn(stopChar: number, rawEscapes: boolean): { result: string; words: string[] } {
        const scanner = this.scanner;
        let result = "";
        this.pendingWord = "";
        const words = new WordCollector(this);
        const savedRawEscapes = this.rawEscapes;
        this.rawEscapes = rawEscapes;
        this.depth++;
        try {
            // The outermost call is depth 1; each nested `${...}` adds one.
            if (this.depth > MAX_SUBSTITUTION_DEPTH + 1) throw new NestingLimitError(MAX_SUBSTITUTION_DEPTH);
            for (let ch = scanner.peek(); ch !== EOF; ch = scanner.peek()) {
                if (stopChar !== EOF && ch === stopChar) {
                    scanner.next();
                    return { result, words: words.finish() };
                }
                if (ch === DOLLAR) {
                    const expanded = this.processDollar();
                    result = this.append(result, expanded);
                    words.addString(expanded);
                } else if (ch === LESS) {
                    const text = this.processPossibleHeredoc();
                    result = this.append(result, text);
                    words.addRawString(text);
                } else if (ch === SINGLE_QUOTE && !this.lex.skipProcessQuotes) {
                    const text = this.processSingleQuote();
                    result = this.append(result, text);
                    words.addRawString(text);
                } else if (ch === DOUBLE_QUOTE && !this.lex.skipProcessQuotes) {
                    const text = this.processDoubleQuote();
                    result = this.append(result, text);
                    words.addRawString(text);
                } else if (ch === this.lex.escapeCodePoint) {
                    scanner.next();
                    if (this.rawEscapes) {
                        words.addRawChar(ch);
                        result = this.append(result, this.lex.escapeToken);
                    }
                    const escaped = scanner.next();
                    // An escape at the very end escapes nothing and vanishes.
                    if (escaped === EOF) break;
                    words.addRawChar(escaped);
                    result = this.append(result, String.fromCodePoint(escaped));
                } else {
                    const run = scanner.takeRun(this.lex.stopTableFor(stopChar));
                    result = this.append(result, run);
                    words.addString(run);
                }
            }
            if (stopChar !== EOF) {
                throw new LexFailure(`unexpected end of statement while looking for matching ${runeToString(stopChar)}`);
            }
            return { result, words: words.finish() };
        } finally {
            this.rawEscapes = savedRawEscapes;
            this.depth--;
        }
    }

    private processSingleQuote(): string {
        // Everything up to the next ' is literal; a ' cannot be escaped inside.
        this.scanner.next();
        const content = this.scanner.takeThrough("'");
        if (content === undefined) throw new LexFailure("unexpected end of statement while looking for matching single-quote");
        return this.lex.rawQuotes ? this.append("'", content) + "'" : content;
    }

    private processDoubleQuote(): string {
        // Literal except `$` substitutions; the escape token escapes only `"`, `$`
        // and itself, and stays literal before anything else.
        const scanner = this.scanner;
        let result = "";
        scanner.next();
        if (this.lex.rawQuotes) result += '"';
        for (;;) {
            const peek = scanner.peek();
            if (peek === EOF) throw new LexFailure("unexpected end of statement while looking for matching double-quote");
            if (peek === DOUBLE_QUOTE) {
                scanner.next();
                if (this.lex.rawQuotes) result += '"';
                return result;
            }
            if (peek === DOLLAR) {
                result = this.append(result, this.processDollar());
                continue;
            }
            if (peek !== this.lex.escapeCodePoint) {
                result = this.append(result, scanner.takeRun(this.lex.doubleQuoteStops));
                continue;
            }
            let cp = scanner.next();
            if (cp === this.lex.escapeCodePoint) {
                if (this.rawEscapes) result = this.append(result, String.fromCodePoint(cp));
                const following = scanner.peek();
                // An escape right before the end is dropped; the missing quote is reported next.
                if (following === EOF) continue;
                if (following === DOUBLE_QUOTE || following === DOLLAR || following === this.lex.escapeCodePoint) {
                    cp = scanner.next();
                }
            }
            result = this.append(result, String.fromCodePoint(cp));
        }
    }

    private processDollar(): string {
        const scanner = this.scanner;
        scanner.next();

        if (scanner.peek() !== LBRACE) {
            const name = this.processName();
            if (name === "") return "$";
            const value = this.getEnv(name);
            if (value === undefined && this.lex.skipUnsetEnv) return "$" + name;
            return value ?? "";
        }

        scanner.next();
        const first = scanner.peek();
        if (first === EOF) throw new LexFailure("syntax error: missing '}'");
        if (first === LBRACE || first === RBRACE || first === COLON) {
            throw new LexFailure("syntax error: bad substitution");
        }
        const name = this.processName();
        let ch = scanner.next();
        let modifier = runeToString(ch);

        if (ch === RBRACE) {
            const value = this.getEnv(name);
            if (value === undefined && this.lex.skipUnsetEnv) return "${" + name + "}";
            return value ?? "";
        }

        if (ch === SLASH) return this.processReplacement(name);

        let nullIsUnset = false;
        if (ch === COLON) {
            nullIsUnset = true;
            ch = scanner.next();
            modifier += runeToString(ch);
        } else if (ch !== PLUS && ch !== MINUS && ch !== QUESTION && ch !== HASH && ch !== PERCENT) {
            throw new LexFailure(`unsupported modifier (${modifier}) in substitution`);
        }
        // BuildKit: after `:` any character gets here; the word is read (and the
        // variable looked up) before an unknown modifier is rejected.
        const isTrim = ch === HASH || ch === PERCENT;
        if (nullIsUnset && isTrim) throw new LexFailure(`unsupported modifier (${modifier}) in substitution`);
        let word = this.expandUntil(RBRACE, isTrim, "syntax error: missing '}'");

        const value = this.getEnv(name);
        if (value === undefined && this.lex.skipUnsetEnv) return "${" + name + modifier + word + "}";
        const isNull = value === undefined || (nullIsUnset && value === "");

        switch (ch) {
            case MINUS:
                return isNull ? word : (value as string);
            case PLUS:
                return isNull ? "" : word;
            case QUESTION:
                if (value === undefined) throw new LexFailure(`${name}: ${word !== "" ? word : "is not allowed to be unset"}`);
                if (nullIsUnset && value === "") {
                    throw new LexFailure(`${name}: ${word !== "" ? word : "is not allowed to be empty"}`);
                }
                return value;
            case HASH:
            case PERCENT: {
                // One `#`/`%` trims the shortest match, two the longest.
                let greedy = false;
                if (word.length > 0 && word.codePointAt(0) === ch) {
                    greedy = true;
                    word = word.slice(1);
                }
                const subject = value ?? "";
                return ch === PERCENT
                    ? trimShellSuffix(word, subject, greedy, this.budget)
                    : trimShellPrefix(word, subject, greedy, this.budget);
            }
            default:
                throw new LexFailure(`unsupported modifier (${modifier}) in substitution`);
        }
    }

    /** `${name/pattern/replacement}` and `${name//pattern/replacement}`, after the first `/`. */
    private processReplacement(name: string): string {
        const scanner = this.scanner;
        const replaceAll = scanner.peek() === SLASH;
        if (replaceAll) scanner.next();
        const pattern = this.expandUntil(SLASH, true, "syntax error: missing '/' in ${}");
        const replacement = this.expandUntil(RBRACE, true, "syntax error: missing '}'");
        const value = this.getEnv(name);
        // BuildKit: the unset form is rebuilt with a single `/` even for `//`.
        if (value === undefined && this.lex.skipUnsetEnv) return "${" + name + "/" + pattern + "/" + replacement + "}";
        return replaceShellPattern(pattern, value ?? "", replacement, replaceAll, this.budget, this.lex.maxExpandedLength);
    }

    /**
     * processStopOn for the inside of `${...}`: when the text ran out, BuildKit
     * reports the syntax error instead of whatever failed.
     */
    private expandUntil(stopChar: number, rawEscapes: boolean, missingMessage: string): string {
        try {
            return this.processStopOn(stopChar, rawEscapes).result;
        } catch (error) {
            if ((error instanceof LexFailure || error instanceof PatternError) && this.scanner.peek() === EOF) {
                throw new LexFailure(missingMessage);
            }
            throw error;
        }
    }

    /** A variable name: letters, digits and `_`; or all digits; or one special parameter. */
    private processName(): string {
        const scanner = this.scanner;
        let name = "";
        for (let cp = scanner.peek(); cp !== EOF; cp = scanner.peek()) {
            if (name === "" && isDigit(cp)) {
                while (scanner.peek() !== EOF && isDigit(scanner.peek())) {
                    name += String.fromCodePoint(scanner.next());
                }
                return name;
            }
            if (name === "" && isSpecialParameter(cp)) {
                return String.fromCodePoint(scanner.next());
            }
            if (!isLetter(cp) && !isDigit(cp) && cp !== UNDERSCORE) break;
            name += String.fromCodePoint(scanner.next());
        }
        return name;
    }

    private processPossibleHeredoc(): string {
        const scanner = this.scanner;
        scanner.next();
        if (scanner.peek() !== LESS) return "<";
        scanner.next();
        // Whitespace between `<<` and the heredoc word is kept with the `<<`.
        let space = "";
        while (isHeredocSpace(scanner.peek())) space += String.fromCodePoint(scanner.next());
        return "<<" + space;
    }

    private getEnv(name: string): string | undefined {
        const value = this.env.get(name);
        if (value !== undefined) {
            this.matched.add(name);
            return value;
        }
        this.unmatched.add(name);
        return undefined;
    }
}

/** POSIX special parameters (never set in a Dockerfile, so they expand to nothing). */
function isSpecialParameter(cp: number): boolean {
    switch (cp) {
        case 0x40: // @
        case 0x2a: // *
        case HASH:
        case QUESTION:
        case MINUS:
        case DOLLAR:
        case 0x21: // !
        case 0x30: // 0
            return true;
    }
    return false;
}

function isHeredocSpace(cp: number): boolean {
    return cp === 0x09 || cp === 0x0d || cp === 0x20;
}
