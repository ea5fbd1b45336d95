/**
 * Dispatch of a parsed Dockerfile for one build request, following BuildKit's
 * frontend/dockerfile/dockerfile2llb/convert.go (toDispatchState): meta ARGs,
 * FROM expansion with the global scope, stage lookup, --target, reachability,
 * ONBUILD triggers, then the commands of every reachable stage in order, with
 * each word expanded against the stage's environment at that point.
 *
 * No image is pulled: an external base image's configuration (env, user,
 * labels, ONBUILD) is unknown here; the caller consults base-image knowledge.
 */
import { parseImageReference } from "../base-images/references";
import { DockerfileError } from "../errors";
import { suggestion } from "../instructions/flags";
import type { ArgEntry, Command, Stage } from "../instructions/commands";
import { parseMount } from "../instructions/mounts";
import { parseCommand, parseInstructions } from "../instructions/parse";
import { parse } from "../parser";
import type { ParseResult } from "../parser/node";
import { AnalysisBudget, AnalysisBudgetError, EMPTY_ENV, ShellLex, type EnvGetter } from "../shell";
import { goQuote } from "../shell/go-quote";
import type { ImageReference } from "../types";
import { EnvList } from "./env";
import { parseExposedPorts } from "./expose";
import { defaultArgs, DEFAULT_PLATFORM, parsePlatform, parsePlatformCached, type Platform } from "./platform";

export interface BuildRequest {
    /** `--target`, case-insensitive; default the last stage. */
    target?: string;
    buildArgs?: Readonly<Record<string, string>>;
    /** Requested target platforms as written; the first one is built. */
    platforms?: readonly string[];
    /** BUILDPLATFORM; default linux/amd64. */
    buildPlatform?: string;
    /** The analysis's budget, shared by every expansion of the build; default: AnalysisBudget's defaults. */
    budget?: AnalysisBudget;
}

/** A value the Dockerfile set, with the line that set it (a FROM line for ONBUILD triggers). */
export interface Setting {
    value: string;
    line: number;
    /** Set by a parent stage's ONBUILD trigger, run at the FROM on `line`. */
    onbuild?: boolean;
}

/** One stage of the built chain. */
export interface ChainStage {
    index: number;
    /** Lowercased `AS` name, or "" when unnamed. */
    name: string;
    line: number;
    /** FROM argument after expansion. */
    from: string;
    /** `--platform` after expansion, when written. */
    platform?: string;
    /** `--platform` was written but BuildKit does not use it: FROM names a stage (its platform is kept) or scratch (the target platform). */
    platformIgnored?: boolean;
    /** The builder-host variables (BUILDPLATFORM, BUILDOS, ...; TARGET* too when no platform is requested) `--platform`'s value came from, directly or through global ARGs; absent when none. */
    platformBuildVariables?: string[];
}

export type ChainBase = { kind: "scratch" } | { kind: "image"; reference: ImageReference };

export interface BuildResult {
    /** Built stage first, down to the stage that names an external image (or scratch). */
    chain: ChainStage[];
    base: ChainBase;
    /** USER of the image as set by the Dockerfile chain; undefined = the base image's default. */
    user?: Setting;
    labels: Map<string, Setting>;
    /** Platform of the built stage's content (BuildKit's dispatch state platform). */
    platform: Platform;
    /** The platform the build targets (first requested, else the build platform). */
    targetPlatform: Platform;
    requestedPlatforms: Platform[];
    /** Number of stages dispatched (the target's dependencies included). */
    dispatchedStages: number;
}

/** The two meta ARGs BuildKit keeps out of the environment (sbomScanContext/sbomScanStage). */
const NON_ENV_ARGS = new Set(["BUILDKIT_SBOM_SCAN_CONTEXT", "BUILDKIT_SBOM_SCAN_STAGE"]);
const SCRATCH = "scratch";
/** The automatic ARGs that describe the builder's host (defaultArgs). */
const BUILD_PLATFORM_ARGS = ["BUILDPLATFORM", "BUILDOS", "BUILDOSVERSION", "BUILDARCH", "BUILDVARIANT"] as const;
const TARGET_PLATFORM_ARGS = ["TARGETPLATFORM", "TARGETOS", "TARGETOSVERSION", "TARGETARCH", "TARGETVARIANT"] as const;
/** An ONBUILD trigger run costs this many dispatch steps: it is parsed again for each stage built on its parent. */
const ONBUILD_TRIGGER_STEPS = 16;
/** system.DefaultPathEnv for Linux: BuildKit makes sure PATH is always set. */
const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

interface DispatchState {
    stage: Stage;
    /** Position in the Dockerfile's stages; -1 for an image only named by COPY --from / RUN --mount. */
    index: number;
    stageName: string;
    /** FROM argument after expansion. */
    baseName: string;
    fromPlatformText?: string;
    fromPlatform?: Platform;
    /** Builder-host variables the `--platform` value depends on (sorted). */
    fromPlatformBuildVariables?: string[];
    base?: DispatchState;
    deps: Map<DispatchState, Command>;
    commands: Command[];
    sources: Map<Command, DispatchState[]>;
    unregistered: boolean;
    dispatched: boolean;
    resolved: boolean;
    onBuildInit: boolean;
    // what the image would be
    root?: ChainBase;
    platform?: Platform;
    env: EnvList;
    imageEnv: EnvList;
    user?: Setting;
    labels: Map<string, Setting>;
}

/** Dispatches `parsed` for `request`. Throws DockerfileError (with the line when there is one) for the first error. */
export function dispatchBuild(parsed: ParseResult, request: BuildRequest = {}): BuildResult {
    return new BuildDispatcher(parsed, request).run();
}

class BuildDispatcher {
    private readonly lex: ShellLex;
    private readonly budget: AnalysisBudget;
    private rawLex?: ShellLex;
    private readonly references = new Map<string, ImageReference | Error>();
    private readonly buildArgs: Readonly<Record<string, string>>;
    private readonly states: DispatchState[] = [];
    private readonly statesByName = new Map<string, DispatchState>();
    private globalArgs = new EnvList();
    /**
     * For each global ARG whose value comes from the builder's host, the BUILD*
     * variables it was derived from: the host is unknown to us (buildPlatform is a
     * guess), so a FROM --platform built from them must not look decided.
     */
    private readonly hostDerivedArgs = new Map<string, ReadonlySet<string>>();
    private targetPlatform: Platform = DEFAULT_PLATFORM;

    constructor(
        private readonly parsed: ParseResult,
        private readonly request: BuildRequest,
    ) {
        this.budget = request.budget ?? new AnalysisBudget();
        this.lex = new ShellLex(parsed.escapeToken, { budget: this.budget });
        this.buildArgs = request.buildArgs ?? {};
    }

    run(): BuildResult {
        const { stages, metaArgs } = parseInstructions(this.parsed.ast);
        if (stages.length === 0) throw new DockerfileError("dockerfile contains no stages to build (no FROM instruction)");

        const buildPlatform = this.platformOption(this.request.buildPlatform ?? "linux/amd64", "build platform");
        const requestedPlatforms = (this.request.platforms ?? []).map((p) => this.platformOption(p, "platform"));
        // buildPlatformOpt: with no target platform requested, the build platform is the target.
        this.targetPlatform = requestedPlatforms[0] ?? buildPlatform;
        const targetName = this.request.target || stages[stages.length - 1].name;
        this.globalArgs = new EnvList(defaultArgs(buildPlatform, this.targetPlatform, this.buildArgs, targetName));
        // with no platform requested the target is the builder's host too
        const hostArgs = requestedPlatforms.length === 0 ? [...BUILD_PLATFORM_ARGS, ...TARGET_PLATFORM_ARGS] : BUILD_PLATFORM_ARGS;
        for (const key of hostArgs) {
            if (!hasOwn(this.buildArgs, key)) this.hostDerivedArgs.set(key, new Set([key]));
        }
        this.buildMetaArgs(metaArgs);

        stages.forEach((stage, i) => this.addStage(stage, i));
        const target = this.resolveTarget();
        this.buildDependencyGraph();
        const reachable = this.resolveStages(target);
        let dispatched = 0;
        for (const d of this.states) {
            if (!reachable.has(d) || d.dispatched) continue;
            this.dispatchStage(d);
            dispatched++;
        }
        return this.result(target, requestedPlatforms, dispatched);
    }

    /** The builder-host variables behind the global ARGs an expansion used. */
    private hostVariablesOf(matched: ReadonlySet<string>): Set<string> {
        const variables = new Set<string>();
        for (const key of matched) {
            for (const variable of this.hostDerivedArgs.get(key) ?? []) variables.add(variable);
        }
        return variables;
    }

    private platformOption(spec: string, what: string): Platform {
        try {
            return parsePlatformCached(spec);
        } catch (err) {
            throw new DockerfileError(`invalid ${what} ${spec}: ${messageOf(err)}`);
        }
    }

    /** buildMetaArgs: build-args win over defaults; defaults expand against the global scope so far. */
    private buildMetaArgs(metaArgs: Extract<Command, { kind: "arg" }>[]): void {
        for (const cmd of metaArgs) {
            for (const arg of cmd.args) {
                let value: string | undefined;
                let hostVariables: ReadonlySet<string> = new Set();
                if (hasOwn(this.buildArgs, arg.key)) {
                    value = this.buildArgs[arg.key];
                } else if (arg.value !== undefined) {
                    const match = this.expandWithMatches(arg.value, this.globalArgs, cmd.startLine, "");
                    value = match.result;
                    hostVariables = this.hostVariablesOf(match.matched);
                }
                if (value === undefined) continue;
                this.globalArgs.set(arg.key, value);
                if (hostVariables.size > 0) this.hostDerivedArgs.set(arg.key, hostVariables);
                else this.hostDerivedArgs.delete(arg.key);
            }
        }
    }

    /** buildDispatchStates for one stage: FROM and --platform expand against the global scope only. */
    private addStage(stage: Stage, index: number): void {
        const line = stage.startLine;
        const baseName = this.expand(stage.baseName, this.globalArgs, line);
        if (baseName === "") throw new DockerfileError(`base name (${stage.baseName}) should not be blank`, line);
        const d = newState(stage, index, baseName);
        if (stage.platform !== "") {
            const match = this.expandWithMatches(stage.platform, this.globalArgs, line, `failed to process arguments for platform ${stage.platform}: `);
            if (match.result === "") {
                const hint = suggestAny(match.unmatched, this.globalArgs.keys());
                throw new DockerfileError(`empty platform value from expression ${stage.platform}${hint}`, line);
            }
            try {
                d.fromPlatform = parsePlatform(match.result);
            } catch (err) {
                throw new DockerfileError(`failed to parse platform ${stage.platform}: ${messageOf(err)}`, line);
            }
            d.fromPlatformText = match.result;
            const hostVariables = this.hostVariablesOf(match.matched);
            if (hostVariables.size > 0) d.fromPlatformBuildVariables = [...hostVariables].sort();
        }
        if (stage.name === "") d.stageName = `stage-${index}`;
        this.addState(d);
    }

    /** dispatchStates.addState: `FROM x` is a stage only when x exactly equals an earlier stage's name. */
    private addState(d: DispatchState): void {
        this.states.push(d);
        const parent = this.statesByName.get(d.baseName);
        if (parent !== undefined) d.base = parent;
        if (d.stage.name !== "") this.statesByName.set(d.stage.name.toLowerCase(), d);
    }

    private findStateByName(name: string): DispatchState | undefined {
        return this.statesByName.get(name.toLowerCase());
    }

    private resolveTarget(): DispatchState {
        const wanted = this.request.target;
        if (wanted === undefined || wanted === "") return this.states[this.states.length - 1];
        const found = this.findStateByName(wanted);
        if (found === undefined) {
            const names = this.states.map((s) => s.stageName).filter((n) => n !== "");
            throw new DockerfileError(`target stage ${goQuote(wanted)} could not be found${suggestion(wanted, names)}`);
        }
        return found;
    }

    /** buildStageDependencyGraph: COPY --from and RUN --mount from= make stages (or images) dependencies. */
    private buildDependencyGraph(): void {
        for (const d of [...this.states]) {
            for (const cmd of d.commands) this.registerSources(d, cmd);
        }
        this.validateCircularDependency();
        if (this.states.length === 1) this.states[0].stageName = "";
    }

    private registerSources(d: DispatchState, cmd: Command): boolean {
        const sources = this.commandSources(cmd);
        if (sources.length === 0) return false;
        d.sources.set(cmd, sources);
        for (const src of sources) {
            d.deps.set(src, cmd);
            if (src.unregistered && !this.states.includes(src)) this.addState(src);
        }
        return true;
    }

    /** toCommand + detectRunMount. */
    private commandSources(cmd: Command): DispatchState[] {
        if (cmd.kind === "copy" && cmd.from !== "") {
            let literal: string;
            try {
                literal = this.lex.processWordWithMatches(cmd.from, EMPTY_ENV).result;
            } catch (err) {
                throw new DockerfileError(messageOf(err), cmd.startLine);
            }
            if (literal !== cmd.from) {
                throw new DockerfileError("variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround", cmd.startLine);
            }
            // strconv.Atoi: a number that overflows int64 is not an index, so it names an image
            if (/^[+-]?\d{1,18}$/.test(cmd.from)) {
                const index = Number(cmd.from);
                if (index < 0 || index >= this.states.length) throw new DockerfileError(`invalid stage index ${index}`, cmd.startLine);
                return [this.states[index]];
            }
            return [this.findStateByName(cmd.from) ?? this.unregisteredState(cmd.from, cmd)];
        }
        if (cmd.kind === "run") {
            // an empty from= may be a tmpfs; upstream still records scratch as the source
            return cmd.mounts.map((m) => {
                const from = m.from === "" ? SCRATCH : m.from;
                return this.findStateByName(from) ?? this.unregisteredState(from, cmd);
            });
        }
        return [];
    }

    private unregisteredState(baseName: string, cmd: Command): DispatchState {
        const stage: Stage = { name: "", baseName, platform: "", keyword: "FROM", code: cmd.code, startLine: cmd.startLine, endLine: cmd.endLine, commands: [] };
        const d = newState(stage, -1, baseName);
        d.unregistered = true;
        return d;
    }

    private validateCircularDependency(): void {
        if (this.states.every((s) => s.deps.size === 0)) return;
        const visited = new Set<DispatchState>();
        const path = new Set<DispatchState>();
        // the commands leading from the starting stage to the current one
        const trail: Command[] = [];
        const visit = (state: DispatchState): boolean => {
            if (visited.has(state)) return false;
            visited.add(state);
            path.add(state);
            for (const [dep, cmd] of state.deps) {
                trail.push(cmd);
                if (path.has(dep) || visit(dep)) return true;
                trail.pop();
            }
            path.delete(state);
            return false;
        };
        for (const state of this.states) {
            if (visit(state)) {
                throw new DockerfileError(`circular dependency detected on stage: ${state.stageName}`, trail[0].startLine);
            }
        }
    }

    /** resolveStages: reachable stages, base images, then ONBUILD triggers until no new dependency appears. */
    private resolveStages(target: DispatchState): Set<DispatchState> {
        // a round past the first exists because of the triggers of the stage at this line
        let blamedLine = target.stage.startLine;
        for (;;) {
            try {
                this.budget.spendDispatch(this.states.length, "resolving stages");
            } catch (err) {
                throw new DockerfileError(messageOf(err), blamedLine);
            }
            const reachable = reachableFrom(target);
            for (const d of this.states) {
                if (d.base !== undefined || d.dispatched || d.resolved) continue;
                d.resolved = reachable.has(d);
                this.resolveBaseImage(d);
            }
            let newDeps = false;
            for (const d of this.states) {
                if (!reachable.has(d) || d.base === undefined || d.onBuildInit) continue;
                d.onBuildInit = true;
                const triggers = d.base.commands.filter((c): c is Extract<Command, { kind: "onbuild" }> => c.kind === "onbuild");
                if (triggers.length > 0 && this.initOnBuildTriggers(d, triggers)) {
                    newDeps = true;
                    blamedLine = d.stage.startLine;
                }
            }
            if (!newDeps) return reachable;
        }
    }

    /** resolveBaseImage without a registry: scratch, or a reference that must parse. */
    private resolveBaseImage(d: DispatchState): void {
        if (d.baseName === SCRATCH) {
            d.root = { kind: "scratch" };
            // upstream gives scratch the target platform, whatever --platform said
            d.platform = this.targetPlatform;
            d.imageEnv = new EnvList([["PATH", DEFAULT_PATH]]);
            if (d.unregistered) d.dispatched = true;
            return;
        }
        let reference: ImageReference;
        try {
            reference = this.imageReference(d.baseName);
        } catch (err) {
            throw new DockerfileError(`failed to parse stage name ${goQuote(d.baseName)}: ${detailOf(err)}`, d.stage.startLine);
        } finally {
            if (d.unregistered) d.dispatched = true;
        }
        d.root = { kind: "image", reference };
        d.platform = d.fromPlatform ?? this.targetPlatform;
    }

    /** parseImageReference, once per name: stages not yet reachable are resolved again in every round. */
    private imageReference(name: string): ImageReference {
        let parsed = this.references.get(name);
        if (parsed === undefined) {
            try {
                parsed = parseImageReference(name);
            } catch (err) {
                parsed = err instanceof Error ? err : new Error(String(err));
            }
            this.references.set(name, parsed);
        }
        if (parsed instanceof Error) throw parsed;
        return parsed;
    }

    /** initOnBuildTriggers: each trigger is parsed alone, placed at the child's FROM line, and runs first. */
    private initOnBuildTriggers(d: DispatchState, triggers: Extract<Command, { kind: "onbuild" }>[]): boolean {
        let newDeps = false;
        const commands: Command[] = [];
        for (const trigger of triggers) {
            let cmd: Command;
            try {
                this.budget.spendDispatch(ONBUILD_TRIGGER_STEPS, `running ONBUILD triggers of ${goQuote(d.stage.baseName)}`);
                const ast = parse(trigger.expression).ast;
                if (ast.length !== 1) throw new Error("onbuild trigger should be a single expression");
                const node = { ...ast[0], startLine: d.stage.startLine, endLine: d.stage.endLine };
                cmd = { ...parseCommand(node), fromOnbuild: true };
            } catch (err) {
                throw new DockerfileError(detailOf(err), d.stage.startLine);
            }
            if (this.registerSources(d, cmd)) newDeps = true;
            commands.push(cmd);
        }
        d.commands = [...commands, ...d.commands];
        return newDeps;
    }

    /** dispatchStages for one stage: inherit from the parent stage, then run each command. */
    private dispatchStage(d: DispatchState): void {
        try {
            this.init(d);
        } catch (err) {
            throw new DockerfileError(messageOf(err), d.stage.startLine);
        }
        d.dispatched = true;
        d.platform ??= this.targetPlatform;
        if (!d.imageEnv.has("PATH") && d.platform.os !== "windows") d.imageEnv.set("PATH", DEFAULT_PATH);
        // the image config's env is laid over the inherited build state (ARGs of the parent included)
        for (const key of d.imageEnv.keys()) d.env.set(key, d.imageEnv.get(key) as string);
        for (const cmd of d.commands) {
            try {
                this.dispatchCommand(d, cmd);
            } catch (err) {
                if (err instanceof DockerfileError && err.line !== undefined) throw err;
                throw new DockerfileError(detailOf(err), cmd.startLine);
            }
        }
    }

    /** dispatchState.init: a stage built FROM another stage starts from that stage's state and image. */
    private init(d: DispatchState): void {
        const base = d.base;
        if (base === undefined) return;
        // a long chain of stages over a large environment copies it again and again
        this.budget.spendDispatch(base.env.size + base.imageEnv.size + base.labels.size, `copying the state of stage ${goQuote(base.stageName)}`);
        d.root = base.root;
        d.platform = base.platform;
        d.env = base.env.clone();
        d.imageEnv = base.imageEnv.clone();
        d.user = base.user;
        d.labels = new Map(base.labels);
    }

    private dispatchCommand(d: DispatchState, cmd: Command): void {
        const expand = (word: string): string => this.lex.processWord(word, d.env);
        switch (cmd.kind) {
            case "env": {
                const pairs = cmd.env.map((kv) => [expand(kv.key), expand(kv.value)] as const);
                for (const [key, value] of pairs) {
                    d.env.set(key, value);
                    d.imageEnv.set(key, value);
                }
                return;
            }
            case "label": {
                const pairs = cmd.labels.map((kv) => [expand(kv.key), expand(kv.value)] as const);
                for (const [key, value] of pairs) d.labels.set(key, setting(value, cmd));
                return;
            }
            case "user":
                d.user = setting(expand(cmd.user), cmd);
                return;
            case "arg":
                this.dispatchArg(d, cmd.args);
                return;
            case "copy": {
                const source = d.sources.get(cmd)?.[0];
                expand(cmd.chown);
                const chmod = expand(cmd.chmod);
                const sources = cmd.sources.map(expand);
                expand(cmd.dest);
                this.expandInlineSources(d, cmd);
                if (source !== undefined && !source.dispatched) {
                    throw new Error(`cannot copy from stage ${goQuote(cmd.from)}, it needs to be defined before current stage ${goQuote(d.stageName)}`);
                }
                checkCopySources(chmod, "", sources, false);
                return;
            }
            case "add": {
                expand(cmd.chown);
                const chmod = expand(cmd.chmod);
                const checksum = expand(cmd.checksum);
                const sources = cmd.sources.map(expand);
                expand(cmd.dest);
                this.expandInlineSources(d, cmd);
                checkCopySources(chmod, checksum, sources, true);
                return;
            }
            case "run":
                // setMountState: mounts are re-read with every value expanded
                this.dispatchRunMounts(d, cmd, expand);
                return;
            case "workdir":
                expand(cmd.path);
                return;
            case "volume":
                for (const v of cmd.volumes) {
                    if (expand(v) === "") throw new Error("VOLUME specified can not be an empty string");
                }
                return;
            case "stopsignal":
                checkSignal(expand(cmd.signal));
                return;
            case "expose":
                parseExposedPorts(cmd.ports.flatMap((port) => this.lex.processWords(port, d.env)));
                return;
            case "onbuild":
            case "cmd":
            case "entrypoint":
            case "healthcheck":
            case "shell":
            case "maintainer":
                return;
        }
    }

    /** setMountState + dispatchRunMounts: mounts re-read with every value expanded, sources already built. */
    private dispatchRunMounts(d: DispatchState, cmd: Extract<Command, { kind: "run" }>, expand: (word: string) => string): void {
        const sources = d.sources.get(cmd) ?? [];
        cmd.mountValues.forEach((raw, i) => {
            const mount = parseMount(raw, expand);
            const from = mount.from === "" && mount.type === "cache" ? SCRATCH : mount.from;
            if (from !== "" && sources[i] !== undefined && !sources[i].dispatched) {
                throw new Error(`cannot mount from stage ${goQuote(mount.from)} to ${goQuote(mount.target)}, stage needs to be defined before current command`);
            }
            // a relative target joins the working directory, which an external base may set: only "/" itself is certain
            if (mount.type !== "secret" && mount.type !== "ssh" && mount.target.startsWith("/") && mount.target.split("/").every((part) => part === "" || part === ".")) {
                throw new Error(`invalid mount target ${goQuote("/")}`);
            }
        });
    }

    /** dispatchArg: build-arg value, else the default expanded in the stage, else the global value for a bare `ARG NAME`. */
    private dispatchArg(d: DispatchState, args: readonly ArgEntry[]): void {
        for (const arg of args) {
            const hasBuildArg = hasOwn(this.buildArgs, arg.key);
            let value: string | undefined;
            if (hasBuildArg) value = this.buildArgs[arg.key];
            else if (arg.value !== undefined) value = this.lex.processWord(arg.value, d.env);
            else value = this.globalArgs.get(arg.key);
            if (value !== undefined && !NON_ENV_ARGS.has(arg.key)) d.env.set(arg.key, value);
        }
    }

    /** ExpandRaw: expandable inline (heredoc) sources of COPY/ADD go through a quote-keeping lexer with `\`. */
    private expandInlineSources(d: DispatchState, cmd: Extract<Command, { kind: "copy" | "add" }>): void {
        for (const heredoc of cmd.inline) {
            if (heredoc.expand) this.rawLexer().processWord(heredoc.content, d.env);
        }
    }

    private result(target: DispatchState, requestedPlatforms: Platform[], dispatched: number): BuildResult {
        const chain: ChainStage[] = [];
        for (let s: DispatchState | undefined = target; s !== undefined; s = s.base) {
            const entry: ChainStage = { index: s.index, name: s.stage.name, line: s.stage.startLine, from: s.baseName };
            if (s.fromPlatformText !== undefined) {
                entry.platform = s.fromPlatformText;
                // dispatchState.init takes the parent stage's platform; scratch gets the target platform
                if (s.base !== undefined || s.baseName === SCRATCH) entry.platformIgnored = true;
                if (s.fromPlatformBuildVariables !== undefined) entry.platformBuildVariables = [...s.fromPlatformBuildVariables];
            }
            chain.push(entry);
        }
        return {
            chain,
            base: target.root ?? { kind: "scratch" },
            user: target.user,
            labels: target.labels,
            platform: target.platform ?? this.targetPlatform,
            targetPlatform: this.targetPlatform,
            requestedPlatforms,
            dispatchedStages: dispatched,
        };
    }

    /** dispatch's ExpandRaw lexer: backslash escapes, quotes kept. */
    private rawLexer(): ShellLex {
        this.rawLex ??= new ShellLex("\\", { skipProcessQuotes: true, budget: this.budget });
        return this.rawLex;
    }

    private expand(word: string, env: EnvGetter, line: number): string {
        try {
            return this.lex.processWord(word, env);
        } catch (err) {
            throw new DockerfileError(messageOf(err), line);
        }
    }

    private expandWithMatches(word: string, env: EnvGetter, line: number, prefix: string) {
        try {
            return this.lex.processWordWithMatches(word, env);
        } catch (err) {
            // running out of budget is about the whole analysis, not this word
            throw new DockerfileError(err instanceof AnalysisBudgetError ? err.message : prefix + messageOf(err), line);
        }
    }
}

function setting(value: string, cmd: Command): Setting {
    return cmd.fromOnbuild === true ? { value, line: cmd.startLine, onbuild: true } : { value, line: cmd.startLine };
}

function newState(stage: Stage, index: number, baseName: string): DispatchState {
    return {
        stage,
        index,
        stageName: stage.name,
        baseName,
        deps: new Map(),
        commands: [...stage.commands],
        sources: new Map(),
        unregistered: false,
        dispatched: false,
        resolved: false,
        onBuildInit: false,
        env: new EnvList(),
        imageEnv: new EnvList(),
        labels: new Map(),
    };
}

function reachableFrom(target: DispatchState): Set<DispatchState> {
    const seen = new Set<DispatchState>();
    const stack = [target];
    while (stack.length > 0) {
        const s = stack.pop() as DispatchState;
        if (seen.has(s)) continue;
        seen.add(s);
        if (s.base !== undefined) stack.push(s.base);
        for (const dep of s.deps.keys()) stack.push(dep);
    }
    return seen;
}

/** Name pairs compared for a "did you mean" hint at most; past that the hint is left out. */
const MAX_SUGGESTION_PAIRS = 1_000_000;

/** wrapSuggestAny: suggest a defined name for any variable that was not set. */
function suggestAny(unmatched: ReadonlySet<string>, keys: readonly string[]): string {
    // a hostile file can name thousands of unset variables against thousands of ARGs; the hint is only a courtesy
    if (unmatched.size * keys.length > MAX_SUGGESTION_PAIRS) return "";
    for (const name of unmatched) {
        const hint = suggestion(name, keys);
        if (hint !== "") return hint;
    }
    return "";
}

/**
 * dispatchCopy's checks on expanded values (convert_copy.go): --chmod octal up
 * to 07777 or symbolic, --checksum only for one remote ADD source, and COPY
 * never takes a URL or git source.
 */
function checkCopySources(chmod: string, checksum: string, sources: readonly string[], isAdd: boolean): void {
    if (chmod !== "") {
        const octal = /^[0-7]+$/.test(chmod) ? parseInt(chmod, 8) : undefined;
        const symbolic = /^[ugoa]*[-+=]([rwxXst]*|[ugo])(,[ugoa]*[-+=]([rwxXst]*|[ugo]))*$/.test(chmod);
        if ((octal === undefined && !symbolic) || (octal !== undefined && octal > 0o7777)) {
            throw new Error(`invalid chmod parameter: '${chmod}'. it should be octal string and between 0 and 07777`);
        }
    }
    if (checksum !== "") {
        if (!isAdd) throw new Error("checksum can't be specified for COPY");
        if (sources.length !== 1) throw new Error("checksum can't be specified for multiple sources");
        if (!isRemoteSource(sources[0])) throw new Error("checksum requires HTTP(S) or Git sources");
    }
    if (!isAdd) {
        for (const src of sources) {
            if (isGitSource(src)) throw new Error("source can't be a git ref for COPY");
            if (/^https?:\/\//.test(src)) throw new Error("source can't be a URL for COPY");
        }
    }
}

function isGitSource(src: string): boolean {
    return src.startsWith("git@") || src.startsWith("git://") || (/^https?:\/\//.test(src) && /\.git(#|$)/.test(src));
}

function isRemoteSource(src: string): boolean {
    return /^https?:\/\//.test(src) || isGitSource(src);
}

/** moby/sys/signal's Linux SignalMap keys. */
const SIGNALS = new Set([
    "ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO", "IOT", "KILL", "PIPE", "POLL", "PROF", "PWR",
    "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM", "TRAP", "TSTP", "TTIN", "TTOU", "URG", "USR1", "USR2", "VTALRM",
    "WINCH", "XCPU", "XFSZ", "RTMIN", "RTMAX",
    ...Array.from({ length: 15 }, (_, i) => `RTMIN+${i + 1}`),
    ...Array.from({ length: 14 }, (_, i) => `RTMAX-${i + 1}`),
]);

/** moby/sys/signal.ParseSignal (Linux map). */
function checkSignal(raw: string): void {
    if (/^[+-]?\d+$/.test(raw)) {
        if (Number(raw) === 0) throw new Error(`invalid signal: ${raw}`);
        return;
    }
    const upper = raw.toUpperCase();
    const name = upper.startsWith("SIG") ? upper.slice(3) : upper;
    if (!SIGNALS.has(name)) throw new Error(`invalid signal: ${raw}`);
}

function hasOwn(record: Readonly<Record<string, string>>, key: string): boolean {
    return Object.prototype.hasOwnProperty.call(record, key);
}

function messageOf(err: unknown): string {
    return err instanceof Error ? err.message : String(err);
}

/** The message without a location: the caller places the error at its own line. */
function detailOf(err: unknown): string {
    return err instanceof DockerfileError ? err.detail : messageOf(err);
}
