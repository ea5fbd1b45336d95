/**
 * Runs a Node.js CrossGuard policy pack the way `pulumi preview --policy-pack <dir>`
 * does, and talks to it over the engine's Analyzer gRPC protocol.
 *
 * What the engine does (pulumi sdk/go/common/resource/plugin/analyzer_plugin.go)
 * and we mirror:
 * - spawn `node @pulumi/pulumi/cmd/run-policy-pack <engine-address> .` with the
 *   pack directory as working directory and PULUMI_* stack variables in the
 *   environment; the pack prints its port as the first stdout line;
 * - `Handshake` (Node packs answer Unimplemented, which the engine tolerates),
 *   `ConfigureStack`, `GetAnalyzerInfo`, then `Configure` with the schema
 *   defaults overlaid by the `--policy-pack-config` file (see policy-pack-config.ts);
 * - resources are marshalled with unknowns kept as sentinel strings, secrets kept
 *   as signature objects, and `__`-prefixed (internal) keys dropped; every request
 *   carries `AnalyzerResourceOptions` (the Node server dereferences it).
 *
 * The Node runner shifts the engine address off its arguments and never dials it
 * (the engine does not set PULUMI_NODEJS_ENGINE for packs), so no Engine service is
 * needed: the pack's log output arrives on stderr, which the client keeps.
 */
import { spawn } from "child_process";
import * as path from "path";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as analyzerPbTypes from "@pulumi/pulumi/proto/analyzer_pb";
import type * as analyzerGrpcTypes from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import type * as structPbTypes from "google-protobuf/google/protobuf/struct_pb";
import type * as emptyPbTypes from "google-protobuf/google/protobuf/empty_pb";
import {
    AnalyzerInfo,
    AnalyzerPolicyInfo,
    EnforcementLevel,
    PolicyPackConfig,
    PolicyPackConfigError,
    loadPolicyPackConfigFile,
    normalizePolicyPackConfig,
    reconcilePolicyPackConfig,
} from "./policy-pack-config";
import { UNKNOWN_STRING } from "../policy/resource-values";
import { SECRET_SIG, SIG_KEY } from "./wire-values";

export * from "./policy-pack-config";
export { UNKNOWN_STRING };

/** Marks a property value as unknown (computed) in a resource given to the client. */
export const UNKNOWN: unique symbol = Symbol("unknown");

/** Wraps a property value as a secret, as the engine sends secrets with KeepSecrets. */
export function secret(value: unknown): { [SIG_KEY]: string; value: unknown } {
    return { [SIG_KEY]: SECRET_SIG, value };
}

export interface ResourceOptions {
    protect?: boolean;
    ignoreChanges?: string[];
    deleteBeforeReplace?: boolean;
    additionalSecretOutputs?: string[];
    aliases?: string[];
    parent?: string;
}

/** A resource as the engine describes it to `Analyze` (inputs) or `AnalyzeStack` (outputs). */
export interface AnalyzerResource {
    type: string;
    name: string;
    /** Defaults to `urn:pulumi:<stack>::<project>::<type>::<name>`. */
    urn?: string;
    properties: Record<string, unknown>;
    options?: ResourceOptions;
    /** AnalyzeStack only. */
    parent?: string;
    dependencies?: string[];
    propertyDependencies?: Record<string, string[]>;
}

export interface Diagnostic {
    policyName: string;
    policyPackName: string;
    policyPackVersion: string;
    description: string;
    message: string;
    enforcementLevel: EnforcementLevel;
    urn: string;
}

export interface AnalyzeResult {
    diagnostics: Diagnostic[];
    notApplicable: { policyName: string; reason: string }[];
}

export interface StartPolicyPackOptions {
    /** Passed as the engine address argument; the Node runner ignores it. */
    engineAddress?: string;
    stack?: string;
    project?: string;
    organization?: string;
    /** Preview (true, default) or update (false): PULUMI_DRY_RUN and ConfigureStack. */
    dryRun?: boolean;
    /** Extra environment for the pack process (merged over process.env). */
    env?: NodeJS.ProcessEnv;
    /** Spawn to port line; default 120 s (a cold machine loads TypeScript in the runner). */
    startTimeoutMs?: number;
    /** Per-RPC deadline; default 60 s. */
    rpcTimeoutMs?: number;
}

export interface PolicyPackClient {
    readonly packDir: string;
    readonly port: number;
    readonly pid: number;
    /** Milliseconds from spawn to the port line. */
    readonly startupMs: number;
    getAnalyzerInfo(): Promise<AnalyzerInfo>;
    /**
     * Configures the pack like the engine: schema defaults, then the pack's initial
     * config, then `config` (a `--policy-pack-config` file path, or its parsed
     * object; omitted = defaults only). Returns the configuration sent.
     */
    configure(config?: string | Record<string, unknown>): Promise<PolicyPackConfig>;
    analyze(resource: AnalyzerResource): Promise<AnalyzeResult>;
    analyzeStack(resources: AnalyzerResource[]): Promise<AnalyzeResult>;
    /** Whether the pack process is still running. */
    isAlive(): boolean;
    /** Everything the pack wrote to stderr so far. */
    stderr(): string;
    close(): Promise<void>;
}

interface Protocol {
    grpc: typeof grpcTypes;
    analyzerPb: typeof analyzerPbTypes;
    analyzerGrpc: typeof analyzerGrpcTypes;
    structPb: typeof structPbTypes;
    emptyPb: typeof emptyPbTypes;
}

let protocol: Protocol | undefined;

// The stubs must share @pulumi/pulumi's own grpc-js and google-protobuf instances
// (message classes are checked with instanceof), so resolve them from its location.
function loadProtocol(): Protocol {
    if (protocol) return protocol;
    const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
    const from = (id: string) => require(require.resolve(id, { paths: [pulumiDir] }));
    protocol = {
        grpc: from("@grpc/grpc-js"),
        analyzerPb: from("@pulumi/pulumi/proto/analyzer_pb"),
        analyzerGrpc: from("@pulumi/pulumi/proto/analyzer_grpc_pb"),
        structPb: from("google-protobuf/google/protobuf/struct_pb"),
        emptyPb: from("google-protobuf/google/protobuf/empty_pb"),
    };
    return protocol;
}

/** Indexed by the protocol's EnforcementLevel enum value. */
const PROTO_LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "disabled", "remediate"];

function levelToProto(level: EnforcementLevel | ""): number {
    const value = PROTO_LEVELS.indexOf(level as EnforcementLevel);
    if (value < 0) throw new PolicyPackConfigError(`invalid enforcement level "${level}"`);
    return value;
}

function levelFromProto(value: number): EnforcementLevel {
    const level = PROTO_LEVELS[value];
    if (!level) throw new Error(`policy pack returned an invalid enforcement level ${value}`);
    return level;
}

/** Engine marshalling: unknowns → sentinel, undefined dropped, internal keys skipped. */
export function marshalPropertyValue(value: unknown): unknown {
    if (value === UNKNOWN) return UNKNOWN_STRING;
    if (value === null || typeof value === "string" || typeof value === "boolean") return value;
    if (typeof value === "number") {
        if (!Number.isFinite(value)) throw new TypeError(`cannot marshal non-finite number ${value}`);
        return value;
    }
    if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : marshalPropertyValue(v)));
    if (typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
            if (v === undefined) continue;
            if (key.startsWith("__")) continue;
            out[key] = marshalPropertyValue(v);
        }
        return out;
    }
    throw new TypeError(`cannot marshal a ${typeof value} as a resource property`);
}

function defaultUrn(stack: string, project: string, type: string, name: string): string {
    return `urn:pulumi:${stack}::${project}::${type}::${name}`;
}

function readAnalyzerInfo(info: analyzerPbTypes.AnalyzerInfo): AnalyzerInfo {
    const supportsConfig = info.getSupportsconfig();
    const policies: AnalyzerPolicyInfo[] = info.getPoliciesList().map((p) => {
        const schema = p.getConfigschema();
        const policyType = p.getPolicyType();
        const result: AnalyzerPolicyInfo = {
            name: p.getName(),
            displayName: p.getDisplayname(),
            description: p.getDescription(),
            message: p.getMessage(),
            enforcementLevel: levelFromProto(p.getEnforcementlevel()),
            policyType: policyType === 1 ? "resource" : policyType === 2 ? "stack" : "unknown",
        };
        if (supportsConfig) {
            const properties = (schema?.getProperties()?.toJavaScript() ?? {}) as Record<string, Record<string, unknown>>;
            // The engine injects enforcementLevel into every policy's schema.
            properties.enforcementLevel = { type: "string", enum: ["advisory", "mandatory", "remediate", "disabled"] };
            result.configSchema = { properties, required: schema?.getRequiredList() ?? [] };
        }
        return result;
    });
    policies.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const initialConfig: PolicyPackConfig = {};
    info.getInitialconfigMap().forEach((entry, key) => {
        initialConfig[key] = {
            enforcementLevel: levelFromProto(entry.getEnforcementlevel()),
            properties: (entry.getProperties()?.toJavaScript() ?? {}) as Record<string, unknown>,
        };
    });
    return { name: info.getName(), displayName: info.getDisplayname(), version: info.getVersion(), supportsConfig, policies, initialConfig };
}

function readAnalyzeResponse(response: analyzerPbTypes.AnalyzeResponse): AnalyzeResult {
    return {
        diagnostics: response.getDiagnosticsList().map((d) => ({
            policyName: d.getPolicyname(),
            policyPackName: d.getPolicypackname(),
            policyPackVersion: d.getPolicypackversion(),
            description: d.getDescription(),
            message: d.getMessage(),
            enforcementLevel: levelFromProto(d.getEnforcementlevel()),
            urn: d.getUrn(),
        })),
        notApplicable: response.getNotApplicableList().map((n) => ({ policyName: n.getPolicyName(), reason: n.getReason() })),
    };
}

/** Spawns the pack in `packDir` and connects to it. Rejects with the pack's stderr when it fails to start. */
export async function startPolicyPack(packDir: string, options: StartPolicyPackOptions = {}): Promise<PolicyPackClient> {
    const proto = loadProtocol();
    const dir = path.resolve(packDir);
    const stack = options.stack ?? "dev";
    const project = options.project ?? "shipshape";
    const dryRun = options.dryRun ?? true;
    const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [dir] });
    const env: NodeJS.ProcessEnv = {
        ...process.env,
        PULUMI_NODEJS_PROJECT: project,
        PULUMI_NODEJS_STACK: stack,
        PULUMI_NODEJS_DRY_RUN: String(dryRun),
        PULUMI_PROJECT: project,
        PULUMI_STACK: stack,
        PULUMI_DRY_RUN: String(dryRun),
        ...(options.organization ? { PULUMI_NODEJS_ORGANIZATION: options.organization, PULUMI_ORGANIZATION: options.organization } : {}),
        ...options.env,
    };
    // Test runners register ts-node through NODE_OPTIONS; the engine does not.
    delete env.NODE_OPTIONS;
    delete env.TS_NODE_TRANSPILE_ONLY;

    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [runner, options.engineAddress ?? "127.0.0.1:1", "."], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
    let stderrText = "";
    let exited = false;
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (chunk: string) => {
        stderrText += chunk;
    });
    const exitPromise = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.once("exit", () => {
        exited = true;
    });

    const port = await new Promise<number>((resolve, reject) => {
        let stdoutText = "";
        const timer = setTimeout(() => {
            child.kill("SIGKILL");
            reject(new Error(`policy pack in ${dir} did not print its port within ${options.startTimeoutMs ?? 120000} ms\n${stderrText}`));
        }, options.startTimeoutMs ?? 120000);
        const onData = (chunk: Buffer) => {
            stdoutText += chunk.toString("utf8");
            const newline = stdoutText.indexOf("\n");
            if (newline < 0) return;
            clearTimeout(timer);
            child.stdout!.off("data", onData);
            // Keep draining stdout so a chatty pack never blocks on a full pipe.
            child.stdout!.resume();
            const line = stdoutText.slice(0, newline).trim();
            if (!/^\d+$/.test(line)) {
                child.kill("SIGKILL");
                reject(new Error(`policy pack in ${dir} printed to stdout before its port line: ${JSON.stringify(line)}`));
                return;
            }
            resolve(Number(line));
        };
        child.stdout!.on("data", onData);
        child.once("exit", (code, signal) => {
            clearTimeout(timer);
            reject(new Error(`policy pack in ${dir} exited (code ${code}, signal ${signal}) before printing its port\n${stderrText}`));
        });
    });
    const startupMs = Number(process.hrtime.bigint() - started) / 1e6;

    /** The fields AnalyzeRequest and AnalyzerResource share, set the way the engine sets them. */
    const describeResource = <T extends analyzerPbTypes.AnalyzeRequest | analyzerPbTypes.AnalyzerResource>(target: T, resource: AnalyzerResource): T => {
        target.setType(resource.type);
        target.setName(resource.name);
        target.setUrn(resource.urn ?? defaultUrn(stack, project, resource.type, resource.name));
        target.setProperties(toStruct(resource.properties));
        target.setOptions(toOptions(resource.options));
        return target;
    };
    const client = new proto.analyzerGrpc.AnalyzerClient(`127.0.0.1:${port}`, proto.grpc.credentials.createInsecure(), {
        "grpc.max_receive_message_length": 400 * 1024 * 1024,
    });
    const rpcTimeoutMs = options.rpcTimeoutMs ?? 60000;

    function call<Req, Res>(method: string, request: Req): Promise<Res> {
        return new Promise<Res>((resolve, reject) => {
            const deadline = new Date(Date.now() + rpcTimeoutMs);
            const fn = (client as unknown as Record<string, (...args: unknown[]) => unknown>)[method].bind(client);
            fn(request, new proto.grpc.Metadata(), { deadline }, (err: grpcTypes.ServiceError | null, response: Res) => {
                if (err) reject(new Error(`${method} failed: ${err.details || err.message}${exited ? `\n(pack exited)\n${stderrText}` : ""}`));
                else resolve(response);
            });
        });
    }

    function toStruct(properties: Record<string, unknown>): structPbTypes.Struct {
        return proto.structPb.Struct.fromJavaScript(marshalPropertyValue(properties) as Record<string, structPbTypes.JavaScriptValue>);
    }

    function toOptions(options: ResourceOptions = {}): analyzerPbTypes.AnalyzerResourceOptions {
        const opts = new proto.analyzerPb.AnalyzerResourceOptions();
        opts.setProtect(options.protect ?? false);
        opts.setIgnorechangesList(options.ignoreChanges ?? []);
        opts.setDeletebeforereplace(options.deleteBeforeReplace ?? false);
        opts.setDeletebeforereplacedefined(options.deleteBeforeReplace !== undefined);
        opts.setAdditionalsecretoutputsList(options.additionalSecretOutputs ?? []);
        opts.setAliasesList(options.aliases ?? []);
        opts.setCustomtimeouts(new proto.analyzerPb.AnalyzerResourceOptions.CustomTimeouts());
        opts.setParent(options.parent ?? "");
        return opts;
    }

    // The engine calls ConfigureStack right after start; older packs may not implement it.
    {
        const request = new proto.analyzerPb.AnalyzerStackConfigureRequest();
        request.setStack(stack);
        request.setProject(project);
        request.setOrganization(options.organization ?? "");
        request.setDryRun(dryRun);
        try {
            await call("configureStack", request);
        } catch (err) {
            if (!/unimplemented/i.test((err as Error).message)) {
                child.kill("SIGKILL");
                throw err;
            }
        }
    }

    let cachedInfo: AnalyzerInfo | undefined;
    const api: PolicyPackClient = {
        packDir: dir,
        port,
        pid: child.pid ?? -1,
        startupMs,
        async getAnalyzerInfo() {
            const info = await call<emptyPbTypes.Empty, analyzerPbTypes.AnalyzerInfo>("getAnalyzerInfo", new proto.emptyPb.Empty());
            cachedInfo = readAnalyzerInfo(info);
            return cachedInfo;
        },
        async configure(config) {
            const info = cachedInfo ?? (await api.getAnalyzerInfo());
            const given =
                config === undefined ? {} : typeof config === "string" ? loadPolicyPackConfigFile(config) : normalizePolicyPackConfig(config);
            const reconciled = reconcilePolicyPackConfig(info, given);
            const request = new proto.analyzerPb.ConfigureAnalyzerRequest();
            const map = request.getPolicyconfigMap();
            for (const [name, entry] of Object.entries(reconciled)) {
                const policyConfig = new proto.analyzerPb.PolicyConfig();
                policyConfig.setEnforcementlevel(levelToProto(entry.enforcementLevel) as analyzerPbTypes.EnforcementLevel);
                policyConfig.setProperties(proto.structPb.Struct.fromJavaScript(entry.properties as Record<string, structPbTypes.JavaScriptValue>));
                map.set(name, policyConfig);
            }
            await call("configure", request);
            return reconciled;
        },
        async analyze(resource) {
            const request = describeResource(new proto.analyzerPb.AnalyzeRequest(), resource);
            return readAnalyzeResponse(await call("analyze", request));
        },
        async analyzeStack(resources) {
            const request = new proto.analyzerPb.AnalyzeStackRequest();
            request.setResourcesList(
                resources.map((resource) => {
                    const r = describeResource(new proto.analyzerPb.AnalyzerResource(), resource);
                    r.setParent(resource.parent ?? "");
                    r.setDependenciesList(resource.dependencies ?? []);
                    const deps = r.getPropertydependenciesMap();
                    for (const [key, urns] of Object.entries(resource.propertyDependencies ?? {})) {
                        if (urns.length === 0) continue;
                        const d = new proto.analyzerPb.AnalyzerPropertyDependencies();
                        d.setUrnsList(urns);
                        deps.set(key, d);
                    }
                    return r;
                }),
            );
            return readAnalyzeResponse(await call("analyzeStack", request));
        },
        isAlive() {
            return !exited;
        },
        stderr() {
            return stderrText;
        },
        async close() {
            client.close();
            if (!exited) {
                child.kill("SIGTERM");
                const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
                await exitPromise;
                clearTimeout(timer);
            }
        },
    };
    return api;
}
