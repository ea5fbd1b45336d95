/**
 * Shell-word expansion of Dockerfile words, as BuildKit's
 * frontend/dockerfile/shell package does it.
 */
export type { EnvGetter } from "./env";
export { envFromMap } from "./env";
export type { ExpansionWithMatches, LexOptions } from "./lex";
export { DEFAULT_MAX_EXPANDED_LENGTH, MAX_SUBSTITUTION_DEPTH, ShellExpansionError, ShellLex } from "./lex";
