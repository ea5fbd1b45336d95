/**
 * Typed instructions (BuildKit frontend/dockerfile/instructions/commands.go).
 * Values are as written: expansion happens at dispatch, against the stage's
 * environment at that point of the build.
 */
import type { Heredoc, Node } from "../parser/node";
import type { Mount } from "./mounts";

/** `KEY=value` of ENV/LABEL; `noDelim` = legacy `ENV KEY value` form. */
export interface KeyValue {
    key: string;
    value: string;
    noDelim: boolean;
}

/** ARG entry: the value is optional (`ARG NAME`). */
export interface ArgEntry {
    key: string;
    value?: string;
}

interface Base {
    /** Lowercased instruction name. */
    name: string;
    /** The instruction text as BuildKit keeps it (continuations joined, trimmed). */
    code: string;
    startLine: number;
    endLine: number;
    /** Set when the command came from a parent stage's ONBUILD trigger. */
    fromOnbuild?: boolean;
}

export interface CommandLine {
    /** Exec form: the words; shell form: one string. */
    cmdLine: string[];
    /** True for shell form (the image's shell runs it). */
    prependShell: boolean;
    heredocs: Heredoc[];
}

export type Command =
    | (Base & { kind: "env"; env: KeyValue[] })
    | (Base & { kind: "label"; labels: KeyValue[] })
    | (Base & { kind: "maintainer"; maintainer: string })
    | (Base & { kind: "arg"; args: ArgEntry[] })
    | (Base & { kind: "user"; user: string })
    | (Base & { kind: "workdir"; path: string })
    | (Base & { kind: "onbuild"; expression: string; trigger: string })
    | (Base & { kind: "copy"; sources: string[]; dest: string; from: string; chown: string; chmod: string; link: boolean; parents: boolean; excludes: string[]; inline: Heredoc[] })
    | (Base & { kind: "add"; sources: string[]; dest: string; chown: string; chmod: string; link: boolean; checksum: string; excludes: string[]; inline: Heredoc[] })
    | (Base & { kind: "run"; command: CommandLine; mounts: Mount[]; mountValues: string[]; network: string; security: string; flagsUsed: string[] })
    | (Base & { kind: "cmd"; command: CommandLine })
    | (Base & { kind: "entrypoint"; command: CommandLine })
    | (Base & { kind: "healthcheck"; test: string[]; intervalMs: number; timeoutMs: number; startPeriodMs: number; startIntervalMs: number; retries: number })
    | (Base & { kind: "expose"; ports: string[] })
    | (Base & { kind: "volume"; volumes: string[] })
    | (Base & { kind: "stopsignal"; signal: string })
    | (Base & { kind: "shell"; shell: string[] });

export type CommandKind = Command["kind"];

/** A FROM and the commands up to the next FROM (instructions.Stage). */
export interface Stage {
    /** Lowercased `AS` name, or "" when unnamed. */
    name: string;
    /** As written in the FROM line (before expansion). */
    baseName: string;
    /** `--platform` as written, or "". */
    platform: string;
    /** `FROM` as written, for messages. */
    keyword: string;
    code: string;
    startLine: number;
    endLine: number;
    commands: Command[];
}

/** The Dockerfile split the way instructions.Parse does. */
export interface ParsedDockerfile {
    /** ARG instructions before the first FROM. */
    metaArgs: Extract<Command, { kind: "arg" }>[];
    stages: Stage[];
}

export type { Node };
