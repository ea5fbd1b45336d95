import { main } from "../../cli/main";

export interface CliRun {
    code: number;
    stdout: string;
    stderr: string;
}

/** Runs the CLI's `main` in this process, capturing what it writes (no compile or spawn per case). */
export async function runCli(args: string[]): Promise<CliRun> {
    const out: string[] = [];
    const err: string[] = [];
    const writeOut = process.stdout.write.bind(process.stdout);
    const writeErr = process.stderr.write.bind(process.stderr);
    process.stdout.write = ((chunk: string | Uint8Array) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string | Uint8Array) => (err.push(String(chunk)), true)) as typeof process.stderr.write;
    try {
        const code = await main(args);
        return { code, stdout: out.join(""), stderr: err.join("") };
    } finally {
        process.stdout.write = writeOut;
        process.stderr.write = writeErr;
    }
}
