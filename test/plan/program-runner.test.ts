import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PlanInputError } from "../../engine/errors";
import { loadProject, loadStackConfig, listStacks, SECRET_PLACEHOLDER } from "../../engine/project";
import { ProgramError, runProgram } from "../../engine/program-runner";

const TINY = path.join(__dirname, "fixtures", "tiny");

const temps: string[] = [];
after(() => {
    for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

function tempProject(files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-project-"));
    temps.push(dir);
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    return dir;
}

/** A temporary project that can run: the repository's node_modules linked in, so the program resolves @pulumi/pulumi. */
function runnableProject(files: Record<string, string>): string {
    const dir = tempProject(files);
    fs.symlinkSync(path.resolve(__dirname, "..", "..", "node_modules"), path.join(dir, "node_modules"));
    return dir;
}

describe("engine/project: stack config as the engine passes it", () => {
    it("namespaces keys, keeps strings, turns structured values into JSON and hides secure values", () => {
        const dir = tempProject({
            "Pulumi.yaml": "name: demo\nruntime: nodejs\nconfig:\n  greeting:\n    type: string\n    default: hello\n  aws:region: eu-north-1\n",
            "Pulumi.qa.yaml": [
                "config:",
                "  demo:count: 3",
                "  enabled: true",
                "  demo:list:",
                "    - a",
                "    - { b: 1 }",
                "  demo:token:",
                "    secure: v1:abc:def",
                "  demo:nested:",
                "    inner:",
                "      secure: v1:xyz:uvw",
                "",
            ].join("\n"),
        });
        const project = loadProject(dir);
        assert.strictEqual(project.name, "demo");
        const stack = loadStackConfig(project, "qa");
        assert.deepStrictEqual(stack.config, {
            "demo:greeting": "hello",
            "aws:region": "eu-north-1",
            "demo:count": "3",
            "demo:enabled": "true",
            "demo:list": '["a",{"b":1}]',
            "demo:token": SECRET_PLACEHOLDER,
            "demo:nested": JSON.stringify({ inner: SECRET_PLACEHOLDER }),
        });
        assert.deepStrictEqual(stack.secretKeys.sort(), ["demo:nested", "demo:token"]);
        assert.strictEqual(stack.fileName, "Pulumi.qa.yaml");
    });

    it("names the stack file and the known stacks when the stack does not exist", () => {
        const project = loadProject(TINY);
        assert.throws(
            () => loadStackConfig(project, "staging"),
            (err: Error) => err instanceof PlanInputError && /Pulumi\.staging\.yaml: stack file not found/.test(err.message) && /broken, dev, qa, throws-later/.test(err.message),
        );
        assert.deepStrictEqual(listStacks(TINY), ["broken", "dev", "qa", "throws-later"]);
    });

    it("reports invalid YAML with the file and line", () => {
        const dir = tempProject({ "Pulumi.yaml": "name: demo\n", "Pulumi.dev.yaml": "config:\n  demo:a: [1, 2\n  demo:b: 3\n" });
        assert.throws(() => loadStackConfig(loadProject(dir), "dev"), { name: "PlanInputError", message: "Pulumi.dev.yaml:3: invalid YAML: missed comma between flow collection entries" });
    });

    it("refuses a project without a name and a stack name that is a path", () => {
        const dir = tempProject({ "Pulumi.yaml": "runtime: nodejs\n" });
        assert.throws(() => loadProject(dir), /Pulumi\.yaml: key `name` must be a non-empty string/);
        assert.throws(() => loadStackConfig(loadProject(TINY), "../dev"), /invalid stack name/);
    });
});

describe("engine/program-runner: the program on the mock engine in preview mode", function () {
    this.timeout(60_000);

    it("records every registration with URN, parent and inputs, placeholder outputs and stack outputs", async () => {
        const run = await runProgram({ projectDir: TINY, stack: "dev" });
        const rows = run.resources.map((r) => [r.type, r.name, r.urn, r.parent ?? null]);
        assert.deepStrictEqual(rows, [
            ["pulumi:pulumi:Stack", "tiny-dev", "urn:pulumi:dev::tiny::pulumi:pulumi:Stack::tiny-dev", null],
            ["tiny:index:Registry", "registry", "urn:pulumi:dev::tiny::tiny:index:Registry::registry", "urn:pulumi:dev::tiny::pulumi:pulumi:Stack::tiny-dev"],
            [
                "aws:ecr/repository:Repository",
                "web",
                "urn:pulumi:dev::tiny::tiny:index:Registry$aws:ecr/repository:Repository::web",
                "urn:pulumi:dev::tiny::tiny:index:Registry::registry",
            ],
            [
                "aws:ecr/repository:Repository",
                "worker",
                "urn:pulumi:dev::tiny::tiny:index:Registry$aws:ecr/repository:Repository::worker",
                "urn:pulumi:dev::tiny::tiny:index:Registry::registry",
            ],
        ]);
        const worker = run.resources[3];
        assert.deepStrictEqual(worker.inputs, {
            name: "worker",
            imageScanningConfiguration: { scanOnPush: false },
            // Secrets keep the wire encoding the engine forwards to policy packs.
            tags: { team: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "platform" } },
        });
        assert.strictEqual(worker.custom, true);
        assert.strictEqual(run.resources[1].custom, false);
        // aws:region from the stack file reaches the placeholder outputs.
        assert.strictEqual(worker.outputs.repositoryUrl, "123456789012.dkr.ecr.eu-west-1.amazonaws.com/worker");
        assert.deepStrictEqual(run.stackOutputs.urls, [
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/web",
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/worker",
        ]);
        // A secret config value stays a secret in the outputs, with a placeholder value.
        assert.deepStrictEqual(run.stackOutputs.password, { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: SECRET_PLACEHOLDER });
        assert.deepStrictEqual(run.logs, [{ severity: "warn", message: "tiny: a warning from the program" }]);
        assert.deepStrictEqual(run.stackConfig.undecryptedKeys, ["tiny:password"]);
    });

    it("passes the program's own config error through intact, naming the stack file", async () => {
        await assert.rejects(runProgram({ projectDir: TINY, stack: "broken" }), (err: Error) => {
            assert.ok(err instanceof ProgramError, String(err));
            assert.strictEqual(err.message, "program failed for stack broken (Pulumi.broken.yaml): tiny:repos[0].name in Pulumi.broken.yaml: expected a string, got 42");
            return true;
        });
    });

    it("fails the run when an apply throws after the program returned", async () => {
        await assert.rejects(runProgram({ projectDir: TINY, stack: "throws-later" }), /Pulumi\.throws-later\.yaml\): tiny: failure inside an apply/);
    });

    it("contains a program that exits the process and one that never finishes", async () => {
        const exits = runnableProject({
            "Pulumi.yaml": "name: exits\n",
            "Pulumi.dev.yaml": "config: {}\n",
            "index.js": 'console.error("about to exit"); process.exit(7);\n',
        });
        await assert.rejects(runProgram({ projectDir: exits, stack: "dev" }), /program failed for stack dev \(Pulumi\.dev\.yaml\): the program exited with code 7 before reporting:\nabout to exit/);

        const hangs = runnableProject({
            "Pulumi.yaml": "name: hangs\n",
            "Pulumi.dev.yaml": "config: {}\n",
            "index.js": "module.exports = new Promise(() => setInterval(() => undefined, 1000));\n",
        });
        await assert.rejects(runProgram({ projectDir: hangs, stack: "dev", timeoutMs: 3000 }), /did not finish within 3 s/);
    });

    it("points at the TypeScript line of a bug in the program", async () => {
        const dir = runnableProject({
            "Pulumi.yaml": "name: buggy\n",
            "Pulumi.dev.yaml": "config: {}\n",
            "index.ts": [
                'import * as pulumi from "@pulumi/pulumi";',
                "",
                "const images = new pulumi.Config().getObject<{ name: string }[]>(\"images\");",
                "// undefined: nobody set shipshape:images",
                "export const first = images![0].name;",
                "",
            ].join("\n"),
        });
        await assert.rejects(runProgram({ projectDir: dir, stack: "dev" }), (err: Error) => {
            assert.strictEqual(
                err.message.split("\n")[0],
                "program failed for stack dev (Pulumi.dev.yaml): Cannot read properties of undefined (reading '0')",
            );
            assert.match(err.message.split("\n")[1], new RegExp(`^    at .*${path.join(dir, "index.ts").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:5:\\d+\\)?$`));
            return true;
        });
    });

    it("points at the right TypeScript file under a tsconfig with outDir and rootDir, as this repository has", async () => {
        // A fresh token keeps a cache entry from an earlier run (keyed by content) from answering.
        const token = `// run ${process.pid}-${Date.now()}\n`;
        const dir = runnableProject({
            "Pulumi.yaml": "name: nested\n",
            "Pulumi.dev.yaml": "config: {}\n",
            "tsconfig.json": JSON.stringify({ compilerOptions: { outDir: "dist", rootDir: ".", sourceMap: true, strict: true } }),
            "index.ts": `${token}import { first } from "./components/program";\nexport const name = first();\n`,
        });
        fs.mkdirSync(path.join(dir, "components"));
        fs.writeFileSync(
            path.join(dir, "components", "program.ts"),
            `${token}export function first(): string {\n    const images: { name: string }[] | undefined = undefined;\n    return images![0].name;\n}\n`,
        );
        await assert.rejects(runProgram({ projectDir: dir, stack: "dev" }), (err: Error) => {
            const file = path.join(dir, "components", "program.ts").replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
            assert.match(err.message.split("\n")[1], new RegExp(`^    at .*${file}:4:\\d+\\)?$`), err.message);
            return true;
        });
    });

    it("refuses two resources with the same URN, as the engine does", async () => {
        const dir = runnableProject({
            "Pulumi.yaml": "name: dup\n",
            "Pulumi.dev.yaml": "config: {}\n",
            "index.js": [
                'const pulumi = require("@pulumi/pulumi");',
                'new pulumi.ComponentResource("dup:index:Thing", "same");',
                'new pulumi.ComponentResource("dup:index:Thing", "same");',
                "",
            ].join("\n"),
        });
        await assert.rejects(
            runProgram({ projectDir: dir, stack: "dev" }),
            /program failed for stack dev \(Pulumi\.dev\.yaml\): Duplicate resource URN 'urn:pulumi:dev::dup::dup:index:Thing::same'; try giving it a unique name/,
        );
    });

    it("compiles the program's TypeScript once and reuses it until a source changes", async () => {
        // Entries are keyed by content: a fresh token keeps earlier runs of this test from answering.
        const token = `// run ${process.pid}-${Date.now()}\n`;
        const dir = runnableProject({
            "Pulumi.yaml": "name: cached\n",
            "Pulumi.dev.yaml": "config: {}\n",
            "index.ts": `${token}import { greet } from "./lib";\nexport const greeting: string = greet("plan");\n`,
            "lib.ts": `${token}export const greet = (who: string): string => \`hello \${who}\`;\n`,
        });
        const first = await runProgram({ projectDir: dir, stack: "dev" });
        assert.deepStrictEqual(first.transpiled, { hits: 0, misses: 2 });
        assert.strictEqual(first.stackOutputs.greeting, "hello plan");
        const second = await runProgram({ projectDir: dir, stack: "dev" });
        assert.deepStrictEqual(second.transpiled, { hits: 2, misses: 0 });
        assert.strictEqual(second.stackOutputs.greeting, "hello plan");
        fs.writeFileSync(path.join(dir, "lib.ts"), `${token}export const greet = (who: string): string => \`goodbye \${who}\`;\n`);
        const third = await runProgram({ projectDir: dir, stack: "dev" });
        assert.deepStrictEqual(third.transpiled, { hits: 1, misses: 1 });
        assert.strictEqual(third.stackOutputs.greeting, "goodbye plan");
    });
});
