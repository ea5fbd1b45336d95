import { Command } from "commander";
import { DockerfileError } from "../../dockerfile/errors";
import { EXIT_ERROR, EXIT_OK } from "../main";
import { readDockerfileFile } from "./check";

/**
 * `shipshape dump DOCKERFILE`: the AST as BuildKit dumps it (the `result` files
 * of BuildKit's parser tests), one `(instruction ...)` line each. A file BuildKit
 * rejects, or that cannot be read, exits 2 with `file:line: message` on stderr.
 */
export function registerDump(program: Command, setExit: (code: number) => void): void {
    program
        .command("dump")
        .description("Print the Dockerfile's AST in BuildKit's dump format (one line per instruction)")
        .argument("<dockerfile>", "path of the Dockerfile")
        .action((file: string) => {
            setExit(runDump(file));
        });
}

function runDump(file: string): number {
    // Loaded here so other commands never pay for it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const parser = require("../../dockerfile/parser") as typeof import("../../dockerfile/parser");

    try {
        const text = readDockerfileFile(file, parser.DEFAULT_MAX_BYTES);
        process.stdout.write(parser.dumpAst(parser.parse(text)));
        return EXIT_OK;
    } catch (err) {
        if (err instanceof DockerfileError) {
            process.stderr.write(`${err.withFile(file).message}\n`);
            return EXIT_ERROR;
        }
        throw err;
    }
}
