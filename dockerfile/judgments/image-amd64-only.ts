import { formatPlatform, parsePlatform } from "../build/platform";
import type { ImageFacts, JudgmentConfig, Violation } from "../types";
import { builtStageLine } from "./location";

const POLICY = "image-amd64-only" as const;
export const REQUIRED_PLATFORM = "linux/amd64";

/**
 * Exactly linux/amd64 must be requested (no request = buildx builds for the
 * host, whatever it is), and no FROM --platform in the built chain may pin
 * another platform or take it from the builder's host ($BUILDPLATFORM: amd64 on
 * one builder, arm64 on the next). A stage on the target platform is fine;
 * builder stages outside the chain (e.g. on $BUILDPLATFORM) do not reach the
 * image, and a --platform BuildKit ignores (FROM <stage>, FROM scratch) decides nothing.
 */
export function imageAmd64Only(facts: ImageFacts, _config: JudgmentConfig): Violation[] {
    const violations: Violation[] = [];
    const line = builtStageLine(facts);
    const requested = new Set<string>();
    if (facts.platforms.length === 0) {
        violations.push({
            policy: POLICY,
            line,
            message: `no platform was requested, so buildx builds for the host platform; request exactly ${REQUIRED_PLATFORM}`,
        });
    }
    for (const given of facts.platforms) {
        const normalized = normalize(given);
        if (normalized instanceof Error) {
            violations.push({ policy: POLICY, line, message: `requested platform ${JSON.stringify(given)} is invalid: ${normalized.message}` });
        } else {
            requested.add(normalized);
        }
    }
    const others = [...requested].filter((p) => p !== REQUIRED_PLATFORM);
    if (others.length > 0) {
        violations.push({
            policy: POLICY,
            line,
            message: `platforms ${[...requested].join(", ")} were requested; only ${REQUIRED_PLATFORM} is allowed`,
        });
    }
    for (const stage of facts.stages) {
        if (stage.platform === undefined || stage.platformIgnored === true) continue;
        const stageName = stage.name ?? `stage ${stage.index}`;
        const hostVariables = stage.platformBuildVariables ?? [];
        if (hostVariables.length > 0) {
            const from = hostVariables.map((v) => "$" + v).join(", ");
            violations.push({
                policy: POLICY,
                line: stage.line,
                message: `the built stage's platform comes from ${from} (FROM --platform of ${stageName}), i.e. the builder's host, so the image is ${REQUIRED_PLATFORM} only on an amd64 builder; use --platform=$TARGETPLATFORM (or none) on the stages the image is built from`,
            });
            continue;
        }
        const normalized = normalize(stage.platform);
        if (normalized instanceof Error) {
            violations.push({
                policy: POLICY,
                line: stage.line,
                message: `FROM --platform of ${stageName} is ${JSON.stringify(stage.platform)}, which is invalid: ${normalized.message}`,
            });
        } else if (normalized !== REQUIRED_PLATFORM && !requested.has(normalized)) {
            violations.push({
                policy: POLICY,
                line: stage.line,
                message: `${stageName} of the built image is pinned to ${normalized} by FROM --platform; the image must be ${REQUIRED_PLATFORM}`,
            });
        }
    }
    return violations;
}

function normalize(platform: string): string | Error {
    try {
        return formatPlatform(parsePlatform(platform));
    } catch (err) {
        return err instanceof Error ? err : new Error(String(err));
    }
}
