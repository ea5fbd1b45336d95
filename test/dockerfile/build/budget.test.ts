/**
 * The analysis budget: hostile files under the input cap whose every word is
 * within the per-word caps, but whose words together would keep the analyzer
 * busy for minutes. Each must stop with "analysis budget exceeded" at a line,
 * and every judgment must fail closed on it. Behaviour, not wall time, is asserted.
 */
import assert from "node:assert/strict";
import { analyzeDockerfile } from "../../../dockerfile/analyze";
import { judgeImage } from "../../../dockerfile/judgments";
import { AnalysisBudget, DEFAULT_ANALYSIS_EXPANDED_CHARACTERS, DEFAULT_ANALYSIS_PATTERN_STEPS } from "../../../dockerfile/shell";
import type { AnalyzeOptions, ImageFacts } from "../../../dockerfile/types";

/** `A` doubled to 16 * 2^15 = 512 KiB (under the 1 MiB word cap), then `line` `count` times. */
function doubledThen(line: string, count: number): { text: string; firstHostileLine: number } {
    const lines = ["FROM alpine", "ENV A=xxxxxxxxxxxxxxxx"];
    for (let i = 0; i < 15; i++) lines.push("ENV A=$A$A");
    const firstHostileLine = lines.length + 1;
    for (let i = 0; i < count; i++) lines.push(line);
    return { text: lines.join("\n") + "\n", firstHostileLine };
}

function budgetError(facts: ImageFacts): { message: string; line: number } {
    assert.equal(facts.errors.length, 1, JSON.stringify(facts.errors));
    const [error] = facts.errors;
    assert.match(error.message, /^analysis budget exceeded: /);
    assert.ok(error.line !== undefined, "the error names a line");
    const { violations } = judgeImage(facts);
    assert.equal(violations.length, 4, "every judgment fails closed");
    for (const v of violations) assert.ok(v.message.includes(`hostile:${error.line}`) && v.message.includes("analysis budget exceeded"), v.message);
    return { message: error.message, line: error.line };
}

const HALF_MIB = 512 * 1024;

describe("analysis budget: the whole analysis is bounded, not just each word", () => {
    it("the defaults are 64 MiB of expansion and 256 million pattern steps", () => {
        const budget = new AnalysisBudget();
        assert.equal(budget.maxExpandedCharacters, DEFAULT_ANALYSIS_EXPANDED_CHARACTERS);
        assert.equal(DEFAULT_ANALYSIS_EXPANDED_CHARACTERS, 64 * 1024 * 1024);
        assert.equal(budget.maxPatternSteps, DEFAULT_ANALYSIS_PATTERN_STEPS);
    });

    for (const [line, kind] of [
        ["ENV B=${A#x}", "characters"],
        ["LABEL b$A=1", "characters"],
        ["ENV B=${A//y/z}", "characters"],
        ["EXPOSE ${U:+$A$A}", "characters"],
        ["ENV B=${A%%*x}", "steps"],
    ] as const) {
        it(`thousands of \`${line}\` stop at the line that runs out (${kind})`, () => {
            const { text, firstHostileLine } = doubledThen(line, 3000);
            assert.ok(Buffer.byteLength(text) < 1024 * 1024);
            const { message, line: at } = budgetError(analyzeDockerfile(text, { file: "hostile" }));
            assert.match(message, kind === "characters" ? /more than 67108864 characters in total/ : /more than 256000000 steps in total/);
            // the doublings themselves fit; the budget runs out after some hostile lines, not on the last one
            assert.ok(at > firstHostileLine && at < firstHostileLine + 3000, `line ${at}`);
        });
    }

    it("runs out exactly where the configured characters are spent", () => {
        // before: `alpine` (6), `A` and 16 x (17), then each doubling its key and twice the old value
        const doublings = 6 + 17 + Array.from({ length: 15 }, (_, i) => 1 + 16 * 2 ** (i + 1)).reduce((a, b) => a + b, 0);
        // each `ENV B=$A` line: the key `B` and 512 KiB
        const perLine = 1 + HALF_MIB;
        const options: AnalyzeOptions = { file: "hostile", budget: { maxExpandedCharacters: doublings + 10 * perLine } };
        const { text, firstHostileLine } = doubledThen("ENV B=$A", 20);
        const { line } = budgetError(analyzeDockerfile(text, options));
        assert.equal(line, firstHostileLine + 10);
        // one character more and the 11th line fits as well
        const roomier = analyzeDockerfile(text, { ...options, budget: { maxExpandedCharacters: doublings + 11 * perLine } });
        assert.equal(budgetError(roomier).line, firstHostileLine + 11);
    });

    it("pattern steps are counted across words, and a small step budget stops a cheap-looking file", () => {
        const { text, firstHostileLine } = doubledThen("ENV B=${A#x}", 5);
        const facts = analyzeDockerfile(text, { file: "hostile", budget: { maxPatternSteps: 2 * HALF_MIB + HALF_MIB / 2 } });
        const { message, line } = budgetError(facts);
        assert.match(message, /pattern matching took more than \d+ steps in total \(budget\.maxPatternSteps\), the last one for pattern \(x\)/);
        assert.equal(line, firstHostileLine + 2);
    });

    it("the budget covers FROM and meta ARGs (global scope) too", () => {
        const lines = ["ARG A=xxxxxxxxxxxxxxxx"];
        for (let i = 0; i < 15; i++) lines.push("ARG A=$A$A");
        for (let i = 0; i < 300; i++) lines.push("ARG B=${A#x}");
        lines.push("FROM alpine");
        const { line } = budgetError(analyzeDockerfile(lines.join("\n") + "\n", { file: "hostile" }));
        assert.ok(line > 16 && line <= 316, `line ${line}`);
    });

    it("ONBUILD trigger fan-out (each trigger re-run for every child stage) is bounded by dispatch steps", () => {
        const lines = ["FROM alpine AS p"];
        for (let i = 0; i < 2000; i++) lines.push("ONBUILD ENV A=1");
        const firstChild = lines.length + 1;
        for (let i = 0; i < 2000; i++) lines.push(`FROM p AS c${i}`);
        lines.push("FROM alpine");
        for (let i = 0; i < 2000; i++) lines.push(`COPY --from=c${i} a b`);
        const { message, line } = budgetError(analyzeDockerfile(lines.join("\n") + "\n", { file: "hostile" }));
        assert.match(message, /dispatch took more than 1000000 steps in total \(budget\.maxDispatchSteps\), the last one running ONBUILD triggers of "p"/);
        // the error is at the FROM of the child stage whose triggers ran out
        assert.ok(line >= firstChild && line < firstChild + 2000, `line ${line}`);
    });

    it("ONBUILD triggers that reveal one new stage per round are bounded by dispatch steps", () => {
        const lines: string[] = [];
        const stages = 2000;
        for (let i = 0; i < stages; i++) lines.push(`FROM alpine AS p${i}`, `ONBUILD COPY --from=s${i + 1} a b`, `FROM p${i} AS s${i}`);
        lines.push(`FROM alpine AS s${stages}`, "FROM alpine", "COPY --from=s0 a b");
        const { message, line } = budgetError(analyzeDockerfile(lines.join("\n") + "\n", { file: "hostile" }));
        assert.match(message, /the last one resolving stages/);
        // blamed on the FROM of a stage whose triggers started another round
        assert.match(lines[line - 1], /^FROM p\d+ AS s\d+$/);
    });

    it("a long chain of stages over a large environment is bounded by dispatch steps", () => {
        const lines = ["FROM alpine AS s0"];
        for (let i = 0; i < 3000; i++) lines.push(`ENV K${i}=1`);
        for (let i = 1; i < 1000; i++) lines.push(`FROM s${i - 1} AS s${i}`);
        const { message, line } = budgetError(analyzeDockerfile(lines.join("\n") + "\n", { file: "hostile" }));
        const copied = /copying the state of stage "s(\d+)"/.exec(message);
        assert.ok(copied !== null, message);
        // blamed on the FROM of the stage that copies its parent's state; ~6000 entries a copy (build and image env), so the 166th or so runs out
        assert.equal(lines[line - 1], `FROM s${copied[1]} AS s${Number(copied[1]) + 1}`);
        assert.ok(Number(copied[1]) > 150 && Number(copied[1]) < 170, copied[1]);
        // the same chain over a small environment is fine
        const small = ["FROM alpine AS s0", "ENV K=1", ...lines.slice(3001)];
        assert.deepEqual(analyzeDockerfile(small.join("\n") + "\n").errors, []);
    });

    it("an ordinary multi-stage file is far inside the defaults and a tiny budget still refuses it cleanly", () => {
        const text = [
            "ARG BASE=alpine:3.20",
            "FROM ${BASE} AS build",
            "ARG VERSION=1.2.3",
            "ENV PATH=/app/bin:$PATH NAME=${VERSION%.*}",
            "RUN --mount=type=cache,target=/root/.cache make",
            "FROM gcr.io/distroless/static:nonroot",
            "COPY --from=build /app /app",
            "LABEL org.opencontainers.image.version=${VERSION:-dev}",
            "USER 65532",
        ].join("\n");
        const facts = analyzeDockerfile(text, { file: "ok" });
        assert.deepEqual(facts.errors, []);
        assert.equal(facts.userVerdict, "non-root");
        const starved = analyzeDockerfile(text, { file: "hostile", budget: { maxExpandedCharacters: 10 } });
        budgetError(starved);
    });

    it("an invalid budget option is an error naming the option, not an exception", () => {
        const facts = analyzeDockerfile("FROM alpine\n", { budget: { maxPatternSteps: -1 } });
        assert.equal(facts.errors.length, 1);
        assert.match(facts.errors[0].message, /budget\.maxPatternSteps must be a non-negative integer, got -1/);
    });
});
