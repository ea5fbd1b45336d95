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

/** Characters one analysis's expansions may produce in total, unless configured. */
export const DEFAULT_ANALYSIS_EXPANDED_CHARACTERS = 64 * 1024 * 1024;

/**
 * Pattern-matching steps one analysis may take, unless configured. A step is
 * roughly one character compared or read (~5-10 ns), so this is a few seconds
 * at most, far above any real Dockerfile (the corpus needs a few thousand).
 */
export const DEFAULT_ANALYSIS_PATTERN_STEPS = 256_000_000;

/**
 * Dispatch steps one analysis may take, unless configured: a stage examined
 * while resolving stages is one (well under a microsecond), so is each variable
 * or label a stage copies from its parent stage, and an ONBUILD trigger run is
 * 16 (it is parsed again for every stage built on its parent). Trigger fan-outs
 * and chains, and chains of stages over a large environment, are quadratic in
 * the file, as in BuildKit.
 */
export const DEFAULT_ANALYSIS_DISPATCH_STEPS = 1_000_000;

/**
 * The whole analysis used up its budget. Not a fault of the word being expanded
 * (that word may be harmless), so it is not wrapped as `failed to process "<word>"`.
 */
export class AnalysisBudgetError extends Error {
    constructor(detail: string) {
        super(`analysis budget exceeded: ${detail}`);
        this.name = "AnalysisBudgetError";
    }
}

/**
 * What is left of one analysis's work: shared by every lexer the analysis uses.
 * A word may spend at most what remains, so the totals never pass the limits;
 * the word that would is stopped with an AnalysisBudgetError.
 */
export class AnalysisBudget {
    readonly maxExpandedCharacters: number;
    readonly maxPatternSteps: number;
    readonly maxDispatchSteps: number;
    private expandedCharacters = 0;
    private patternSteps = 0;
    private dispatchSteps = 0;

    constructor(limits: { maxExpandedCharacters?: number; maxPatternSteps?: number; maxDispatchSteps?: number } = {}) {
        this.maxExpandedCharacters = checkedLimit(limits.maxExpandedCharacters ?? DEFAULT_ANALYSIS_EXPANDED_CHARACTERS, "maxExpandedCharacters");
        this.maxPatternSteps = checkedLimit(limits.maxPatternSteps ?? DEFAULT_ANALYSIS_PATTERN_STEPS, "maxPatternSteps");
        this.maxDispatchSteps = checkedLimit(limits.maxDispatchSteps ?? DEFAULT_ANALYSIS_DISPATCH_STEPS, "maxDispatchSteps");
    }

    get remainingCharacters(): number {
        return this.maxExpandedCharacters - this.expandedCharacters;
    }

    get remainingSteps(): number {
        return this.maxPatternSteps - this.patternSteps;
    }

    /** Records what a word spent; callers keep within the remainders, so this never overdraws. */
    record(characters: number, steps: number): void {
        this.expandedCharacters += characters;
        this.patternSteps += steps;
    }

    /** Pays for dispatch work; `what` names it in the error when the budget cannot. */
    spendDispatch(steps: number, what: string): void {
        this.dispatchSteps += steps;
        if (this.dispatchSteps > this.maxDispatchSteps) {
            throw new AnalysisBudgetError(`dispatch took more than ${this.maxDispatchSteps} steps in total (budget.maxDispatchSteps), the last one ${what}`);
        }
    }

    charactersExhausted(): AnalysisBudgetError {
        return new AnalysisBudgetError(`word expansions produced more than ${this.maxExpandedCharacters} characters in total (budget.maxExpandedCharacters)`);
    }

    stepsExhausted(pattern: string): AnalysisBudgetError {
        return new AnalysisBudgetError(
            `pattern matching took more than ${this.maxPatternSteps} steps in total (budget.maxPatternSteps), the last one for pattern (${pattern.length > 100 ? pattern.slice(0, 100) + "..." : pattern})`,
        );
    }
}

function checkedLimit(value: number, name: string): number {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
    return value;
}
