/**
 * Analyzer throughput over the whole shared corpus: analyzeDockerfile +
 * judgeImage per file (full semantics: parse, instructions, expansion, stage
 * dispatch, base-image knowledge, the four judgments), side by side in the
 * same process with dockerfile-ast's parse-only DockerfileParser.parse.
 * Goal: at least 3x dockerfile-ast.
 */
import * as fs from "fs";
import * as path from "path";
import { analyzeDockerfile, judgeImage } from "../dockerfile/index";

const WARMUP_ROUNDS = 3;
const ROUNDS = 10;

interface Measure {
    name: string;
    /** Median seconds for one pass over the corpus. */
    seconds: number;
}

function corpusDir(): string {
    // bench/ (ts-node) and dist/bench/ (compiled) sit at different depths: walk up to the repo.
    for (let dir = __dirname; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
        const candidate = path.join(dir, "..", "shared", "corpus", "files");
        if (fs.existsSync(path.join(dir, "package.json")) && fs.existsSync(candidate)) return candidate;
    }
    throw new Error(`shared corpus not found above ${__dirname} (expected <repo>/../shared/corpus/files)`);
}

function measure(name: string, texts: string[], pass: (text: string) => unknown): Measure {
    let sink = 0;
    for (let r = 0; r < WARMUP_ROUNDS; r++) for (const text of texts) sink += pass(text) ? 1 : 0;
    const times: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
        const start = process.hrtime.bigint();
        for (const text of texts) sink += pass(text) ? 1 : 0;
        times.push(Number(process.hrtime.bigint() - start) / 1e9);
    }
    if (sink < 0) console.log(sink); // keeps the work observable
    times.sort((a, b) => a - b);
    return { name, seconds: times[Math.floor(times.length / 2)] };
}

export async function run(): Promise<void> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { DockerfileParser } = require("dockerfile-ast") as typeof import("dockerfile-ast");
    const dir = corpusDir();
    const texts = fs.readdirSync(dir).sort().map((name) => fs.readFileSync(path.join(dir, name), "utf8"));
    const bytes = texts.reduce((sum, t) => sum + Buffer.byteLength(t), 0);
    const mebibytes = bytes / (1024 * 1024);
    console.log(`corpus: ${texts.length} files, ${(bytes / 1024).toFixed(1)} KiB; ${WARMUP_ROUNDS} warm-up + ${ROUNDS} measured rounds each, median shown`);

    // Alternate the two so neither benefits from running second.
    const ours: Measure[] = [];
    const theirs: Measure[] = [];
    for (let i = 0; i < 2; i++) {
        ours.push(
            measure("shipshape analyzeDockerfile + judgeImage", texts, (text) => {
                const facts = analyzeDockerfile(text, { platforms: ["linux/amd64"] });
                return judgeImage(facts).violations.length;
            }),
        );
        theirs.push(measure("dockerfile-ast DockerfileParser.parse (parse only)", texts, (text) => DockerfileParser.parse(text).getInstructions().length));
    }
    const best = (ms: Measure[]) => ms.reduce((a, b) => (a.seconds <= b.seconds ? a : b));
    const rows = [best(ours), best(theirs)];
    for (const m of rows) {
        const mibs = mebibytes / m.seconds;
        const fps = texts.length / m.seconds;
        console.log(`${m.name.padEnd(52)} ${(m.seconds * 1000).toFixed(1).padStart(8)} ms/pass  ${mibs.toFixed(2).padStart(7)} MiB/s  ${fps.toFixed(0).padStart(7)} files/s`);
    }
    const ratio = rows[1].seconds / rows[0].seconds;
    console.log(`ratio (shipshape full semantics / dockerfile-ast parse-only throughput): ${ratio.toFixed(2)}x (goal >= 3x) ${ratio >= 3 ? "OK" : "BELOW GOAL"}`);
}

if (require.main === module) {
    run().catch((err) => {
        console.error(err);
        process.exit(1);
    });
}
