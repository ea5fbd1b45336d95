/**
 * The analyzer's entry point: what image BuildKit would produce from a
 * Dockerfile for one build request. Bad input never throws; it is reported in
 * `facts.errors` with its line, and judgments fail closed on it.
 */
import { lookupBaseImage, userVerdictOf } from "./base-images/knowledge";
import { dispatchBuild, type BuildResult } from "./build/dispatch";
import { formatPlatform, parsePlatformCached } from "./build/platform";
import { DockerfileError } from "./errors";
import { parse } from "./parser";
import { AnalysisBudget } from "./shell";
import type { AnalyzeOptions, ImageFacts, StageSummary } from "./types";

export function analyzeDockerfile(text: string, options: AnalyzeOptions = {}): ImageFacts {
    const facts: ImageFacts = {
        file: options.file ?? "<inline>",
        stages: [],
        userVerdict: "unknown",
        userReason: "",
        platforms: normalizedPlatforms(options.platforms ?? []),
        labels: {},
        labelLines: {},
        errors: [],
    };
    let build: BuildResult;
    try {
        // dockerfile2llb toDispatchState refuses zero bytes before parsing (a blank file gets the parser's "file with no instructions")
        if (text.length === 0) throw new DockerfileError("the Dockerfile cannot be empty");
        build = dispatchBuild(parse(text), {
            target: options.target,
            buildArgs: options.buildArgs,
            platforms: options.platforms,
            buildPlatform: options.buildPlatform,
            budget: analysisBudget(options),
        });
    } catch (err) {
        const error = err instanceof DockerfileError
            ? { message: err.detail, ...(err.line !== undefined ? { line: err.line } : {}) }
            : { message: `internal error while analysing: ${err instanceof Error ? err.message : String(err)}` };
        facts.errors.push(error);
        facts.userReason = `the Dockerfile cannot be analysed: ${error.message}`;
        Object.assign(facts.labels, options.labels ?? {});
        return facts;
    }

    const built = build.chain[0];
    facts.target = built.name !== "" ? built.name : String(built.index);
    facts.stages = build.chain.map((s): StageSummary => {
        const summary: StageSummary = { index: s.index, line: s.line, from: s.from };
        if (s.name !== "") summary.name = s.name;
        if (s.platform !== undefined) summary.platform = s.platform;
        if (s.platformIgnored === true) summary.platformIgnored = true;
        if (s.platformBuildVariables !== undefined) summary.platformBuildVariables = s.platformBuildVariables;
        return summary;
    });
    facts.platform = formatPlatform(build.platform);

    if (build.base.kind === "scratch") {
        facts.base = "scratch";
    } else {
        facts.base = build.base.reference;
        const fact = lookupBaseImage(build.base.reference, options.baseImages);
        if (fact !== undefined) facts.baseFact = fact;
    }
    decideUser(facts, build);

    for (const [key, setting] of build.labels) {
        facts.labels[key] = setting.value;
        facts.labelLines[key] = setting.line;
    }
    for (const [key, value] of Object.entries(options.labels ?? {})) {
        facts.labels[key] = value;
        delete facts.labelLines[key];
    }
    return facts;
}

/** The budget of this analysis (see AnalysisBudgetOptions for the defaults); invalid limits are a DockerfileError naming the option. */
function analysisBudget(options: AnalyzeOptions): AnalysisBudget {
    try {
        return new AnalysisBudget(options.budget);
    } catch (err) {
        throw new DockerfileError(`invalid analysis option budget.${err instanceof Error ? err.message : String(err)}`);
    }
}

/** The last USER of the chain decides; without one, the base image's default user (scratch: root). */
function decideUser(facts: ImageFacts, build: BuildResult): void {
    const base = facts.base;
    if (build.user !== undefined) {
        const { value, line, onbuild } = build.user;
        const { verdict, reason } = userVerdictOf(value);
        facts.user = value;
        facts.userVerdict = verdict;
        facts.userLine = line;
        const where = onbuild ? `from a parent stage's ONBUILD trigger, run at line ${line}` : `at line ${line}`;
        facts.userReason = `USER ${JSON.stringify(value)} ${where}: ${reason}`;
        return;
    }
    if (base === "scratch") {
        facts.user = "";
        facts.userVerdict = "root";
        facts.userReason = "no USER in the built stages and scratch has no default user, so the image runs as root";
        return;
    }
    if (base === undefined) {
        facts.userReason = "no USER in the built stages and the base image is unknown";
        return;
    }
    const fact = facts.baseFact;
    if (fact?.user === undefined) {
        facts.userReason = `no USER in the built stages and the default user of base ${base.normalized} is unknown`;
        return;
    }
    const { verdict, reason } = userVerdictOf(fact.user);
    facts.user = fact.user;
    facts.userVerdict = verdict;
    const runsAs = fact.user === "" ? "root (no USER set)" : fact.user;
    const note = fact.note ? ` (${fact.note})` : "";
    facts.userReason = `no USER in the built stages; base ${base.normalized} runs as ${runsAs}${note}: ${reason}`;
}

/** Requested platforms normalised to `os/arch[/variant]`; an invalid one is kept as written (dispatch reports it). */
function normalizedPlatforms(platforms: readonly string[]): string[] {
    return platforms.map((p) => {
        try {
            return formatPlatform(parsePlatformCached(p));
        } catch {
            return p;
        }
    });
}
