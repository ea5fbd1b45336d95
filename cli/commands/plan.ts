import { Command } from "commander";

// Placeholder registration; the owning issue replaces this file with the real command.
export function registerPlan(program: Command, setExit: (code: number) => void): void {
    program
        .command("plan")
        .description("not implemented yet")
        .allowUnknownOption()
        .action(() => {
            process.stderr.write("shipshape plan: not implemented yet\n");
            setExit(2);
        });
}
