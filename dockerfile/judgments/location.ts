import type { ImageFacts } from "../types";

/** Line of the built stage's FROM: where findings about the image as a whole are reported. */
export function builtStageLine(facts: ImageFacts): number | undefined {
    return facts.stages[0]?.line;
}

/** Line of the FROM that names the external base image (the end of the stage chain). */
export function baseStageLine(facts: ImageFacts): number | undefined {
    return facts.stages[facts.stages.length - 1]?.line;
}

/** `file:line` for messages. */
export function where(facts: ImageFacts, line: number | undefined): string {
    return line === undefined ? facts.file : `${facts.file}:${line}`;
}
