import * as path from "path";
import { Command, Option } from "commander";
import { findUp } from "../../policy/find-up";

interface PlanCommandOptions {
    stack: string;
    format: "text" | "json";
    cwd?: string;
    policyPack?: string;
    policyPackConfig?: string;
}

/** Like the Pulumi CLI: the project is the nearest directory at or above `start` holding Pulumi.yaml. */
function findProjectDir(start: string): string | undefined {
    return findUp(start, ["Pulumi.yaml"]);
}

/** A progress line on an interactive stderr only; CI logs and pipes stay clean. */
function startSpinner(stream: NodeJS.WriteStream): { update(message: string): void; stop(): void } {
    if (!stream.isTTY) return { update: () => undefined, stop: () => undefined };
    const frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
    let frame = 0;
    let message = "";
    const draw = () => stream.write(`\r\x1b[2K${frames[frame++ % frames.length]} ${message}`);
    const timer = setInterval(draw, 100);
    return {
        update(next) {
            message = next;
            draw();
        },
        stop() {
            clearInterval(timer);
            stream.write("\r\x1b[2K");
        },
    };
}

export function registerPlan(program: Command, setExit: (code: number) => void): void {
    program
        .command("plan")
        .description(
            "Preview a stack offline: run the Pulumi program on an embedded engine (mocks, preview mode) with Pulumi.<stack>.yaml, " +
                "then the policy pack over every resource as `pulumi preview --policy-pack policy` would. " +
                "Exit 0 without mandatory violations, 1 with one, 2 when the config, program or pack is broken.",
        )
        .option("-s, --stack <name>", "stack whose Pulumi.<name>.yaml config is used", "dev")
        .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
        .option("-C, --cwd <dir>", "Pulumi project directory (default: nearest directory with Pulumi.yaml)")
        .option("--policy-pack <dir>", "policy pack directory (default: <project>/policy)")
        .option("--policy-pack-config <file>", "policy pack config (default: <pack>/config/<stack>.json when it exists, else schema defaults)")
        .action(async (opts: PlanCommandOptions) => {
            const projectDir = opts.cwd ? path.resolve(opts.cwd) : findProjectDir(process.cwd());
            if (!projectDir) {
                process.stderr.write(`shipshape plan: no Pulumi.yaml in ${process.cwd()} or above (use --cwd)\n`);
                setExit(2);
                return;
            }
            const spinner = startSpinner(process.stderr);
            try {
                // Loaded here so other commands never pay for the engine and the pack client.
                const { computePlan, hasMandatory } = await import("../../engine/plan");
                const { formatPlanText, planJson } = await import("../../engine/plan-report");
                const result = await computePlan({
                    projectDir,
                    stack: opts.stack,
                    packDir: opts.policyPack,
                    policyConfigFile: opts.policyPackConfig,
                    onProgress: (message) => spinner.update(message),
                });
                spinner.stop();
                process.stdout.write(opts.format === "json" ? `${JSON.stringify(planJson(result), null, 2)}\n` : formatPlanText(result));
                setExit(hasMandatory(result) ? 1 : 0);
            } catch (err) {
                spinner.stop();
                const { PlanInputError } = await import("../../engine/errors");
                const message = err instanceof PlanInputError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
                process.stderr.write(`shipshape plan: ${message}\n`);
                setExit(2);
            }
        });
}
