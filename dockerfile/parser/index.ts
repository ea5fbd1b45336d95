/**
 * The Dockerfile parser layer (BuildKit frontend/dockerfile/parser): text to
 * AST, plus the heredoc helpers the instruction layer needs (BuildKit's
 * instructions package calls parser.MustParseHeredoc / ChompHeredocContent).
 */
export { parse, DEFAULT_MAX_BYTES } from "./parser";
export type { ParseOptions } from "./parser";
export { dumpAst, dumpNode } from "./dump";
export { parseHeredoc, mustParseHeredoc, heredocsFromLine, chompHeredocContent } from "./heredoc";
export { parseWords, splitCommand } from "./line-parsers";
export type { Node, Heredoc, ParseResult, Directives, ParseWarning } from "./node";
