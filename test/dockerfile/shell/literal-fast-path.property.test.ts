/**
 * Property: ShellLex's literal fast path (a word with nothing the lexer acts on
 * is returned as it is) gives exactly what the full lexer gives, for every
 * entry point, both escape tokens and every option combination, including the
 * limits: same result, same words, same matches, same error, same budget spent.
 */
import { strict as assert } from "assert";
import fc from "fast-check";
import { AnalysisBudget, AnalysisBudgetError, LexOptions, ShellLex, envFromMap } from "../../../dockerfile/shell";

// Specials (`$`, quotes, both escape tokens, `<`), Go spaces JS disagrees on, a byte-order mark, lone and paired surrogates.
const CHARS = ["a", "Z", "/", ".", "-", ":", "=", "$", "'", '"', "\\", "`", "<", "<<", " ", "\t", "\n", "\u0085", "\u00a0", "\u3000", "\ufeff", "é", "😀", "\ud800", "{", "}"];
const wordArb = fc.array(fc.constantFrom(...CHARS), { maxLength: 12 }).map((parts) => parts.join(""));
/** Mostly words without specials, so the fast path is taken often. */
const literalishArb = fc.array(fc.constantFrom("a", "/", ".", " ", "\u00a0", "\ufeff", "é", "<", "😀", "\ud800"), { maxLength: 12 }).map((parts) => parts.join(""));
const optionsArb: fc.Arbitrary<LexOptions & { escape: string }> = fc.record({
    escape: fc.constantFrom("\\", "`"),
    rawQuotes: fc.boolean(),
    rawEscapes: fc.boolean(),
    skipProcessQuotes: fc.boolean(),
    skipUnsetEnv: fc.boolean(),
    maxExpandedLength: fc.constantFrom(3, 8, 1024),
});
const env = envFromMap({ A: "x y", E: "" });

function outcome<T>(run: () => T): { value?: T; error?: string } {
    try {
        return { value: run() };
    } catch (error) {
        return { error: `${(error as Error).name}: ${(error as Error).message}` };
    }
}

describe("ShellLex: the literal fast path is exactly the full lexer", () => {
    it("processWord, processWords and processWordWithMatches agree with the full lexer on any word", () => {
        fc.assert(
            fc.property(fc.oneof(wordArb, literalishArb), optionsArb, (word, { escape, ...options }) => {
                const lex = new ShellLex(escape, options);
                const full = outcome(() => lex.processWithoutFastPath(word, env));
                const single = outcome(() => lex.processWord(word, env));
                const split = outcome(() => lex.processWords(word, env));
                const matches = outcome(() => lex.processWordWithMatches(word, env));
                if (full.error !== undefined) {
                    // processWord and processWords walk the same text; either may fail first
                    assert.equal(single.error ?? matches.error, full.error);
                    assert.equal(matches.error, single.error);
                    return;
                }
                const expected = full.value!;
                assert.equal(single.value, expected.result);
                assert.deepEqual(split.value, expected.words);
                assert.deepEqual(matches.value, { result: expected.result, matched: expected.matched, unmatched: expected.unmatched });
            }),
            { numRuns: 3000, seed: 20261123 },
        );
    });

    it("pays the analysis budget exactly as the full lexer does", () => {
        fc.assert(
            fc.property(literalishArb, fc.nat({ max: 30 }), (word, allowed) => {
                const fast = new ShellLex("\\", { budget: new AnalysisBudget({ maxExpandedCharacters: allowed }) });
                const slow = new ShellLex("\\", { budget: new AnalysisBudget({ maxExpandedCharacters: allowed }) });
                const fastRun = outcome(() => [fast.processWord(word, env), fast.processWord(word, env)]);
                // `${E}` is empty: it sends the word through the full lexer without adding a character
                const slowRun = outcome(() => [slow.processWord(word + "${E}", env), slow.processWord(word + "${E}", env)]);
                assert.deepEqual(fastRun, slowRun);
                assert.equal(fast.budget!.remainingCharacters, slow.budget!.remainingCharacters);
            }),
            { numRuns: 1000, seed: 7 },
        );
    });

    it("takes the fast path for plain words (the budget sees them, the environment is never read)", () => {
        const budget = new AnalysisBudget({ maxExpandedCharacters: 20 });
        const lex = new ShellLex("\\", { budget });
        const untouchable = { get: (): never => assert.fail("read the environment"), keys: (): never => assert.fail("listed the environment") };
        assert.equal(lex.processWord("/usr/local/bin", untouchable), "/usr/local/bin");
        assert.deepEqual(lex.processWords("a b\u00a0c", untouchable), ["a", "b", "c"]);
        assert.equal(budget.remainingCharacters, 20 - 14 - 5);
        assert.throws(() => lex.processWord("x".repeat(2), untouchable), AnalysisBudgetError);
    });
});
