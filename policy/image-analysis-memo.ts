/**
 * One analysis per image resource per Analyze call. The engine asks each of the
 * four image policies about the same resource in turn, and each needs the same
 * resolved, read and analysed Dockerfile (only the judging differs by policy
 * config). Pure: no Pulumi import.
 */
import { ImagePolicyName } from "../dockerfile/types";
import { AnalyzeImageOptions, DockerBuildImageInputs, ImageAnalysis, analyzeImageInputs, stableDigest } from "./image-inputs";

interface MemoEntry {
    analysis: ImageAnalysis;
    /** Policies this analysis has served. */
    servedTo: Set<ImagePolicyName>;
}

/** The inputs `analyzeImageInputs` reads, and nothing else (named contexts, tags, cache settings do not change the analysis). */
function analysisKey(inputs: DockerBuildImageInputs, options: AnalyzeImageOptions): string | undefined {
    // A digest, so an inline Dockerfile of a MiB costs a short key.
    return stableDigest({
        dockerfile: { inline: inputs.dockerfile?.inline, location: inputs.dockerfile?.location },
        context: inputs.context?.location,
        target: inputs.target,
        buildArgs: inputs.buildArgs,
        platforms: inputs.platforms,
        labels: inputs.labels,
        projectRoot: options.projectRoot,
        baseImages: options.baseImages,
    });
}

/**
 * Serves an analysis to each image policy at most once. A policy asking again for
 * the same inputs is a later Analyze call (the file may have changed since), so the
 * analysis is redone then; an entry every policy has used is dropped. Bounded: the
 * least recently used entry goes first (entries of policies that are disabled, or
 * of Analyze calls in flight together, never complete).
 */
export class ImageAnalysisMemo {
    private readonly entries = new Map<string, MemoEntry>();

    constructor(
        private readonly policies: readonly ImagePolicyName[],
        private readonly capacity = 64,
    ) {}

    get size(): number {
        return this.entries.size;
    }

    analysis(policy: ImagePolicyName, inputs: DockerBuildImageInputs, options: AnalyzeImageOptions): ImageAnalysis {
        const key = analysisKey(inputs, options);
        if (key === undefined) return analyzeImageInputs(inputs, options);
        let entry = this.entries.get(key);
        this.entries.delete(key);
        if (!entry || entry.servedTo.has(policy)) entry = { analysis: analyzeImageInputs(inputs, options), servedTo: new Set() };
        entry.servedTo.add(policy);
        if (this.policies.some((p) => !entry!.servedTo.has(p))) {
            this.entries.set(key, entry);
            if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
        }
        return entry.analysis;
    }
}
