/** Our own guards (not BuildKit's): an expansion that would grow or work without bound. */
export class ExpansionLimitError extends Error {}

/** The expansion would grow past the lexer's maximum length. */
export class LengthLimitError extends ExpansionLimitError {
    constructor(readonly maxLength: number) {
        super(`expanded word exceeds the maximum length of ${maxLength} characters`);
        this.name = "LengthLimitError";
    }
}

/** Matching `#`/`%`/`/` patterns would take more steps than the word's budget allows. */
export class PatternBudgetError extends ExpansionLimitError {
    constructor(readonly pattern: string) {
        super(`pattern (${pattern}) in substitution is too expensive to match: the word's pattern-matching budget is spent`);
        this.name = "PatternBudgetError";
    }
}

/** Substitutions nested deeper than we allow (the JS call stack is far smaller than Go's). */
export class NestingLimitError extends ExpansionLimitError {
    constructor(readonly maxDepth: number) {
        super(`substitutions are nested more than ${maxDepth} levels deep`);
        this.name = "NestingLimitError";
    }
}
