/**
 * The embedded engine: runs a Pulumi program for one stack, offline, on the
 * SDK's mock monitor in preview mode, and returns every resource registration.
 * The program runs in a child process (`program-child`) so its crashes, stray
 * timers and console output stay contained.
 */
import { fork } from "child_process";
import * as path from "path";
import { PlanInputError } from "./errors";
import { DEFAULT_REGION } from "./mock-cloud";
import { loadProject, loadStackConfig, PLAN_ORGANIZATION, PulumiProject, StackConfig } from "./project";
import type { ChildReport, ChildRequest, ProgramLogEntry, RegisteredResource, ReportedError } from "./program-protocol";

export type { ProgramLogEntry, RegisteredResource, ReportedError } from "./program-protocol";

export interface RunProgramOptions {
    /** Directory holding `Pulumi.yaml`. */
    projectDir: string;
    stack: string;
    /** Kill the program after this long; default 120 s. */
    timeoutMs?: number;
}

export interface ProgramRun {
    project: PulumiProject;
    stackConfig: StackConfig;
    /** In registration order; the root `pulumi:pulumi:Stack` first. */
    resources: RegisteredResource[];
    /** The stack's outputs (wire encoding: unknowns as the sentinel string). */
    stackOutputs: Record<string, unknown>;
    logs: ProgramLogEntry[];
    /** Provider functions the embedded engine could only answer with an empty result. */
    unansweredCalls: string[];
    /** TypeScript files of the program loaded from the transpile cache, and compiled. */
    transpiled: { hits: number; misses: number };
}

/** The program could not run to completion for this stack. */
export class ProgramError extends PlanInputError {
    constructor(
        readonly stack: string,
        readonly stackFile: string,
        readonly cause: ReportedError,
        /** What the program printed, for diagnosis. */
        readonly output: string,
    ) {
        super(`program failed for stack ${stack} (${stackFile}): ${cause.message}${bugLocation(cause)}`);
        this.name = "ProgramError";
    }
}

// Errors that signal a bug in the program rather than a refusal it explains itself.
const BUG_ERRORS = new Set(["TypeError", "ReferenceError", "SyntaxError", "RangeError"]);

/** For a bug, where it happened: the first stack frame outside node_modules (TypeScript lines, via source maps). */
function bugLocation(cause: ReportedError): string {
    if (!BUG_ERRORS.has(cause.name) || !cause.stack) return "";
    const frame = cause.stack
        .split("\n")
        .slice(1)
        .map((line) => line.trim())
        .find((line) => line.startsWith("at ") && !line.includes("node_modules") && !line.includes("node:") && /\.[cm]?[jt]s:\d+:\d+\)?$/.test(line));
    return frame ? `\n    ${frame}` : "";
}

const OUTPUT_LIMIT = 64 * 1024;

export async function runProgram(options: RunProgramOptions): Promise<ProgramRun> {
    const projectDir = path.resolve(options.projectDir);
    const project = loadProject(projectDir);
    const stackConfig = loadStackConfig(project, options.stack);
    const region = stackConfig.config["aws:region"] || process.env.AWS_REGION || DEFAULT_REGION;
    const request: ChildRequest = {
        projectDir,
        mainPath: project.mainPath,
        project: project.name,
        stack: stackConfig.stack,
        organization: PLAN_ORGANIZATION,
        region,
    };
    const report = await runChild(request, stackConfig, options.timeoutMs ?? 120_000);
    if (report.report.kind === "crash") {
        throw new ProgramError(stackConfig.stack, stackConfig.fileName, report.report.error, report.output);
    }
    const result = report.report;
    if (result.error) {
        throw new ProgramError(stackConfig.stack, stackConfig.fileName, result.error, report.output);
    }
    return {
        project,
        stackConfig,
        resources: result.resources,
        stackOutputs: result.stackOutputs,
        logs: result.logs,
        unansweredCalls: result.unansweredCalls,
        transpiled: result.transpiled,
    };
}

function runChild(request: ChildRequest, stackConfig: StackConfig, timeoutMs: number): Promise<{ report: ChildReport; output: string }> {
    // Run the child in the same form as this module: TypeScript under ts-node in tests, compiled JS from dist/.
    const ext = path.extname(__filename);
    const childPath = path.join(__dirname, `program-child${ext}`);
    const execArgv = ext === ".ts" ? ["-r", require.resolve("ts-node/register/transpile-only")] : [];
    const env: NodeJS.ProcessEnv = { ...process.env };
    // ts-node compiling the child itself must use our tsconfig, not whatever the project directory has.
    if (ext === ".ts") env.TS_NODE_PROJECT = path.resolve(__dirname, "..", "tsconfig.json");
    // Never let an ambient engine address make the SDK talk to a real engine.
    delete env.PULUMI_NODEJS_MONITOR;
    delete env.PULUMI_NODEJS_ENGINE;
    Object.assign(env, {
        PULUMI_CONFIG: JSON.stringify(stackConfig.config),
        PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(stackConfig.secretKeys),
        PULUMI_NODEJS_PROJECT: request.project,
        PULUMI_NODEJS_STACK: request.stack,
        PULUMI_NODEJS_DRY_RUN: "true",
        PULUMI_NODEJS_ROOT_DIRECTORY: request.projectDir,
        PULUMI_NODEJS_ORGANIZATION: request.organization,
    });

    return new Promise((resolve, reject) => {
        const child = fork(childPath, [], {
            cwd: request.projectDir,
            env,
            execArgv,
            stdio: ["ignore", "pipe", "pipe", "ipc"],
        });
        let output = "";
        const collect = (chunk: Buffer) => {
            output += chunk.toString("utf8");
            if (output.length > OUTPUT_LIMIT) output = output.slice(output.length - OUTPUT_LIMIT);
        };
        child.stdout?.on("data", collect);
        child.stderr?.on("data", collect);
        let report: ChildReport | undefined;
        let settled = false;
        const finish = (fn: () => void) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            fn();
        };
        const timer = setTimeout(() => {
            child.kill("SIGKILL");
            finish(() =>
                reject(
                    new ProgramError(request.stack, stackConfig.fileName, { name: "Timeout", message: `the program did not finish within ${Math.round(timeoutMs / 1000)} s` }, output),
                ),
            );
        }, timeoutMs);
        child.on("message", (message: ChildReport) => {
            report = message;
        });
        child.on("error", (err) => finish(() => reject(new PlanInputError(`cannot start the program runner: ${err.message}`))));
        child.on("exit", (code, signal) => {
            finish(() => {
                if (report) {
                    resolve({ report, output });
                    return;
                }
                const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
                const tail = output.trim().split("\n").slice(-15).join("\n");
                reject(
                    new ProgramError(request.stack, stackConfig.fileName, { name: "Crash", message: `the program ${how} before reporting${tail ? `:\n${tail}` : ""}` }, output),
                );
            });
        });
        child.send(request);
    });
}
