/**
 * BuildKit's `Node.Dump()` (frontend/dockerfile/parser/parser.go): one
 * s-expression per instruction, keyword lowercased, flags as Go's `%q` of a
 * string slice, arguments as strconv.Quote, an ONBUILD trigger nested in
 * parentheses. The text equals the `result` files of BuildKit's parser tests.
 */
import { Node, ParseResult } from "./node";
import { goQuote } from "../shell/go-quote";
import { goToLower, goTrimSpace } from "./go-text";

/** fmt's `%q` of a `[]string`: `["a" "b"]`. */
function goQuoteList(items: readonly string[]): string {
    return "[" + items.map(goQuote).join(" ") + "]";
}

export function dumpNode(node: Node): string {
    // Iterative over the ONBUILD chain, which may nest deeply.
    const heads: string[] = [];
    for (let current: Node | undefined = node; current !== undefined; current = current.child) {
        let head = goToLower(current.value);
        if (current.flags.length > 0) head += " " + goQuoteList(current.flags);
        for (const arg of current.args) head += " " + goQuote(arg);
        heads.push(head);
    }
    let out = goTrimSpace(heads[heads.length - 1]);
    for (let i = heads.length - 2; i >= 0; i--) out = goTrimSpace(heads[i] + " (" + out + ")");
    return out;
}

/** The whole AST, one `(instruction ...)` line each, newline-terminated like the `result` files. */
export function dumpAst(result: ParseResult): string {
    const lines: string[] = [];
    for (const node of result.ast) lines.push("(" + dumpNode(node) + ")");
    return goTrimSpace(lines.join("\n")) + "\n";
}
