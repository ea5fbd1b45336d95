/**
 * Golden cases of our own (golden/<case>/Dockerfile + expected.json [+ expected.dump]).
 * Each expected.json names the BuildKit source line or upstream test it mirrors
 * (`source`). The expectations were produced by running BuildKit's parser
 * (moby/buildkit 73ed6825, the conformance commit) on these very files, then
 * reviewed; where we deliberately differ it is recorded (`buildkitLine`: BuildKit
 * reports directive errors one line early, we name the directive's own line).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { DockerfileError } from "../../../dockerfile/errors";
import { dumpAst, parse } from "../../../dockerfile/parser";
import type { Directives, Heredoc, ParseWarning } from "../../../dockerfile/parser";

const GOLDEN = path.join(__dirname, "golden");

interface Expected {
    source: string;
    error?: { message: string; line?: number; buildkitLine?: number };
    escapeToken?: string;
    directives?: Directives;
    lines?: [number, number][];
    heredocs?: Heredoc[][];
    warnings?: ParseWarning[];
}

describe("parser: golden cases", () => {
    const cases = fs.readdirSync(GOLDEN).sort();

    it("covers directives, continuations, CRLF/BOM and heredocs", () => {
        for (const required of ["directive-escape-backtick", "directive-repeated", "directive-after-comment", "continuation-comments-and-empty-lines", "crlf-and-bom", "heredocs", "heredoc-onbuild", "heredoc-unterminated"]) {
            assert.ok(cases.includes(required), required);
        }
    });

    for (const name of cases) {
        const dir = path.join(GOLDEN, name);
        const expected = JSON.parse(fs.readFileSync(path.join(dir, "expected.json"), "utf8")) as Expected;
        it(`${name} (${expected.source.split(";")[0]})`, () => {
            const text = fs.readFileSync(path.join(dir, "Dockerfile"), "utf8");
            if (expected.error !== undefined) {
                const { message, line } = expected.error;
                assert.throws(
                    () => parse(text),
                    (err: unknown) => {
                        assert.ok(err instanceof DockerfileError, String(err));
                        assert.strictEqual(err.detail.startsWith(message), true, `${err.detail} should start with ${message}`);
                        assert.strictEqual(err.line, line);
                        return true;
                    },
                );
                return;
            }
            const result = parse(text);
            assert.strictEqual(dumpAst(result), fs.readFileSync(path.join(dir, "expected.dump"), "utf8"));
            assert.strictEqual(result.escapeToken, expected.escapeToken);
            assert.deepStrictEqual(result.directives, expected.directives);
            assert.deepStrictEqual(
                result.ast.map((node) => [node.startLine, node.endLine]),
                expected.lines,
            );
            assert.deepStrictEqual(
                result.ast.map((node) => node.heredocs),
                expected.heredocs ?? result.ast.map(() => []),
            );
            assert.deepStrictEqual(result.warnings, expected.warnings);
        });
    }
});
