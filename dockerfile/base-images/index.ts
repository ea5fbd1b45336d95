export { parseImageReference, repositoryName, splitRegistry, DEFAULT_REGISTRY } from "./references";
export {
    BUILTIN_BASE_IMAGES,
    compileImagePattern,
    imagePatternError,
    isNumericUser,
    lookupBaseImage,
    matchImagePatternList,
    matchesImagePattern,
    userVerdictOf,
} from "./knowledge";
export type { PatternListMatch, PatternSubject } from "./knowledge";
