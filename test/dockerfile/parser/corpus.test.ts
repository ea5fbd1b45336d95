/**
 * Every Dockerfile of the shared corpus goes through `parse`: nothing but a
 * DockerfileError may escape, and every DockerfileError names a line (the empty
 * file has none: BuildKit reports line 0 there). The corpus holds copies of
 * BuildKit's four negative parser cases; they are exactly the files rejected.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { DockerfileError } from "../../../dockerfile/errors";
import { dumpAst, parse } from "../../../dockerfile/parser";
import { sharedPath } from "../../shared-data";

const CORPUS = sharedPath("corpus", "files");

describe("parser: shared corpus", () => {
    it("parses every file or rejects it with a located DockerfileError", () => {
        const files = fs.readdirSync(CORPUS).sort();
        assert.ok(files.length >= 596, `corpus has ${files.length} files`);
        const rejected: string[] = [];
        for (const file of files) {
            const text = fs.readFileSync(path.join(CORPUS, file), "utf8");
            try {
                const result = parse(text);
                assert.ok(result.ast.length > 0, file);
                assert.ok(dumpAst(result).length > 0, file);
                for (const node of result.ast) assert.ok(node.startLine >= 1 && node.endLine >= node.startLine, file);
            } catch (err) {
                if (!(err instanceof DockerfileError)) throw new Error(`${file}: ${String(err)}`);
                if (text.trim() !== "") assert.ok(err.line !== undefined && err.line >= 1, `${file}: ${err.message}`);
                rejected.push(file);
            }
        }
        assert.deepStrictEqual(rejected, [
            "moby__buildkit__frontend__dockerfile__parser__testfiles-negative__empty_dockerfile__Dockerfile",
            "moby__buildkit__frontend__dockerfile__parser__testfiles-negative__env_no_value__Dockerfile",
            "moby__buildkit__frontend__dockerfile__parser__testfiles-negative__only_comments__Dockerfile",
            "moby__buildkit__frontend__dockerfile__parser__testfiles-negative__shykes-nested-json__Dockerfile",
        ]);
    });
});
