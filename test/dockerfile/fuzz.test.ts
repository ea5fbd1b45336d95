import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { analyzeDockerfile, judgeImage } from "../../dockerfile/index";
import type { AnalyzeOptions, ImageFacts } from "../../dockerfile/index";
import { sharedPath } from "../shared-data";

const FILES = sharedPath("corpus", "files");
const CORPUS = fs.readdirSync(FILES).sort().map((name) => fs.readFileSync(path.join(FILES, name), "utf8"));
const ONE_MIB = 1024 * 1024;

/** Fragments that stress the lexers: substitutions, escapes, heredocs, quotes, directives, odd bytes. */
const TOKENS = [
    "${", "}", "$", "\\", "\\\n", "`", "\"", "'", "<<EOF\n", "<<-\"END\"\nx\n\tEND\n", "<<EOF <<'B'\n", "EOF\n",
    "# escape=`\n", "# syntax=x\n", "\r\n", "\uFEFF", "\u0000", "\t", "${A:-${B:+x}}", "${A/#x/y}", "${A%%*}", "${A?boom}",
    "${A:?}", "${#A}", "[\"a\",", "ONBUILD ", "ONBUILD ONBUILD ", "FROM ", "FROM scratch\n", "--platform=$BUILDPLATFORM ",
    "--from=0 ", "AS x\n", "USER ", "ARG A=$A$A$A$A\n", "LABEL a=\"b\" c=", "\n#", "{{", "é", "🐳",
];

type Mutation =
    | { kind: "flip"; at: number; char: number }
    | { kind: "inject"; at: number; token: number }
    | { kind: "delete"; at: number; length: number }
    | { kind: "swapLines"; a: number; b: number }
    | { kind: "duplicateLine"; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), char: fc.integer({ min: 0, max: 0x2fff }) }),
    fc.record({ kind: fc.constant("inject" as const), at: fc.nat(), token: fc.nat({ max: TOKENS.length - 1 }) }),
    fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
    fc.record({ kind: fc.constant("swapLines" as const), a: fc.nat(), b: fc.nat() }),
    fc.record({ kind: fc.constant("duplicateLine" as const), at: fc.nat() }),
);

function mutate(text: string, mutations: Mutation[]): string {
    for (const m of mutations) {
        const at = text.length === 0 ? 0 : ("at" in m ? m.at % (text.length + 1) : 0);
        switch (m.kind) {
            case "flip":
                text = text.slice(0, at) + String.fromCharCode(m.char) + text.slice(at + 1);
                break;
            case "inject":
                text = text.slice(0, at) + TOKENS[m.token] + text.slice(at);
                break;
            case "delete":
                text = text.slice(0, at) + text.slice(at + m.length);
                break;
            case "swapLines": {
                const lines = text.split("\n");
                const a = m.a % lines.length;
                const b = m.b % lines.length;
                [lines[a], lines[b]] = [lines[b], lines[a]];
                text = lines.join("\n");
                break;
            }
            case "duplicateLine": {
                const lines = text.split("\n");
                const i = m.at % lines.length;
                lines.splice(i, 0, lines[i]);
                text = lines.join("\n");
                break;
            }
        }
    }
    return text;
}

const analyzeOptions: fc.Arbitrary<AnalyzeOptions> = fc.record(
    {
        target: fc.constantFrom("builder", "build", "0", "final", "NOPE", "base"),
        platforms: fc.array(fc.constantFrom("linux/amd64", "linux/arm64", "amd64", "windows/amd64", "bogus!", "linux/arm/v7"), { maxLength: 3 }),
        buildArgs: fc.dictionary(fc.constantFrom("A", "B", "VERSION", "BASE", "TARGETPLATFORM", "BUILDPLATFORM"), fc.string({ maxLength: 20 })),
        labels: fc.dictionary(fc.constantFrom("org.opencontainers.image.title", "dev.shipshape.image.role"), fc.constantFrom("x", "", "builder")),
    },
    { requiredKeys: [] },
);

/** What must hold for any input: no throw, no internal error, located errors, fail-closed judgments. */
function checkInvariants(text: string, options: AnalyzeOptions): ImageFacts {
    const facts = analyzeDockerfile(text, { file: "fuzzed", ...options });
    const lineCount = text.split(/\r\n|\r|\n/).length;
    for (const error of facts.errors) {
        assert.equal(typeof error.message, "string");
        assert.ok(error.message.length > 0);
        // analyzeDockerfile turns an unexpected exception into "internal error": that is a bug, not a verdict.
        assert.doesNotMatch(error.message, /^internal error/, error.message);
        if (error.line !== undefined) assert.ok(Number.isInteger(error.line) && error.line >= 0 && error.line <= lineCount + 1, `line ${error.line} of ${lineCount}`);
    }
    const { violations } = judgeImage(facts);
    if (facts.errors.length > 0) assert.equal(violations.length, 4);
    if (facts.user !== undefined) assert.ok(facts.user.length <= ONE_MIB);
    for (const value of Object.values(facts.labels)) assert.ok(value.length <= ONE_MIB);
    return facts;
}

describe("fuzz: mutated corpus files", function () {
    this.timeout(300_000);

    it("never throw, never hit an internal error, and judgments fail closed on errors", () => {
        fc.assert(
            fc.property(fc.nat({ max: CORPUS.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 8 }), analyzeOptions, (index, mutations, options) => {
                checkInvariants(mutate(CORPUS[index], mutations), options);
            }),
            { numRuns: 1000 },
        );
    });

    it("line shuffles of whole files", () => {
        fc.assert(
            fc.property(fc.nat({ max: CORPUS.length - 1 }), fc.array(fc.nat(), { minLength: 1, maxLength: 200 }), (index, order) => {
                const lines = CORPUS[index].split("\n");
                const shuffled = order.map((i) => lines[i % lines.length]);
                checkInvariants(shuffled.join("\n"), { platforms: ["linux/amd64"] });
            }),
            { numRuns: 200 },
        );
    });

    it("exponential ARG/ENV expansions end in a length error, never an oversized value", () => {
        fc.assert(
            fc.property(
                fc.integer({ min: 2, max: 6 }),
                fc.integer({ min: 5, max: 40 }),
                fc.constantFrom("ARG", "ENV"),
                fc.constantFrom("USER ", "LABEL l=", "ENV Z=", "WORKDIR /"),
                fc.boolean(),
                (fanOut, depth, kind, sink, global) => {
                    const chain = [`${kind} A0=xxxxxxxx`];
                    for (let i = 1; i <= depth; i++) chain.push(`${kind} A${i}=${`$A${i - 1}`.repeat(fanOut)}`);
                    const text = global && kind === "ARG"
                        ? `${chain.join("\n")}\nFROM alpine:$A${depth}\n`
                        : `FROM alpine\n${chain.join("\n")}\n${sink}$A${depth}\n`;
                    const facts = checkInvariants(text, {});
                    const finalLength = 8 * fanOut ** depth;
                    if (finalLength > ONE_MIB) {
                        assert.equal(facts.errors.length, 1);
                        assert.match(facts.errors[0].message, /exceeds the maximum length of 1048576/);
                        assert.ok(facts.errors[0].line !== undefined);
                    }
                },
            ),
            { numRuns: 60 },
        );
    });
});

describe("fuzz: the analysis budget", function () {
    this.timeout(300_000);
    const HOSTILE_LINES = [
        "ENV B=${A%%*x}", "ENV B=${A#x}", "LABEL b$A=1", "ENV B=${A//x/y}", "USER ${A%x}", "EXPOSE ${U:+$A}",
        "WORKDIR /${A##x*}", "ARG C=${A/x/}", "ENV B=$A", "COPY --chown=${A%%?} a b", "ONBUILD LABEL x=$A",
    ];

    it("mixes of expensive lines after a 512 KiB variable end in success or a located budget error", () => {
        fc.assert(
            fc.property(
                fc.array(fc.constantFrom(...HOSTILE_LINES), { minLength: 1, maxLength: 6 }),
                fc.integer({ min: 1, max: 400 }),
                fc.option(fc.record({ maxExpandedCharacters: fc.integer({ min: 0, max: 64 * ONE_MIB }), maxPatternSteps: fc.integer({ min: 0, max: 300_000_000 }) }, { requiredKeys: [] }), { nil: undefined }),
                (pattern, repeat, budget) => {
                    const lines = ["FROM alpine", "ENV A=xxxxxxxxxxxxxxxx"];
                    for (let i = 0; i < 15; i++) lines.push("ENV A=$A$A");
                    for (let i = 0; i < repeat; i++) lines.push(pattern[i % pattern.length]);
                    const facts = checkInvariants(lines.join("\n") + "\n", budget === undefined ? {} : { budget });
                    for (const error of facts.errors) {
                        assert.match(error.message, /^analysis budget exceeded: /);
                        assert.ok(error.line !== undefined && error.line >= 1, `line ${error.line}`);
                    }
                },
            ),
            { numRuns: 25, seed: 2026 },
        );
    });

    it("mutated corpus files under a random small budget: fine, or a located budget error", () => {
        fc.assert(
            fc.property(
                fc.nat({ max: CORPUS.length - 1 }),
                fc.array(mutation, { maxLength: 4 }),
                fc.record({ maxExpandedCharacters: fc.nat({ max: 4000 }), maxPatternSteps: fc.nat({ max: 200 }), maxDispatchSteps: fc.nat({ max: 40 }) }),
                (index, mutations, budget) => {
                    const facts = checkInvariants(mutate(CORPUS[index], mutations), { budget });
                    const budgetErrors = facts.errors.filter((e) => /^analysis budget exceeded/.test(e.message));
                    for (const error of budgetErrors) assert.ok(error.line !== undefined, error.message);
                },
            ),
            { numRuns: 400 },
        );
    });
});

describe("limits: caps trigger with a clear, located error", () => {
    it("a Dockerfile over 1 MiB is refused, naming the limit and a line", () => {
        const text = "FROM alpine\n" + "RUN echo x\n".repeat(100_000);
        const facts = analyzeDockerfile(text, { file: "big" });
        assert.equal(facts.errors.length, 1);
        assert.match(facts.errors[0].message, /over the limit of 1048576 bytes/);
        assert.ok((facts.errors[0].line ?? 0) > 1);
        assert.equal(judgeImage(facts).violations.length, 4);
    });

    it("multi-byte characters count as bytes", () => {
        const text = "FROM alpine\nLABEL a=\"" + "é".repeat(600_000) + "\"\n";
        assert.ok(text.length < ONE_MIB && Buffer.byteLength(text) > ONE_MIB);
        assert.match(analyzeDockerfile(text).errors[0]?.message ?? "", /over the limit/);
    });

    it("an expansion past 1 MiB is refused at its line", () => {
        const lines = ["FROM alpine", "ENV A=xxxxxxxxxxxxxxxx"];
        // 16 * 2^15 = 512 KiB: still allowed; the LABEL triples it past the cap.
        for (let i = 0; i < 15; i++) lines.push("ENV A=$A$A");
        lines.push("LABEL big=$A$A$A");
        const facts = analyzeDockerfile(lines.join("\n") + "\n");
        assert.equal(facts.errors.length, 1);
        assert.match(facts.errors[0].message, /expanded word exceeds the maximum length of 1048576 characters/);
        assert.equal(facts.errors[0].line, lines.length);
    });

    it("deeply nested substitutions are refused, not a stack overflow", () => {
        const depth = 20_000;
        const text = "FROM alpine\nLABEL a=" + "${A:-".repeat(depth) + "x" + "}".repeat(depth) + "\n";
        const facts = analyzeDockerfile(text);
        assert.equal(facts.errors.length, 1);
        assert.doesNotMatch(facts.errors[0].message, /internal error|call stack/i);
        assert.equal(facts.errors[0].line, 2);
    });

    it("an unterminated heredoc is an error at its instruction", () => {
        const facts = analyzeDockerfile("FROM alpine\nRUN <<A <<B\nbody\nA\n");
        assert.match(facts.errors[0]?.message ?? "", /unterminated heredoc/);
        assert.equal(facts.errors[0]?.line, 2);
    });
});
