import { Command } from "commander";

// Placeholder registration; the owning issue replaces this file with the real command.
export function registerCheck(program: Command, setExit: (code: number) => void): void {
    program
        .command("check")
        .description("not implemented yet")
        .allowUnknownOption()
        .action(() => {
            process.stderr.write("shipshape check: not implemented yet\n");
            setExit(2);
        });
}
