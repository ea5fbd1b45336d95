import { Command, Option } from "commander";
import * as fs from "fs";
import * as path from "path";
import type { Exemption, ImageFacts, Violation } from "../../dockerfile";
import { DockerfileError } from "../../dockerfile/errors";
import { where } from "../../dockerfile/judgments/location";
import { EXIT_ERROR, EXIT_FINDINGS, EXIT_OK } from "../main";

type Format = "text" | "json" | "sarif";

interface CheckOptions {
    target?: string;
    buildArg: string[];
    platform: string[];
    label: string[];
    format: Format;
}

/** A usage or input problem: printed on stderr, exit 2. */
class InputError extends Error {}

/**
 * `shipshape check DOCKERFILE`: what image BuildKit would build for this
 * request, judged by the four image policies. Exit 0 clean, 1 violations,
 * 2 unreadable file, a Dockerfile BuildKit would reject, or bad flags.
 */
export function registerCheck(program: Command, setExit: (code: number) => void): void {
    program
        .command("check")
        .description("Judge the image BuildKit would build from a Dockerfile: non-root user, distroless base, linux/amd64 only, OCI labels")
        .argument("<dockerfile>", "path of the Dockerfile")
        .option("--target <stage>", "stage to build (case-insensitive; default: the last stage)")
        .addOption(new Option("--build-arg <key=value>", "build argument, as for docker buildx build (repeatable)").argParser(collect).default([], "none"))
        .addOption(
            new Option("--platform <platforms>", "target platform(s), repeatable or comma-separated").argParser(collect).default([], "none, i.e. buildx builds for the host"),
        )
        .addOption(new Option("--label <key=value>", "label set on the command line, overriding Dockerfile LABELs (repeatable)").argParser(collect).default([], "none"))
        .addOption(new Option("--format <format>", "output format").choices(["text", "json", "sarif"]).default("text"))
        .action((file: string, options: CheckOptions) => {
            setExit(runCheck(file, options));
        });
}

function collect(value: string, previous: string[]): string[] {
    return [...previous, value];
}

export function runCheck(file: string, options: CheckOptions): number {
    // Loaded here so other commands never pay for the analyzer.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const analyzer = require("../../dockerfile") as typeof import("../../dockerfile");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { DEFAULT_MAX_BYTES } = require("../../dockerfile/parser") as typeof import("../../dockerfile/parser");

    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { parsePlatform } = require("../../dockerfile/build/platform") as typeof import("../../dockerfile/build/platform");

    let text: string;
    let buildArgs: Record<string, string>;
    let labels: Record<string, string>;
    let platforms: string[];
    try {
        buildArgs = keyValues(options.buildArg, "--build-arg");
        labels = keyValues(options.label, "--label");
        platforms = requestedPlatforms(options.platform, parsePlatform);
        text = readDockerfileFile(file, DEFAULT_MAX_BYTES);
    } catch (err) {
        if (err instanceof InputError || err instanceof DockerfileError) {
            process.stderr.write(`shipshape check: ${err.message}\n`);
            return EXIT_ERROR;
        }
        throw err;
    }

    const facts = analyzer.analyzeDockerfile(text, { file, target: options.target, buildArgs, platforms, labels });
    const { violations, exemptions } = analyzer.judgeImage(facts);

    for (const error of facts.errors) {
        process.stderr.write(`${where(facts, error.line)}: ${error.message}\n`);
    }
    if (facts.errors.length > 0 && hasNoFrom(text, analyzer.parse)) {
        process.stderr.write(`${file}: the Dockerfile has no FROM instruction, so BuildKit has no stage to build\n`);
    }
    switch (options.format) {
        case "json":
            process.stdout.write(JSON.stringify(toJson(facts, violations, exemptions), null, 2) + "\n");
            break;
        case "sarif":
            process.stdout.write(JSON.stringify(toSarif(facts, violations, analyzer.IMAGE_POLICY_DESCRIPTIONS), null, 2) + "\n");
            break;
        case "text":
            process.stdout.write(toText(facts, violations, exemptions));
            break;
    }
    if (facts.errors.length > 0) return EXIT_ERROR;
    return violations.length > 0 ? EXIT_FINDINGS : EXIT_OK;
}

/** Whether a Dockerfile that parses has no FROM at all: worth saying in plain words. */
function hasNoFrom(text: string, parse: typeof import("../../dockerfile").parse): boolean {
    try {
        return !parse(text).ast.some((node) => node.value === "from");
    } catch {
        return false;
    }
}

/**
 * The text of the Dockerfile at `file` (check and dump both read through here).
 * An unreadable or oversized file is a DockerfileError naming it; an oversized
 * one is refused before it is read (the parser enforces the same limit).
 */
export function readDockerfileFile(file: string, maxBytes: number): string {
    let size: number;
    try {
        size = fs.statSync(file).size;
        if (size <= maxBytes) return fs.readFileSync(file, "utf8");
    } catch (err) {
        throw new DockerfileError(`cannot read: ${(err as Error).message}`, undefined, file);
    }
    throw new DockerfileError(`Dockerfile is ${size} bytes, over the limit of ${maxBytes} bytes`, undefined, file);
}

/**
 * `KEY=VALUE` pairs. Unlike buildx, a bare `KEY` is refused rather than read
 * from the environment: a policy check should not depend on hidden state.
 */
function keyValues(pairs: string[], flag: string): Record<string, string> {
    const result: Record<string, string> = {};
    for (const pair of pairs) {
        const eq = pair.indexOf("=");
        if (eq < 0) throw new InputError(`${flag}: expected KEY=VALUE, got ${JSON.stringify(pair)}`);
        const key = pair.slice(0, eq);
        if (key.trim() === "") throw new InputError(`${flag}: empty key in ${JSON.stringify(pair)}`);
        result[key] = pair.slice(eq + 1);
    }
    return result;
}

/** `--platform` values, comma-separated lists split; an invalid one is a flag error, not a Dockerfile the analysis would blame. */
function requestedPlatforms(values: string[], parsePlatform: (spec: string) => unknown): string[] {
    const platforms = values.flatMap((p) => p.split(",")).map((p) => p.trim()).filter((p) => p !== "");
    for (const platform of platforms) {
        try {
            parsePlatform(platform);
        } catch (err) {
            throw new InputError(`--platform: invalid platform ${JSON.stringify(platform)}: ${(err as Error).message}`);
        }
    }
    return platforms;
}

function baseName(facts: ImageFacts): string | null {
    if (facts.base === undefined) return null;
    return facts.base === "scratch" ? "scratch" : facts.base.normalized;
}

function toJson(facts: ImageFacts, violations: Violation[], exemptions: Exemption[]): unknown {
    return {
        file: facts.file,
        target: facts.target ?? null,
        image: {
            stages: facts.stages,
            base: baseName(facts),
            user: facts.user ?? null,
            userVerdict: facts.userVerdict,
            userReason: facts.userReason,
            platform: facts.platform ?? null,
            platforms: facts.platforms,
            labels: facts.labels,
        },
        violations: violations.map((v) => ({ policy: v.policy, message: v.message, line: v.line ?? null })),
        exemptions,
        errors: facts.errors.map((e) => ({ message: e.message, line: e.line ?? null })),
    };
}

function toText(facts: ImageFacts, violations: Violation[], exemptions: Exemption[]): string {
    const out: string[] = [];
    if (facts.errors.length > 0) {
        out.push(`${facts.file}: BuildKit would reject this Dockerfile; the image cannot be judged`);
    } else {
        const chain = facts.stages.map((s) => `${s.name ?? `stage ${s.index}`} (line ${s.line})`).join(" <- ");
        out.push(`${facts.file}: target ${facts.target ?? "?"}: ${chain}`);
        const base = baseName(facts) ?? "unknown";
        const fact = facts.baseFact;
        const traits = fact
            ? [fact.distroless === undefined ? undefined : fact.distroless ? "distroless" : "not distroless", fact.shell === undefined ? undefined : fact.shell ? "shell" : "no shell"]
                  .filter((t) => t !== undefined)
                  .join(", ")
            : "";
        out.push(`  base:      ${base}${traits ? ` (${traits})` : ""}`);
        const user = facts.user === undefined ? "unknown" : JSON.stringify(facts.user);
        out.push(`  user:      ${user} -> ${facts.userVerdict}: ${facts.userReason}`);
        const requested = facts.platforms.length > 0 ? facts.platforms.join(", ") : "none (host)";
        out.push(`  platform:  ${facts.platform ?? "unknown"} (requested: ${requested})`);
        const labelKeys = Object.keys(facts.labels).sort();
        out.push(labelKeys.length === 0 ? "  labels:    none" : "  labels:");
        for (const key of labelKeys) out.push(`    ${key}=${facts.labels[key]}`);
    }
    for (const e of exemptions) out.push(`exempt: ${e.message}`);
    if (violations.length === 0) {
        out.push("OK: no violations");
    } else {
        out.push(`${violations.length} violation${violations.length === 1 ? "" : "s"}:`);
        for (const v of violations) out.push(`  ${where(facts, v.line)}: ${v.policy}: ${v.message}`);
    }
    return out.join("\n") + "\n";
}

/** Code scanning shows `security-severity` (0-10) for rules tagged security. */
const SARIF_RULE_PROPERTIES: Record<string, { tags: string[]; "security-severity"?: string }> = {
    "image-non-root-user": { tags: ["security", "dockerfile"], "security-severity": "7.0" },
    "image-distroless-base": { tags: ["security", "dockerfile"], "security-severity": "5.0" },
    "image-amd64-only": { tags: ["portability", "dockerfile"] },
    "image-oci-labels": { tags: ["maintainability", "dockerfile"] },
};

/** SARIF 2.1.0 as GitHub code scanning accepts it: one rule per policy, results at the deciding line. */
function toSarif(facts: ImageFacts, violations: Violation[], descriptions: Readonly<Record<string, string>>): unknown {
    const policies = Object.keys(descriptions);
    return {
        $schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [
            {
                tool: {
                    driver: {
                        name: "shipshape",
                        version: packageVersion(),
                        rules: policies.map((id) => ({
                            id,
                            name: id,
                            shortDescription: { text: descriptions[id] },
                            fullDescription: { text: descriptions[id] },
                            help: { text: descriptions[id] },
                            defaultConfiguration: { level: "error" },
                            properties: SARIF_RULE_PROPERTIES[id] ?? { tags: ["dockerfile"] },
                        })),
                    },
                },
                results: violations.map((v) => ({
                    ruleId: v.policy,
                    ruleIndex: policies.indexOf(v.policy),
                    level: "error",
                    message: { text: v.message },
                    locations: [
                        {
                            physicalLocation: {
                                artifactLocation: { uri: artifactUri(facts.file) },
                                // Code scanning needs a line; findings about the whole file go on line 1.
                                region: { startLine: v.line !== undefined && v.line >= 1 ? v.line : 1 },
                            },
                        },
                    ],
                })),
            },
        ],
    };
}

/** A path relative to the working directory (the checkout in CI), with forward slashes. */
function artifactUri(file: string): string {
    const relative = path.relative(process.cwd(), path.resolve(file));
    if (relative.startsWith("..") || path.isAbsolute(relative)) return "file://" + path.resolve(file).split(path.sep).join("/");
    return relative.split(path.sep).map(encodeURIComponent).join("/");
}

function packageVersion(): string {
    // Source (cli/commands) and compiled (dist/cli/commands) sit at different depths: walk up.
    for (let dir = __dirname; ; dir = path.dirname(dir)) {
        const candidate = path.join(dir, "package.json");
        if (fs.existsSync(candidate)) {
            const pkg = JSON.parse(fs.readFileSync(candidate, "utf8")) as { name?: string; version?: string };
            if (pkg.name === "shipshape" && pkg.version) return pkg.version;
        }
        if (path.dirname(dir) === dir) return "0.0.0";
    }
}
