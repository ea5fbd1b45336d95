/**
 * Parser helpers and limits, mirroring BuildKit's unit tests:
 * parser_heredoc_test.go (TestParseHeredocHelpers, TestHeredocsFromLine,
 * TestHeredocChomp), parser_test.go (TestParseWords, TestParseReturnsScannerErrors).
 */
import * as assert from "assert";
import { DockerfileError } from "../../../dockerfile/errors";
import {
    chompHeredocContent,
    DEFAULT_MAX_BYTES,
    dumpAst,
    heredocsFromLine,
    mustParseHeredoc,
    parse,
    parseHeredoc,
    parseWords,
} from "../../../dockerfile/parser";

function rejects(text: string, message: RegExp, line: number | undefined, options?: { maxBytes?: number }): void {
    assert.throws(
        () => parse(text, options),
        (err: unknown) => {
            assert.ok(err instanceof DockerfileError, String(err));
            assert.match(err.detail, message);
            assert.strictEqual(err.line, line);
            return true;
        },
    );
}

describe("parser: heredoc helpers (parser_heredoc_test.go)", () => {
    it("TestParseHeredocHelpers: valid, invalid and non-heredoc words", () => {
        for (const src of ["<<EOF", "<<'EOF'", `<<"EOF"`, "<<-EOF", "<<-'EOF'", `<<-"EOF"`, `<<EO"F"`, "<< EOF", "<<- EOF"]) {
            assert.strictEqual(parseHeredoc(src)?.name, "EOF", src);
        }
        for (const src of ["<<'EOF", `<<"EOF`, "<<EOF'", `<<EOF"`]) {
            assert.throws(() => parseHeredoc(src), Error, src);
            assert.strictEqual(mustParseHeredoc(src), undefined, src);
        }
        for (const src of ["", "EOF", "<<", "<<-", "<EOF", "<<<EOF", "<<EOF sh"]) {
            assert.strictEqual(parseHeredoc(src), undefined, src);
        }
    });

    it("parseHeredoc: fd prefix, chomp and expand flags", () => {
        assert.deepStrictEqual(parseHeredoc("3<<-'EOF'"), { name: "EOF", fileDescriptor: 3, expand: false, chomp: true, content: "" });
        assert.deepStrictEqual(parseHeredoc("<<eo\\'f"), { name: "eo'f", fileDescriptor: 0, expand: true, chomp: false, content: "" });
        assert.deepStrictEqual(parseHeredoc("<<'e'o\\'f"), { name: "eo'f", fileDescriptor: 0, expand: false, chomp: false, content: "" });
    });

    it("TestHeredocsFromLine: names in order, quoted words are not heredocs", () => {
        const cases: [string, string[]][] = [
            ["RUN <<EOF", ["EOF"]],
            ["RUN <<-EOF", ["EOF"]],
            ["RUN << -EOF", ["-EOF"]],
            ["RUN <<'EOF'", ["EOF"]],
            ["RUN 4<<EOF", ["EOF"]],
            ["RUN <<EOF <<EOF2", ["EOF", "EOF2"]],
            ["RUN '<<EOF'", []],
            [`RUN "<<EOF"`, []],
            // An unterminated quote makes BuildKit's lexer fail; the error is ignored and no heredoc found.
            ["RUN echo 'a <<EOF", []],
        ];
        for (const [line, names] of cases) {
            assert.deepStrictEqual(heredocsFromLine(line).map((h) => h.name), names, line);
        }
    });

    it("TestHeredocChomp: leading tabs of every line", () => {
        assert.strictEqual(chompHeredocContent("\thello\n\tworld\n"), "hello\nworld\n");
        assert.strictEqual(chompHeredocContent("\t\ta\n b\n\t"), "a\n b\n");
    });
});

describe("parser: words and limits (parser_test.go)", () => {
    it("TestParseWords", () => {
        const cases: [string, string[]][] = [
            ["foo", ["foo"]],
            ["foo bar", ["foo", "bar"]],
            ["foo\\ bar", ["foo\\ bar"]],
            ["foo=bar", ["foo=bar"]],
            ["foo bar 'abc xyz'", ["foo", "bar", "'abc xyz'"]],
            [`foo bar "abc xyz"`, ["foo", "bar", `"abc xyz"`]],
            ["àöû", ["àöû"]],
            [`föo bàr "âbc xÿz"`, ["föo", "bàr", `"âbc xÿz"`]],
        ];
        for (const [input, expected] of cases) assert.deepStrictEqual(parseWords(input, "\\"), expected, input);
    });

    it("TestParseReturnsScannerErrors: a line over 64 KiB is rejected like bufio.Scanner does", () => {
        const label = "a".repeat(64 * 1024);
        rejects(`\n\t\tFROM image\n\t\tLABEL test=${label}\n`, /^dockerfile line greater than max allowed size of 65535$/, 3);
    });

    it("a line of exactly 64 KiB including its newline is accepted", () => {
        const run = "RUN " + "a".repeat(64 * 1024 - 5);
        const { ast } = parse(`FROM x\n${run}\n`);
        assert.strictEqual(ast[1].args[0].length, 64 * 1024 - 5);
    });

    it("input over maxBytes is an error naming the line where the limit falls", () => {
        rejects("FROM x\nRUN echo 1\nRUN echo 2\n", /over the limit of 15 bytes/, 2, { maxBytes: 15 });
        assert.strictEqual(DEFAULT_MAX_BYTES, 1024 * 1024);
        rejects("FROM x\n" + "RUN echo\n".repeat(120_000), /over the limit of 1048576 bytes/, 116509);
    });

    it("the empty file has no line to name; a comment-only file names its last line", () => {
        rejects("", /^file with no instructions$/, undefined);
        rejects("# one\n\n# three", /^file with no instructions$/, 3);
    });
});

describe("parser: Go quoting in the dump", () => {
    it("arguments are quoted with strconv.Quote: Go escapes, \\x for control bytes, \\u for non-printable, printable Unicode as is", () => {
        const text = 'FROM x\nRUN a"b\\c \x07\b\f\x0b \x00\x1b\x7f \u0085\u00a0\u00ad\u2028\ufeff héllo 世界 😀 \ufffd \u{e0001}\n';
        assert.strictEqual(
            dumpAst(parse(text)),
            '(from "x")\n(run "a\\"b\\\\c \\a\\b\\f\\v \\x00\\x1b\\x7f \\u0085\\u00a0\\u00ad\\u2028\\ufeff héllo 世界 😀 \ufffd \\U000e0001")\n',
        );
    });

    it("keywords are lowercased as Go's strings.ToLower does (U+0130 → i, Kelvin sign → k)", () => {
        const result = parse("FROM x\nENTRYPOİNT [\"a\"]\nWOR\u212aDIR /x\n");
        assert.deepStrictEqual(result.ast.map((n) => n.value), ["from", "entrypoint", "workdir"]);
        assert.strictEqual(result.ast[1].json, true);
        assert.strictEqual(dumpAst(result), '(from "x")\n(entrypoint "a")\n(workdir "/x")\n');
    });

    it("flags are cut byte by byte as BuildKit does (non-ASCII bytes become Latin-1 runes)", () => {
        const { ast } = parse("FROM x\nCOPY --chown=é a b\n");
        assert.deepStrictEqual(ast[1].flags, ["--chown=Ã©"]);
        assert.deepStrictEqual(ast[1].args, ["a", "b"]);
    });

    it("JSON that Go's decoder cannot hold falls back to shell form; non-strings are an error", () => {
        assert.deepStrictEqual(parse('FROM x\nCMD [1e999, "a"]\n').ast[1].args, ['[1e999, "a"]']);
        rejects('FROM x\nCMD ["a", 1]\n', /arrays must be comprised of strings only/, 2);
        assert.deepStrictEqual(parse('FROM x\nRUN ["\\ud800"]\n').ast[1].args, ["\ufffd"]);
        const deep = "[".repeat(10001) + "]".repeat(10001);
        assert.deepStrictEqual(parse(`FROM x\nCMD ${deep}\n`).ast[1].args, [deep]);
    });
});
