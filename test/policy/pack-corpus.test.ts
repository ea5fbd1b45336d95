/**
 * Every Dockerfile of the shared corpus, analysed through the running pack as an
 * image resource (amd64 platform, full OCI labels): no RPC error, every diagnostic
 * from a known policy, and the pack still alive at the end.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { AnalyzeResult, PolicyPackClient } from "../../engine/policy-pack-client";
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

    it("analyses every corpus Dockerfile without an RPC error and stays alive", async () => {
        const files = manifestFiles();
        assert.equal(files.length, 596);
        assert.equal(fs.readdirSync(path.join(CORPUS, "files")).length, files.length);
        const results: AnalyzeResult[] = [];
        const failures: string[] = [];
        let next = 0;
        // A few requests in flight, as the engine issues them for parallel registrations.
        const worker = async () => {
            while (next < files.length) {
                const file = files[next++];
                try {
                    results.push(
                        await pack.analyze(
                            image({ dockerfile: { location: path.join(CORPUS, "files", file) }, platforms: ["linux/amd64"], labels: FULL_LABELS, push: false }, file.slice(0, 80)),
                        ),
                    );
                } catch (err) {
                    failures.push(`${file}: ${(err as Error).message}`);
                }
            }
        };
        await Promise.all([worker(), worker(), worker(), worker()]);
        assert.deepEqual(failures, []);
        assert.equal(results.length, files.length);
        assert.ok(pack.isAlive(), "the pack process exited");
        let diagnostics = 0;
        for (const result of results) {
            for (const d of result.diagnostics) {
                assert.ok(KNOWN.has(d.policyName), d.policyName);
                assert.ok(d.message.length > 0);
                diagnostics++;
            }
        }
        // Real-world Dockerfiles mostly run as root on full distributions: the policies must say so.
        assert.ok(results.filter((r) => r.diagnostics.some((d) => d.policyName === "image-non-root-user")).length > files.length / 2);
        assert.ok(diagnostics > files.length);
        // The pack still answers after the run.
        assert.equal((await pack.getAnalyzerInfo()).name, "shipshape");
    });
});
