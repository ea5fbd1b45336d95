/**
 * Mutated corpus files (fast-check): the parser either returns an AST or throws
 * a DockerfileError naming a line; nothing else escapes. The mutations aim at
 * the parser's delicate spots: escapes and continuations, quotes, heredoc
 * openers, directives, JSON brackets, flags, non-ASCII spaces, CR and BOM.
 * Adversarial shapes that would make a backtracking regex blow up are run too;
 * mocha's timeout bounds the time.
 */
import * as assert from "assert";
import fc from "fast-check";
import * as fs from "fs";
import * as path from "path";
import { DockerfileError } from "../../../dockerfile/errors";
import { dumpAst, parse } from "../../../dockerfile/parser";
import { sharedPath } from "../../shared-data";

const CORPUS = sharedPath("corpus", "files");

const FRAGMENTS = [
    "\\", "`", "\\\\", '"', "'", "<<EOF", "<<-EOF", "<<'EOF'", "3<<EOF", "<<EOF <<EOT", "EOF", "\tEOF", "#", "# escape=`",
    "# escape=\\", "# syntax=x", "--platform=$X", '--chown="a b"', "-- ", "[", "]", '["a", "b"]', '["a", 1]', "[1e999]",
    "é", "\u00a0", "\u0085", "\u2028", "İ", "\r", "\r\n", "\ufeff", "\t", "\v", "=", "a=b", "ONBUILD ", "RUN ", "COPY ",
    "ENV ", "LABEL ", "HEALTHCHECK ", "$", "${", "}", "\\\n", "\n", "\n\n", "\u0000", "😀",
];

function checkParse(text: string): void {
    try {
        const result = parse(text);
        dumpAst(result);
    } catch (err) {
        if (!(err instanceof DockerfileError)) throw err;
        if (text.replace(/^\ufeff/, "") !== "") assert.ok(err.line !== undefined, err.message);
    }
}

describe("parser: fuzzing mutated corpus files", () => {
    const corpus = fs
        .readdirSync(CORPUS)
        .sort()
        .map((file) => fs.readFileSync(path.join(CORPUS, file), "utf8"));

    type Mutation =
        | { kind: "insert" | "insertText"; at: number; fragment: string }
        | { kind: "deleteLine" | "duplicateLine"; at: number };

    const mutation: fc.Arbitrary<Mutation> = fc.oneof(
        fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), fragment: fc.constantFrom(...FRAGMENTS) }),
        fc.record({ kind: fc.constant("deleteLine" as const), at: fc.nat() }),
        fc.record({ kind: fc.constant("duplicateLine" as const), at: fc.nat() }),
        fc.record({ kind: fc.constant("insertText" as const), at: fc.nat(), fragment: fc.string({ maxLength: 12 }) }),
    );

    function mutate(text: string, mutations: Mutation[]): string {
        let out = text;
        for (const m of mutations) {
            const lines = out.split("\n");
            const line = m.at % (lines.length + 1);
            switch (m.kind) {
                case "insert":
                case "insertText": {
                    const at = m.at % (out.length + 1);
                    out = out.slice(0, at) + m.fragment + out.slice(at);
                    break;
                }
                case "deleteLine":
                    lines.splice(line, 1);
                    out = lines.join("\n");
                    break;
                case "duplicateLine":
                    lines.splice(line, 0, lines[line % lines.length]);
                    out = lines.join("\n");
                    break;
            }
        }
        return out;
    }

    it("never throws anything but a located DockerfileError", () => {
        fc.assert(
            fc.property(fc.nat({ max: corpus.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 6 }), (index, mutations) => {
                checkParse(mutate(corpus[index], mutations));
            }),
            { numRuns: 1500, seed: 20261123 },
        );
    });

    it("survives adversarial shapes (escape runs, heredoc openers, deep JSON and ONBUILD nesting) near the limits", () => {
        const longLine = 60 * 1024;
        const inputs = [
            "FROM x\nRUN " + "\\".repeat(longLine) + "\n",
            "FROM x\nRUN a" + " \\\n".repeat(50_000),
            "FROM x\nRUN " + "<<A ".repeat(longLine / 4) + "\n",
            "FROM x\nCOPY " + "<<".repeat(longLine / 2) + "\n",
            "FROM x\nRUN " + "3<<- ".repeat(longLine / 5) + "x\n",
            "FROM x\nCMD " + "[".repeat(longLine / 2) + "\n",
            "FROM x\nCMD " + "[".repeat(30_000) + "]".repeat(30_000) + "\n",
            "FROM x\n" + "ONBUILD ".repeat(longLine / 8) + "RUN a\n",
            "FROM x\nCOPY " + "--a ".repeat(longLine / 4) + "b c\n",
            "FROM x\nENV " + "a=\"".repeat(longLine / 3) + "\n",
            "FROM x\nRUN '" + "\"'".repeat(longLine / 2) + "\n",
            "#".repeat(longLine) + "=x\nFROM x\n",
            "# escape" + " ".repeat(longLine) + "=\nFROM x\n",
            "FROM x\nRUN <<EOF\n" + "x\n".repeat(400_000),
        ];
        for (const input of inputs) checkParse(input);
    });
});
