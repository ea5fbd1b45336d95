/**
 * BuildKit's `Node.Dump()` (frontend/dockerfile/parser/parser.go): one
 * s-expression per instruction, keyword lowercased, flags as Go's `%q` of a
 * string slice, arguments as strconv.Quote, an ONBUILD trigger nested in
 * parentheses. The text equals the `result` files of BuildKit's parser tests.
 */
import { Node, ParseResult } from "./node";
import { goQuote, goQuoteList, goToLower, goTrimSpace } from "./go-text";

export function dumpNode(node: Node): string {
    let out = goToLower(node.value);
    if (node.flags.length > 0) out += " " + goQuoteList(node.flags);
    for (const arg of node.args) out += " " + goQuote(arg);
    if (node.child !== undefined) out += " (" + dumpNode(node.child) + ")";
    return goTrimSpace(out);
}

/** The whole AST, one `(instruction ...)` line each, newline-terminated like the `result` files. */
export function dumpAst(result: ParseResult): string {
    const lines: string[] = [];
    for (const node of result.ast) lines.push("(" + dumpNode(node) + ")");
    return goTrimSpace(lines.join("\n")) + "\n";
}
