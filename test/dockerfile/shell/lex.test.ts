/**
 * ShellLex behaviour beyond BuildKit's data files: the upstream unit tables of
 * lex_test.go, BuildKit's exact error messages, the raw modes the parser needs
 * for heredocs, processWordWithMatches, and our own limits.
 */
import { strict as assert } from "assert";
import { AnalysisBudget, AnalysisBudgetError, DEFAULT_MAX_EXPANDED_LENGTH, MAX_SUBSTITUTION_DEPTH, ShellExpansionError, ShellLex, envFromMap } from "../../../dockerfile/shell";

const plain = new ShellLex("\\");

function expansionError(fn: () => unknown): ShellExpansionError {
    try {
        fn();
    } catch (error) {
        assert.ok(error instanceof ShellExpansionError, `expected ShellExpansionError, got ${String(error)}`);
        return error;
    }
    assert.fail("expected the expansion to fail");
}

describe("ShellLex: mandatory variables (lex_test.go TestShellParserMandatoryEnvVars)", () => {
    const setEnv = envFromMap({ VAR: "plain", ARG: "x" });
    const emptyEnv = envFromMap({ VAR: "", ARG: "x" });
    const unsetEnv = envFromMap({ ARG: "x" });

    it("${VAR:?msg} passes a set value and rejects empty or unset with the expanded message", () => {
        assert.equal(plain.processWord("${VAR:?message here$ARG}", setEnv), "plain");
        assert.match(expansionError(() => plain.processWord("${VAR:?message here$ARG}", emptyEnv)).message, /VAR: message herex$/);
        assert.match(expansionError(() => plain.processWord("${VAR:?message here$ARG}", unsetEnv)).message, /VAR: message herex$/);
    });

    it("${VAR?msg} accepts empty and rejects only unset", () => {
        assert.equal(plain.processWord("${VAR?message here$ARG}", setEnv), "plain");
        assert.equal(plain.processWord("${VAR?message here$ARG}", emptyEnv), "");
        assert.match(expansionError(() => plain.processWord("${VAR?message here$ARG}", unsetEnv)).message, /VAR: message herex$/);
    });

    it("uses BuildKit's default messages when none is given", () => {
        assert.equal(expansionError(() => plain.processWord("${VAR?}", unsetEnv)).detail, "VAR: is not allowed to be unset");
        assert.equal(expansionError(() => plain.processWord("${VAR:?}", emptyEnv)).detail, "VAR: is not allowed to be empty");
    });
});

describe("ShellLex.processWordWithMatches (lex_test.go TestProcessWithMatches)", () => {
    interface Case {
        input: string;
        envs: Record<string, string>;
        expected?: string;
        expectedErr?: boolean;
        matches?: string[];
        unmatched?: string[];
    }
    const fooBar = { FOO: "xxx", BAR: "" };
    const cases: Case[] = [
        { input: "x", envs: { DUMMY: "dummy" }, expected: "x" },
        { input: "x ${UNUSED}", envs: { DUMMY: "dummy" }, expected: "x ", unmatched: ["UNUSED"] },
        { input: "x ${FOO}", envs: { FOO: "y" }, expected: "x y", matches: ["FOO"] },
        { input: "${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}", envs: fooBar, expected: "xxx  ccc", matches: ["FOO", "BAR"], unmatched: ["BAZ"] },
        { input: "${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}", envs: fooBar, expected: "xxx bbb ccc", matches: ["FOO", "BAR"], unmatched: ["BAZ"] },
        { input: "${FOO:-}", envs: fooBar, expected: "xxx", matches: ["FOO"] },
        { input: "${FOO:-}", envs: {}, expected: "", unmatched: ["FOO"] },
        { input: "${FOO+aaa} ${BAR+bbb} ${BAZ+ccc}", envs: fooBar, expected: "aaa bbb ", matches: ["FOO", "BAR"], unmatched: ["BAZ"] },
        { input: "${FOO:+aaa} ${BAR:+bbb} ${BAZ:+ccc}", envs: fooBar, expected: "aaa  ", matches: ["FOO", "BAR"], unmatched: ["BAZ"] },
        { input: "${FOO?aaa}", envs: fooBar, expected: "xxx", matches: ["FOO"] },
        { input: "${BAR?bbb}", envs: fooBar, expected: "", matches: ["BAR"] },
        { input: "${BAZ?ccc}", envs: fooBar, expectedErr: true },
        { input: "${FOO:?aaa}", envs: fooBar, expected: "xxx", matches: ["FOO"] },
        { input: "${BAR:?bbb}", envs: fooBar, expectedErr: true },
        { input: "${BAZ:?ccc}", envs: fooBar, expectedErr: true },
        { input: "${BAZ:?}", envs: fooBar, expectedErr: true },
        { input: "${FOO=aaa}", envs: fooBar, expectedErr: true },
        { input: "${FOO=:aaa}", envs: fooBar, expectedErr: true },
        { input: "${FOO=}", envs: {}, expectedErr: true },
        { input: "${FOO#()[]{\\}^$.\\*\\?|\\\\}", envs: { FOO: "()[]{}^$.*?|\\x" }, expected: "x", matches: ["FOO"] },
        { input: "${FOO%%\\**}", envs: { FOO: "xx**" }, expected: "xx", matches: ["FOO"] },
        { input: "${FOO#*x*y}", envs: { FOO: "xxyy" }, expected: "y", matches: ["FOO"] },
        { input: "${FOO#*}", envs: { FOO: "xxyy" }, expected: "xxyy", matches: ["FOO"] },
        { input: "${FOO#$BAR}", envs: { FOO: "xxyy", BAR: "x" }, expected: "xyy", matches: ["FOO", "BAR"] },
        { input: "${FOO#$BAR}", envs: { FOO: "xxyy", BAR: "" }, expected: "xxyy", matches: ["FOO", "BAR"] },
        { input: "${FOO#}", envs: { FOO: "xxyy" }, expected: "xxyy", matches: ["FOO"] },
        { input: "${FOO##*x}", envs: { FOO: "xxyy" }, expected: "yy", matches: ["FOO"] },
        { input: "${FOO##}", envs: { FOO: "xxyy" }, expected: "xxyy", matches: ["FOO"] },
        { input: "${FOO#?\\?}", envs: { FOO: "???y" }, expected: "?y", matches: ["FOO"] },
        { input: "${ABC:-.}${FOO%x}${ABC:-.}", envs: { FOO: "xxyy" }, expected: ".xxyy.", matches: ["FOO"], unmatched: ["ABC"] },
        { input: "${FOO%%\\**\\*}", envs: { FOO: "a***yy*" }, expected: "a", matches: ["FOO"] },
        { input: "${FOO%}", envs: { FOO: "xxyy" }, expected: "xxyy", matches: ["FOO"] },
        { input: "${FOO%%$BAR}", envs: { FOO: "xxyy", BAR: "" }, expected: "xxyy", matches: ["FOO", "BAR"] },
        { input: "${FOO:#}", envs: {}, expectedErr: true },
        { input: "${FOO:##}", envs: {}, expectedErr: true },
        { input: "${FOO:%}", envs: {}, expectedErr: true },
        { input: "${FOO:%%}", envs: {}, expectedErr: true },
        {
            input: "${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}",
            envs: { FOO: "/foo*/*/*.txt", NEEDLE: "\\*/" },
            expected: "/foo.*/*.txt - /foo..*.txt",
            matches: ["FOO", "NEEDLE"],
        },
        {
            input: "${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}",
            envs: { FOO: "/tmp/tmp/bar.txt", NEEDLE: "/tmp" },
            expected: "/tmp/bar.txt - /bar.txt",
            matches: ["FOO", "NEEDLE"],
        },
        {
            input: "${FOO/$NEEDLE/$REPLACEMENT} - ${FOO//$NEEDLE/$REPLACEMENT}",
            envs: { FOO: "/a/foo/b/c.txt", NEEDLE: "/?/", REPLACEMENT: "/" },
            expected: "/foo/b/c.txt - /foo/c.txt",
            matches: ["FOO", "NEEDLE", "REPLACEMENT"],
        },
        {
            input: "${FOO/$NEEDLE/$REPLACEMENT}",
            envs: { FOO: "http://google.de", NEEDLE: "http://", REPLACEMENT: "https://" },
            expected: "https://google.de",
            matches: ["FOO", "NEEDLE", "REPLACEMENT"],
        },
        { input: "${FOO//\\//\\/}", envs: { FOO: "/tmp/foo.txt" }, expected: "\\/tmp\\/foo.txt", matches: ["FOO"] },
        { input: "${FOO/$BAR/ww}", envs: { FOO: "xxyy", BAR: "" }, expected: "wwxxyy", matches: ["FOO", "BAR"] },
        { input: "${FOO//ww}", envs: { FOO: "xxyy" }, expectedErr: true },
        { input: "${FOO//}", envs: { FOO: "xxyy" }, expectedErr: true },
        { input: "${FOO///}", envs: { FOO: "xxyy" }, expected: "xxyy", matches: ["FOO"] },
        { input: "${FOO///}", envs: {}, expected: "", unmatched: ["FOO"] },
    ];

    it("runs all 47 upstream cases", () => assert.equal(cases.length, 47));

    for (const c of cases) {
        it(`${c.input} with ${JSON.stringify(c.envs)}`, () => {
            const env = envFromMap(c.envs);
            if (c.expectedErr) {
                expansionError(() => plain.processWordWithMatches(c.input, env));
                return;
            }
            const { result, matched, unmatched } = plain.processWordWithMatches(c.input, env);
            assert.equal(result, c.expected);
            assert.deepEqual([...matched].sort(), (c.matches ?? []).slice().sort());
            assert.deepEqual([...unmatched].sort(), (c.unmatched ?? []).slice().sort());
        });
    }

    it("expands BuildKit's release-file naming with and without TARGETVARIANT (TestProcessWithMatchesPlatform)", () => {
        const release = "something-${VERSION}.${TARGETOS}-${TARGETARCH}${TARGETVARIANT:+-${TARGETVARIANT}}.tar.gz";
        const base = { VERSION: "v1.2.3", TARGETOS: "linux" };
        const arm = plain.processWordWithMatches(release, envFromMap({ ...base, TARGETARCH: "arm", TARGETVARIANT: "v7" }));
        assert.equal(arm.result, "something-v1.2.3.linux-arm-v7.tar.gz");
        const empty = plain.processWordWithMatches(release, envFromMap({ ...base, TARGETARCH: "arm64", TARGETVARIANT: "" }));
        assert.equal(empty.result, "something-v1.2.3.linux-arm64.tar.gz");
        assert.ok(empty.matched.has("TARGETVARIANT"));
        const unset = plain.processWordWithMatches(release, envFromMap({ ...base, TARGETARCH: "arm64" }));
        assert.equal(unset.result, "something-v1.2.3.linux-arm64.tar.gz");
        assert.deepEqual([...unset.unmatched], ["TARGETVARIANT"]);
    });

    it("reports an ARG used in FROM but never declared as unmatched, and each call starts afresh", () => {
        const env = envFromMap({ BASE: "alpine" });
        const first = plain.processWordWithMatches("${REGISTRY}/${BASE}:${TAG:-3.20}", env);
        assert.equal(first.result, "/alpine:3.20");
        assert.deepEqual([...first.matched], ["BASE"]);
        assert.deepEqual([...first.unmatched].sort(), ["REGISTRY", "TAG"]);
        const second = plain.processWordWithMatches("$BASE", env);
        assert.deepEqual([...second.unmatched], []);
    });
});

describe("ShellLex: BuildKit's error messages", () => {
    const env = envFromMap({ PWD: "/home" });
    const cases: [string, string][] = [
        ["he${PWD", "unsupported modifier (\uFFFD) in substitution"],
        ["${", "syntax error: missing '}'"],
        ["${}", "syntax error: bad substitution"],
        ["${:-x}", "syntax error: bad substitution"],
        ["${{x}", "syntax error: bad substitution"],
        ["${PWD:=x}", "unsupported modifier (:=) in substitution"],
        ["${PWD=x}", "unsupported modifier (=) in substitution"],
        ["${PWD:1}", "unsupported modifier (:1) in substitution"],
        ["${PWD:#x}", "unsupported modifier (:#) in substitution"],
        ["${PWD^^}", "unsupported modifier (^) in substitution"],
        ["${#PWD}", "unsupported modifier (P) in substitution"],
        ["${PWD:-x", "syntax error: missing '}'"],
        ["${PWD/x", "syntax error: missing '/' in ${}"],
        ["${PWD/x/y", "syntax error: missing '}'"],
        ["${PWD#\\x}", "invalid pattern (\\x) in substitution: invalid escape '\\x'"],
        ["${PWD%a\\x}", "invalid pattern (\\xa) in substitution: invalid escape '\\x'"],
        ["'abc", "unexpected end of statement while looking for matching single-quote"],
        ['"abc', "unexpected end of statement while looking for matching double-quote"],
    ];
    for (const [word, detail] of cases) {
        it(`${word} -> ${detail}`, () => {
            const error = expansionError(() => plain.processWord(word, env));
            assert.equal(error.detail, detail);
            assert.equal(error.word, word);
            assert.ok(error.message.startsWith("failed to process "), error.message);
        });
    }

    it("quotes the word the way Go's %q does", () => {
        const error = expansionError(() => plain.processWord('a"\t\u00a0é${', env));
        assert.equal(error.message, `failed to process "a\\"\\t\\u00a0é\${": syntax error: missing '}'`);
    });
});

describe("ShellLex: quoting, escapes and words", () => {
    const env = envFromMap({ SPACE: "a  b", EMPTY: "" });

    it("splits substituted whitespace but not quoted whitespace", () => {
        assert.deepEqual(plain.processWords("x $SPACE y", env), ["x", "a", "b", "y"]);
        assert.deepEqual(plain.processWords('x "$SPACE" y', env), ["x", "a  b", "y"]);
        assert.deepEqual(plain.processWords("x\\ y", env), ["x y"]);
    });

    it("drops empty quoted words, as BuildKit does", () => {
        assert.deepEqual(plain.processWords('"" a', env), ["a"]);
        assert.deepEqual(plain.processWords("$EMPTY", env), []);
    });

    it("keeps BuildKit's shared word buffer: a partial word before ${V:-...} is lost by processWords", () => {
        // BuildKit's processStopOn resets the pending word for every nested ${...}
        // body; recorded from its lex.go: "he${S:-x}y $A" -> ["a", "b", "cy"].
        const words = plain.processWords("he${S:-x}y $A", envFromMap({ S: "a b  c" }));
        assert.deepEqual(words, ["a", "b", "cy"]);
        assert.equal(plain.processWord("he${S:-x}y $A", envFromMap({ S: "a b  c" })), "hea b  cy ");
    });

    it("supports the backtick escape token", () => {
        const backtick = new ShellLex("`");
        assert.equal(backtick.processWord("a`$SPACE", env), "a$SPACE");
        assert.equal(backtick.processWord("C:\\dir\\$EMPTY", env), "C:\\dir\\");
        assert.equal(backtick.processWord('"a`"b"', env), 'a"b');
        assert.deepEqual(backtick.processWords("a` b c", env), ["a b", "c"]);
    });

    it("treats special and positional parameters as unset", () => {
        assert.equal(plain.processWord("[$1][$@][$#][$$][${10}]", env), "[][][][][]");
    });

    it("rejects an escape token other than backslash or backtick, and a bad maxExpandedLength", () => {
        assert.throws(() => new ShellLex("x"), RangeError);
        assert.throws(() => new ShellLex("\\", { maxExpandedLength: -1 }), RangeError);
    });
});

describe("ShellLex: raw modes (parser heredoc detection, BuildKit parser.go)", () => {
    // heredocsFromLine: RawQuotes + RawEscapes + SkipUnsetEnv, then ProcessWords.
    const heredocLine = new ShellLex("\\", { rawQuotes: true, rawEscapes: true, skipUnsetEnv: true });
    const noEnv = envFromMap({});

    it("keeps `<<` words (with any following spaces) intact and quotes as written", () => {
        assert.deepEqual(heredocLine.processWords("cat <<EOF > /file", noEnv), ["cat", "<<EOF", ">", "/file"]);
        assert.deepEqual(heredocLine.processWords('RUN <<"EOF" bash', noEnv), ["RUN", '<<"EOF"', "bash"]);
        assert.deepEqual(heredocLine.processWords("3<<-'END' x", noEnv), ["3<<-'END'", "x"]);
        assert.deepEqual(heredocLine.processWords("a<<  EOF b", noEnv), ["a<<  EOF", "b"]);
    });

    it("keeps escapes and unset variables as written", () => {
        assert.deepEqual(heredocLine.processWords("echo \\$HOME $USER ${X:-y} ${X//a/b}", noEnv), [
            "echo",
            "\\$HOME",
            "$USER",
            "${X:-y}",
            // BuildKit rebuilds `//` with a single slash.
            "${X/a/b}",
        ]);
    });

    it("keeps an escape before an ordinary character inside double quotes twice (BuildKit RawEscapes)", () => {
        assert.equal(heredocLine.processWord('"\\t\\$X"', noEnv), '"\\\\t\\$X"');
    });

    it("heredocFromMatch: parsing with and without RawQuotes tells whether the name was quoted", () => {
        const unquoted = new ShellLex("\\", { skipUnsetEnv: true });
        const quoted = new ShellLex("\\", { skipUnsetEnv: true, rawQuotes: true });
        assert.deepEqual(unquoted.processWords('"EOF"', noEnv), ["EOF"]);
        assert.deepEqual(quoted.processWords('"EOF"', noEnv), ['"EOF"']);
        assert.deepEqual(unquoted.processWords("E'O'F", noEnv), ["EOF"]);
        assert.deepEqual(quoted.processWords("E'O'F", noEnv), ["E'O'F"]);
    });

    it("skipProcessQuotes treats quotes as ordinary characters (BuildKit convert.go)", () => {
        const lex = new ShellLex("\\", { skipProcessQuotes: true });
        assert.deepEqual(lex.processWords("'a b' \"$X\"", envFromMap({ X: "1" })), ["'a", "b'", '"1"']);
    });

    it("skipUnsetEnv leaves unset references but expands set ones", () => {
        const lex = new ShellLex("\\", { skipUnsetEnv: true });
        assert.equal(lex.processWord("$A-${B}-${C:-x}-${D#y}", envFromMap({ B: "b" })), "$A-b-${C:-x}-${D#y}");
    });
});

describe("ShellLex: pattern substitutions", () => {
    const env = envFromMap({ P: "/tmp/tmp/bar.txt", X: "xxyy", ML: "ab\ncd\nab", U: "é😀éx" });

    it("trims shortest and longest prefixes and suffixes", () => {
        assert.equal(plain.processWord("${P#*/}", env), "tmp/tmp/bar.txt");
        assert.equal(plain.processWord("${P##*/}", env), "bar.txt");
        assert.equal(plain.processWord("${P%/*}", env), "/tmp/tmp");
        assert.equal(plain.processWord("${P%%/*}", env), "");
        assert.equal(plain.processWord("${P%.*}", env), "/tmp/tmp/bar");
    });

    it("never lets * or ? match a newline (Go regexp without the s flag)", () => {
        assert.equal(plain.processWord("${ML##*b}", env), "\ncd\nab");
        assert.equal(plain.processWord("${ML//?/.}", env), "..\n..\n..");
        assert.equal(plain.processWord("${ML//a*/-}", env), "-\ncd\n-");
        assert.equal(plain.processWord("${ML%%\n*}", env), "ab\ncd");
    });

    it("counts code points, not UTF-16 units", () => {
        assert.equal(plain.processWord("${U#??}", env), "éx");
        assert.equal(plain.processWord("${U//?/.}", env), "....");
        assert.equal(plain.processWord("${U%%😀*}", env), "é");
    });

    it("follows Go's ReplaceAllString template for //: \\$0 is the match, $$ a dollar, other names empty", () => {
        assert.equal(plain.processWord("${X//?/<\\$0>}", env), "<\\x><\\x><\\y><\\y>");
        assert.equal(plain.processWord("${X//x/\\$$}", env), "\\$\\$yy");
        assert.equal(plain.processWord("${X//x/\\$0a}", env), "\\\\yy");
        // The single replacement takes the replacement literally.
        assert.equal(plain.processWord("${X/x/\\$0}", env), "\\$0xyy");
    });
});

describe("ShellLex: limits", () => {
    it("defaults to 1 MiB of expansion", () => assert.equal(DEFAULT_MAX_EXPANDED_LENGTH, 1024 * 1024));

    it("allows an expansion of exactly maxExpandedLength and rejects one character more", () => {
        const lex = new ShellLex("\\", { maxExpandedLength: 10 });
        const env = envFromMap({ V: "abcde" });
        assert.equal(lex.processWord("$V$V", env), "abcdeabcde");
        const error = expansionError(() => lex.processWord("$V$V!", env));
        assert.equal(error.detail, "expanded word exceeds the maximum length of 10 characters");
    });

    it("stops a runaway expansion of a 600 KiB variable repeated, at the default cap", () => {
        const env = envFromMap({ V: "x".repeat(600 * 1024) });
        assert.equal(plain.processWord("$V", env).length, 600 * 1024);
        assert.match(expansionError(() => plain.processWord("$V$V", env)).detail, /maximum length of 1048576/);
        assert.match(expansionError(() => plain.processWords("${Q:-$V$V}", env)).detail, /maximum length/);
        assert.match(expansionError(() => plain.processWord("${V//x/yy}", env)).detail, /maximum length/);
    });

    it("expands nesting up to MAX_SUBSTITUTION_DEPTH and rejects deeper", () => {
        const nested = (depth: number): string => "${A:-".repeat(depth) + "x" + "}".repeat(depth);
        assert.equal(plain.processWord(nested(MAX_SUBSTITUTION_DEPTH), envFromMap({})), "x");
        const error = expansionError(() => plain.processWord(nested(MAX_SUBSTITUTION_DEPTH + 1), envFromMap({})));
        assert.equal(error.detail, `substitutions are nested more than ${MAX_SUBSTITUTION_DEPTH} levels deep`);
        expansionError(() => plain.processWord(nested(100_000), envFromMap({})));
    });
});

describe("ShellLex: hostile patterns complete correctly (no backtracking)", () => {
    const stars = "*a*a*a*a*a*a*a*b";
    const longA = "a".repeat(200_000);

    it(`\${V//${stars}/x} on 200k 'a' without a b leaves the value`, () => {
        assert.equal(plain.processWord(`\${V//${stars}/x}`, envFromMap({ V: longA })), longA);
    });

    it(`\${V//${stars}/x} replaces the whole line when a b ends it`, () => {
        assert.equal(plain.processWord(`\${V//${stars}/x}`, envFromMap({ V: longA + "b" })), "x");
        assert.equal(plain.processWord(`\${V//${stars}/x}`, envFromMap({ V: longA + "bc" })), "xc");
    });

    it("handles many lines that each almost match", () => {
        const value = ("a".repeat(999) + "\n").repeat(200) + "aaaaaaab";
        const expected = ("a".repeat(999) + "\n").repeat(200) + "x";
        assert.equal(plain.processWord(`\${V//${stars}/x}`, envFromMap({ V: value })), expected);
    });

    it("trims with many stars on long values, shortest and longest", () => {
        const value = "ab".repeat(100_000);
        const env = envFromMap({ V: value });
        assert.equal(plain.processWord("${V#*a*a*a*a*a*a*a*b}", env), value.slice(14));
        assert.equal(plain.processWord("${V##*a*a*a*a*a*a*a*b}", env), "");
        assert.equal(plain.processWord("${V%a*a*a*a*a*a*a*b}", env), value.slice(0, value.length - 14));
        assert.equal(plain.processWord("${V%%*a*a*a*a*a*a*a*c}", env), value);
    });

    it("fails closed with a clear error when a wildcard chunk would need too many steps", () => {
        const lex = new ShellLex("\\", { maxExpandedLength: 100_000 });
        const pattern = "?".repeat(2000) + "b";
        const error = expansionError(() => lex.processWord(`\${V//${pattern}/x}`, envFromMap({ V: "a".repeat(100_000) })));
        assert.match(error.detail, /^pattern \(\?+b\) in substitution is too expensive to match: /);
    });

    it("charges every pattern operation for reading its value, so thousands of them on a large value fail closed", () => {
        const env = envFromMap({ V: "ab".repeat(250_000) });
        assert.equal(plain.processWord("${V##*}".repeat(10), env), "");
        const error = expansionError(() => plain.processWord("${V##*}".repeat(20_000), env));
        assert.match(error.detail, /^pattern \(\*\) in substitution is too expensive to match: /);
    });
});

describe("envFromMap", () => {
    it("reads Maps and plain objects, own keys only, in order", () => {
        const fromRecord = envFromMap({ B: "2", A: "" });
        assert.equal(fromRecord.get("A"), "");
        assert.equal(fromRecord.get("constructor"), undefined);
        assert.equal(fromRecord.get("__proto__"), undefined);
        assert.deepEqual(fromRecord.keys(), ["B", "A"]);
        const fromMap = envFromMap(new Map([["X", "1"]]));
        assert.equal(fromMap.get("X"), "1");
        assert.equal(fromMap.get("x"), undefined);
    });

    it("copies its input and rejects non-string values", () => {
        const source = new Map([["X", "1"]]);
        const env = envFromMap(source);
        source.set("X", "2");
        assert.equal(env.get("X"), "1");
        assert.throws(() => envFromMap({ X: 1 as unknown as string }), /"X" must be a string/);
    });
});

describe("ShellLex: the analysis budget", () => {
    const env = envFromMap({ V: "abcdefghij" });

    it("is shared by every lexer given it, and running out is an AnalysisBudgetError, not a word's ShellExpansionError", () => {
        const budget = new AnalysisBudget({ maxExpandedCharacters: 25 });
        const plainLex = new ShellLex("\\", { budget });
        const rawLex = new ShellLex("\\", { skipProcessQuotes: true, budget });
        assert.equal(plainLex.processWord("$V", env), "abcdefghij");
        assert.equal(rawLex.processWord("'$V'", env), "'abcdefghij'");
        assert.equal(budget.remainingCharacters, 3);
        assert.throws(() => plainLex.processWord("${V%j}", env), (e: unknown) => e instanceof AnalysisBudgetError && !(e instanceof ShellExpansionError));
        assert.equal(budget.remainingCharacters, 0);
        assert.throws(() => rawLex.processWord("x", env), { message: "analysis budget exceeded: word expansions produced more than 25 characters in total (budget.maxExpandedCharacters)" });
    });

    it("counts characters produced inside substitutions even when the result drops them", () => {
        const budget = new AnalysisBudget({ maxExpandedCharacters: 35 });
        const lex = new ShellLex("\\", { budget });
        // `${UNSET:+...}` expands its word before deciding to drop it
        assert.equal(lex.processWord("${UNSET:+$V$V$V}", env), "");
        assert.equal(budget.remainingCharacters, 5);
    });

    it("pattern steps of all words come out of one budget; a word's own cap still applies without one", () => {
        const budget = new AnalysisBudget({ maxPatternSteps: 25 });
        const lex = new ShellLex("\\", { budget });
        assert.equal(lex.processWord("${V#a}", env), "bcdefghij");
        assert.ok(budget.remainingSteps < 25 && budget.remainingSteps >= 0);
        assert.throws(() => { for (let i = 0; i < 5; i++) lex.processWord("${V#a}", env); }, /analysis budget exceeded: pattern matching took more than 25 steps in total/);
        assert.equal(plain.processWord("${V#a}".repeat(5), env), "bcdefghij".repeat(5));
    });

    it("refuses limits that are not non-negative integers", () => {
        assert.throws(() => new AnalysisBudget({ maxExpandedCharacters: 1.5 }), RangeError);
        assert.throws(() => new AnalysisBudget({ maxDispatchSteps: -1 }), RangeError);
    });
});
