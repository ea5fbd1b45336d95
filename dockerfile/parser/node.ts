/** One heredoc attached to a RUN/COPY/ADD instruction (BuildKit parser.Heredoc). */
export interface Heredoc {
    name: string;
    fileDescriptor: number;
    /** False when the name was quoted: the body is not expanded. */
    expand: boolean;
    /** `<<-`: leading tabs are stripped from the body. */
    chomp: boolean;
    content: string;
}

/**
 * One instruction of the AST (BuildKit parser.Node, flattened: `args` is the
 * Next chain, `child` is the nested instruction of ONBUILD).
 */
export interface Node {
    /** Instruction keyword, lowercased: `from`, `run`, ... */
    value: string;
    /** The keyword as written (`From`), for messages. */
    keyword: string;
    /** Flags before the arguments, as written: `--platform=$BUILDPLATFORM`. */
    flags: string[];
    /** Argument words, as BuildKit's line parsers split them (not yet expanded). */
    args: string[];
    /** ONBUILD only: the trigger instruction (same lines as the ONBUILD; no heredocs of its own). */
    child?: Node;
    /** JSON (exec) form. */
    json: boolean;
    /** Heredocs in order of their openers; an ONBUILD trigger's heredocs sit here on the ONBUILD node, as in BuildKit. */
    heredocs: Heredoc[];
    /** The instruction text with continuations joined, as BuildKit keeps it in Original. */
    original: string;
    startLine: number;
    endLine: number;
}

export interface Directives {
    escape?: string;
    syntax?: string;
    check?: string;
}

export interface ParseWarning {
    message: string;
    line: number;
}

export interface ParseResult {
    ast: Node[];
    escapeToken: string;
    directives: Directives;
    warnings: ParseWarning[];
}
