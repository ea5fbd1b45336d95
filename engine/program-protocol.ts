/**
 * Messages between `program-runner.ts` (the CLI side) and `program-child.ts`
 * (the language host side), and the record of one registration.
 */

export interface ChildRequest {
    projectDir: string;
    mainPath: string;
    project: string;
    stack: string;
    organization: string;
    region: string;
}

/**
 * One resource registration as the engine received it. `inputs` and `outputs`
 * keep the wire encoding (unknowns as the SDK's unknown sentinel string,
 * secrets as signature objects), which is also what the engine forwards to a
 * policy pack.
 */
export interface RegisteredResource {
    type: string;
    name: string;
    urn: string;
    parent?: string;
    /** false for component resources (including the root Stack). */
    custom: boolean;
    provider?: string;
    inputs: Record<string, unknown>;
    /** State after the (mock) provider answered: inputs plus computed outputs. */
    outputs: Record<string, unknown>;
    /** What a component passed to `registerOutputs`. */
    registeredOutputs?: Record<string, unknown>;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    protect: boolean;
    deleteBeforeReplace: boolean;
    ignoreChanges: string[];
    additionalSecretOutputs: string[];
}

export interface ProgramLogEntry {
    severity: "info" | "warn" | "error";
    message: string;
    urn?: string;
}

export interface ReportedError {
    name: string;
    message: string;
    stack?: string;
    /** Set when the program threw an error carrying judgment violations (`{ policy, message }[]`). */
    violations?: { policy: string; message: string }[];
    /** The resource the error is about, when the error names it (`imageName`/`resourceName`). */
    subject?: string;
}

export type ChildReport =
    | {
          kind: "result";
          resources: RegisteredResource[];
          stackOutputs: Record<string, unknown>;
          logs: ProgramLogEntry[];
          unansweredCalls: string[];
          /** TypeScript files loaded from the transpile cache (hits) or compiled (misses). */
          transpiled: { hits: number; misses: number };
          error?: ReportedError;
      }
    | { kind: "crash"; error: ReportedError };
