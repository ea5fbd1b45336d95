/**
 * Every failure the analyzer reports carries the file and line it is about, so a
 * CLI, a policy diagnostic or a component error can name them without re-parsing.
 */
export class DockerfileError extends Error {
    constructor(
        /** The bare message, without location. */
        readonly detail: string,
        /** 1-based line in the Dockerfile, when the failure has one. */
        readonly line?: number,
        /** The file name used in messages (a path, or e.g. `<inline>`). */
        readonly file?: string,
    ) {
        super(formatLocation(file, line) + detail);
        this.name = "DockerfileError";
    }

    /** The same error, attributed to a file (parsers run before the caller names the file). */
    withFile(file: string): DockerfileError {
        return this.file === file ? this : new DockerfileError(this.detail, this.line, file);
    }
}

function formatLocation(file: string | undefined, line: number | undefined): string {
    if (file !== undefined && line !== undefined) return `${file}:${line}: `;
    if (file !== undefined) return `${file}: `;
    if (line !== undefined) return `line ${line}: `;
    return "";
}
