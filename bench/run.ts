/**
 * `npm run bench`: every speed goal of the project, each measured against a
 * peer in the same run and reported as a ratio. Each section lives in its own
 * module under bench/ and exports `run(): Promise<void>`, printing its figures.
 */
const SECTIONS = ["analyzer", "lifecycle", "pack", "plan"] as const;

async function main(): Promise<void> {
    const only = process.argv.slice(2);
    for (const name of SECTIONS) {
        if (only.length > 0 && !only.includes(name)) continue;
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const section = require(`./${name}`) as { run(): Promise<void> };
        console.log(`\n== ${name} ==`);
        await section.run();
    }
}

main().catch((err) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
});
