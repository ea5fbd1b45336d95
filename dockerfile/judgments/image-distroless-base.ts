import { matchImagePatternList } from "../base-images/knowledge";
import type { ImageFacts, JudgmentConfig, Violation } from "../types";
import { baseStageLine } from "./location";

const POLICY = "image-distroless-base" as const;

/**
 * Distroless bases: Google distroless without the debug variants, Chainguard
 * without the -dev variants (and the distro bases wolfi-base, chainguard-base
 * and busybox, which carry a shell), and scratch.
 * `!` patterns exclude; the last matching pattern wins.
 */
export const DEFAULT_ALLOWED_BASE_IMAGES: readonly string[] = Object.freeze([
    "scratch",
    "gcr.io/distroless/*",
    "!gcr.io/distroless/*:{debug,debug-*,*-debug,*-debug-*}",
    "cgr.dev/chainguard/*",
    "!cgr.dev/chainguard/*:{dev,*-dev}",
    "!cgr.dev/chainguard/{wolfi-base,chainguard-base,busybox}",
]);

/**
 * The base of the built stage must be distroless. One list decides, the
 * configured allowedBaseImages or else the default above, so the CLI, the
 * policy pack and the components agree for the same configuration.
 */
export function imageDistrolessBase(facts: ImageFacts, config: JudgmentConfig): Violation[] {
    const line = baseStageLine(facts);
    const base = facts.base;
    if (base === undefined) {
        return [{ policy: POLICY, line, message: "the base image of the built stage cannot be determined" }];
    }
    const name = base === "scratch" ? "scratch" : base.normalized;
    const configured = config.allowedBaseImages;
    let decision;
    try {
        decision = matchImagePatternList(configured ?? DEFAULT_ALLOWED_BASE_IMAGES, base);
    } catch (err) {
        return [{ policy: POLICY, line, message: `allowedBaseImages is invalid: ${(err as Error).message}` }];
    }
    if (decision.allowed) return [];
    const listName = configured === undefined ? "the default distroless list" : "allowedBaseImages";
    if (decision.undecidable !== undefined) {
        return [{ policy: POLICY, line, message: `base image ${name} cannot be shown to be distroless: ${decision.undecidable}` }];
    }
    const detail = decision.pattern !== undefined ? `it is excluded by ${decision.pattern}` : `it matches no pattern of ${listName}`;
    const note = facts.baseFact?.note ? ` (${facts.baseFact.note})` : "";
    return [{ policy: POLICY, line, message: `base image ${name} is not an allowed distroless base: ${detail}${note}` }];
}
