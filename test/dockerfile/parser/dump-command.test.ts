/**
 * `shipshape dump DOCKERFILE`, run in-process through the CLI's `main`: prints
 * BuildKit's dump (the conformance `result` file byte for byte), and exits 2
 * with `file:line: message` on stderr for a file BuildKit rejects or that
 * cannot be read.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runCli as run } from "../../cli/in-process";
import { sharedPath } from "../../shared-data";

const PARSER_DATA = sharedPath("conformance", "buildkit", "parser");

describe("shipshape dump", () => {
    let tmp: string;
    before(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-dump-"));
    });
    after(() => {
        fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("prints the dump of a Dockerfile exactly as BuildKit's result file", async () => {
        const dir = path.join(PARSER_DATA, "testfiles", "lk4d4-the-edge-case-generator");
        const { code, stdout, stderr } = await run(["dump", path.join(dir, "Dockerfile")]);
        assert.strictEqual(stderr, "");
        assert.strictEqual(code, 0);
        assert.strictEqual(stdout, fs.readFileSync(path.join(dir, "result"), "utf8"));
    });

    it("exits 2 naming file and line for a file BuildKit rejects", async () => {
        const file = path.join(PARSER_DATA, "testfiles-negative", "env_no_value", "Dockerfile");
        const { code, stdout, stderr } = await run(["dump", file]);
        assert.strictEqual(code, 2);
        assert.strictEqual(stdout, "");
        assert.strictEqual(stderr, `${file}:3: ENV must have two arguments\n`);
    });

    it("exits 2 for an unterminated heredoc, naming the instruction's line", async () => {
        const file = path.join(tmp, "Dockerfile.heredoc");
        fs.writeFileSync(file, "FROM alpine\nRUN <<EOF\necho hi\n");
        const { code, stderr } = await run(["dump", file]);
        assert.strictEqual(code, 2);
        assert.strictEqual(stderr, `${file}:2: unterminated heredoc "EOF"\n`);
    });

    it("exits 2 for a file that cannot be read, and for an empty one", async () => {
        const missing = path.join(tmp, "missing", "Dockerfile");
        const unreadable = await run(["dump", missing]);
        assert.strictEqual(unreadable.code, 2);
        assert.match(unreadable.stderr, new RegExp(`^${missing.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: cannot read: .*ENOENT`));

        const empty = path.join(tmp, "Dockerfile.empty");
        fs.writeFileSync(empty, "");
        const result = await run(["dump", empty]);
        assert.strictEqual(result.code, 2);
        assert.strictEqual(result.stderr, `${empty}: file with no instructions\n`);
    });

    it("refuses a file over the 1 MiB limit without parsing it", async () => {
        const big = path.join(tmp, "Dockerfile.big");
        fs.writeFileSync(big, "FROM x\n" + "RUN echo\n".repeat(120_000));
        const { code, stderr } = await run(["dump", big]);
        assert.strictEqual(code, 2);
        assert.match(stderr, /Dockerfile\.big: Dockerfile is 1080007 bytes, over the limit of 1048576 bytes\n$/);
    });

    it("is a usage error without a file argument", async () => {
        const { code } = await run(["dump"]);
        assert.strictEqual(code, 2);
    });
});
