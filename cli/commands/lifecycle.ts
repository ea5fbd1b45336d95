import { Command } from "commander";

// Placeholder registration; the owning issue replaces this file with the real command.
export function registerLifecycle(program: Command, setExit: (code: number) => void): void {
    program
        .command("lifecycle")
        .description("not implemented yet")
        .allowUnknownOption()
        .action(() => {
            process.stderr.write("shipshape lifecycle: not implemented yet\n");
            setExit(2);
        });
}
