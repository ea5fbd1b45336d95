/**
 * Shell-word expansion of Dockerfile words, as BuildKit's
 * frontend/dockerfile/shell package does it.
 */
export type { EnvGetter } from "./env";
export { EMPTY_ENV, envFromMap } from "./env";
export type { ExpansionWithMatches, LexOptions } from "./lex";
export { DEFAULT_MAX_EXPANDED_LENGTH, MAX_SUBSTITUTION_DEPTH, ShellExpansionError, ShellLex } from "./lex";
export {
    AnalysisBudget,
    AnalysisBudgetError,
    DEFAULT_ANALYSIS_DISPATCH_STEPS,
    DEFAULT_ANALYSIS_EXPANDED_CHARACTERS,
    DEFAULT_ANALYSIS_PATTERN_STEPS,
} from "./limits";
