/**
 * BuildKit's own parser test data (frontend/dockerfile/parser/parser_test.go:
 * TestParseCases, TestParseErrorCases, TestParseIncludesLineNumbers), read from
 * the conformance copy in ../shared so a new case is picked up automatically.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { DockerfileError } from "../../../dockerfile/errors";
import { dumpAst, parse } from "../../../dockerfile/parser";
import { sharedPath } from "../../shared-data";

const PARSER_DATA = sharedPath("conformance", "buildkit", "parser");

function caseDirs(dir: string): string[] {
    return fs
        .readdirSync(path.join(PARSER_DATA, dir), { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
        .sort();
}

describe("parser: BuildKit conformance data", () => {
    describe("testfiles (TestParseCases): dump equals `result`", () => {
        const cases = caseDirs("testfiles");

        it("has the 33 upstream cases", () => {
            assert.strictEqual(cases.length, 33);
        });

        for (const name of cases) {
            it(name, () => {
                const dockerfile = fs.readFileSync(path.join(PARSER_DATA, "testfiles", name, "Dockerfile"), "utf8");
                const expected = fs.readFileSync(path.join(PARSER_DATA, "testfiles", name, "result"), "utf8");
                assert.strictEqual(dumpAst(parse(dockerfile)), expected);
            });
        }
    });

    describe("testfiles-negative (TestParseErrorCases): rejected", () => {
        const cases = caseDirs("testfiles-negative");

        it("has the 4 upstream cases", () => {
            assert.strictEqual(cases.length, 4);
        });

        const expectedMessages: Record<string, RegExp> = {
            empty_dockerfile: /^file with no instructions$/,
            only_comments: /^file with no instructions$/,
            env_no_value: /^ENV must have two arguments$/,
            "shykes-nested-json": /^when using JSON array syntax, arrays must be comprised of strings only$/,
        };
        const expectedLines: Record<string, number | undefined> = {
            empty_dockerfile: undefined,
            only_comments: 3,
            env_no_value: 3,
            "shykes-nested-json": 1,
        };

        for (const name of cases) {
            it(name, () => {
                const dockerfile = fs.readFileSync(path.join(PARSER_DATA, "testfiles-negative", name, "Dockerfile"), "utf8");
                assert.throws(
                    () => parse(dockerfile),
                    (err: unknown) => {
                        assert.ok(err instanceof DockerfileError, String(err));
                        assert.match(err.detail, expectedMessages[name] ?? /./);
                        assert.strictEqual(err.line, expectedLines[name]);
                        return true;
                    },
                );
            });
        }
    });

    it("testfile-line (TestParseIncludesLineNumbers): start and end lines", () => {
        const dockerfile = fs.readFileSync(path.join(PARSER_DATA, "testfile-line", "Dockerfile"), "utf8");
        const { ast } = parse(dockerfile);
        assert.deepStrictEqual(
            ast.map((node) => [node.startLine, node.endLine]),
            [
                [5, 5],
                [11, 12],
                [17, 31],
            ],
        );
    });
});
