import { lookupBaseImage, parseImageReference, userVerdictOf } from "../../../dockerfile/base-images";
import type { ImageFacts, StageSummary } from "../../../dockerfile/types";

export const COMPLETE_LABELS: Record<string, string> = {
    "org.opencontainers.image.title": "stroma",
    "org.opencontainers.image.source": "https://github.com/example/stroma",
    "org.opencontainers.image.revision": "8ff991327fd1c68369c2fb576215d0eabffca0e1",
    "org.opencontainers.image.created": "2024-05-01T12:00:00Z",
    "org.opencontainers.image.version": "1.0.0",
};

/**
 * ImageFacts as analyzeDockerfile would produce them for a one-stage build of
 * `base` (FROM at line 1), with a USER at line 5 when `user` is given.
 */
export function factsFor(base: string, overrides: Partial<ImageFacts> & { userLine?: number } = {}): ImageFacts {
    const ref = base === "scratch" ? "scratch" : parseImageReference(base);
    const baseFact = ref === "scratch" ? undefined : lookupBaseImage(ref);
    const stages: StageSummary[] = [{ index: 0, line: 1, from: base }];
    const user = overrides.user ?? (ref === "scratch" ? "" : baseFact?.user);
    const { verdict, reason } = userVerdictOf(user);
    const labelLines: Record<string, number> = {};
    Object.keys(COMPLETE_LABELS).forEach((k, i) => (labelLines[k] = 10 + i));
    return {
        file: "Dockerfile",
        stages,
        base: ref,
        baseFact,
        user,
        userVerdict: verdict,
        userReason: reason,
        platforms: ["linux/amd64"],
        platform: "linux/amd64",
        labels: { ...COMPLETE_LABELS },
        labelLines,
        errors: [],
        ...overrides,
    };
}
