/**
 * Loads the program's TypeScript the way a transpile-only ts-node would, but
 * keeps each file's JavaScript on disk keyed by the source, the tsconfig and
 * the compiler version. Every plan runs the program afresh in a child process;
 * without the cache each run pays for loading the compiler and transpiling
 * the analyzer, the lifecycle library and the components again (seconds).
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type * as ts from "typescript";
import { findUp } from "../policy/find-up";

export interface TranspileCacheOptions {
    /** The program's directory: the nearest tsconfig.json and its typescript are used. */
    projectDir: string;
    /**
     * Where compiled files are kept; default `$SHIPSHAPE_PLAN_CACHE_DIR`, else
     * `<projectDir>/node_modules/.cache/shipshape-plan`, else the temp dir.
     */
    cacheDir?: string;
}

export interface TranspileStats {
    hits: number;
    misses: number;
}

interface ModuleWithCompile extends NodeModule {
    _compile(code: string, filename: string): void;
}

function writableDir(candidates: string[]): string | undefined {
    for (const dir of candidates) {
        try {
            fs.mkdirSync(dir, { recursive: true });
            fs.accessSync(dir, fs.constants.W_OK);
            return dir;
        } catch {
            // try the next candidate
        }
    }
    return undefined;
}

const MAX_CACHE_ENTRIES = 4000;
/** Changes whenever the emitted form changes (options forced below), so old entries are never reused. */
const CACHE_FORMAT = 3;

/** Every edit adds an entry; past the limit the older half goes (by write time), so the cache stays bounded. */
function pruneCache(cacheDir: string): void {
    try {
        const names = fs.readdirSync(cacheDir).filter((n) => n.endsWith(".js"));
        if (names.length <= MAX_CACHE_ENTRIES) return;
        const byAge = names
            .map((name) => ({ name, mtime: fs.statSync(path.join(cacheDir, name)).mtimeMs }))
            .sort((a, b) => a.mtime - b.mtime);
        for (const { name } of byAge.slice(0, Math.floor(byAge.length / 2))) fs.rmSync(path.join(cacheDir, name), { force: true });
    } catch {
        // A cache that cannot be pruned still works; another run will try again.
    }
}

function nearestTsconfig(start: string): string | undefined {
    const dir = findUp(start, ["tsconfig.json"]);
    return dir === undefined ? undefined : path.join(dir, "tsconfig.json");
}

/** Installs the `.ts` loader for this process; returns live hit/miss counts. */
export function registerTranspileCache(options: TranspileCacheOptions): TranspileStats {
    const projectDir = path.resolve(options.projectDir);
    const tsEntry = require.resolve("typescript", { paths: [projectDir, __dirname] });
    const tsVersion = (JSON.parse(fs.readFileSync(path.join(path.dirname(tsEntry), "..", "package.json"), "utf8")) as { version: string }).version;
    // Like ts-node: the nearest tsconfig.json at or above the project.
    const tsconfigPath = nearestTsconfig(projectDir);
    const tsconfigText = tsconfigPath ? fs.readFileSync(tsconfigPath, "utf8") : "";
    const cacheDir = writableDir(
        options.cacheDir ? [options.cacheDir] : process.env.SHIPSHAPE_PLAN_CACHE_DIR ? [process.env.SHIPSHAPE_PLAN_CACHE_DIR] : [path.join(projectDir, "node_modules", ".cache", "shipshape-plan"), path.join(os.tmpdir(), "shipshape-plan-cache")],
    );
    const stats: TranspileStats = { hits: 0, misses: 0 };
    let compiler: { ts: typeof ts; options: ts.CompilerOptions } | undefined;

    // Loaded only on a cache miss: the compiler alone takes longer to load than a warm program run.
    const loadCompiler = () => {
        if (compiler) return compiler;
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const tsModule = require(tsEntry) as typeof ts;
        let compilerOptions: ts.CompilerOptions = {};
        if (tsconfigPath) {
            const read = tsModule.readConfigFile(tsconfigPath, tsModule.sys.readFile);
            if (read.error) throw new Error(`${tsconfigPath}: ${tsModule.flattenDiagnosticMessageText(read.error.messageText, "\n")}`);
            compilerOptions = tsModule.parseJsonConfigFileContent(read.config, tsModule.sys, path.dirname(tsconfigPath), undefined, tsconfigPath).options;
        } else {
            compilerOptions = { target: tsModule.ScriptTarget.ES2020, esModuleInterop: true };
        }
        // Loaded through require(), so CommonJS whatever the tsconfig says; no files or declarations; an inline
        // source map so stack traces name TypeScript lines.
        compilerOptions = {
            ...compilerOptions,
            module: tsModule.ModuleKind.CommonJS,
            moduleResolution: tsModule.ModuleResolutionKind.Node10,
            noEmit: false,
            declaration: false,
            declarationMap: false,
            sourceMap: false,
            inlineSourceMap: true,
            inlineSources: false,
            // The map must name the .ts file relative to itself: Node resolves `sources` against the module's own
            // path, and entries are shared between copies of a project. outDir/rootDir would make it `../../x.ts`.
            outDir: undefined,
            rootDir: undefined,
            sourceRoot: undefined,
            mapRoot: undefined,
            composite: false,
            incremental: false,
        };
        compiler = { ts: tsModule, options: compilerOptions };
        return compiler;
    };

    let pruned = false;
    const transpile = (filename: string, source: string): string => {
        // The output of a .ts file depends on its text and the options, not on where it lives, so copies of a
        // project (CI workspaces, temp dirs) share entries.
        const key = createHash("sha256").update(JSON.stringify([CACHE_FORMAT, tsVersion, tsconfigText, path.extname(filename), source])).digest("hex");
        const cached = cacheDir ? path.join(cacheDir, `${key}.js`) : undefined;
        if (cached) {
            try {
                const js = fs.readFileSync(cached, "utf8");
                stats.hits++;
                return js;
            } catch {
                // not cached yet
            }
        }
        stats.misses++;
        if (cacheDir && !pruned) {
            pruned = true;
            pruneCache(cacheDir);
        }
        const { ts: tsModule, options: compilerOptions } = loadCompiler();
        const output = tsModule.transpileModule(source, { compilerOptions, fileName: filename, reportDiagnostics: false }).outputText;
        if (cached) {
            // Write then rename, so a concurrent plan never reads half a file.
            const temp = `${cached}.${process.pid}.tmp`;
            try {
                fs.writeFileSync(temp, output);
                fs.renameSync(temp, cached);
            } catch {
                fs.rmSync(temp, { force: true });
            }
        }
        return output;
    };

    process.setSourceMapsEnabled(true);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const extensions = require.extensions;
    extensions[".ts"] = (module: NodeModule, filename: string) => {
        const source = fs.readFileSync(filename, "utf8");
        (module as ModuleWithCompile)._compile(transpile(filename, source), filename);
    };
    return stats;
}
