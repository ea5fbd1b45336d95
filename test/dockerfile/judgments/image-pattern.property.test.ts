/**
 * The image-pattern matcher (brace expansion into a trie of literal parts,
 * wildcards tried only where the subject's path reaches them) agrees with a
 * plain regular expression built from the same pattern, on random patterns
 * whose braces may hold separators and whose alternatives share prefixes.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { lookupBaseImage, matchesImagePattern } from "../../../dockerfile/base-images";
import type { ImageReference } from "../../../dockerfile/types";

const PATTERN_TOKENS = ["a", "b", "ab", "*", "/", "{a,b}", "{a*,b/a}", "{,a}", "{a{b,/},*b}"];
const SUBJECT_TOKENS = ["a", "b", "/"];

/** The oracle: `*` is any run within one component, `{x,y}` alternation; everything else literal. */
function oracle(pattern: string): RegExp {
    let source = "";
    for (const c of pattern) {
        if (c === "*") source += "[^/:@]*";
        else if (c === "{") source += "(?:";
        else if (c === "}") source += ")";
        else if (c === ",") source += "|";
        else source += c.replace(/[.\\/+?^$()[\]|]/g, "\\$&");
    }
    return new RegExp(`^${source}$`);
}

function reference(repository: string, tag = "1"): ImageReference {
    return { original: `r.io/${repository}:${tag}`, registry: "r.io", repository, tag, normalized: `r.io/${repository}:${tag}` };
}

describe("image patterns: indexed matcher agrees with a regexp oracle (fast-check)", () => {
    it("random patterns with wildcards and braces that hold separators", () => {
        const patternArb = fc.array(fc.constantFrom(...PATTERN_TOKENS), { minLength: 1, maxLength: 6 }).map((t) => "r.io/" + t.join(""));
        const subjectArb = fc.array(fc.constantFrom(...SUBJECT_TOKENS), { minLength: 1, maxLength: 8 }).map((t) => t.join(""));
        fc.assert(
            fc.property(patternArb, subjectArb, (pattern, repository) => {
                const expected = oracle(pattern).test(`r.io/${repository}`);
                assert.equal(matchesImagePattern(pattern, reference(repository)), expected, `${pattern} vs r.io/${repository}`);
            }),
            { numRuns: 3000 },
        );
    });

    it("lookupBaseImage returns the first matching fact, extra facts before the built-in data", () => {
        const extra = [{ match: "r.io/{a,b}/x*:1" }, { match: "r.io/a/*:{1,2}" }, { match: "gcr.io/distroless/static:nonroot", user: "1" }];
        assert.equal(lookupBaseImage(reference("a/xy"), extra), extra[0]);
        assert.equal(lookupBaseImage(reference("a/yy"), extra), extra[1]);
        assert.equal(lookupBaseImage(reference("a/yy", "3"), extra), undefined);
        const distroless = { original: "", registry: "gcr.io", repository: "distroless/static", tag: "nonroot", normalized: "" };
        assert.equal(lookupBaseImage(distroless, extra), extra[2]);
        assert.equal(lookupBaseImage(distroless)?.user, "65532", "without the override the built-in fact decides");
    });
});
