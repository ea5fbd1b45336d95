export type { ArgEntry, Command, CommandKind, CommandLine, KeyValue, ParsedDockerfile, Stage } from "./commands";
export { InstructionFlags, suggestion } from "./flags";
export type { Mount, MountType } from "./mounts";
export { parseMount } from "./mounts";
export { INSTRUCTION_NAMES, parseCommand, parseInstruction, parseInstructions, parseGoDuration } from "./parse";
