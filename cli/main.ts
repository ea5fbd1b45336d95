import { Command, CommanderError } from "commander";
import { registerCheck } from "./commands/check";
import { registerDump } from "./commands/dump";
import { registerLifecycle } from "./commands/lifecycle";
import { registerPlan } from "./commands/plan";

// Exit codes shared by every command: 0 clean, 1 findings (violations), 2 unusable input or usage error.
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_ERROR = 2;

export function buildProgram(setExit: (code: number) => void): Command {
    const program = new Command();
    program
        .name("shipshape")
        .description("Check Dockerfiles the way BuildKit builds them, evaluate ECR lifecycle rules, and plan the stack offline.")
        .exitOverride()
        .configureOutput({ writeErr: (s) => process.stderr.write(s) });
    registerCheck(program, setExit);
    registerDump(program, setExit);
    registerLifecycle(program, setExit);
    registerPlan(program, setExit);
    return program;
}

export async function main(argv: string[]): Promise<number> {
    let exitCode = EXIT_OK;
    const program = buildProgram((code) => {
        exitCode = code;
    });
    try {
        await program.parseAsync(argv, { from: "user" });
    } catch (err) {
        if (err instanceof CommanderError) {
            // --help and --version exit 0; anything else is a usage error.
            return err.exitCode === 0 ? EXIT_OK : EXIT_ERROR;
        }
        throw err;
    }
    return exitCode;
}
