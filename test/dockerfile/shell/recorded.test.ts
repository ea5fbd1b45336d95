/**
 * Cases whose expected outputs were recorded by running BuildKit's own
 * frontend/dockerfile/shell/lex.go (commit 73ed6825, the one the conformance data
 * comes from) in a scratch Go harness: curated edge cases (byte-order marks, NUL,
 * Unicode spaces, every error path, heredoc words, `$0` in replacements, raw
 * modes, backtick escape) and random words, patterns and values including
 * newlines. Both processWordWithMatches and processWords are checked, error
 * messages included.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { LexOptions, ShellLex, envFromMap } from "../../../dockerfile/shell";

interface RecordedCase {
    word: string;
    env: Record<string, string>;
    options: LexOptions & { escape?: string };
    result?: string;
    matched?: string[];
    unmatched?: string[];
    error?: string;
    words?: string[];
    wordsError?: string;
}

const cases: RecordedCase[] = fs
    .readFileSync(path.join(__dirname, "buildkit-recorded.jsonl"), "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as RecordedCase);

function outcome(fn: () => unknown): { value?: unknown; error?: string } {
    try {
        return { value: fn() };
    } catch (error) {
        assert.equal((error as Error).name, "ShellExpansionError", String(error));
        return { error: (error as Error).message };
    }
}

describe("shell: cases recorded from BuildKit's lex.go", () => {
    it("loads all 931 recorded cases, 245 of them errors", () => {
        assert.equal(cases.length, 931);
        assert.equal(cases.filter((c) => c.error !== undefined).length, 245);
    });

    cases.forEach((c, index) => {
        const { escape, ...options } = c.options;
        const title = `#${index + 1} ${JSON.stringify(c.word)} ${JSON.stringify(c.options)}`;
        it(title, () => {
            const lex = new ShellLex(escape ?? "\\", options);
            const env = envFromMap(c.env);
            const single = outcome(() => lex.processWordWithMatches(c.word, env));
            if (c.error !== undefined) {
                assert.equal(single.error, c.error);
            } else {
                assert.equal(single.error, undefined);
                const { result, matched, unmatched } = single.value as { result: string; matched: Set<string>; unmatched: Set<string> };
                assert.equal(result, c.result);
                assert.deepEqual([...matched].sort(), c.matched);
                assert.deepEqual([...unmatched].sort(), c.unmatched);
            }
            const split = outcome(() => lex.processWords(c.word, env));
            if (c.wordsError !== undefined) assert.equal(split.error, c.wordsError);
            else assert.deepEqual(split.value, c.words);
        });
    });
});
