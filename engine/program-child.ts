/**
 * The embedded engine's language host: runs in a child process forked by
 * `program-runner.ts`, so a crashing or noisy program cannot take the CLI
 * with it. It runs the Pulumi program inside a root Stack on the SDK's mock
 * monitor in preview mode, records every registration the way the engine
 * would see it, and sends the record back over IPC.
 *
 * Config arrives the way the Pulumi CLI passes it: `PULUMI_CONFIG` /
 * `PULUMI_CONFIG_SECRET_KEYS` in the environment, read by the SDK at start.
 */
import * as path from "path";
import { MockCloud } from "./mock-cloud";
import { registerTranspileCache } from "./transpile-cache";
import type { ChildReport, ChildRequest, ProgramLogEntry, RegisteredResource, ReportedError } from "./program-protocol";

// Loosely typed views of the SDK's protobuf messages; the SDK's own typings for them are `any`.
interface StructLike {
    toJavaScript(): Record<string, unknown>;
}
interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getObject(): StructLike | undefined;
    getProtect(): boolean;
    getDependenciesList(): string[];
    getProvider(): string;
    getPropertydependenciesMap(): { forEach(cb: (value: { getUrnsList(): string[] }, key: string) => void): void };
    getDeletebeforereplace(): boolean;
    getIgnorechangesList(): string[];
    getAdditionalsecretoutputsList(): string[];
}
interface RegisterResponse {
    getUrn(): string;
    getId(): string;
    getObject(): StructLike | undefined;
}
interface OutputsRequest {
    getUrn(): string;
    getOutputs(): StructLike | undefined;
}
type Callback<T> = (err: unknown, resp: T) => void;
interface MonitorLike {
    registerResource(req: RegisterRequest, cb: Callback<RegisterResponse>): Promise<void>;
    readResource(req: RegisterRequest, cb: Callback<RegisterResponse>): Promise<void>;
    registerResourceOutputs(req: OutputsRequest, cb: Callback<unknown>): void;
}

function describeError(err: unknown): ReportedError {
    if (err instanceof Error) {
        const extra = err as Error & { violations?: unknown; imageName?: unknown; resourceName?: unknown };
        const violations = Array.isArray(extra.violations)
            ? extra.violations
                  .filter((v): v is { policy: string; message: string } => typeof v === "object" && v !== null && typeof (v as { policy?: unknown }).policy === "string")
                  .map((v) => ({ policy: v.policy, message: String(v.message) }))
            : undefined;
        const subject = typeof extra.imageName === "string" ? extra.imageName : typeof extra.resourceName === "string" ? extra.resourceName : undefined;
        return { name: err.name, message: err.message, stack: err.stack, violations, subject };
    }
    return { name: "Error", message: String(err) };
}

async function runProgram(request: ChildRequest): Promise<ChildReport> {
    // In registration order (a URN is recorded once).
    const resources = new Map<string, RegisteredResource>();
    const logs: ProgramLogEntry[] = [];
    const asyncErrors: ReportedError[] = [];
    const onAsyncError = (err: unknown) => asyncErrors.push(describeError(err));
    process.on("unhandledRejection", onAsyncError);
    process.on("uncaughtException", onAsyncError);

    // The program's TypeScript is compiled on the fly without type-checking, as ts-node transpile-only would,
    // with the output cached across runs.
    const transpileStats = registerTranspileCache({ projectDir: request.projectDir });
    // Stack traces go through Node's own source-map support; a hook left by ts-node (when this child itself
    // runs under it, in tests) only knows its own files and would report transpiled lines.
    delete (Error as { prepareStackTrace?: unknown }).prepareStackTrace;

    // The program must share our instance of the SDK, so resolve it from the program's directory.
    const pulumiEntry = require.resolve("@pulumi/pulumi", { paths: [request.projectDir] });
    const pulumiDir = path.dirname(pulumiEntry);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pulumi = require(pulumiEntry) as typeof import("@pulumi/pulumi");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const settings = require(path.join(pulumiDir, "runtime", "settings")) as { getMonitor(): MonitorLike; waitForRPCs(): Promise<void> };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const logModule = require(path.join(pulumiDir, "log")) as Record<string, unknown>;

    for (const severity of ["info", "warn", "error"] as const) {
        const original = logModule[severity] as (msg: string, resource?: { urn: { promise(): Promise<string> } }, ...rest: unknown[]) => Promise<void>;
        logModule[severity] = (msg: string, resource?: { urn: { promise(): Promise<string> } }, ...rest: unknown[]) => {
            const entry: ProgramLogEntry = { severity, message: msg };
            logs.push(entry);
            resource?.urn
                ?.promise()
                .then((urn) => (entry.urn = urn))
                .catch(() => undefined);
            return original(msg, resource, ...rest);
        };
    }

    const cloud = new MockCloud(request.region);
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => cloud.newResource({ type: args.type, name: args.name, inputs: args.inputs, custom: args.custom }),
            call: (args) => cloud.call({ token: args.token, inputs: args.inputs }),
        },
        request.project,
        request.stack,
        true,
        request.organization,
    );

    const monitor = settings.getMonitor();
    // The engine's URN rule, which the mock monitor only approximates: a child's type is qualified by its
    // parent's full qualified type, except under the root Stack.
    (monitor as unknown as { newUrn(parent: string, type: string, name: string): string }).newUrn = (parent, type, name) => {
        if (parent) {
            const parentType = parent.split("::")[2];
            if (parentType !== "pulumi:pulumi:Stack") type = `${parentType}$${type}`;
        }
        return `urn:pulumi:${request.stack}::${request.project}::${type}::${name}`;
    };
    const record = (req: RegisterRequest, resp: RegisterResponse, custom: boolean) => {
        const propertyDependencies: Record<string, string[]> = {};
        req.getPropertydependenciesMap().forEach((value, key) => {
            propertyDependencies[key] = value.getUrnsList();
        });
        const urn = resp.getUrn();
        if (resources.has(urn)) {
            // The engine refuses a second registration of a URN; the mock monitor would silently overwrite it.
            asyncErrors.push({ name: "DuplicateUrn", message: `Duplicate resource URN '${urn}'; try giving it a unique name` });
            return;
        }
        resources.set(urn, {
            type: req.getType(),
            name: req.getName(),
            urn,
            parent: req.getParent() || undefined,
            custom,
            provider: req.getProvider() || undefined,
            inputs: req.getObject()?.toJavaScript() ?? {},
            outputs: resp.getObject()?.toJavaScript() ?? {},
            dependencies: req.getDependenciesList(),
            propertyDependencies,
            protect: req.getProtect(),
            deleteBeforeReplace: req.getDeletebeforereplace(),
            ignoreChanges: req.getIgnorechangesList(),
            additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
        });
    };
    const registerResource = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, cb) =>
        registerResource(req, (err, resp) => {
            if (!err && resp) record(req, resp, req.getCustom());
            cb(err, resp);
        });
    const readResource = monitor.readResource.bind(monitor);
    monitor.readResource = (req, cb) =>
        readResource(req, (err, resp) => {
            if (!err && resp) record(req, resp, true);
            cb(err, resp);
        });
    const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResourceOutputs = (req, cb) => {
        const registered = resources.get(req.getUrn());
        if (registered) registered.registeredOutputs = req.getOutputs()?.toJavaScript() ?? {};
        registerOutputs(req, cb);
    };

    let programError: ReportedError | undefined;
    try {
        await pulumi.runtime.runInPulumiStack(async () => {
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const exported = require(request.mainPath) as unknown;
            // Like the Node.js language host: a module exporting a function is called and its result is the stack's outputs.
            if (typeof exported === "function") return await (exported as () => unknown)();
            const withDefault = exported as { __esModule?: boolean; default?: unknown };
            if (withDefault?.__esModule && typeof withDefault.default === "function") {
                return await (withDefault.default as () => unknown)();
            }
            return exported as Record<string, unknown>;
        });
        await settings.waitForRPCs();
    } catch (err) {
        programError = describeError(err);
    }
    // Let late rejections and log calls settle before judging the run.
    await new Promise((resolve) => setImmediate(resolve));
    const error = programError ?? asyncErrors[0] ?? logErrorAsFailure(logs);
    const registered = [...resources.values()];
    const stackResource = registered.find((r) => r.type === "pulumi:pulumi:Stack");
    return {
        kind: "result",
        resources: registered,
        stackOutputs: stackResource?.registeredOutputs ?? {},
        logs,
        unansweredCalls: [...cloud.unansweredCalls].sort(),
        transpiled: { ...transpileStats },
        error,
    };
}

/** The engine fails a run whose program logged an error, even when nothing threw. */
function logErrorAsFailure(logs: ProgramLogEntry[]): ReportedError | undefined {
    const errors = logs.filter((l) => l.severity === "error");
    if (errors.length === 0) return undefined;
    return { name: "ProgramLoggedError", message: errors.map((e) => e.message).join("\n") };
}

function send(report: ChildReport): Promise<void> {
    return new Promise((resolve) => {
        if (!process.send) {
            process.stderr.write("program-child must be started by program-runner (no IPC channel)\n");
            process.exitCode = 2;
            resolve();
            return;
        }
        process.send(report, () => resolve());
    });
}

process.once("message", (message: ChildRequest) => {
    runProgram(message)
        .catch((err): ChildReport => ({ kind: "crash", error: describeError(err) }))
        .then(send)
        .then(() => {
            // Pending timers or sockets of the program must not keep the plan waiting.
            process.exit(0);
        });
});
