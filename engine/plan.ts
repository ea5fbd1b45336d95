/**
 * `shipshape plan`: what `pulumi preview --policy-pack policy` would report,
 * computed offline. The program runs on the embedded engine
 * (`program-runner.ts`); the policy pack is started and driven exactly as the
 * engine drives it (`policy-pack-client.ts`); images and repositories are
 * summarised with the analyzer (through `policy/image-inputs.ts`) and the
 * lifecycle library.
 */
import * as fs from "fs";
import * as path from "path";
import type { EnforcementLevel, PolicyPackClient, PolicyPackConfig, AnalyzerResource } from "./policy-pack-client";
import { PlanInputError } from "./errors";
import { loadPolicyPackConfigFile, PolicyPackConfigError } from "./policy-pack-config";
import { ProgramError, ProgramLogEntry, RegisteredResource, runProgram } from "./program-runner";
import { loadProject, PLAN_ORGANIZATION } from "./project";
import { asRecord, plainValue } from "./wire-values";
import { checkImageInputs, DockerBuildImageInputs, IMAGE_ANALYSIS_INPUTS, ImageCheck, ImagePolicyConfig } from "../policy/image-inputs";
import { DOCKER_BUILD_IMAGE, ECR_LIFECYCLE_POLICY, ECR_REPOSITORY } from "../policy/policies/support";
import { knownString, unknownPaths } from "../policy/resource-values";
import { LifecyclePolicy, parseLifecyclePolicy, tagMayExpire, TagExposure } from "../lifecycle/index";
import { IMAGE_POLICY_NAMES } from "../dockerfile/types";
import { findUp } from "../policy/find-up";

const ROOT_STACK = "pulumi:pulumi:Stack";

export interface PlanOptions {
    /** Directory holding `Pulumi.yaml`. */
    projectDir: string;
    stack: string;
    /** Policy pack directory; default `<projectDir>/policy` when it holds a pack, else shipshape's own pack. */
    packDir?: string;
    /** A `--policy-pack-config` file; default `<packDir>/config/<stack>.json` when it exists, else schema defaults. */
    policyConfigFile?: string;
    /** Progress messages for a spinner (pack start, program run, analysis). */
    onProgress?: (message: string) => void;
    programTimeoutMs?: number;
}

export interface PlanDiagnostic {
    policy: string;
    enforcementLevel: EnforcementLevel;
    /** The resource the diagnostic is about; empty when the pack did not name one. */
    urn: string;
    message: string;
    /** Names the resource when there is no URN (a check that failed while the program constructed it). */
    subject?: string;
}

export interface ImageSummary {
    urn: string;
    name: string;
    /** Inputs the analysis needs that are unknown during preview (`buildArgs.BASE`, ...). */
    unknownInputs: string[];
    /** Undefined when unknown inputs prevented the analysis. */
    check?: ImageCheck;
    tags: string[];
}

export interface TagProtection {
    tag: string;
    /** Undefined when the policy could not be evaluated (see RepositorySummary.lifecycleError). */
    exposure?: TagExposure;
}

export interface RepositorySummary {
    urn: string;
    name: string;
    repositoryName?: string;
    url?: string;
    lifecycle?: LifecyclePolicy;
    /** Why the lifecycle policy could not be read (unknown, invalid, missing). */
    lifecycleError?: string;
    /** Every tag an image in the stack writes to this repository, and whether the lifecycle policy may expire it. */
    tags: TagProtection[];
}

export interface PlanResult {
    stack: string;
    project: string;
    projectDir: string;
    stackFile: string;
    resources: RegisteredResource[];
    stackOutputs: Record<string, unknown>;
    logs: ProgramLogEntry[];
    unansweredCalls: string[];
    undecryptedKeys: string[];
    pack: { dir: string; name: string; version: string; configSource: string };
    images: ImageSummary[];
    repositories: RepositorySummary[];
    diagnostics: PlanDiagnostic[];
    /** Set when the program stopped because a component's construction-time check failed. */
    stoppedByProgram?: string;
}

/** Mandatory diagnostics block the deployment; the plan then exits 1. */
export function hasMandatory(result: PlanResult): boolean {
    return result.diagnostics.some((d) => d.enforcementLevel === "mandatory");
}

/** The pack `pulumi preview --policy-pack policy` would load for this project. */
export function defaultPackDir(projectDir: string): string {
    const own = path.join(projectDir, "policy");
    if (fs.existsSync(path.join(own, "PulumiPolicy.yaml"))) return own;
    // shipshape's own pack: engine/ in the sources, dist/engine/ when compiled.
    const shipshapeRoot = findUp(__dirname, [path.join("policy", "PulumiPolicy.yaml")]);
    if (shipshapeRoot !== undefined) return path.join(shipshapeRoot, "policy");
    throw new PlanInputError(`no policy pack found: ${own}/PulumiPolicy.yaml does not exist (use --policy-pack)`);
}

export async function computePlan(options: PlanOptions): Promise<PlanResult> {
    const projectDir = path.resolve(options.projectDir);
    const project = loadProject(projectDir);
    const progress = options.onProgress ?? (() => undefined);
    const packDir = path.resolve(options.packDir ?? defaultPackDir(projectDir));
    if (!fs.existsSync(path.join(packDir, "PulumiPolicy.yaml"))) {
        // As the Pulumi CLI refuses it, before anything starts.
        throw new PlanInputError(`${packDir}: not a policy pack (no PulumiPolicy.yaml)`);
    }
    const configFile = options.policyConfigFile ?? defaultPolicyConfigFile(packDir, options.stack);
    // The pack and the program start independently; overlapping them halves the wait.
    progress("starting the policy pack and running the program");
    const { startPolicyPack } = await import("./policy-pack-client");
    const programRun = runProgram({ projectDir, stack: options.stack, timeoutMs: options.programTimeoutMs });
    const packStart = startPolicyPack(packDir, { stack: options.stack, project: project.name, organization: PLAN_ORGANIZATION });
    let run: Awaited<typeof programRun>;
    let pack: PolicyPackClient | undefined;
    try {
        const [runResult, packResult] = await Promise.allSettled([programRun, packStart]);
        if (packResult.status === "fulfilled") pack = packResult.value;
        if (runResult.status === "rejected") {
            const stopped = constructionViolations(runResult.reason);
            if (stopped) return stopped;
            throw runResult.reason;
        }
        if (packResult.status === "rejected") {
            throw new PlanInputError(`the policy pack in ${packDir} did not start: ${(packResult.reason as Error).message}`);
        }
        run = runResult.value;
        const client = pack!;
        progress("configuring the policy pack");
        const info = await client.getAnalyzerInfo();
        const rawConfig = configFile ? readPolicyConfig(configFile) : {};
        const reconciled = await configureWithProjectRoot(client, info.policies, rawConfig, projectDir, configFile);

        progress(`analyzing ${run.resources.length} resources`);
        const diagnostics: PlanDiagnostic[] = [];
        for (const resource of run.resources) {
            const result = await client.analyze(analyzerResource(resource, "inputs"));
            // The engine reports a resource's diagnostics under that resource's URN, whatever the pack says.
            diagnostics.push(...result.diagnostics.map((d) => toPlanDiagnostic({ ...d, urn: resource.urn })));
        }
        const stackResult = await client.analyzeStack(run.resources.map((r) => analyzerResource(r, "state")));
        diagnostics.push(...stackResult.diagnostics.map((d) => toPlanDiagnostic(d)));

        const imageConfig = imagePolicyConfig(reconciled);
        const images = run.resources.filter((r) => r.type === DOCKER_BUILD_IMAGE).map((r) => summarizeImage(r, projectDir, imageConfig));
        const repositories = summarizeRepositories(run.resources);
        return {
            stack: run.stackConfig.stack,
            project: run.project.name,
            projectDir,
            stackFile: run.stackConfig.fileName,
            resources: run.resources,
            stackOutputs: run.stackOutputs,
            logs: run.logs,
            unansweredCalls: run.unansweredCalls,
            undecryptedKeys: run.stackConfig.undecryptedKeys,
            pack: { dir: packDir, name: info.name, version: info.version, configSource: configFile ?? "schema defaults" },
            images,
            repositories,
            diagnostics,
        };
    } finally {
        if (pack) await pack.close();
        else packStart.then((p) => p.close()).catch(() => undefined);
    }

    function constructionViolations(reason: unknown): PlanResult | undefined {
        if (!(reason instanceof ProgramError) || !reason.cause.violations || reason.cause.violations.length === 0) return undefined;
        return {
            stack: options.stack,
            project: project.name,
            projectDir,
            stackFile: reason.stackFile,
            resources: [],
            stackOutputs: {},
            logs: [],
            unansweredCalls: [],
            undecryptedKeys: [],
            pack: { dir: packDir, name: "", version: "", configSource: configFile ?? "schema defaults" },
            images: [],
            repositories: [],
            diagnostics: reason.cause.violations.map((v) => ({ policy: v.policy, enforcementLevel: "mandatory", urn: "", message: v.message, subject: reason.cause.subject })),
            stoppedByProgram: reason.cause.message,
        };
    }
}

function defaultPolicyConfigFile(packDir: string, stack: string): string | undefined {
    const file = path.join(packDir, "config", `${stack}.json`);
    return fs.existsSync(file) ? file : undefined;
}

/** The file read and checked where config files are owned, handed back in the file's own form (what `configure` takes). */
function readPolicyConfig(file: string): Record<string, unknown> {
    let config: PolicyPackConfig;
    try {
        config = loadPolicyPackConfigFile(file);
    } catch (err) {
        if (err instanceof PolicyPackConfigError) throw new PlanInputError(err.message);
        throw err;
    }
    return Object.fromEntries(
        Object.entries(config).map(([name, entry]) => [name, { ...(entry.enforcementLevel ? { enforcementLevel: entry.enforcementLevel } : {}), ...entry.properties }]),
    );
}

/**
 * The pack resolves relative Dockerfile paths against the project it sits in;
 * the plan knows the project for certain, so it says so to every policy that
 * takes `projectRoot`, unless the config already does.
 */
async function configureWithProjectRoot(
    client: PolicyPackClient,
    policies: { name: string; configSchema?: { properties: Record<string, unknown> } }[],
    raw: Record<string, unknown>,
    projectDir: string,
    configFile: string | undefined,
): Promise<PolicyPackConfig> {
    const config: Record<string, unknown> = { ...raw };
    for (const policy of policies) {
        if (!policy.configSchema || !("projectRoot" in policy.configSchema.properties)) continue;
        const given = config[policy.name];
        if (typeof given === "string") config[policy.name] = { enforcementLevel: given, projectRoot: projectDir };
        else if (given === undefined) config[policy.name] = { projectRoot: projectDir };
        else if (typeof given === "object" && given !== null && !("projectRoot" in given)) config[policy.name] = { ...given, projectRoot: projectDir };
    }
    try {
        return await client.configure(config);
    } catch (err) {
        throw new PlanInputError(`${configFile ?? "policy pack schema defaults"}: ${(err as Error).message}`);
    }
}

/** One config for the analyzer summary, from the image policies' configured properties. */
function imagePolicyConfig(reconciled: PolicyPackConfig): ImagePolicyConfig {
    const merged: Record<string, unknown> = {};
    for (const name of IMAGE_POLICY_NAMES) Object.assign(merged, reconciled[name]?.properties ?? {});
    return merged as ImagePolicyConfig;
}

/**
 * The resource as the engine describes it to the pack: registration inputs for
 * Analyze; for AnalyzeStack the resulting state (a component's registered outputs).
 */
function analyzerResource(resource: RegisteredResource, view: "inputs" | "state"): AnalyzerResource {
    const properties = view === "inputs" ? resource.inputs : resource.custom ? resource.outputs : (resource.registeredOutputs ?? {});
    const options = {
        protect: resource.protect,
        ignoreChanges: resource.ignoreChanges,
        deleteBeforeReplace: resource.deleteBeforeReplace,
        additionalSecretOutputs: resource.additionalSecretOutputs,
        parent: resource.parent,
    };
    const base: AnalyzerResource = { type: resource.type, name: resource.name, urn: resource.urn, properties, options };
    if (view === "inputs") return base;
    return { ...base, parent: resource.parent, dependencies: resource.dependencies, propertyDependencies: resource.propertyDependencies };
}

/**
 * As the engine reports it: a `remediate` policy still violated after remediation counts as mandatory
 * (pulumi step_generator.go).
 */
function toPlanDiagnostic(d: { policyName: string; enforcementLevel: EnforcementLevel; urn: string; message: string }): PlanDiagnostic {
    const enforcementLevel = d.enforcementLevel === "remediate" ? "mandatory" : d.enforcementLevel;
    return { policy: d.policyName, enforcementLevel, urn: d.urn, message: d.message };
}

function summarizeImage(resource: RegisteredResource, projectDir: string, config: ImagePolicyConfig): ImageSummary {
    const unknown = unknownPaths(resource.inputs, IMAGE_ANALYSIS_INPUTS);
    const inputs = plainValue(resource.inputs) as DockerBuildImageInputs;
    const tags = Array.isArray(inputs.tags) ? inputs.tags.map(knownString).filter((t): t is string => t !== undefined) : [];
    return {
        urn: resource.urn,
        name: resource.name,
        unknownInputs: unknown,
        check: unknown.length > 0 ? undefined : checkImageInputs(inputs, { projectRoot: projectDir, config }),
        tags,
    };
}

/** Tags written into `repositoryUrl` by every image in the stack: pushed tags and registry-cache refs. */
function tagsWrittenTo(repositoryUrl: string, images: RegisteredResource[]): string[] {
    const found = new Set<string>();
    const consider = (ref: string | undefined) => {
        if (!ref || !ref.startsWith(`${repositoryUrl}:`)) return;
        const tag = ref.slice(repositoryUrl.length + 1).split("@")[0];
        if (tag) found.add(tag);
    };
    for (const image of images) {
        const inputs = asRecord(plainValue(image.inputs));
        for (const tag of Array.isArray(inputs.tags) ? inputs.tags : []) consider(knownString(tag));
        for (const entry of Array.isArray(inputs.cacheTo) ? inputs.cacheTo : []) consider(knownString(asRecord(asRecord(entry).registry).ref));
    }
    return [...found].sort();
}

function summarizeRepositories(resources: RegisteredResource[]): RepositorySummary[] {
    const images = resources.filter((r) => r.type === DOCKER_BUILD_IMAGE);
    const policies = resources.filter((r) => r.type === ECR_LIFECYCLE_POLICY);
    return resources
        .filter((r) => r.type === ECR_REPOSITORY)
        .map((repo) => {
            const state = asRecord(plainValue(repo.outputs));
            const repositoryName = knownString(state.name);
            const url = knownString(state.repositoryUrl);
            const summary: RepositorySummary = { urn: repo.urn, name: repo.name, repositoryName, url, tags: [] };
            const policyResource = policies.find((p) => repositoryName !== undefined && knownString(asRecord(plainValue(p.inputs)).repository) === repositoryName);
            if (!policyResource) {
                summary.lifecycleError = "no lifecycle policy: images accumulate without limit";
            } else {
                const text = knownString(asRecord(plainValue(policyResource.inputs)).policy);
                if (text === undefined) {
                    summary.lifecycleError = "the lifecycle policy is unknown during preview";
                } else {
                    try {
                        summary.lifecycle = parseLifecyclePolicy(text, `${policyResource.name} policy`);
                    } catch (err) {
                        summary.lifecycleError = (err as Error).message;
                    }
                }
            }
            const tags = url ? tagsWrittenTo(url, images) : [];
            summary.tags = tags.map((tag) => ({ tag, exposure: summary.lifecycle ? tagMayExpire(summary.lifecycle, tag) : undefined }));
            return summary;
        });
}

export function isRootStack(resource: RegisteredResource): boolean {
    return resource.type === ROOT_STACK;
}
