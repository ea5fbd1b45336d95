/**
 * analyzeDockerfile on mutated corpus files and adversarial expansions
 * (fast-check): it never throws, every error names a line (an empty file has
 * none to name), facts with errors never carry a decided user verdict, and
 * runaway expansion stops at the lexer's cap with a located error. The
 * mutations aim at dispatch: stage names, FROM references, flags, ARG/ENV
 * chains, ONBUILD, COPY --from and the build options themselves.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { analyzeDockerfile } from "../../../dockerfile/analyze";
import type { ImageFacts } from "../../../dockerfile/types";
import { sharedPath } from "../../shared-data";

const CORPUS = sharedPath("corpus", "files");

const INSTRUCTION_LINES = [
    "FROM scratch", "FROM alpine AS Build", "FROM build", "FROM $BASE", "FROM ${BASE:-alpine}:${TAG}", "FROM --platform=$BUILDPLATFORM golang AS b",
    "FROM --platform=$TARGETPLATFORM gcr.io/distroless/static:nonroot", "FROM 0", "FROM stage-0", "ARG BASE=alpine", "ARG TAG", "ARG USER=app",
    "ARG TARGETARCH", "ARG TARGETPLATFORM", "ENV USER=$USER HOME=/home/$USER", "USER $USER", "USER 0:0", "USER ${UID:-1000}", "USER ${UID:?}",
    "LABEL a=$A b=${B:+set}", "ONBUILD USER onbuild", "ONBUILD COPY --from=build /a /b", "ONBUILD ONBUILD RUN x", "ONBUILD RUN <<EOF\nx\nEOF",
    "COPY --from=build /a /b", "COPY --from=0 /a /b", "COPY --from=$X /a /b", "COPY --from=alpine:3 /a /b", "COPY --chown=$USER a b",
    "RUN --mount=type=cache,target=/c,from=build true", "RUN --mount=type=secret true", "RUN --network=none true", "WORKDIR $HOME",
    "EXPOSE $PORT", "STOPSIGNAL $SIG", "VOLUME $V", "SHELL [\"sh\"]", "HEALTHCHECK --interval=1ns CMD true", "FOO bar",
];

const BUILD_ARGS = fc.dictionary(fc.constantFrom("BASE", "TAG", "USER", "UID", "TARGETARCH", "A", "X", "PORT"), fc.constantFrom("", "alpine", "0", "1000", "arm64", "x y", "$USER"), { maxKeys: 3 });
const PLATFORMS = fc.array(fc.constantFrom("linux/amd64", "linux/arm64", "linux/arm/v7", "windows/amd64", "bogus", "linux/*"), { maxLength: 2 });
const TARGETS = fc.option(fc.constantFrom("build", "BUILD", "b", "stage-0", "nope", ""), { nil: undefined });

function checkFacts(text: string, facts: ImageFacts): void {
    for (const error of facts.errors) {
        assert.ok(error.message.length > 0);
        assert.ok(!error.message.startsWith("internal error"), error.message);
        if (error.line === undefined) {
            // only errors about the whole file or the request have no line
            assert.match(error.message, /no stages to build|target stage|invalid (build )?platform|cannot be empty|no instructions/, `${error.message}\n---\n${text}`);
        } else {
            assert.ok(Number.isInteger(error.line) && error.line >= 1 && error.line <= text.split("\n").length + 1, `line ${error.line}`);
        }
    }
    if (facts.errors.length > 0) assert.equal(facts.userVerdict, "unknown");
    else assert.ok(facts.stages.length > 0 && facts.userReason !== "");
}

describe("dockerfile build: fuzzing the analyzer", () => {
    const corpus = fs.readdirSync(CORPUS).sort().map((f) => fs.readFileSync(path.join(CORPUS, f), "utf8"));

    const mutation = fc.oneof(
        fc.record({ kind: fc.constant("insertLine" as const), at: fc.nat(), line: fc.constantFrom(...INSTRUCTION_LINES) }),
        fc.record({ kind: fc.constant("deleteLine" as const), at: fc.nat() }),
        fc.record({ kind: fc.constant("swapLines" as const), at: fc.nat(), with: fc.nat() }),
        fc.record({ kind: fc.constant("insertText" as const), at: fc.nat(), text: fc.constantFrom("$", "${", "}", "\\", '"', " AS x", ":", "@sha256:", "--from=", "\n") }),
    );

    type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

    function mutate(text: string, mutations: Mutation[]): string {
        let out = text;
        for (const m of mutations) {
            const lines = out.split("\n");
            switch (m.kind) {
                case "insertLine":
                    lines.splice(m.at % (lines.length + 1), 0, m.line);
                    out = lines.join("\n");
                    break;
                case "deleteLine":
                    lines.splice(m.at % lines.length, 1);
                    out = lines.join("\n");
                    break;
                case "swapLines": {
                    const a = m.at % lines.length;
                    const b = m.with % lines.length;
                    [lines[a], lines[b]] = [lines[b], lines[a]];
                    out = lines.join("\n");
                    break;
                }
                case "insertText": {
                    const at = m.at % (out.length + 1);
                    out = out.slice(0, at) + m.text + out.slice(at);
                    break;
                }
            }
        }
        return out;
    }

    it("never throws on mutated corpus files and odd build requests; errors are located", () => {
        fc.assert(
            fc.property(fc.nat({ max: corpus.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 8 }), BUILD_ARGS, PLATFORMS, TARGETS, (index, mutations, buildArgs, platforms, target) => {
                const text = mutate(corpus[index], mutations);
                checkFacts(text, analyzeDockerfile(text, { file: "fuzz", buildArgs, platforms, target }));
            }),
            { numRuns: 600, seed: 3_2026_11 },
        );
    });

    it("stops runaway ARG, ENV and meta-ARG expansion at the lexer's cap with the line", () => {
        const doublings = (kw: string, first: number) =>
            [`${kw} V0=${"x".repeat(64)}`, ...Array.from({ length: 30 }, (_, i) => `${kw} V${i + 1}=$V${i}$V${i}`)].map((l, i) => ({ l, line: first + i }));
        for (const [header, kw, first] of [["", "ARG", 1], ["FROM alpine\n", "ARG", 2], ["FROM alpine\n", "ENV", 2]] as const) {
            const lines = doublings(kw, first);
            const text = header + lines.map((x) => x.l).join("\n") + (header === "" ? "\nFROM alpine\n" : "\nUSER $V30\n");
            const facts = analyzeDockerfile(text);
            assert.equal(facts.errors.length, 1, JSON.stringify(facts.errors));
            // 64 * 2^14 passes 1 MiB: the 15th doubling is the first over the cap
            assert.equal(facts.errors[0].line, first + 15, `${kw} after ${JSON.stringify(header)}: ${facts.errors[0].message}`);
        }
    });

    it("handles long stage chains and many ONBUILD triggers without blowing the stack", () => {
        const stages = ["FROM alpine AS s0", "ONBUILD LABEL depth=deep"];
        for (let i = 1; i < 2000; i++) stages.push(`FROM s${i - 1} AS s${i}`, "ONBUILD LABEL depth=deep", `LABEL n=${i}`);
        const facts = analyzeDockerfile(stages.join("\n") + "\n");
        assert.deepEqual(facts.errors, []);
        assert.equal(facts.stages.length, 2000);
        assert.equal(facts.labels.n, "1999");
    });
});
