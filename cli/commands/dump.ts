import { Command } from "commander";

// Placeholder registration; the owning issue replaces this file with the real command.
export function registerDump(program: Command, setExit: (code: number) => void): void {
    program
        .command("dump")
        .description("not implemented yet")
        .allowUnknownOption()
        .action(() => {
            process.stderr.write("shipshape dump: not implemented yet\n");
            setExit(2);
        });
}
