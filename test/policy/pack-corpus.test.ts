/**
 * Every Dockerfile of the shared corpus, analysed through the running pack as an
 * image resource (amd64 platform, full OCI labels): no RPC error, no policy that
 * could not evaluate, for each file and image policy exactly the diagnostics the
 * analyzer's judgments give when called directly, and the pack still alive at the end.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { IMAGE_POLICY_NAMES } from "../../dockerfile/types";
import { AnalyzeResult, PolicyPackClient } from "../../engine/policy-pack-client";
import { checkImageInputs } from "../../policy/image-inputs";
import { FULL_LABELS, SHARED, image, startPack } from "./helpers";

const CORPUS = path.join(SHARED, "corpus");
const KNOWN = new Set(["image-non-root-user", "image-distroless-base", "image-amd64-only", "image-oci-labels", "image-registry-cache"]);

function manifestFiles(): string[] {
    const lines = fs.readFileSync(path.join(CORPUS, "MANIFEST.tsv"), "utf8").split("\n").filter((l) => l.trim() !== "");
    const header = lines[0].split("\t");
    const column = header.indexOf("file");
    assert.ok(column >= 0, "MANIFEST.tsv has a file column");
    return lines.slice(1).map((l) => l.split("\t")[column]);
}

describe("policy pack over the corpus", function () {
    this.timeout(300000);
    let pack: PolicyPackClient;
    before(async () => {
        pack = await startPack();
        await pack.configure();
    });
    after(async () => pack?.close());

    it("analyses every corpus Dockerfile without an RPC error, reporting exactly the judgments' findings, and stays alive", async () => {
        const files = manifestFiles();
        assert.equal(files.length, 596);
        assert.equal(fs.readdirSync(path.join(CORPUS, "files")).length, files.length);
        const inputsOf = (file: string) => ({ dockerfile: { location: path.join(CORPUS, "files", file) }, platforms: ["linux/amd64"], labels: FULL_LABELS, push: false });
        const results = new Map<string, AnalyzeResult>();
        const failures: string[] = [];
        let next = 0;
        // A few requests in flight, as the engine issues them for parallel registrations.
        const worker = async () => {
            while (next < files.length) {
                const file = files[next++];
                try {
                    results.set(file, await pack.analyze(image(inputsOf(file), file.slice(0, 80))));
                } catch (err) {
                    failures.push(`${file}: ${(err as Error).message}`);
                }
            }
        };
        await Promise.all([worker(), worker(), worker(), worker()]);
        assert.deepEqual(failures, []);
        assert.equal(results.size, files.length);
        assert.ok(pack.isAlive(), "the pack process exited");

        const perPolicy = new Map<string, number>();
        const mismatches: string[] = [];
        for (const [file, result] of results) {
            for (const d of result.diagnostics) {
                assert.ok(KNOWN.has(d.policyName), d.policyName);
                assert.ok(d.message.length > 0);
                assert.doesNotMatch(d.message, /could not evaluate this resource|invalid policy config/, `${file}: ${d.message}`);
                perPolicy.set(d.policyName, (perPolicy.get(d.policyName) ?? 0) + 1);
            }
            // The pack reports what the analyzer's judgments say for the same inputs (schema defaults = judgment defaults).
            const direct = checkImageInputs(inputsOf(file), {});
            for (const policy of IMAGE_POLICY_NAMES) {
                const expected = direct.violations.filter((v) => v.policy === policy).length + direct.exemptions.filter((e) => e.policy === policy).length;
                const got = result.diagnostics.filter((d) => d.policyName === policy).length;
                if (got !== expected) mismatches.push(`${file} ${policy}: pack ${got}, judgments ${expected}`);
            }
            // Not pushed: the registry-cache policy has nothing to check.
            assert.deepEqual(result.diagnostics.filter((d) => d.policyName === "image-registry-cache"), [], file);
        }
        assert.deepEqual(mismatches, []);
        // Real-world Dockerfiles mostly run as root on full distributions: the policies must say so.
        assert.ok([...results.values()].filter((r) => r.diagnostics.some((d) => d.policyName === "image-non-root-user")).length > files.length / 2);
        assert.ok((perPolicy.get("image-distroless-base") ?? 0) > files.length / 2, JSON.stringify([...perPolicy]));
        // The pack still answers after the run.
        assert.equal((await pack.getAnalyzerInfo()).name, "shipshape");
    });
});
