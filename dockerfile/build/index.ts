export type { BuildRequest, BuildResult, ChainBase, ChainStage, Setting } from "./dispatch";
export { dispatchBuild } from "./dispatch";
export { EnvList } from "./env";
export type { Platform } from "./platform";
export { defaultArgs, formatPlatform, formatPlatformAll, normalizePlatform, parsePlatform } from "./platform";
