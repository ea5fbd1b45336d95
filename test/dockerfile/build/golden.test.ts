/**
 * Golden cases for instructions + dispatch + analyzeDockerfile: one directory
 * per case under cases/, with the Dockerfile, the build options and the facts
 * expected, each traced (field `trace`) to the BuildKit code or docs it follows.
 * Only the fields listed in `expect` are compared; a case that lists no
 * `errors` must analyse without any.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { analyzeDockerfile } from "../../../dockerfile/analyze";
import type { AnalyzeOptions, ImageFacts } from "../../../dockerfile/types";

interface ExpectedError {
    line?: number;
    /** A substring of the message. */
    message?: string;
}

interface GoldenCase {
    trace: string;
    options?: AnalyzeOptions;
    expect: {
        target?: string;
        base?: string;
        stages?: ImageFacts["stages"];
        user?: string;
        userVerdict?: ImageFacts["userVerdict"];
        userLine?: number;
        /** A substring of the reason given for the verdict. */
        userReason?: string;
        platform?: string;
        platforms?: string[];
        labels?: Record<string, string>;
        labelLines?: Record<string, number>;
        errors?: ExpectedError[];
    };
}

const casesDir = path.join(__dirname, "cases");
const caseNames = fs.readdirSync(casesDir).filter((n) => fs.statSync(path.join(casesDir, n)).isDirectory()).sort();

describe("dockerfile build: golden cases", () => {
    it("has cases to run", () => assert.ok(caseNames.length >= 60, `only ${caseNames.length} cases found`));

    for (const name of caseNames) {
        const dir = path.join(casesDir, name);
        const golden = JSON.parse(fs.readFileSync(path.join(dir, "expected.json"), "utf8")) as GoldenCase;
        it(`${name} (${golden.trace})`, () => {
            assert.ok(golden.trace.length > 0, "every case names the BuildKit code or doc it follows");
            const text = fs.readFileSync(path.join(dir, "Dockerfile"), "utf8");
            const facts = analyzeDockerfile(text, { file: `${name}/Dockerfile`, ...golden.options });
            const expect = golden.expect;

            if (expect.errors === undefined) {
                assert.deepEqual(facts.errors, [], "no errors expected");
            } else {
                assert.equal(facts.errors.length, expect.errors.length, `errors: ${JSON.stringify(facts.errors)}`);
                expect.errors.forEach((want, i) => {
                    const got = facts.errors[i];
                    if (want.line !== undefined) assert.equal(got.line, want.line, `line of ${JSON.stringify(got)}`);
                    if (want.message !== undefined) assert.ok(got.message.includes(want.message), `message ${JSON.stringify(got.message)} lacks ${JSON.stringify(want.message)}`);
                });
                // facts of a file that cannot be built are incomplete: the verdict must not look decided
                assert.equal(facts.userVerdict, "unknown");
            }
            if (expect.target !== undefined) assert.equal(facts.target, expect.target);
            if (expect.base !== undefined) {
                const base = facts.base === "scratch" ? "scratch" : facts.base?.normalized;
                assert.equal(base, expect.base);
            }
            if (expect.stages !== undefined) assert.deepEqual(facts.stages, expect.stages);
            if ("user" in expect) assert.equal(facts.user, expect.user);
            if (expect.userVerdict !== undefined) assert.equal(facts.userVerdict, expect.userVerdict, facts.userReason);
            if (expect.userLine !== undefined) assert.equal(facts.userLine, expect.userLine);
            if (expect.userReason !== undefined) assert.ok(facts.userReason.includes(expect.userReason), facts.userReason);
            if (expect.platform !== undefined) assert.equal(facts.platform, expect.platform);
            if (expect.platforms !== undefined) assert.deepEqual(facts.platforms, expect.platforms);
            if (expect.labels !== undefined) assert.deepEqual(facts.labels, expect.labels);
            if (expect.labelLines !== undefined) {
                for (const [key, line] of Object.entries(expect.labelLines)) assert.equal(facts.labelLines[key], line, `line of label ${key}`);
            }
        });
    }
});
