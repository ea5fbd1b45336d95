/**
 * The analyzer's public API: analyse a Dockerfile the way BuildKit builds it,
 * then judge the image. Pure TypeScript; never imports Pulumi.
 */
export { analyzeDockerfile } from "./analyze";
export {
    BUILDER_ROLE_LABEL,
    BUILDER_ROLE_VALUE,
    DEFAULT_ALLOWED_BASE_IMAGES,
    DEFAULT_REQUIRED_LABELS,
    IMAGE_POLICY_DESCRIPTIONS,
    JUDGMENTS,
    isRfc3339DateTime,
    judgeImage,
} from "./judgments";
export type { Exemption, JudgeOptions, Judgement, Judgment } from "./judgments";
export { dumpAst, parse } from "./parser";
export type { Directives, Heredoc, Node, ParseResult, ParseWarning } from "./parser";
export { lookupBaseImage, matchImagePatternList, parseImageReference, userVerdictOf } from "./base-images";
export { DockerfileError } from "./errors";
export * from "./types";
