/**
 * AST nodes to typed instructions, and the split into meta ARGs + stages
 * (BuildKit frontend/dockerfile/instructions/parse.go). Errors carry BuildKit's
 * message and the instruction's line.
 */
import { DockerfileError } from "../errors";
import { chompHeredocContent, mustParseHeredoc } from "../parser";
import type { Heredoc, Node } from "../parser/node";
import { goQuote } from "../shell/go-quote";
import type { ArgEntry, Command, CommandLine, KeyValue, ParsedDockerfile, Stage } from "./commands";
import { InstructionFlags, suggestion } from "./flags";
import { parseMount } from "./mounts";

/** Every instruction BuildKit knows (frontend/dockerfile/command). */
export const INSTRUCTION_NAMES: readonly string[] = [
    "add", "arg", "cmd", "copy", "entrypoint", "env", "expose", "from", "healthcheck", "label",
    "maintainer", "onbuild", "run", "shell", "stopsignal", "user", "volume", "workdir",
];

const UPPER_INSTRUCTION_NAMES = INSTRUCTION_NAMES.map((n) => n.toUpperCase());

/** Instructions.Parse: meta ARGs before the first FROM, then stages. */
export function parseInstructions(ast: readonly Node[]): ParsedDockerfile {
    const metaArgs: ParsedDockerfile["metaArgs"] = [];
    const stages: Stage[] = [];
    for (const node of ast) {
        const parsed = parseInstruction(node);
        if ("commands" in parsed) {
            stages.push(parsed);
            continue;
        }
        if (stages.length === 0) {
            if (parsed.kind === "arg") {
                metaArgs.push(parsed);
                continue;
            }
            throw new DockerfileError("no build stage in current context", node.startLine);
        }
        stages[stages.length - 1].commands.push(parsed);
    }
    return { metaArgs, stages };
}

/** One node to a Stage (FROM) or a Command; throws DockerfileError at the node's line. */
export function parseInstruction(node: Node): Stage | Command {
    try {
        return parseNode(node);
    } catch (err) {
        if (err instanceof DockerfileError) throw err;
        throw new DockerfileError(err instanceof Error ? err.message : String(err), node.startLine);
    }
}

/** A node that must be a command (ONBUILD triggers): FROM here is an error. */
export function parseCommand(node: Node): Command {
    const parsed = parseInstruction(node);
    if ("commands" in parsed) throw new DockerfileError("*instructions.Stage is not a command type", node.startLine);
    return parsed;
}

function parseNode(node: Node): Stage | Command {
    const flags = new InstructionFlags(node.flags);
    const args = nodeArgs(node);
    // built field by field: V8 makes `{ ...base, more }` objects an order of magnitude slower
    const base: BaseFields = {
        name: node.value,
        code: node.original.trim(),
        startLine: node.startLine,
        endLine: node.endLine,
    };
    switch (node.value) {
        case "env":
            flags.parse();
            return { name: base.name, code: base.code, startLine: base.startLine, endLine: base.endLine, kind: "env", env: keyValues(args, "ENV") };
        case "maintainer":
            if (args.length !== 1) throw exactlyOne("MAINTAINER");
            flags.parse();
            return { name: base.name, code: base.code, startLine: base.startLine, endLine: base.endLine, kind: "maintainer", maintainer: args[0] };
        case "label":
            flags.parse();
            return { name: base.name, code: base.code, startLine: base.startLine, endLine: base.endLine, kind: "label", labels: keyValues(args, "LABEL") };
        case "add": {
            if (args.length < 2) throw noDestination("ADD");
            const chown = flags.string("chown");
            const chmod = flags.string("chmod");
            const link = flags.bool("link");
            flags.bool("keep-git-dir");
            const checksum = flags.string("checksum");
            flags.bool("unpack");
            const excludes = flags.strings("exclude");
            flags.parse();
            const { sources, dest, inline } = sourcesAndDest(args, "ADD");
            return {
                name: base.name, code: base.code, startLine: base.startLine, endLine: base.endLine, kind: "add", sources, dest, chown: chown.value, chmod: chmod.value, link: link.value === "true",
                checksum: checksum.value, excludes: excludes.values, inline: withContent(inline, node),
            };
        }
        case "copy": {
            if (args.length < 2) throw noDestination("COPY");
            const chown = flags.string("chown");
            const from = flags.string("from");
            const chmod = flags.string("chmod");
            const link = flags.bool("link");
            const excludes = flags.strings("exclude");
            const parents = flags.bool("parents");
            flags.parse();
            const { sources, dest, inline } = sourcesAndDest(args, "COPY");
            return {
                name: base.name, code: base.code, startLine: base.startLine, endLine: base.endLine, kind: "copy", sources, dest, from: from.value, chown: chown.value, chmod: chmod.value,
                link: link.value === "true", parents: parents.value === "true", excludes: excludes.values, inline: withContent(inline, node),
            };
        }
        case "from":
            return parseFrom(node, args, flags);
        case "onbuild":
            return parseOnbuild(node, args, flags, base);
        case "workdir":
            if (args.length !== 1) throw exactlyOne("WORKDIR");
            flags.parse();
            return { name: base.name, code: base.code, startLine: base.startLine, endLine: base.endLine, kind: "workdir", path: args[0] };
        case "run": {
            // the RUN pre-hooks (mount, network, security, device) declare these flags
            const mount = flags.strings("mount");
            const network = flags.string("network", "default");
            const security = flags.string("security", "sandbox");
            flags.strings("device");
            flags.parse();
            const flagsUsed = flags.usedNames();
            const command = commandLine(node, args);
            const mounts = mount.values.map((m) => parseMount(m));
            if (!["default", "none", "host"].includes(network.value)) throw new Error(`invalid network mode "${network.value}"`);
            if (!["insecure", "sandbox"].includes(security.value)) throw new Error(`security "${security.value}" is not valid`);
            return { name: base.name, code: base.code, startLine: base.startLine, endLine: base.endLine, kind: "run", command, mounts, mountValues: mount.values, network: network.value, security: security.value, flagsUsed };
        }
        case "cmd":
            flags.parse();
            return { name: base.name, code: base.code, startLine: base.startLine, endLine: base.endLine, kind: "cmd", command: commandLine(node, args) };
        case "entrypoint":
            flags.parse();
            return { name: base.name, code: base.code, startLine: base.startLine, endLine: base.endLine, kind: "entrypoint", command: commandLine(node, args) };
        case "healthcheck":
            return parseHealthcheck(node, args, flags, base);
        case "expose":
            if (args.length === 0) throw atLeastOne("EXPOSE");
            flags.parse();
            return { name: base.name, code: base.code, startLine: base.startLine, endLine: base.endLine, kind: "expose", ports: [...args].sort() };
        case "user":
            if (args.length !== 1) throw exactlyOne("USER");
            flags.parse();
            return { name: base.name, code: base.code, startLine: base.startLine, endLine: base.endLine, kind: "user", user: args[0] };
        case "volume": {
            if (args.length === 0) throw atLeastOne("VOLUME");
            flags.parse();
            const volumes = args.map((v) => v.trim());
            if (volumes.includes("")) throw new Error("VOLUME specified can not be an empty string");
            return { name: base.name, code: base.code, startLine: base.startLine, endLine: base.endLine, kind: "volume", volumes };
        }
        case "stopsignal":
            // upstream does not parse STOPSIGNAL's flags at all
            if (args.length !== 1) throw exactlyOne("STOPSIGNAL");
            return { name: base.name, code: base.code, startLine: base.startLine, endLine: base.endLine, kind: "stopsignal", signal: args[0] };
        case "arg":
            return { name: base.name, code: base.code, startLine: base.startLine, endLine: base.endLine, kind: "arg", args: parseArgEntries(args) };
        case "shell": {
            flags.parse();
            const shell = node.json ? args : args.length === 0 ? [] : [args.join(" ")];
            if (shell.length === 0) throw atLeastOne("SHELL");
            if (!node.json) throw new Error(`SHELL requires the arguments to be in JSON form`);
            return { name: base.name, code: base.code, startLine: base.startLine, endLine: base.endLine, kind: "shell", shell };
        }
    }
    throw new Error(`unknown instruction: ${node.keyword}${suggestion(node.keyword, UPPER_INSTRUCTION_NAMES, false)}`);
}

/** parse.go nodeArgs: ONBUILD's trigger contributes its keyword then its words. */
function nodeArgs(node: Node): string[] {
    if (node.child === undefined) return node.args;
    return [node.child.keyword, ...nodeArgs(node.child)];
}

const VALID_STAGE_NAME = /^[a-z][a-z0-9\-_.]*$/;

function parseFrom(node: Node, args: string[], flags: InstructionFlags): Stage {
    let name = "";
    if (args.length === 3 && args[1].toLowerCase() === "as") {
        name = args[2].toLowerCase();
        if (!VALID_STAGE_NAME.test(name)) {
            throw new Error(`invalid name for build stage: ${goQuote(args[2])}, name can't start with a number or contain symbols`);
        }
    } else if (args.length !== 1) {
        throw new Error("FROM requires either one or three arguments");
    }
    const platform = flags.string("platform");
    flags.parse();
    return {
        name,
        baseName: args[0],
        platform: platform.value,
        keyword: node.keyword,
        code: node.original.trim(),
        startLine: node.startLine,
        endLine: node.endLine,
        commands: [],
    };
}

function parseOnbuild(node: Node, args: string[], flags: InstructionFlags, base: BaseFields): Command {
    if (args.length === 0) throw atLeastOne("ONBUILD");
    flags.parse();
    const trigger = args[0].trim().toUpperCase();
    if (trigger === "ONBUILD") throw new Error("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
    if (trigger === "MAINTAINER" || trigger === "FROM") throw new Error(`${trigger} isn't allowed as an ONBUILD trigger`);
    let expression = node.original.replace(/^\s*ONBUILD\s*/i, "");
    const heredocs = node.heredocs.length > 0 ? node.heredocs : node.child?.heredocs ?? [];
    for (const heredoc of heredocs) expression += "\n" + heredoc.content + heredoc.name;
    return { name: base.name, code: base.code, startLine: base.startLine, endLine: base.endLine, kind: "onbuild", expression, trigger };
}

type BaseFields = { name: string; code: string; startLine: number; endLine: number };

function parseHealthcheck(node: Node, args: string[], flags: InstructionFlags, base: BaseFields): Command {
    if (args.length === 0) throw atLeastOne("HEALTHCHECK");
    let type = args[0].toUpperCase();
    const rest = args.slice(1);
    if (type === "NONE") {
        if (rest.length !== 0) throw new Error("HEALTHCHECK NONE takes no arguments");
        return { name: base.name, code: base.code, startLine: base.startLine, endLine: base.endLine, kind: "healthcheck", test: [type], intervalMs: 0, timeoutMs: 0, startPeriodMs: 0, startIntervalMs: 0, retries: 0 };
    }
    const interval = flags.string("interval");
    const timeout = flags.string("timeout");
    const startPeriod = flags.string("start-period");
    const startInterval = flags.string("start-interval");
    const retries = flags.string("retries");
    flags.parse();
    if (type !== "CMD") throw new Error(`Unknown type ${goQuote(type)} in HEALTHCHECK (try CMD)`);
    const cmd = node.json ? rest : rest.length === 0 ? [] : [rest.join(" ")];
    if (cmd.length === 0) throw new Error("Missing command after HEALTHCHECK CMD");
    if (!node.json) type = "CMD-SHELL";
    let retryCount = 0;
    if (retries.value !== "") {
        if (!/^[+-]?\d+$/.test(retries.value) || Math.abs(Number(retries.value)) > 2 ** 31 - 1) {
            throw new Error(`strconv.ParseInt: parsing ${goQuote(retries.value)}: invalid syntax`);
        }
        retryCount = Number(retries.value);
        if (retryCount < 0) throw new Error(`--retries cannot be negative (${retryCount})`);
    }
    return {
        name: base.name,
        code: base.code,
        startLine: base.startLine,
        endLine: base.endLine,
        kind: "healthcheck",
        test: [type, ...cmd],
        intervalMs: interval_(interval.value, "interval"),
        timeoutMs: interval_(timeout.value, "timeout"),
        startPeriodMs: interval_(startPeriod.value, "start-period"),
        startIntervalMs: interval_(startInterval.value, "start-interval"),
        retries: retryCount,
    };
}

/** parseOptInterval: empty = 0; otherwise a Go duration of at least 1ms (or exactly 0). */
function interval_(value: string, flagName: string): number {
    if (value === "") return 0;
    const ms = parseGoDuration(value);
    if (ms === 0) return 0;
    if (ms < 1) throw new Error(`Interval ${goQuote(flagName)} cannot be less than 1ms`);
    return ms;
}

const DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, "μs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration, in milliseconds. */
export function parseGoDuration(value: string): number {
    const invalid = () => new Error(`time: invalid duration ${goQuote(value)}`);
    let s = value;
    let sign = 1;
    if (s.startsWith("-") || s.startsWith("+")) {
        if (s[0] === "-") sign = -1;
        s = s.slice(1);
    }
    if (s === "0") return 0;
    if (s === "") throw invalid();
    let total = 0;
    const part = /^(\d*)(?:\.(\d*))?([^\d.]+)/;
    while (s !== "") {
        const m = part.exec(s);
        if (m === null || (m[1] === "" && (m[2] ?? "") === "")) throw invalid();
        const unit = DURATION_UNITS[m[3]];
        if (unit === undefined) throw new Error(`time: unknown unit ${goQuote(m[3])} in duration ${goQuote(value)}`);
        total += Number(`${m[1] || "0"}.${m[2] ?? "0"}`) * unit;
        s = s.slice(m[0].length);
    }
    return sign * total;
}

function parseArgEntries(args: string[]): ArgEntry[] {
    if (args.length < 1) throw atLeastOne("ARG");
    return args.map((arg) => {
        const eq = arg.indexOf("=");
        if (eq < 0) return { key: arg };
        if (eq === 0) throw blankNames("ARG");
        return { key: arg.slice(0, eq), value: arg.slice(eq + 1) };
    });
}

/** parseKvps: the parser leaves ENV/LABEL as (key, value, delimiter) triples. */
function keyValues(args: string[], instruction: string): KeyValue[] {
    if (args.length === 0) throw atLeastOne(instruction);
    if (args.length % 3 !== 0) throw new Error(`Bad input to ${instruction}, too many arguments`);
    const pairs: KeyValue[] = [];
    for (let i = 0; i < args.length; i += 3) {
        if (args[i].length === 0) throw blankNames(instruction);
        pairs.push({ key: args[i], value: args[i + 1], noDelim: args[i + 2] === "" });
    }
    return pairs;
}

/** parseSourcesAndDest: a heredoc may be a source (inline file) but never the destination. */
function sourcesAndDest(args: string[], instruction: string): { sources: string[]; dest: string; inline: Heredoc[] } {
    const dest = args[args.length - 1];
    if (mustParseHeredoc(dest) !== undefined) throw new Error(`${instruction} cannot accept a heredoc as a destination`);
    const sources: string[] = [];
    const inline: Heredoc[] = [];
    for (const src of args.slice(0, -1)) {
        const heredoc = mustParseHeredoc(src);
        if (heredoc === undefined) sources.push(src);
        else inline.push(heredoc);
    }
    return { sources, dest, inline };
}

/** Inline sources take their body from the node's heredocs, by name (upstream's heredocLookup). */
function withContent(inline: Heredoc[], node: Node): Heredoc[] {
    return inline.map((h) => {
        const content = node.heredocs.find((n) => n.name === h.name)?.content ?? "";
        return { name: h.name, fileDescriptor: h.fileDescriptor, expand: h.expand, chomp: h.chomp, content: h.chomp ? chompHeredocContent(content) : content };
    });
}

/**
 * handleJSONArgs: exec form keeps the words, shell form joins them into one.
 * (Upstream's emptyAsNil for ENTRYPOINT only tells nil from an empty slice in Go.)
 */
function commandLine(node: Node, args: string[]): CommandLine {
    const cmdLine = node.json ? args : args.length === 0 ? [] : [args.join(" ")];
    return { cmdLine, prependShell: !node.json, heredocs: node.heredocs };
}

function atLeastOne(instruction: string): Error {
    return new Error(`${instruction} requires at least one argument`);
}

function exactlyOne(instruction: string): Error {
    return new Error(`${instruction} requires exactly one argument`);
}

function noDestination(instruction: string): Error {
    return new Error(`${instruction} requires at least two arguments, but only one was provided. Destination could not be determined`);
}

function blankNames(instruction: string): Error {
    return new Error(`${instruction} names can not be blank`);
}
