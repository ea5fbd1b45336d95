import { isNumericUser } from "../base-images/knowledge";
import type { ImageFacts, JudgmentConfig, Violation } from "../types";
import { builtStageLine } from "./location";

const POLICY = "image-non-root-user" as const;

/**
 * The image must provably run as a non-root user. An unknown user fails
 * closed. With requireNumericUser, a named user fails too: Kubernetes
 * runAsNonRoot can only verify a numeric uid.
 */
export function imageNonRootUser(facts: ImageFacts, config: JudgmentConfig): Violation[] {
    const line = facts.userLine ?? builtStageLine(facts);
    switch (facts.userVerdict) {
        case "root":
            return [{ policy: POLICY, line, message: `the image runs as root: ${facts.userReason}; add a USER with a non-root numeric uid (e.g. USER 65532)` }];
        case "unknown":
            return [{ policy: POLICY, line, message: `cannot prove the image runs as a non-root user: ${facts.userReason}; set USER explicitly` }];
        case "non-root":
            break;
    }
    if (config.requireNumericUser && (facts.user === undefined || !isNumericUser(facts.user))) {
        return [
            {
                policy: POLICY,
                line,
                message: `user ${JSON.stringify(facts.user ?? "")} is a name, not a numeric uid; Kubernetes runAsNonRoot cannot verify a named user (requireNumericUser)`,
            },
        ];
    }
    return [];
}
